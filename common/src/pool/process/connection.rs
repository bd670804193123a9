//! The parent's end of one worker process: starting it, sending it a
//! request, reading its reply, and reaping it.

use std::io::{self, BufReader, BufWriter, Read};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{Counters, Shared, TaskError};
use crate::child::ChildGuard;
use crate::pool::frame::{self, FrameError};
use crate::pool::protocol::{Outcome, Reply};

/// One live worker, seen from the pool: its PID and the two buffered halves
/// of its socket.
pub(super) struct Connection {
    pub(super) pid: u32,
    reader: BufReader<UnixStream>,
    /// Buffered so that a small frame's header and body leave in one
    /// `write` (one wake-up of the worker, not two).
    writer: BufWriter<UnixStream>,
    /// The socket timeouts currently set, to skip redundant `setsockopt`s on
    /// the hot path (no timeout: none at all after the first call).
    write_timeout: Option<Duration>,
    read_timeout_set: bool,
    /// Whether the pool's initializer has run in this worker.
    pub(super) initialized: bool,
    /// Tasks this worker has answered (for `max_tasks_per_worker`).
    pub(super) tasks_answered: u64,
}

/// How talking to a worker can fail (as opposed to the task failing).
#[derive(Debug)]
pub(super) enum Fault {
    /// The deadline passed first.
    TimedOut,
    /// The worker's end closed: it exited or was killed.
    Closed,
    /// The worker sent something that is not a valid reply.
    Protocol(String),
}

/// How to end a worker that is being reaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ending {
    /// It has been told to exit (its socket closed): give it two seconds.
    Graceful,
    /// SIGKILL now (a hung or misbehaving worker, or `terminate`).
    Kill,
}

/// `now + timeout`, or no deadline at all when there is no timeout or the
/// sum does not fit in an `Instant` (`Duration::MAX` means "never").
pub(super) fn deadline_after(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|t| Instant::now().checked_add(t))
}

impl Connection {
    /// Starts worker `index`: a socket pair, the child on one end (as its
    /// stdin), the child's guard stored in the pool's slot for `index`.
    /// The initializer has not run yet.
    pub(super) fn spawn(shared: &Shared, index: usize) -> Result<Self, TaskError> {
        let config = &shared.config;
        let (ours, theirs) =
            UnixStream::pair().map_err(|err| TaskError::Spawn(err.to_string()))?;
        // std creates both ends close-on-exec, so no other worker inherits
        // them; `Stdio::from` makes `theirs` the child's fd 0 (dup2 clears
        // the flag for that one copy).
        let mut command = Command::new(&config.exe);
        command
            .args(&config.args)
            .envs(config.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::from(OwnedFd::from(theirs)));
        // Its own process group: a program a task starts dies with the
        // worker when the pool kills or reaps it.
        let child =
            ChildGuard::spawn_group_leader(format!("pool worker {index}"), &mut command)
                .map_err(|err| TaskError::Spawn(err.to_string()))?;
        let pid = child.id();
        {
            let mut slot = shared.child(index);
            *slot = Some(child);
            // `kill_workers` sets the flag, then kills what the slots hold.
            // Checked under this slot's lock, either it found this child or
            // we see the flag: no worker starts unseen by a terminate.
            if shared.terminating.load(Ordering::SeqCst) {
                drop(slot);
                reap(shared, index, Ending::Kill);
                return Err(TaskError::Terminated);
            }
        }
        Counters::add(&shared.counters.workers_started, 1);
        tracing::debug!(pid, index, "started pool worker");

        let writer = match ours.try_clone() {
            Ok(clone) => BufWriter::new(clone),
            Err(err) => {
                reap(shared, index, Ending::Kill);
                return Err(TaskError::Spawn(err.to_string()));
            }
        };
        Ok(Self {
            pid,
            reader: BufReader::new(ours),
            writer,
            write_timeout: None,
            read_timeout_set: false,
            initialized: false,
            tasks_answered: 0,
        })
    }

    /// Runs the pool's initializer in this worker (worker slot `index`),
    /// once: a no-op without an initializer or when it has already run. On
    /// failure the worker is killed and reaped — before the caller drops
    /// this connection, so its status is the kill, not a watchdog's exit —
    /// and the error is the task's [`TaskError::InitFailed`].
    pub(super) fn initialize(
        &mut self,
        shared: &Shared,
        index: usize,
    ) -> Result<(), TaskError> {
        let Some(init) = &shared.config.initializer else { return Ok(()) };
        if self.initialized {
            return Ok(());
        }
        match self.run_initializer(init, shared.config.initializer_timeout) {
            Ok((sent, received)) => {
                Counters::add(&shared.counters.bytes_sent, sent);
                Counters::add(&shared.counters.bytes_received, received);
                Ok(())
            }
            Err(message) => {
                let status = reap(shared, index, Ending::Kill);
                Err(TaskError::InitFailed(format!("{message} (worker {status})")))
            }
        }
    }

