//! A child process that cannot be forgotten.
//!
//! A `std::process::Child` that is dropped is **not** killed and **not**
//! waited for: the process runs on, and when it exits it stays in the
//! process table as a zombie until someone calls `wait`. [`ChildGuard`]
//! kills and reaps it on drop, so an early return or a panic between
//! `spawn` and `wait` leaves nothing behind.

use std::io;
use std::process::{Child, Command, ExitStatus};
use std::time::Duration;

use wait_timeout::ChildExt;

/// A child process that is killed and reaped if dropped before being waited
/// for.
#[derive(Debug)]
pub struct ChildGuard {
    name: String,
    child: Option<Child>,
}

impl ChildGuard {
    /// Spawns `command` under a human name (used in errors and timelines).
    pub fn spawn(name: impl Into<String>, command: &mut Command) -> io::Result<Self> {
        let name = name.into();
        let child = command.spawn().map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("starting process {name} ({command:?}): {err}"),
            )
        })?;
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

    /// Sends SIGKILL without waiting (the guard still reaps it: call
    /// [`wait`](Self::wait), or drop the guard). Harmless if the child has
    /// already exited.
    pub fn kill(&mut self) {
        if let Some(child) = self.child.as_mut() {
            // Fails only when the child has already been waited for, which
            // a guard that still holds it has not done.
            let _ = child.kill();
        }
    }

    /// Takes the child's stdin pipe (if it was configured as piped);
    /// dropping it closes the child's stdin.
    pub fn take_stdin(&mut self) -> Option<std::process::ChildStdin> {
        self.child.as_mut().and_then(|child| child.stdin.take())
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
