//! Section 11: the rest of `concurrent.futures` — `wait`, done-callbacks,
//! `exception`, timeouts on `as_completed` and `map`, initializers, and a
//! worker recycled after N tasks — each doing a job, then all of them
//! checked against CPython's own behaviour ([`crate::support::semantics`]).
//!
//! ```python
//! done, not_done = wait(downloads, return_when=FIRST_COMPLETED)
//! future.add_done_callback(lambda f: progress.update(1))
//! ProcessPoolExecutor(max_tasks_per_child=2)
//! ```

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;
use common::timing::{HumanDuration, time};

use crate::Config;
use crate::executor::{
    CancelToken, Queued, ReturnWhen, TaskError, ThreadPoolExecutor, wait,
};
use crate::jobs::{Leaked, leaky_pool};
use crate::process_executor::ProcessPoolExecutor;
use crate::support::semantics;

/// How each mirror's download ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MirrorEnd {
    /// It finished first: its bytes are used.
    Won,
    /// It was queued when the winner finished: cancelled, never ran.
    Cancelled,
    /// It was running: asked to stop (its token), and it did.
    Stopped,
    /// It was running and finished anyway before it saw the request.
    FinishedToo,
}

/// The same file from several mirrors with different latencies, on fewer
/// workers than mirrors: the first to finish wins (`wait(FIRST_COMPLETED)`);
/// queued downloads are cancelled, running ones are asked to stop — a
/// thread cannot be killed, so each download checks its [`CancelToken`]
/// between chunks. Returns each mirror's end and the time to the winner.
pub fn first_mirror_wins(
    latencies: &[Duration],
    workers: usize,
) -> anyhow::Result<(Vec<MirrorEnd>, Duration)> {
    let pool = ThreadPoolExecutor::builder()
        .max_workers(workers)
        .thread_name_prefix("mirror")
        .build()?;
    let token = CancelToken::new();
    let downloads: Vec<_> = latencies
        .iter()
        .map(|&latency| {
            let token = token.clone();
            // `sleep` returns false when cancelled before the time is up.
            pool.submit(move || token.sleep(latency))
        })
        .collect();
    let (found, took) = time(|| wait(&downloads, None, ReturnWhen::FirstCompleted));
    let winner = *found.done.first().context("FIRST_COMPLETED returns with one done")?;
    // Queued downloads never start; running ones see the token.
    let cancelled: Vec<bool> =
        downloads.iter().map(|download| download.cancel()).collect();
    token.cancel();
    let mut ends = Vec::new();
    for (index, download) in downloads.into_iter().enumerate() {
        ends.push(match (index == winner, cancelled[index], download.result()) {
            (true, _, _) => MirrorEnd::Won,
            (_, true, _) => MirrorEnd::Cancelled,
            (_, _, Ok(false)) => MirrorEnd::Stopped,
            (_, _, Ok(true)) => MirrorEnd::FinishedToo,
            (_, _, Err(err)) => anyhow::bail!("mirror {index} failed: {err}"),
        });
    }
    Ok((ends, took))
}

/// Runs `tasks` tasks whose done-callbacks count them; returns the counter
/// read right after each result was taken (never behind: callbacks run
/// before a future is marked done).
pub fn progress_by_callbacks(
    tasks: usize,
    pause: Duration,
) -> anyhow::Result<Vec<usize>> {
    let pool = ThreadPoolExecutor::new(4)?;
    let finished = Arc::new(AtomicUsize::new(0));
    let futures: Vec<_> = (0..tasks)
        .map(|i| {
            let future = pool.submit(move || {
                std::thread::sleep(pause);
                i
            });
            let finished = Arc::clone(&finished);
            future.on_done(move |_| {
                finished.fetch_add(1, Ordering::SeqCst);
            });
            future
        })
        .collect();
    let mut seen = Vec::new();
    for future in futures {
        future.result()?;
        seen.push(finished.load(Ordering::SeqCst));
    }
    Ok(seen)
}

/// What `wait(FIRST_EXCEPTION)` left of a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// Items done successfully.
    pub succeeded: usize,
    /// Items that failed.
    pub failed: usize,
    /// Items cancelled before they started.
    pub cancelled: usize,
}

/// A batch with one failing item.
#[derive(Debug, Clone, Copy)]
pub struct FailingBatch {
    /// Items in the batch.
    pub items: usize,
    /// The one item that fails (its index).
    pub bad: usize,
    /// Worker threads.
    pub workers: usize,
    /// How long each item works.
    pub pause: Duration,
}

/// Runs `batch` and stops at its first failure, cancelling the rest. Every
/// item has exactly one outcome.
pub fn stop_at_first_failure(batch: FailingBatch) -> anyhow::Result<Batch> {
    let FailingBatch { items, bad, workers, pause } = batch;
    let pool = ThreadPoolExecutor::new(workers)?;
    let futures: Vec<_> = (0..items)
        .map(|i| {
            pool.try_submit(move || {
                std::thread::sleep(pause);
                if i == bad { Err(format!("item {i} is corrupt")) } else { Ok(i) }
            })
        })
        .collect();
    let found = wait(&futures, None, ReturnWhen::FirstException);
    for &index in &found.pending {
        futures[index].cancel();
    }
    let mut batch = Batch::default();
    for future in futures {
        match future.result() {
            Ok(_) => batch.succeeded += 1,
            Err(TaskError::Cancelled) => batch.cancelled += 1,
            Err(_) => batch.failed += 1,
        }
    }
    Ok(batch)
}

