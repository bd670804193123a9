//! Section 8: how many workers? The module README says "5–10 threads for
//! I/O, CPU cores for processes". Measured instead of told:
//!
//! * **I/O-bound** tasks (sleeps) scale with workers until every task has
//!   its own: 40 tasks on 40 workers take one sleep. Cores do not matter.
//! * **CPU-bound** tasks scale until the cores are busy, then flatten: more
//!   workers only take turns.

use std::time::Duration;

use common::report::Table;
use common::timing::{HumanDuration, speedup, time};
use common::verdict::{Contention, Verdict, compare, plural, watch};

use crate::Config;
use crate::executor::ThreadPoolExecutor;

/// One sweep row.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// Workers.
    pub workers: usize,
    /// Time for all tasks.
    pub took: Duration,
}

/// Runs `tasks` copies of `task` on executors of each size.
pub fn sweep(
    worker_counts: &[usize],
    tasks: usize,
    task: impl Fn() + Send + Sync + Clone + 'static,
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for &workers in worker_counts {
        let executor = ThreadPoolExecutor::new(workers)?;
        let task = task.clone();
        let (done, took) = time(|| {
            let task = task.clone();
            executor.map(move |_: usize| task(), 0..tasks).filter(Result::is_ok).count()
        });
        anyhow::ensure!(done == tasks, "{} of {tasks} tasks finished", done);
        rows.push(Row { workers, took });
    }
    Ok(rows)
}

/// Worker counts for the CPU sweep: 1, 2, cores, 2×cores, 4×cores.
pub fn cpu_counts(cores: usize) -> Vec<usize> {
    let mut counts = vec![1, 2, cores, 2 * cores, 4 * cores];
    counts.sort_unstable();
    counts.dedup();
    counts
}

fn print(title: &str, rows: &[Row]) {
    let base = rows[0].took;
    let best = rows.iter().map(|r| speedup(base, r.took)).fold(1.0, f64::max);
    let mut table = Table::new(["workers", "time", "speedup", ""]);
    table.left_align(3);
    for row in rows {
        let s = speedup(base, row.took);
        let bar = "█".repeat(((s / best) * 30.0).round() as usize);
        table.row([
            row.workers.to_string(),
            HumanDuration(row.took).to_string(),
            format!("{s:.1}×"),
            bar,
        ]);
    }
    println!("{title}\n{table}");
}

/// Section 8.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let cores = common::pool::cpu_workers();
    let tasks = 40;
    let pause = config.scale.sleep(0.2);
    let io = sweep(&[1, 2, 5, 10, 20, 40], tasks, move || std::thread::sleep(pause))?;
    print(
        &format!("I/O-bound: {tasks} tasks, each sleeping {}:", HumanDuration(pause)),
        &io,
    );

    let n = config.scale.size(2_000_000);
    let (cpu, contention) = watch(|| {
        sweep(&cpu_counts(cores), 16, move || {
            std::hint::black_box(common::work::sum_of_squares(n));
        })
    });
    let cpu = cpu?;
    print(
        &format!(
            "CPU-bound: 16 tasks, each a sum of {n} squares ({}):",
            plural(cores as u128, "core")
        ),
        &cpu,
    );
    println!(
        "I/O keeps improving up to one worker per task — waiting needs no core — so the\n\
         README's \"5–10\" is a starting point for *your* latency and limits, not a ceiling.\n\
         {}",
        cpu_reading(&cpu, cores, contention)
    );
    Ok(())
}

/// What the CPU rows say, from the numbers: the speedup with one worker per
/// core (or why this run could not show one), and how the counts past the
/// cores compare with it.
fn cpu_reading(rows: &[Row], cores: usize, contention: Contention) -> String {
    let base = rows[0].took;
    let at = |workers: usize| rows.iter().find(|r| r.workers == workers);
    let Some(at_cores) = at(cores) else { return String::new() };
    let with_cores = compare(base, at_cores.took);
    let workers = plural(cores as u128, "worker");
    let first = match (with_cores.verdict, contention.obstacle()) {
        _ if cores == 1 => {
            "CPU: one core here, so no worker count can run the tasks in parallel."
                .to_string()
        }
        (Verdict::Faster, _) => format!("CPU: {with_cores} with {workers} than with 1."),
        (_, Some(why)) => format!(
            "CPU: {with_cores} with {workers} against 1 — no parallel speedup in this run:\n{why}."
        ),
        (_, None) => format!(
            "CPU: {with_cores} with {workers} against 1, although no other program was\n\
             measured taking the cores: the tasks are short, and handing them out costs too."
        ),
    };
    let Some(best_beyond) =
        rows.iter().filter(|r| r.workers > cores).min_by_key(|r| r.took)
    else {
        return first;
    };
    let beyond = compare(at_cores.took, best_beyond.took);
    let second = match beyond.verdict {
        Verdict::Tie => format!(
            "More workers than cores: at best {beyond} against {workers} — past the cores,\n\
             workers only take turns on the same {}.",
            plural(cores as u128, "core")
        ),
        Verdict::Faster => format!(
            "{} ran {beyond} than {workers} in this run: the run with {workers}\n\
             was slowed by something else (more workers cannot add cores).",
            plural(best_beyond.workers as u128, "worker")
        ),
        Verdict::Slower => format!(
            "Every count past the cores was slower than {workers} ({beyond}): the extra\n\
             workers only take turns, and switching between them costs."
        ),
    };
    format!("{first}\n{second}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_counts_are_sorted_and_unique() {
        assert_eq!(cpu_counts(2), [1, 2, 4, 8]);
        assert_eq!(cpu_counts(1), [1, 2, 4]);
        assert_eq!(cpu_counts(8), [1, 2, 8, 16, 32]);
    }
}
