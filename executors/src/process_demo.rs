//! Section 3: `ProcessPoolExecutor` on CPU-bound work.
//!
//! ```python
//! def cpu_intensive(n):
//!     print(f"Processing {n} in PID {os.getpid()}...")
//!     return sum(i ** 2 for i in range(n))
//! with ProcessPoolExecutor(max_workers=4) as executor:
//!     for result in executor.map(cpu_intensive, [10_000_000] * 4):
//!         print(f"Result: {result}")
//! ```

use std::time::Duration;

use common::report::Comparison;
use common::timing::time;
use common::verdict::{Contention, ContentionWatch, Verdict, compare};
use common::work::sum_of_squares_formula;

use crate::Config;
use crate::executor::{Queued, ThreadPoolExecutor};
use crate::process_executor::ProcessPoolExecutor;

/// Four sums on a four-process executor (start-up included, as in Python).
pub fn on_processes(config: &Config, n: u64) -> anyhow::Result<Vec<u128>> {
    let executor: ProcessPoolExecutor<u64, u128> =
        ProcessPoolExecutor::new(&config.worker_exe, crate::worker::CPU, 4)?;
    let results = executor.map(|n| n, [n; 4]);
    executor.shutdown(Queued::Run);
    Ok(results.into_iter().collect::<Result<_, _>>()?)
}

/// The same on a four-thread executor.
pub fn on_threads(n: u64) -> anyhow::Result<Vec<u128>> {
    let executor = ThreadPoolExecutor::new(4)?;
    Ok(executor.map(common::work::sum_of_squares, [n; 4]).collect::<Result<_, _>>()?)
}

/// Section 3.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let n = config.scale.size(10_000_000);
    let watching = ContentionWatch::start();
    let (results, processes) = time(|| on_processes(config, n));
    let results = results?;
    for result in &results {
        println!("Result: {result}");
    }
    println!("\nTime taken: {:.3}s", processes.as_secs_f64());
    anyhow::ensure!(
        results.iter().all(|&r| r == sum_of_squares_formula(n)),
        "wrong sums"
    );

    let (threaded, threads) = time(|| on_threads(n));
    let contention = watching.finish();
    anyhow::ensure!(threaded? == results, "the threads disagree");
    let mut table = Comparison::new("4 processes (incl. start)", processes);
    table.add("4 threads", threads);
    println!("\n{table}");
    println!(
        "Four PIDs above: real processes, as in Python.\n{}",
        reading(processes, threads, contention)
    );
    Ok(())
}

/// What the two rows say, from their numbers: Rust threads have no GIL, so
/// they run this loop in parallel as the processes do — without starting
/// anything or copying results. Whether that shows depends on the run.
fn reading(processes: Duration, threads: Duration, contention: Contention) -> String {
    let threads_vs = compare(processes, threads);
    let parallel = match contention.obstacle() {
        Some(why) => format!("\n(Neither could run in parallel here: {why}.)"),
        None => String::new(),
    };
    match threads_vs.verdict {
        Verdict::Faster if !parallel.is_empty() => format!(
            "The 4 threads were {threads_vs} than the processes: they started nothing and\n\
             copied nothing.{parallel}"
        ),
        Verdict::Faster => format!(
            "The 4 threads were {threads_vs} than the processes: no GIL, so they run the\n\
             loop in parallel too, without starting anything or copying results.{parallel}"
        ),
        Verdict::Tie if !parallel.is_empty() => format!(
            "4 threads against 4 processes: {threads_vs}: starting the processes cost too\n\
             little here to tell them apart.{parallel}"
        ),
        Verdict::Tie => format!(
            "4 threads against 4 processes: {threads_vs}. With no GIL both run the loop in\n\
             parallel; starting 4 processes cost too little here to tell them apart.{parallel}"
        ),
        Verdict::Slower => format!(
            "The 4 threads were slower than the processes in this run ({threads_vs}) — the two\n\
             were timed one after the other, and something else ran meanwhile.{parallel}"
        ),
    }
}
