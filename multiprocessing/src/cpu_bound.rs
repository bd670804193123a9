//! Section 4: CPU-bound speedup — four sums of squares, three ways.
//!
//! ```python
//! def cpu_bound_task(n):
//!     return sum(i ** 2 for i in range(n))
//!
//! [cpu_bound_task(10_000_000) for _ in range(4)]                 # Time: 3.64s
//! multiprocessing.Pool(processes=4).map(cpu_bound_task, [10_000_000] * 4)
//! ```
//!
//! In Python the pool is the only way to use more than one core. In Rust,
//! four threads do the same job without starting a process or shipping a
//! byte, so the interesting comparison is processes *versus threads*.
//! The pool's start-up (four `exec`s) is timed separately from its `map`.

use std::thread;
use std::time::Duration;

use anyhow::Context;
use common::pool::ProcessPool;
use common::report::Comparison;
use common::timing::{HumanDuration, best_of, time};
use common::verdict::{Verdict, compare, plural};

use crate::Config;
use crate::jobs::{sum_of_squares, sum_of_squares_formula};

/// Tasks, as in the notebook.
pub const TASKS: usize = 4;

/// Starts a pool of `workers` processes that compute sums of squares.
pub fn sums_pool(
    config: &Config,
    workers: usize,
) -> anyhow::Result<ProcessPool<u64, u128>> {
    crate::jobs::SUMS
        .pool(&config.worker_exe)
        .workers(workers)
        .start()
        .context("starting the process pool")
}

/// Four sums, one after another.
pub fn sequential(n: u64) -> Vec<u128> {
    (0..TASKS).map(|_| sum_of_squares(n)).collect()
}

/// Four sums on four threads (scoped: they borrow nothing, but the scope
/// guarantees they are joined).
pub fn on_threads(n: u64) -> Vec<u128> {
    thread::scope(|scope| {
        let handles: Vec<_> =
            (0..TASKS).map(|_| scope.spawn(move || sum_of_squares(n))).collect();
        handles.into_iter().map(|h| h.join().expect("summing cannot panic")).collect()
    })
}

/// Four sums on a process pool; any task error is an error.
pub fn on_processes(pool: &ProcessPool<u64, u128>, n: u64) -> anyhow::Result<Vec<u128>> {
    Ok(pool.map(|n| n, vec![n; TASKS]).into_iter().collect::<Result<_, _>>()?)
}

/// Measured times of the three ways (best of `runs` each).
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    /// One after another.
    pub sequential: Duration,
    /// Four threads.
    pub threads: Duration,
    /// Starting the four-process pool.
    pub pool_start: Duration,
    /// `map` on the warm pool.
    pub processes: Duration,
}

/// Runs all three ways, checking every result against the formula.
pub fn measure(config: &Config, n: u64, runs: usize) -> anyhow::Result<Timings> {
    let expected = vec![sum_of_squares_formula(n); TASKS];
    let (results, sequential) = best_of(runs, || sequential(n));
    anyhow::ensure!(results == expected, "sequential sums are wrong");
    let (results, threads) = best_of(runs, || on_threads(n));
    anyhow::ensure!(results == expected, "threaded sums are wrong");
    let (pool, pool_start) = time(|| sums_pool(config, TASKS));
    let pool = pool?;
    let mut processes = Duration::MAX;
    for _ in 0..runs {
        let (results, took) = time(|| on_processes(&pool, n));
        anyhow::ensure!(results? == expected, "sums from the processes are wrong");
        processes = processes.min(took);
    }
    pool.shutdown();
    Ok(Timings { sequential, threads, pool_start, processes })
}

/// Prints the notebook's lines and a comparison table.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let n = config.scale.size(10_000_000);
    println!(
        "cpu_bound_task({n}) = {} (a u128: it overflows u64)\n",
        sum_of_squares_formula(n)
    );
    let (t, contention) = common::verdict::watch(|| measure(config, n, 3));
    let t = t?;
    println!("Sequential execution:\nTime: {:.3}s", t.sequential.as_secs_f64());
    println!("\nMultiprocessing execution:\nTime: {:.3}s", t.processes.as_secs_f64());
    let processes = compare(t.sequential, t.processes);
    println!("Speedup: {processes}");

    let mut table = Comparison::new("sequential", t.sequential);
    table.add_with_note(format!("{TASKS} threads"), t.threads, "no process, no copying");
    table.add_with_note(
        format!("{TASKS} processes (warm pool)"),
        t.processes,
        "map only",
    );
    table.add_with_note(
        format!("{TASKS} processes incl. start"),
        t.pool_start + t.processes,
        format!("starting the pool took {}", HumanDuration(t.pool_start)),
    );
    println!("\nBest of 3, every result checked against (n−1)·n·(2n−1)/6:\n{table}");
    let threads = compare(t.sequential, t.threads);
    let cpus = contention.cpus_allowed.min(TASKS);
    println!(
        "With {} a parallel speedup can reach at most {cpus}× on an otherwise idle\n\
         machine. Python needs the processes to get one at all (the GIL lets one\n\
         thread run Python at a time).",
        plural(cpus as u64, "CPU")
    );
    if let Some(beyond) =
        contention.beyond_cores(threads.ratio.max(processes.ratio), TASKS)
    {
        println!("({beyond}.)");
    }
    if contention.cpus_allowed == 1 {
        println!(
            "Here (threads: {threads}; warm pool: {processes}) neither could run in\n\
             parallel on 1 CPU: any gap from 1× comes from the machine, not from\n\
             parallelism."
        );
    } else if threads.verdict == Verdict::Faster {
        let against = compare(t.processes, t.threads);
        if against.verdict == Verdict::Slower {
            println!(
                "Here Rust's threads were {threads} than sequential, but against the warm\n\
                 pool {against}: one run on a shared machine, where either can lose a\n\
                 time slice."
            );
        } else {
            println!(
                "Here Rust's threads were {threads} than sequential, and against the warm\n\
                 pool {against}: threads get the parallel speedup without processes."
            );
        }
    } else if processes.verdict == Verdict::Faster {
        println!(
            "Here the warm pool was {processes} but the threads {threads}: one run on\n\
             a shared machine, where either can lose a time slice ({}).",
            contention.reason()
        );
    } else {
        println!(
            "Here neither showed a parallel speedup (threads: {threads}; warm pool:\n\
             {processes}): {}.",
            contention.reason()
        );
    }
    Ok(())
}
