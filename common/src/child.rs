//! A child process that cannot be forgotten.
//!
//! A `std::process::Child` that is dropped is **not** killed and **not**
//! waited for: the process runs on, and when it exits it stays in the
//! process table as a zombie until someone calls `wait`. [`ChildGuard`]
//! kills and reaps it on drop, so an early return or a panic between
//! `spawn` and `wait` leaves nothing behind.
//!
//! [`wait_deadline`] waits for a child with a time limit, and leaves no
//! trace in the process: no signal handler (a `SIGCHLD` handler would make
//! the *caller's own* blocking calls return `EINTR` whenever any child
//! exits), no descriptor kept, no global state.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

/// A child process that is killed and reaped if dropped before being waited
/// for.
#[derive(Debug)]
pub struct ChildGuard {
    name: String,
    /// Kept after the child is reaped, for messages.
    pid: u32,
    child: Option<Child>,
    /// Started as the leader of a process group of its own: every kill
    /// goes to the whole group, so programs the child started die with it.
    own_group: bool,
    /// How it ended, once reaped (by [`wait_timeout`](Self::wait_timeout)
    /// or [`try_reap`](Self::try_reap)): later calls return it.
    status: Option<ExitStatus>,
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
        Ok(Self {
            name,
            pid: child.id(),
            child: Some(child),
            own_group: false,
            status: None,
        })
    }

    /// Spawns `command` as the leader of a new process group (its PGID is
    /// its PID), so that [`kill`](Self::kill), [`kill_and_reap`](Self::kill_and_reap)
    /// and the drop reach every process it started too — a program a task
    /// ran that would otherwise outlive it. After the child is reaped, what
    /// is left of its group is killed as well. (A program that moves itself
    /// to another group or session, as daemons do with `setsid`, escapes.)
    /// A child in its own group also does not get the terminal's Ctrl-C.
    pub fn spawn_group_leader(
        name: impl Into<String>,
        command: &mut Command,
    ) -> io::Result<Self> {
        command.process_group(0);
        let mut guard = Self::spawn(name, command)?;
        guard.own_group = true;
        Ok(guard)
    }

    /// The child's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The child's PID.
    pub fn id(&self) -> u32 {
        self.pid
    }

    /// Sends SIGKILL without waiting (the guard still reaps it: call
    /// [`wait`](Self::wait), or drop the guard). Harmless if the child has
    /// already exited.
    pub fn kill(&mut self) {
        if let Some(child) = self.child.as_mut() {
            // Fails only when the child has already been waited for, which
            // a guard that still holds it has not done.
            let _ = child.kill();
            if self.own_group {
                kill_group(child.id());
            }
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
    /// (On a child already reaped by `wait_timeout` or `try_reap`: its
    /// status again.)
    pub fn wait(mut self) -> io::Result<ExitStatus> {
        let Some(child) = self.child.as_mut() else {
            return self
                .status
                .ok_or_else(|| io::Error::other("the child was never reaped"));
        };
        let status = child.wait()?;
        tracing::debug!(pid = child.id(), %status, name = %self.name, "reaped");
        self.reaped(status);
        Ok(status)
    }

    /// Waits at most `limit`; `None` if the child is still running (it is
    /// *not* killed: decide, then call [`kill_and_reap`](Self::kill_and_reap)).
    pub fn wait_timeout(&mut self, limit: Duration) -> io::Result<Option<ExitStatus>> {
        let Some(child) = self.child.as_mut() else { return Ok(self.status) };
        let status = wait_deadline(child, limit)?;
        if let Some(status) = status {
            self.reaped(status);
        }
        Ok(status)
    }

    /// Reaps the child if it has already exited (`waitpid` with `WNOHANG`):
    /// `Some(status)`, after which the guard is spent (its drop does
    /// nothing); `None` while it runs.
    pub fn try_reap(&mut self) -> io::Result<Option<ExitStatus>> {
        let Some(child) = self.child.as_mut() else { return Ok(self.status) };
        let status = child.try_wait()?;
        if let Some(status) = status {
            self.reaped(status);
        }
        Ok(status)
    }

    /// After the child was waited for: forget it, and kill what is left of
    /// its process group. (Its PID stays reserved while any member of the
    /// group lives; with none left, `killpg` finds nothing.)
    fn reaped(&mut self, status: ExitStatus) {
        self.status = Some(status);
        if let Some(child) = self.child.take()
            && self.own_group
        {
            kill_group(child.id());
        }
    }

    /// Sends SIGKILL and reaps: the status says `signal: 9 (SIGKILL)`.
    /// (Kill without the wait would leave a zombie.)
    pub fn kill_and_reap(mut self) -> io::Result<ExitStatus> {
        // kill() fails only if the child has already exited; wait() then
        // reaps it either way and reports how it really ended.
        self.kill();
        self.wait()
    }
}

/// Waits at most `limit` for `child` to exit; `Some(status)` once it has
/// (it is then reaped), `None` if it still runs after `limit`.
///
/// How: a *pidfd* (Linux 5.3+: a descriptor that becomes readable when the
/// process exits) and one `poll` with the time left, so the wake-up is
/// immediate and nothing else in the process is touched; the descriptor is
/// closed before returning. Where no pidfd can be had — an older kernel, or
/// no descriptor left (`EMFILE`) — it asks `waitpid(WNOHANG)` at growing
/// intervals (0.1 ms up to 10 ms) instead, which needs no descriptor at all.
/// Either way the wait cannot fail for want of resources.
pub fn wait_deadline(
    child: &mut Child,
    limit: Duration,
) -> io::Result<Option<ExitStatus>> {
    if let Some(status) = child.try_wait()? {
        return Ok(Some(status));
    }
    let deadline = Instant::now().checked_add(limit);
    match pidfd_open(child.id()) {
        Some(pidfd) => {
            while wait_readable(&pidfd, deadline)? {
                if let Some(status) = child.try_wait()? {
                    return Ok(Some(status));
                }
            }
            child.try_wait()
        }
        None => {
            let mut pause = Duration::from_micros(100);
            loop {
                if let Some(status) = child.try_wait()? {
                    return Ok(Some(status));
                }
                let left = match deadline {
                    Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                    None => pause,
                };
                if left.is_zero() {
                    return Ok(None);
                }
                std::thread::sleep(pause.min(left));
                pause = (pause * 2).min(Duration::from_millis(10));
            }
        }
    }
}

/// A pidfd for `pid` (close-on-exec), or `None` where the kernel or the
/// descriptor table cannot give one.
fn pidfd_open(pid: u32) -> Option<OwnedFd> {
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: pidfd_open takes a pid and a flags word and returns a new
    // descriptor or -1; it touches no memory of ours.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = i32::try_from(fd).ok().filter(|fd| *fd >= 0)?;
    // SAFETY: the kernel just returned this descriptor; nobody else owns it.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Polls `fd` until it is readable (`true`) or `deadline` passes (`false`).
/// Interrupted polls are resumed with the time that is left.
fn wait_readable(fd: &OwnedFd, deadline: Option<Instant>) -> io::Result<bool> {
    loop {
        let timeout_ms = match deadline {
            None => -1,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(false);
                }
                // Rounded up, so a wait never ends early and spins.
                i32::try_from(left.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX)
            }
        };
        let mut poll_fd =
            libc::pollfd { fd: fd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd, and its count is 1.
        let ready = unsafe { libc::poll(&mut poll_fd, 1, timeout_ms) };
        if ready > 0 {
            return Ok(true);
        }
        if ready < 0 {
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            tracing::debug!(pid = child.id(), name = %self.name, "killing unwaited child");
            self.kill();
            if let Some(child) = self.child.as_mut()
                && let Ok(status) = child.wait()
            {
                self.reaped(status);
            }
        }
    }
}

/// SIGKILL to every process in the group `pgid` (harmless if it is empty).
fn kill_group(pgid: u32) {
    if let Ok(pgid) = libc::pid_t::try_from(pgid) {
        // SAFETY: killpg(2) sends a signal; it touches no memory of ours.
        unsafe { libc::killpg(pgid, libc::SIGKILL) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sleeper(seconds: &str) -> Child {
        Command::new("sleep").arg(seconds).spawn().expect("sleep(1) runs")
    }

    #[test]
    fn wait_deadline_returns_none_while_running_and_the_status_once_exited() {
        let mut child = sleeper("5");
        let started = Instant::now();
        assert!(wait_deadline(&mut child, Duration::from_millis(50)).unwrap().is_none());
        assert!(started.elapsed() >= Duration::from_millis(50));
        child.kill().unwrap();
        let status = wait_deadline(&mut child, Duration::from_secs(10)).unwrap();
        assert!(status.is_some_and(|status| !status.success()));
    }

    #[test]
    fn wait_deadline_reaps_a_child_that_exits_during_the_wait() {
        let mut child = sleeper("0.05");
        let status = wait_deadline(&mut child, Duration::from_secs(10)).unwrap();
        assert!(status.is_some_and(|status| status.success()));
    }

    #[test]
    fn try_reap_spends_the_guard() {
        let mut guard =
            ChildGuard::spawn("true", &mut Command::new("true")).expect("true(1) runs");
        let status = loop {
            if let Some(status) = guard.try_reap().unwrap() {
                break status;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        assert!(status.success());
        drop(guard); // must not kill or wait again
    }
}
