//! Section 6: thread pool, process pool, rayon — side by side, measured.
//!
//! The notebook's section prints advice ("ThreadPoolExecutor for I/O…").
//! Here the overhead column is measured on this machine: many trivial
//! tasks, total time ÷ tasks.

use std::time::Duration;

use common::report::Table;
use common::timing::{HumanDuration, best_of};
use rayon::prelude::*;

use crate::Config;
use crate::executor::ThreadPoolExecutor;
use crate::process_executor::ProcessPoolExecutor;

/// Per-task overhead of each pool, for `tasks` trivial tasks.
#[derive(Debug, Clone, Copy)]
pub struct Overheads {
    /// `ThreadPoolExecutor::map` (one future per task).
    pub executor: Duration,
    /// `ProcessPoolExecutor::map` (one round trip per task).
    pub process_executor: Duration,
    /// `rayon::scope` with one `spawn` per task.
    pub rayon_spawn: Duration,
    /// `par_iter().map()` (rayon splits the work into chunks itself).
    pub rayon_par_iter: Duration,
}

/// Measures [`Overheads`] (best of 3).
pub fn measure(config: &Config, tasks: u32) -> anyhow::Result<Overheads> {
    let workers = common::pool::cpu_workers();
    let executor = ThreadPoolExecutor::new(workers)?;
    let (sum, took) = best_of(3, || {
        executor.map(|x: u32| x + 1, 0..tasks).map(|r| r.unwrap_or(0)).sum::<u32>()
    });
    anyhow::ensure!(sum == (1..=tasks).sum::<u32>(), "executor lost tasks");
    let per_executor = took / tasks;
    drop(executor);

    let processes: ProcessPoolExecutor<u32, u32> =
        ProcessPoolExecutor::new(&config.worker_exe, crate::worker::NOTHING, workers)?;
    let process_tasks = tasks / 4;
    let (results, took) = best_of(3, || processes.map(|x| x, 0..process_tasks));
    anyhow::ensure!(results.iter().all(Result::is_ok), "process tasks failed");
    let per_process = took / process_tasks;
    processes.shutdown(false);

    let (count, took) = best_of(3, || {
        let counter = std::sync::atomic::AtomicU32::new(0);
        rayon::scope(|scope| {
            for _ in 0..tasks {
                scope.spawn(|_| {
                    counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                });
            }
        });
        counter.into_inner()
    });
    anyhow::ensure!(count == tasks, "rayon lost tasks");
    let per_spawn = took / tasks;

    let (sum, took) =
        best_of(3, || (0..tasks).into_par_iter().map(|x| x + 1).sum::<u32>());
    anyhow::ensure!(sum == (1..=tasks).sum::<u32>(), "par_iter lost items");
    Ok(Overheads {
        executor: per_executor,
        process_executor: per_process,
        rayon_spawn: per_spawn,
        rayon_par_iter: took / tasks,
    })
}

/// Section 6.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let tasks = config.scale.pick(20_000, 2_000);
    let o = measure(config, tasks)?;
    let mut table =
        Table::new(["", "overhead per task", "a panic…", "an abort / hang…", "use for"]);
    table.left_align(0).left_align(2).left_align(3).left_align(4);
    let human = |d: Duration| HumanDuration(d).to_string();
    table.row([
        "ThreadPoolExecutor (ours)".into(),
        human(o.executor),
        "fails that future only".into(),
        "takes the process / can't be stopped".into(),
        "blocking I/O, mixed tasks, futures".into(),
    ]);
    table.row([
        "ProcessPoolExecutor".into(),
        human(o.process_executor),
        "fails that task only".into(),
        "kills one worker; it is replaced".into(),
        "isolation, killable work, unsafe code".into(),
    ]);
    table.row([
        "rayon scope + spawn".into(),
        human(o.rayon_spawn),
        "re-raised in the caller".into(),
        "takes the process".into(),
        "CPU-bound task graphs".into(),
    ]);
    table.row([
        "rayon par_iter".into(),
        human(o.rayon_par_iter),
        "re-raised in the caller".into(),
        "takes the process".into(),
        "CPU-bound data parallelism".into(),
    ]);
    println!("{table}");
    println!(
        "Measured over {tasks} trivial tasks ({} for the process pool), best of 3.\n\
         map() applies a function to each item and yields results in order; submit()\n\
         returns a future at once; shutdown() waits for queued work (Python's advice,\n\
         unchanged). In Rust, threads also win for CPU-bound work: no GIL.",
        tasks / 4
    );
    Ok(())
}
