//! Section 9: "Avoid creating unbounded number of threads" — measured.
//!
//! A thread per task is simple and, for a few tasks, fine. For a thousand,
//! it means a thousand stacks, a thousand kernel threads to schedule, and
//! no limit on how fast work piles up. A fixed pool with a **bounded** queue
//! caps all three: when the queue is full, `submit` blocks — the producer
//! slows to the pace of the workers (backpressure).

use std::thread;
use std::time::Duration;

use common::report::Table;
use common::sync::Event;
use common::timing::{HumanDuration, time};

use crate::Config;
use crate::executor::ThreadPoolExecutor;

/// What one strategy cost.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    /// Threads in this process at the peak.
    pub peak_threads: u64,
    /// Resident memory at the peak, KiB.
    pub peak_rss_kib: u64,
    /// Time for all tasks.
    pub took: Duration,
}

/// `(threads, resident KiB)` of this process now (zeros off Linux).
fn threads_and_rss() -> (u64, u64) {
    common::procfs::status().map_or((0, 0), |s| (s.threads, s.rss_kib))
}

/// One thread per task, all alive at once (they wait at a gate until every
/// one has been started, so the peak is real, not a guess).
pub fn thread_per_task(tasks: usize, pause: Duration) -> anyhow::Result<Cost> {
    let gate = std::sync::Arc::new(Event::new());
    let (peak, took) = time(|| -> anyhow::Result<(u64, u64)> {
        let mut handles = Vec::with_capacity(tasks);
        for _ in 0..tasks {
            let gate = std::sync::Arc::clone(&gate);
            handles.push(thread::Builder::new().spawn(move || {
                gate.wait();
                thread::sleep(pause);
            })?);
        }
        let peak = threads_and_rss();
        gate.set();
        for handle in handles {
            handle.join().map_err(|_| anyhow::anyhow!("a task thread panicked"))?;
        }
        Ok(peak)
    });
    let (peak_threads, peak_rss_kib) = peak?;
    Ok(Cost { peak_threads, peak_rss_kib, took })
}

/// A pool of `workers` with a queue of `capacity`: `submit` blocks when full.
pub fn bounded_pool(
    tasks: usize,
    pause: Duration,
    workers: usize,
    capacity: usize,
) -> anyhow::Result<Cost> {
    let executor = ThreadPoolExecutor::builder()
        .max_workers(workers)
        .queue_capacity(capacity)
        .thread_name_prefix("bounded")
        .build()?;
    let mut peak = (0, 0);
    let (finished, took) = time(|| -> anyhow::Result<()> {
        let mut futures = Vec::with_capacity(tasks);
        for i in 0..tasks {
            futures.push(executor.submit(move || thread::sleep(pause)));
            if i.is_multiple_of(16) {
                let now = threads_and_rss();
                peak = (peak.0.max(now.0), peak.1.max(now.1));
            }
        }
        for future in futures {
            // A sleep cannot fail; if a task did, the measurement is void.
            future.result()?;
        }
        Ok(())
    });
    finished?;
    drop(executor);
    Ok(Cost { peak_threads: peak.0, peak_rss_kib: peak.1, took })
}

/// Section 9.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let tasks = config.scale.pick(1_000, 200);
    let pause = config.scale.sleep(0.2);
    let workers = 50;
    let capacity = 100;
    let (base_threads, base_rss) = threads_and_rss();
    println!(
        "{tasks} tasks, each sleeping {} (this process before: {base_threads} threads, {base_rss} KiB):\n",
        HumanDuration(pause)
    );
    let spawned = thread_per_task(tasks, pause)?;
    let pooled = bounded_pool(tasks, pause, workers, capacity)?;
    let mut table = Table::new(["strategy", "peak threads", "peak RSS", "time"]);
    table.left_align(0);
    for (label, cost) in [
        ("a thread per task".to_string(), spawned),
        (format!("{workers} workers, queue bounded at {capacity}"), pooled),
    ] {
        table.row([
            label,
            cost.peak_threads.to_string(),
            format!("{} KiB", cost.peak_rss_kib),
            HumanDuration(cost.took).to_string(),
        ]);
    }
    println!("{table}");
    println!(
        "The pool is slower here — {workers} at a time instead of all at once — and that is\n\
         the trade: its threads, memory and load on whatever the tasks call (a server, a\n\
         disk) stay bounded however many tasks arrive. Size the pool to what the tasks\n\
         wait on, not to the number of tasks."
    );
    Ok(())
}
