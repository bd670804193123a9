//! Section 6: thread pool, process pool, rayon — side by side, measured.
//!
//! The notebook's section prints advice ("ThreadPoolExecutor for I/O…").
//! Here the overhead column is measured on this machine: many trivial
//! tasks, total time ÷ tasks. A rayon `par_iter` item costs well under a
//! nanosecond (rayon hands out a few chunks, not one task per item), so the
//! column keeps three significant figures rather than whole nanoseconds —
//! "0 ns" would read as "free".

use std::time::Duration;

use common::report::Table;
use common::timing::{HumanDuration, best_of};
use rayon::prelude::*;

use crate::Config;
use crate::executor::{Queued, ThreadPoolExecutor};
use crate::process_executor::ProcessPoolExecutor;

/// Per-task overhead of each pool, in nanoseconds (fractions kept), for
/// `tasks` trivial tasks.
#[derive(Debug, Clone, Copy)]
pub struct Overheads {
    /// `ThreadPoolExecutor::map` (one future per task).
    pub executor: f64,
    /// `ProcessPoolExecutor::map` (one round trip per task).
    pub process_executor: f64,
    /// `rayon::scope` with one `spawn` per task.
    pub rayon_spawn: f64,
    /// `par_iter().map()` (rayon splits the work into chunks itself).
    pub rayon_par_iter: f64,
}

/// Nanoseconds per task: `total ÷ tasks`, without rounding to whole ns.
fn per_task(total: Duration, tasks: u32) -> f64 {
    total.as_nanos() as f64 / f64::from(tasks.max(1))
}

/// A per-task cost with three significant figures: `0.912 ns`, `80.4 ns`,
/// `513 ns`, `33.0 µs`.
pub fn nanos(ns: f64) -> String {
    if ns >= 1_000.0 {
        return HumanDuration(Duration::from_nanos(ns.round() as u64)).to_string();
    }
    let decimals = if ns >= 100.0 {
        0
    } else if ns >= 10.0 {
        1
    } else if ns >= 1.0 {
        2
    } else {
        3
    };
    format!("{ns:.decimals$} ns")
}

/// Measures [`Overheads`] (best of 3).
pub fn measure(config: &Config, tasks: u32) -> anyhow::Result<Overheads> {
    let workers = common::pool::cpu_workers();
    let executor = ThreadPoolExecutor::new(workers)?;
    let (sum, took) = best_of(3, || {
        executor.map(|x: u32| x + 1, 0..tasks).map(|r| r.unwrap_or(0)).sum::<u32>()
    });
    anyhow::ensure!(sum == (1..=tasks).sum::<u32>(), "executor lost tasks");
    let per_executor = per_task(took, tasks);
    drop(executor);

    let processes: ProcessPoolExecutor<u32, u32> =
        ProcessPoolExecutor::new(&config.worker_exe, crate::worker::NOTHING, workers)?;
    let process_tasks = tasks / 4;
    let (results, took) = best_of(3, || processes.map(|x| x, 0..process_tasks));
    anyhow::ensure!(results.iter().all(Result::is_ok), "process tasks failed");
    let per_process = per_task(took, process_tasks);
    processes.shutdown(Queued::Run);

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
    let per_spawn = per_task(took, tasks);

    let (sum, took) =
        best_of(3, || (0..tasks).into_par_iter().map(|x| x + 1).sum::<u32>());
    anyhow::ensure!(sum == (1..=tasks).sum::<u32>(), "par_iter lost items");
    Ok(Overheads {
        executor: per_executor,
        process_executor: per_process,
        rayon_spawn: per_spawn,
        rayon_par_iter: per_task(took, tasks),
    })
}

/// Section 6.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let tasks = config.scale.pick(20_000, 2_000);
    let o = measure(config, tasks)?;
    let mut table =
        Table::new(["", "overhead per task", "a panic…", "an abort / hang…", "use for"]);
    table.left_align(0).left_align(2).left_align(3).left_align(4);
    let human = nanos;
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
         {}\n\
         par_iter splits the items into a few chunks, one task each: its cost per item is\n\
         the chunk's cost shared out.\n\
         map() applies a function to each item and yields results in order; submit()\n\
         returns a future at once; shutdown() waits for queued work (Python's advice,\n\
         unchanged). Section 8 measures CPU-bound work on threads.",
        tasks / 4,
        reading(&o)
    );
    Ok(())
}

/// The ranking the numbers show, each step with its measured factor.
fn reading(o: &Overheads) -> String {
    let mut rows = [
        ("the process pool", o.process_executor),
        ("our thread pool", o.executor),
        ("a rayon spawn", o.rayon_spawn),
        ("a par_iter item", o.rayon_par_iter),
    ];
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let steps: Vec<String> = rows
        .windows(2)
        .map(|pair| {
            let (dearer, cheaper) = (pair[0], pair[1]);
            let factor =
                common::verdict::ratio(dearer.1 / cheaper.1.max(f64::MIN_POSITIVE));
            match factor.verdict {
                common::verdict::Verdict::Tie => {
                    format!(
                        "{} cost about the same as {} ({factor})",
                        dearer.0, cheaper.0
                    )
                }
                _ => format!("{} cost {:.1}× {}", dearer.0, factor.ratio, cheaper.0),
            }
        })
        .collect();
    format!("Per task, in this run:\n  {}.", steps.join(";\n  "))
}
