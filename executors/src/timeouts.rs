//! Section 5: timeouts — and how to actually stop slow work.
//!
//! ```python
//! with ThreadPoolExecutor(max_workers=2) as executor:
//!     futures = [executor.submit(slow_task, d) for d in [1, 5]]
//!     for future in futures:
//!         try:    print(f"Result: {future.result(timeout=2)}")
//!         except concurrent.futures.TimeoutError:  print("Task timed out!")
//! ```
//!
//! The surprise: the cell still takes ~5 s. `result(timeout=2)` stops
//! *waiting*; the task runs on, and leaving the `with` block waits for it.
//! The same happens here when the executor is dropped. What stops work:
//!
//! 1. **cancel** what has not started ([`TaskFuture::cancel`](crate::executor::TaskFuture::cancel),
//!    `shutdown(Queued::Cancel)`);
//! 2. **ask** running work to stop — a flag the task checks
//!    ([`CancelToken`]); threads cannot be killed, in Rust or in Python;
//! 3. **kill** it — only possible for a process
//!    ([`ProcessPoolExecutor::terminate`]).

use std::time::Duration;

use common::report::Table;
use common::timing::{HumanDuration, time};

use crate::Config;
use crate::executor::{CancelToken, TaskError, ThreadPoolExecutor};
use crate::process_executor::ProcessPoolExecutor;

/// The notebook's `slow_task(duration)`, with the sleep scaled.
fn slow_task(seconds: u32, pause: Duration) -> String {
    std::thread::sleep(pause);
    format!("Completed in {seconds}s")
}

/// What the notebook's cell does: returns the two outcomes, and how long
/// the `with` block (here: the drop) waited afterwards.
pub fn notebook_cell(
    config: &Config,
) -> anyhow::Result<(Vec<Result<String, TaskError>>, Duration)> {
    let executor = ThreadPoolExecutor::new(2)?;
    let futures: Vec<_> = [1, 5]
        .map(|seconds| {
            let pause = config.scale.sleep(f64::from(seconds));
            executor.submit(move || slow_task(seconds, pause))
        })
        .into_iter()
        .collect();
    let limit = config.scale.sleep(2.0);
    let outcomes = futures.iter().map(|f| f.result_timeout(limit)).collect();
    let ((), waited) = time(|| drop(executor));
    Ok((outcomes, waited))
}

/// Ways to stop slow work, each timed: how long until the executor is gone.
pub fn stopping(
    config: &Config,
) -> anyhow::Result<Vec<(&'static str, Duration, String)>> {
    let slow = config.scale.sleep(5.0);
    let mut rows = Vec::new();

    // 1. Cancel what has not started: one worker, four slow tasks queued.
    let executor = ThreadPoolExecutor::new(1)?;
    let futures: Vec<_> =
        (0..4).map(|_| executor.submit(move || std::thread::sleep(slow))).collect();
    let cancelled = futures.iter().filter(|f| f.cancel()).count();
    let ((), took) = time(|| drop(executor));
    rows.push((
        "cancel() the queued ones",
        took,
        format!("{cancelled} of 4 cancelled; the running one finished"),
    ));

    // 2. Cooperative: the task sleeps in slices and checks the token.
    let executor = ThreadPoolExecutor::new(1)?;
    let token = CancelToken::new();
    let task_token = token.clone();
    let future = executor.submit(move || task_token.sleep(slow));
    while !future.is_running() && !future.is_done() {
        std::thread::yield_now();
    }
    token.cancel();
    let ((), took) = time(|| drop(executor));
    let finished = future.result()?;
    rows.push((
        "CancelToken checked by the task",
        took,
        format!("the task saw the flag and returned early (finished = {finished})"),
    ));

    // 3. Kill: a process running an hour-long task.
    let executor: ProcessPoolExecutor<u64, u64> =
        ProcessPoolExecutor::new(&config.worker_exe, crate::worker::SLOW, 1)?;
    let future = executor.submit(3_600_000);
    while !future.is_running() {
        std::thread::yield_now();
    }
    let ((), took) = time(|| executor.terminate());
    let outcome = match future.result() {
        Ok(value) => format!("Ok({value})?"),
        Err(err) => err.to_string(),
    };
    rows.push(("terminate() the worker process", took, outcome));
    Ok(rows)
}

/// Section 5.
pub fn show(config: &Config) -> anyhow::Result<()> {
    println!(
        "Durations 1 and 5 (scaled: {} and {}), result_timeout({}):",
        HumanDuration(config.scale.sleep(1.0)),
        HumanDuration(config.scale.sleep(5.0)),
        HumanDuration(config.scale.sleep(2.0))
    );
    let (outcomes, waited) = notebook_cell(config)?;
    for outcome in outcomes {
        match outcome {
            Ok(result) => println!("Result: {result}"),
            Err(TaskError::NotReady(_)) => println!("Task timed out!"),
            Err(other) => println!("Error: {other}"),
        }
    }
    println!(
        "…and then dropping the executor (leaving the `with` block) waited another {}\n\
         for the task that had \"timed out\". A timeout stops the waiting, not the work.\n",
        HumanDuration(waited)
    );

    println!(
        "Three ways to really stop a {} task:",
        HumanDuration(config.scale.sleep(5.0))
    );
    let mut table = Table::new(["how", "executor gone after", "what happened"]);
    table.left_align(0).left_align(2);
    for (how, took, note) in stopping(config)? {
        table.row([how.to_string(), HumanDuration(took).to_string(), note]);
    }
    println!("{table}");
    println!(
        "A thread can only be *asked* to stop: killing it mid-way could leave a lock held or\n\
         data half-written, so neither Rust nor Python offers it. A process can be killed —\n\
         the OS reclaims everything it held — which is one more reason to use processes for\n\
         work you may need to abandon."
    );
    Ok(())
}
