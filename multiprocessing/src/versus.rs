//! Section 7: threading vs multiprocessing for CPU-bound work — and what a
//! process costs.
//!
//! ```python
//! task_size = 50_000_000
//! threads = [threading.Thread(target=cpu_task, args=(task_size,)) for _ in range(4)]
//! ...
//! with Pool(4) as pool: pool.map(cpu_task, [task_size] * 4)
//! print(f"Multiprocessing is {threading_time/mp_time:.1f}x faster for CPU-bound tasks")
//! ```
//!
//! The notebook expects processes to win, because of the GIL. In Rust
//! threads already run in parallel, so processes can only *add* cost:
//! starting them (an `exec` each), and moving every argument and result
//! through a socket (encode, copy into the kernel, copy out, decode). The
//! second half measures that cost per task.

use std::time::Duration;

use common::pool::PoolStats;
use common::timing::{HumanDuration, best_of, time};
use common::verdict::{Verdict, plural};

use crate::Config;
use crate::cpu_bound::{TASKS, on_processes, on_threads, sums_pool};
use crate::jobs::sum_of_squares_formula;
use crate::support::round_trip::{
    self, Placement, ROUND_BUDGET, ROUNDS, RUN_BUDGET, human, round_trip,
};

/// The notebook's race: threads against a process pool on the same sums.
#[derive(Debug, Clone)]
pub struct Race {
    /// Best of three, `TASKS` threads.
    pub threading: Duration,
    /// Best of three, a fresh pool each time (created inside the timing, as
    /// in the notebook).
    pub multiprocessing: Duration,
    /// What the last pool moved.
    pub stats: PoolStats,
}

/// Runs the race on `n`, checking both sides' sums against the formula.
pub fn race(config: &Config, n: u64) -> anyhow::Result<Race> {
    let expected = vec![sum_of_squares_formula(n); TASKS];
    let (results, threading) = best_of(3, || on_threads(n));
    anyhow::ensure!(results == expected, "threaded sums are wrong");
    let mut multiprocessing = Duration::MAX;
    let mut stats = PoolStats::default();
    for _ in 0..3 {
        let (result, took) = time(|| -> anyhow::Result<PoolStats> {
            let pool = sums_pool(config, TASKS)?;
            anyhow::ensure!(
                on_processes(&pool, n)? == expected,
                "process sums are wrong"
            );
            let stats = pool.stats();
            pool.shutdown();
            Ok(stats)
        });
        stats = result?;
        multiprocessing = multiprocessing.min(took);
    }
    Ok(Race { threading, multiprocessing, stats })
}

/// Prints the CPU-bound race and the IPC cost.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let n = config.scale.size(50_000_000);
    let race = race(config, n)?;
    println!("Threading (CPU-bound): {TASKS} threads × cpu_task({n})");
    println!("Time: {:.3}s", race.threading.as_secs_f64());
    println!("Multiprocessing (CPU-bound): Pool({TASKS}).map(cpu_task, [{n}] * {TASKS})");
    println!("Time: {:.3}s", race.multiprocessing.as_secs_f64());
    println!("\n{}", verdict(race.threading, race.multiprocessing));
    println!(
        "That pool moved {} bytes out and {} bytes back for {TASKS} tasks (u64 in, u128 out).",
        race.stats.bytes_sent, race.stats.bytes_received
    );

    let tasks = config.scale.pick(500, 100);
    let trip = round_trip(config, tasks)?;
    let placed = if trip.one_at_a_time[0].placement == Placement::Unpinned {
        "threads cannot be pinned here, so the scheduler\nplaced both ends"
    } else {
        "the caller pinned to one CPU, the other end to\nthe same CPU or another"
    };
    let rounds: Vec<usize> = trip.one_at_a_time.iter().map(|t| t.rounds).collect();
    let (fewest, most) = (
        rounds.iter().copied().min().unwrap_or(ROUNDS),
        rounds.iter().copied().max().unwrap_or(ROUNDS),
    );
    let runs =
        if fewest == most { format!("{most}") } else { format!("{fewest}–{most}") };
    println!(
        "\nThe cost of a process boundary, per trivial task, one at a time\n\
         (median of up to {ROUNDS} runs of {tasks}; {placed}):\n"
    );
    if fewest < ROUNDS {
        println!(
            "(This time {runs} runs: a placement starts no new run after {}, and a\n\
             run stops after {}; on this busy machine the wake-ups were that slow.\n\
             The figures scatter more.)\n",
            HumanDuration(ROUND_BUDGET),
            HumanDuration(RUN_BUDGET)
        );
    }
    println!("{}", round_trip::table(&trip.one_at_a_time));
    println!(
        "Many at once: a map of {} tasks over {} costs {} per task ({} bytes on\n\
         the wire each).\n",
        trip.mapped,
        plural(trip.workers as u64, "worker"),
        human(trip.throughput),
        trip.bytes_per_task
    );
    println!(
        "One at a time, a task waits for two process wake-ups (the worker's, then ours):\n\
         the floor is that cost alone. A wake-up on another core must interrupt that\n\
         core (on a virtual machine, through the hypervisor). `apply` writes the request\n\
         and reads the reply in the calling thread, so it should add only the encoding to\n\
         the floor; `submit` + `result` also passes through the worker's manager thread:\n\
         two more wake-ups (caller → manager → caller). The thread row is such a\n\
         hand-off.\n"
    );
    println!("In this run:");
    for line in round_trip::findings(&trip.one_at_a_time) {
        println!("  - {line}");
    }
    println!(
        "\nMany at once, the wake-ups overlap, and the per-task cost falls to the encode,\n\
         copy and decode. Worth it for tasks of milliseconds; for microsecond tasks,\n\
         batch them (map over chunks) or use threads."
    );
    Ok(())
}

/// The notebook's sentence, from the measured times through
/// [`common::verdict::compare`]: faster, a tie, or slower.
pub fn verdict(threading: Duration, multiprocessing: Duration) -> String {
    let cmp = common::verdict::compare(threading, multiprocessing);
    let why = match cmp.verdict {
        Verdict::Faster => {
            "Both use the same cores, so processes ahead of threads is the machine's noise\n\
             in this run, not an advantage: run it again."
        }
        Verdict::Tie => {
            "Both use every core; the processes' extra cost (start, IPC) is small at this size."
        }
        Verdict::Slower => {
            "No GIL to escape, only processes to start and results to ship."
        }
    };
    format!("Multiprocessing against threading, CPU-bound: {cmp}.\n{why}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_follows_the_measured_ratio() {
        let ms = Duration::from_millis;
        assert!(verdict(ms(200), ms(100)).contains(": 2.0× faster."));
        assert!(verdict(ms(100), ms(105)).contains(": 0.95×, a tie."));
        assert!(verdict(ms(100), ms(300)).contains(": 0.33×: slower."));
    }
}
