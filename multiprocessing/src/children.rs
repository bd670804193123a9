//! Starting child processes so that none is ever left behind.
//!
//! A `std::process::Child` that is dropped is **not** killed and **not**
//! waited for: the process runs on, and when it exits it stays in the
//! process table as a zombie until someone calls `wait`. Python's
//! `multiprocessing` reaps children for you (and its `atexit` hook
//! terminates daemonic ones); in Rust it is your job, so every child here
//! lives inside a [`ChildGuard`] (from `common::child`, as the webscraping
//! chapter needs it too), whose `Drop` kills and reaps it if the normal path
//! (an explicit `wait`) was skipped by an error or a panic.

use std::io;
use std::process::{Command, ExitStatus};
use std::thread;
use std::time::Instant;

use anyhow::Context;
pub use common::child::ChildGuard;
use common::timeline::Timeline;

use crate::Config;

/// `<this binary> __worker <args…>`, with stdin closed and stdout/stderr
/// shared with ours (so a child's `println!` lands in our output, as a
/// Python child's `print` does).
pub fn worker_command(config: &Config, args: &[&str]) -> Command {
    common::worker::command(&config.worker_exe, args)
}

/// Starts all `children` at once, waits for every one (one waiter thread
/// each, so each exit time is recorded when it happens, not when we get
/// around to it), and records a span per child on `timeline`. `on_started`
/// runs once all are started (Python: the code between `start()` and
/// `join()`). Fails if any child fails, naming it and its status; none is
/// left running either way.
pub fn run_together(
    children: Vec<(String, Command)>,
    timeline: &Timeline,
    on_started: impl FnOnce(),
) -> anyhow::Result<Vec<ExitStatus>> {
    let start = Instant::now();
    let mut guards = Vec::with_capacity(children.len());
    for (name, mut command) in children {
        // On error, `guards` drops: the children already started are killed
        // and reaped.
        guards.push(ChildGuard::spawn(name, &mut command)?);
    }
    on_started();
    let results: Vec<(String, io::Result<ExitStatus>)> = thread::scope(|scope| {
        let waiters: Vec<_> = guards
            .into_iter()
            .map(|guard| {
                scope.spawn(move || {
                    let lane = format!("pid {}", guard.id());
                    let name = guard.name().to_string();
                    let status = guard.wait();
                    timeline.record(lane, name.clone(), start, Instant::now());
                    (name, status)
                })
            })
            .collect();
        waiters
            .into_iter()
            .map(|waiter| waiter.join().expect("a waiter thread only waits"))
            .collect()
    });
    let mut statuses = Vec::with_capacity(results.len());
    for (name, status) in results {
        let status = status.with_context(|| format!("waiting for {name}"))?;
        anyhow::ensure!(status.success(), "process {name} failed: {status}");
        statuses.push(status);
    }
    Ok(statuses)
}