    /// Sends the initializer request and waits at most `limit` for its
    /// reply. Returns the bytes sent and received, or why it failed.
    fn run_initializer(
        &mut self,
        request: &[u8],
        limit: Duration,
    ) -> Result<(usize, usize), String> {
        let deadline = deadline_after(Some(limit));
        let sent =
            self.send(request, Some(limit)).map_err(|fault| fault.describe(limit))?;
        let (reply, received) =
            self.receive(deadline).map_err(|fault| fault.describe(limit))?;
        match reply.outcome {
            Outcome::Value(_) => {
                self.initialized = true;
                Ok((sent, received))
            }
            Outcome::Panicked(message) | Outcome::Codec(message) => Err(message),
        }
    }

    /// Writes one request frame. The write itself is bounded by `timeout`
    /// (a full socket buffer in front of a hung worker). Returns the bytes
    /// written. `Fault::Closed` here means the worker had already gone: its
    /// end of the socket was closed, so nothing was sent (or, for a request
    /// larger than the socket's buffer, it died before reading all of it).
    pub(super) fn send(
        &mut self,
        request: &[u8],
        timeout: Option<Duration>,
    ) -> Result<usize, Fault> {
        if self.write_timeout != timeout {
            let socket = self.writer.get_ref();
            socket
                .set_write_timeout(timeout.map(|t| t.max(Duration::from_millis(1))))
                .map_err(io_fault)?;
            self.write_timeout = timeout;
        }
        frame::write_body(&mut self.writer, request).map_err(frame_fault)
    }

    /// Reads one reply, never past `deadline`. Returns it and the bytes read.
    pub(super) fn receive(
        &mut self,
        deadline: Option<Instant>,
    ) -> Result<(Reply, usize), Fault> {
        if deadline.is_none() && self.read_timeout_set {
            self.reader.get_ref().set_read_timeout(None).map_err(io_fault)?;
            self.read_timeout_set = false;
        }
        self.read_timeout_set |= deadline.is_some();
        let mut reader = DeadlineReader { inner: &mut self.reader, deadline };
        let body =
            frame::read_body(&mut reader).map_err(frame_fault)?.ok_or(Fault::Closed)?;
        let reply =
            frame::decode(&body).map_err(|err| Fault::Protocol(err.to_string()))?;
        Ok((reply, 4 + body.len()))
    }
}

impl Fault {
    fn describe(self, limit: Duration) -> String {
        match self {
            Fault::TimedOut => format!("no answer within {limit:?}"),
            Fault::Closed => "the worker exited".into(),
            Fault::Protocol(message) => message,
        }
    }
}

fn io_fault(err: io::Error) -> Fault {
    match err.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Fault::TimedOut,
        io::ErrorKind::BrokenPipe
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::UnexpectedEof => Fault::Closed,
        _ => Fault::Protocol(err.to_string()),
    }
}

fn frame_fault(err: FrameError) -> Fault {
    match err {
        FrameError::Io(err) => io_fault(err),
        FrameError::Truncated => Fault::Closed,
        other => Fault::Protocol(other.to_string()),
    }
}

/// Reads from the worker's socket, never past `deadline`: before each read
/// the socket's timeout is set to the time that is left.
struct DeadlineReader<'a> {
    inner: &'a mut BufReader<UnixStream>,
    deadline: Option<Instant>,
}

impl Read for DeadlineReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Without a deadline, or with bytes already buffered, just read.
        if let Some(deadline) = self.deadline
            && self.inner.buffer().is_empty()
        {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            self.inner.get_ref().set_read_timeout(Some(left))?;
        }
        self.inner.read(buf)
    }
}

/// Takes worker `index`'s child out of its slot and waits for it, so it
/// never lingers as a zombie. Returns its exit status, as text.
pub(super) fn reap(shared: &Shared, index: usize, ending: Ending) -> String {
    let Some(mut child) = shared.child(index).take() else {
        return "already reaped".into();
    };
    let pid = child.id();
    if ending == Ending::Graceful {
        match child.wait_timeout(Duration::from_secs(2)) {
            Ok(Some(status)) => {
                // Reaped (and what was left of its process group killed):
                // the spent guard's drop does nothing.
                tracing::debug!(pid, %status, "reaped pool worker");
                return status.to_string();
            }
            Ok(None) => tracing::warn!(pid, "pool worker did not exit; killing it"),
            Err(err) => tracing::warn!(pid, %err, "waiting for pool worker"),
        }
    }
    match child.kill_and_reap() {
        Ok(status) => {
            tracing::debug!(pid, %status, "reaped pool worker");
            status.to_string()
        }
        Err(err) => format!("unknown status ({err})"),
    }
}
