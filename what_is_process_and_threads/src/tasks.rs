//! Sections 1 and 4: three sleeping tasks, one after another, then on three
//! threads.
//!
//! Python: `task("A", 2)` three times (6 s), then three
//! `threading.Thread(target=worker, args=(f"Task-{i}", 2))` started together
//! and joined (2 s). Rust: the same, with [`std::thread::Builder`] so each
//! thread has a name, and [`JoinHandle::join`](std::thread::JoinHandle::join)
//! for Python's `t.join()`.
//!
//! The tasks *sleep*: they simulate waiting for a disk or a network, so the
//! threads finish in the time of one task even on a single core. That is
//! **concurrency**: waiting in parallel costs no CPU.

use std::thread;
use std::time::{Duration, Instant};

use common::report::Comparison;
use common::timeline::{Timeline, current_lane};
use common::timing::{HumanDuration, time};
use common::verdict::{Verdict, compare};

use crate::Config;

/// The notebook's `task(name, duration)`: announce, sleep, announce.
pub fn task(name: &str, duration: Duration) {
    println!("Task {name} started");
    thread::sleep(duration);
    println!("Task {name} completed");
}

/// Section 1: runs the tasks one after another on the calling thread and
/// returns the total time (about `names.len() × duration`).
pub fn run_sequential(
    names: &[&str],
    duration: Duration,
    timeline: &Timeline,
) -> Duration {
    let (_, took) = time(|| {
        for name in names {
            timeline
                .span(current_lane(), format!("task {name}"), || task(name, duration));
        }
    });
    took
}

/// Section 4: runs each task on its own named thread, all started before any
/// is joined, and returns the total time (about one `duration`).
///
/// Returns an error naming the task if a thread panicked, rather than
/// hiding it — a panicking thread in Rust is reported by `join`, where in
/// Python the exception is printed by the thread and then lost.
pub fn run_threaded(
    names: &[&str],
    duration: Duration,
    timeline: &Timeline,
) -> anyhow::Result<Duration> {
    let start = Instant::now();
    // Start all, *then* join all. Joining inside the first loop would wait
    // for each thread before starting the next: sequential again.
    let handles = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            // `move` gives the thread its own copies of `name` and
            // `duration`; `&Timeline` could not be borrowed by a plain
            // `spawn` (it might outlive us), so the timeline is recorded here.
            let name = name.to_string();
            let handle = thread::Builder::new().name(format!("worker-{}", i + 1)).spawn(
                move || {
                    let started = Instant::now();
                    worker(&name, duration);
                    (current_lane(), name, started, Instant::now())
                },
            )?;
            Ok(handle)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    for (handle, name) in handles.into_iter().zip(names) {
        let (lane, task, started, ended) = handle
            .join()
            .map_err(|_| anyhow::anyhow!("the thread running {name} panicked"))?;
        timeline.record(lane, format!("task {task}"), started, ended);
    }
    Ok(start.elapsed())
}

/// Section 4's worker: like [`task`], but says which thread runs it.
fn worker(name: &str, duration: Duration) {
    let me = current_lane();
    println!("[{me}] Starting task {name}");
    thread::sleep(duration);
    println!("[{me}] Completed task {name}");
}

/// The three tasks of section 1 (named A, B, C as in the notebook).
pub const SEQUENTIAL_TASKS: [&str; 3] = ["A", "B", "C"];
/// The three tasks of section 4.
pub const THREADED_TASKS: [&str; 3] = ["Task-1", "Task-2", "Task-3"];

/// Prints section 1.
pub fn show_sequential(config: &Config) -> anyhow::Result<()> {
    let sleep = config.scale.sleep(2.0);
    println!(
        "Each task sleeps {} (the notebook sleeps 2 s: everything is 10× shorter).\n",
        HumanDuration(sleep)
    );
    let timeline = Timeline::new();
    let took = run_sequential(&SEQUENTIAL_TASKS, sleep, &timeline);
    println!(
        "\nSequential Time: {:.2} seconds   (expected ≈ 3 × {})",
        took.as_secs_f64(),
        HumanDuration(sleep)
    );
    println!("\nOne thread, one task at a time — a staircase:\n{}", timeline.render(60));
    config.sequential_time.set(Some(took));
    Ok(())
}

/// Prints section 4.
pub fn show_threads(config: &Config) -> anyhow::Result<()> {
    let sleep = config.scale.sleep(2.0);
    let baseline = config.sequential_time.get().unwrap_or_else(|| {
        println!(
            "(Section 1 did not run: measuring its sequential baseline quietly first.)"
        );
        let (_, took) = time(|| {
            for _ in SEQUENTIAL_TASKS {
                thread::sleep(sleep);
            }
        });
        took
    });

    let timeline = Timeline::new();
    let (took, contention) =
        common::verdict::watch(|| run_threaded(&THREADED_TASKS, sleep, &timeline));
    let took = took?;
    println!("\nThreading Time: {:.2} seconds", took.as_secs_f64());
    let improvement = compare(baseline, took);
    println!("Improvement: {improvement}");
    let mut table = Comparison::new("sequential (section 1)", baseline);
    table.add("3 threads", took);
    println!("\n{table}");
    println!("Three threads, waiting at the same time:\n{}", timeline.render(60));
    if improvement.verdict == Verdict::Faster {
        println!(
            "Sleeping threads use no CPU, so this speedup needs no extra cores: it is\n\
             concurrency (overlapped waiting). Python gets the same speedup here, GIL or\n\
             not, because time.sleep() releases the GIL."
        );
    } else {
        println!(
            "The waits did not overlap enough to beat the sequential run this time:\n\
             {}.",
            contention.reason()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threaded_tasks_each_record_one_span_on_their_own_thread() {
        let timeline = Timeline::new();
        run_threaded(&THREADED_TASKS, Duration::from_millis(5), &timeline).unwrap();
        let spans = timeline.spans();
        assert_eq!(spans.len(), 3);
        let mut lanes: Vec<_> = spans.iter().map(|s| s.lane.as_str()).collect();
        lanes.sort_unstable();
        assert_eq!(lanes, ["worker-1", "worker-2", "worker-3"]);
    }

    #[test]
    fn sleeping_threads_overlap() {
        // Wide margin: 3 × 100 ms sequentially would be ≥ 300 ms; overlapped
        // sleeps finish in about 100 ms even on one busy core.
        let timeline = Timeline::new();
        let took =
            run_threaded(&THREADED_TASKS, Duration::from_millis(100), &timeline).unwrap();
        assert!(took < Duration::from_millis(290), "took {took:?}");
    }

    #[test]
    fn sequential_tasks_record_in_order() {
        let timeline = Timeline::new();
        let took = run_sequential(&SEQUENTIAL_TASKS, Duration::from_millis(2), &timeline);
        assert!(took >= Duration::from_millis(6));
        let labels: Vec<_> = timeline.spans().into_iter().map(|s| s.label).collect();
        assert_eq!(labels, ["task A", "task B", "task C"]);
    }
}
