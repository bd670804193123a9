//! Support for section 5 ([`crate::processes`]): what starting and
//! finishing one thread costs, against one process.
//!
//! Machinery, not the lesson: the lesson prints the table and the verdict.

use std::path::Path;
use std::process::Stdio;
use std::thread;
use std::time::Duration;

use anyhow::{Context, bail};
use common::child::ChildGuard;
use common::timing::time;

/// The cost of starting and finishing one thread and one process.
#[derive(Debug, Clone)]
pub struct SpawnCost {
    /// Threads that really ran (each one counts itself), one at a time.
    pub threads: u32,
    /// Total time for them.
    pub threads_time: Duration,
    /// Processes that ran and exited successfully, each reaped before the
    /// next one started.
    pub processes: u32,
    /// Their PIDs, in order.
    pub pids: Vec<u32>,
    /// Total time for them.
    pub processes_time: Duration,
}

/// Spawns and joins `threads` empty threads, then starts and reaps
/// `processes` no-op worker processes, one at a time, timing each batch.
pub fn spawn_cost(exe: &Path, threads: u32, processes: u32) -> anyhow::Result<SpawnCost> {
    let ran = std::sync::atomic::AtomicU32::new(0);
    let (joined, threads_time) = time(|| {
        (0..threads).try_for_each(|_| {
            thread::scope(|scope| {
                scope.spawn(|| ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
            });
            Ok::<_, anyhow::Error>(())
        })
    });
    joined?;
    let mut pids = Vec::with_capacity(processes as usize);
    let (reaped, processes_time) = time(|| -> anyhow::Result<()> {
        for _ in 0..processes {
            let mut command = common::worker::command(exe, &["noop"]);
            command.stdout(Stdio::null());
            let child = ChildGuard::spawn("noop", &mut command)
                .context("starting a no-op worker process")?;
            pids.push(child.id());
            // wait() reaps the child before the next one starts.
            let status = child.wait().context("waiting for a no-op worker")?;
            if !status.success() {
                bail!("no-op worker failed: {status}");
            }
        }
        Ok(())
    });
    reaped?;
    Ok(SpawnCost {
        threads: ran.into_inner(),
        threads_time,
        processes: pids.len() as u32,
        pids,
        processes_time,
    })
}