/// Runs `tasks` leaky tasks (each keeps `mib` MiB forever) on one worker
/// process, retired every `max_tasks` tasks if given; returns each task's
/// report (worker PID, its resident memory after the leak).
pub fn leaky_tasks(
    exe: &Path,
    tasks: usize,
    mib: u32,
    max_tasks: Option<u64>,
) -> anyhow::Result<Vec<Leaked>> {
    let executor = ProcessPoolExecutor::from_pool(leaky_pool(exe, max_tasks)?)?;
    let mut reports = Vec::new();
    for _ in 0..tasks {
        reports.push(executor.submit(mib).result()?);
    }
    executor.shutdown(Queued::Run);
    Ok(reports)
}

/// Section 11.
pub fn show(config: &Config) -> anyhow::Result<()> {
    // The mirrors' latencies and the tasks' work, in notebook seconds.
    let latencies = [3.0, 1.0, 2.0, 1.5, 2.5].map(|seconds| config.scale.sleep(seconds));
    let work = config.scale.sleep(0.2);
    println!(
        "wait(FIRST_COMPLETED): one file from 5 mirrors ({}), 3 threads:",
        latencies.map(|l| HumanDuration(l).to_string()).join(", ")
    );
    let (ends, took) = first_mirror_wins(&latencies, 3)?;
    for (index, end) in ends.iter().enumerate() {
        let what = match end {
            MirrorEnd::Won => "won: its bytes are used",
            MirrorEnd::Cancelled => "was still queued: cancelled, never ran",
            MirrorEnd::Stopped => "was running: asked to stop (CancelToken), and stopped",
            MirrorEnd::FinishedToo => {
                "was running and finished before it saw the request"
            }
        };
        println!("  mirror {index} ({}): {what}", HumanDuration(latencies[index]));
    }
    println!(
        "  wait() returned after {}. A running thread cannot be killed, so the losers are\n\
         \x20 asked to stop — they check a token between chunks; Python's cancel() fails on\n\
         \x20 running futures the same way.",
        HumanDuration(took)
    );

    let tasks = 12;
    let seen = progress_by_callbacks(tasks, work)?;
    println!(
        "\nadd_done_callback: {tasks} tasks, each callback adds 1 to a progress counter; the\n\
         counter read after each result() in order: {seen:?}\n\
         (never below the results taken so far: callbacks run before a future is marked done)"
    );

    let failing = FailingBatch { items: 20, bad: 5, workers: 2, pause: work };
    let Batch { succeeded, failed, cancelled } = stop_at_first_failure(failing)?;
    let FailingBatch { items, bad, workers, .. } = failing;
    println!(
        "\nwait(FIRST_EXCEPTION): {items} items on {workers} threads, item {bad} corrupt → \
         {succeeded} succeeded, {failed} failed, {cancelled} cancelled ({} outcomes for \
         {items} items)",
        succeeded + failed + cancelled
    );

    let (tasks, mib) = (config.scale.pick(8, 4), 16);
    println!(
        "\nmax_tasks_per_child: {tasks} tasks on 1 worker process, each leaking {mib} MiB \
         (resident memory after each task):"
    );
    let exe = &config.worker_exe;
    let kept = leaky_tasks(exe, tasks, mib, None)?;
    let recycled = leaky_tasks(exe, tasks, mib, Some(2))?;
    print!("{}", Leaked::side_by_side(&kept, &recycled));
    let peak =
        |reports: &[Leaked]| reports.iter().map(|r| r.rss_kib).max().unwrap_or(0) / 1024;
    println!(
        "Peak: {} MiB kept growing in one process; {} MiB with a fresh process every 2 tasks.",
        peak(&kept),
        peak(&recycled)
    );

    println!();
    semantics::show_against_cpython(exe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fastest_mirror_wins_and_every_other_ends_one_way() {
        let ms = Duration::from_millis;
        // Five mirrors on three threads. When the winner finishes, its thread
        // may take mirror 3 before we cancel it (either end is right); mirror
        // 4 is still queued behind it, so it is cancelled; the slow running
        // ones are stopped by the token long before their 5 s.
        let slow = ms(5_000);
        // The winner takes 300 ms: long enough for the three threads to have
        // taken mirrors 0–2 even on a busy machine.
        let (ends, took) =
            first_mirror_wins(&[slow, ms(300), slow, slow, slow], 3).unwrap();
        assert_eq!(ends[1], MirrorEnd::Won);
        assert_eq!((&ends[0], &ends[2]), (&MirrorEnd::Stopped, &MirrorEnd::Stopped));
        assert!(matches!(ends[3], MirrorEnd::Cancelled | MirrorEnd::Stopped), "{ends:?}");
        assert_eq!(ends[4], MirrorEnd::Cancelled);
        assert!(took < slow, "wait returned with the winner, not the losers");
    }

    #[test]
    fn callbacks_are_never_behind_the_results_taken() {
        let seen = progress_by_callbacks(30, Duration::from_millis(1)).unwrap();
        for (taken, counted) in seen.iter().enumerate() {
            assert!(
                *counted > taken,
                "after {} results the counter read {counted}",
                taken + 1
            );
        }
        assert_eq!(seen.last(), Some(&30));
    }

    #[test]
    fn a_batch_stops_at_its_first_failure_with_one_outcome_per_item() {
        // 20 ms items: the 36 after the failure would need 360 ms on 2
        // threads, far longer than `wait` takes to return and cancel them.
        let failing = FailingBatch {
            items: 40,
            bad: 3,
            workers: 2,
            pause: Duration::from_millis(20),
        };
        let batch = stop_at_first_failure(failing).unwrap();
        assert_eq!(batch.failed, 1);
        assert_eq!(batch.succeeded + batch.failed + batch.cancelled, 40);
        assert!(batch.cancelled > 0, "{batch:?}");
    }
}
