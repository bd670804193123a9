//! Starting child processes so that none is ever left behind.
//!
//! A `std::process::Child` that is dropped is **not** killed and **not**
//! waited for: the process runs on, and when it exits it stays in the
//! process table as a zombie until someone calls `wait`. Python's
//! `multiprocessing` reaps children for you (and its `atexit` hook
//! terminates daemonic ones); in Rust it is your job, so every child here
//! lives inside a [`ChildGuard`], whose `Drop` kills and reaps it if the
//! normal path (an explicit `wait`) was skipped by an error or a panic.

use std::io;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Context;
use common::timeline::Timeline;
use wait_timeout::ChildExt;

use crate::Config;
use crate::worker::WORKER_ARG;

/// A child process that is killed and reaped if dropped before being waited
/// for.
#[derive(Debug)]
pub struct ChildGuard {
    name: String,
    child: Option<Child>,
}

impl ChildGuard {
    /// Spawns `command` under a human name (used in errors and timelines).
    pub fn spawn(name: impl Into<String>, command: &mut Command) -> anyhow::Result<Self> {
        let name = name.into();
        let child = command
            .spawn()
            .with_context(|| format!("starting process {name} ({command:?})"))?;
        tracing::debug!(pid = child.id(), %name, "spawned");
        Ok(Self { name, child: Some(child) })
    }

    /// The child's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The child's PID.
    pub fn id(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Takes the child's stdout pipe (if it was configured as piped).
    pub fn take_stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.as_mut().and_then(|child| child.stdout.take())
    }

    /// Waits for the child to exit and reaps it.
    pub fn wait(mut self) -> io::Result<ExitStatus> {
        let mut child = self.child.take().expect("a guard holds its child until waited");
        let status = child.wait()?;
        tracing::debug!(pid = child.id(), %status, name = %self.name, "reaped");
        Ok(status)
    }

    /// Waits at most `limit`; `None` if the child is still running (it is
    /// *not* killed: decide, then call [`kill_and_reap`](Self::kill_and_reap)).
    pub fn wait_timeout(&mut self, limit: Duration) -> io::Result<Option<ExitStatus>> {
        let child = self.child.as_mut().expect("a guard holds its child until waited");
        child.wait_timeout(limit)
    }

    /// Sends SIGKILL and reaps: the status says `signal: 9 (SIGKILL)`.
    /// (Kill without the wait would leave a zombie.)
    pub fn kill_and_reap(mut self) -> io::Result<ExitStatus> {
        let mut child = self.child.take().expect("a guard holds its child until waited");
        // kill() fails only if the child has already exited; wait() then
        // reaps it either way and reports how it really ended.
        let _ = child.kill();
        child.wait()
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            tracing::debug!(pid = child.id(), name = %self.name, "killing unwaited child");
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `<this binary> __worker <args…>`, with stdin closed and stdout/stderr
/// shared with ours (so a child's `println!` lands in our output, as a
/// Python child's `print` does).
pub fn worker_command(config: &Config, args: &[&str]) -> Command {
    let mut command = Command::new(&config.worker_exe);
    command.arg(WORKER_ARG).args(args).stdin(Stdio::null());
    command
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
