//! [`ProcessPool`]: Python's `multiprocessing.Pool`, with real processes.
//!
//! ## How it works
//!
//! ```text
//!  your threads            the pool (in your process)              worker processes
//!  ────────────            ──────────────────────────              ────────────────
//!  submit(task) ─encode─▶  job queue ─▶ manager thread 0 ◀─socket─▶ worker 0 (pid 4711)
//!  handle.result() ◀─────  one-shot       manager thread 1 ◀─socket─▶ worker 1 (pid 4712)
//!                          reply channel        …                        …
//! ```
//!
//! * `submit` encodes the task (serde + postcard) and puts it on a shared
//!   queue; it returns a [`TaskHandle`] at once (Python's `apply_async`).
//! * Each worker process has a *manager thread* here that takes the next job,
//!   writes it to its worker as one frame (see [`super::frame`]), and waits for the
//!   reply — with a deadline if the task has a timeout. The manager is the
//!   only place that touches its child, so every failure is seen by exactly
//!   one thread, which turns it into that task's outcome.
//! * **Every submitted task yields exactly one outcome**: a value, or a
//!   [`TaskError`] that says what happened (panic, worker death with its exit
//!   status or signal, timeout, pool terminated). Even a job dropped by a bug
//!   answers [`TaskError::Lost`] rather than leaving its caller waiting.
//! * A worker that dies or overruns its deadline is killed, **reaped**
//!   (`wait`, so no zombie stays), and replaced at once — before the task's
//!   error is delivered, so the caller never sees the pool short of a worker.
//!   Other tasks are untouched: that is the point of processes.
//!
//! ## What Python users should notice
//!
//! | Python | here |
//! |---|---|
//! | `Pool(4)` | `ProcessPool::builder(exe).workers(4).start()?` |
//! | `pool.map(f, xs)` | [`pool.map(Job::F, xs)`](ProcessPool::map): one `Result` per item, in input order |
//! | `pool.imap(f, xs)` | [`pool.imap(Job::F, xs)`](ProcessPool::imap): lazy, bounded in flight |
//! | `pool.apply_async(f, (x,))` | [`pool.submit(Job::F(x))`](ProcessPool::submit) |
//! | `res.get(timeout=2)` | [`handle.result_timeout(2 s)`](TaskHandle::result_timeout) |
//! | `initializer=init` | [`.initializer(Job::Init)`](ProcessPoolBuilder::initializer) |
//! | `with Pool() as p:` | scope + `Drop` (Python's `__exit__` *terminates*; `Drop` here finishes queued work — call [`terminate`](ProcessPool::terminate) for Python's behaviour) |
//! | a task hangs forever | [`task_timeout`](ProcessPoolBuilder::task_timeout): the worker is killed and replaced |
//! | a worker is killed: the pool hangs (a long-standing CPython issue) | the task's result is [`TaskError::WorkerDied`] naming the signal |

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::io::{self, BufReader, BufWriter, Read};
use std::marker::PhantomData;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wait_timeout::ChildExt;

use super::frame::{self, FrameError};
use super::protocol::{Reply, Request};

/// Why a task has no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// The task's code panicked inside the worker. The worker survived and
    /// took the next task.
    #[error("task panicked in worker pid {pid}: {message}")]
    Panicked {
        /// The worker that ran it.
        pid: u32,
        /// The panic message and where it happened.
        message: String,
    },
    /// The worker process ended during the task: it aborted, exited, or was
    /// killed by a signal (`status` says which, e.g. `signal: 9 (SIGKILL)`).
    #[error("worker pid {pid} died during the task ({status})")]
    WorkerDied {
        /// The worker that died.
        pid: u32,
        /// Its exit status as the OS reported it.
        status: String,
    },
    /// The task ran longer than its timeout; its worker was killed and
    /// reaped, and a fresh worker takes the next task.
    #[error(
        "task exceeded its {limit:?} timeout; worker pid {pid} was killed ({status})"
    )]
    TimedOut {
        /// The worker that was killed.
        pid: u32,
        /// The timeout that expired.
        limit: Duration,
        /// The killed worker's exit status.
        status: String,
    },
    /// [`TaskHandle::result_timeout`] gave up waiting. The task is still
    /// queued or running; ask again later (Python's `TimeoutError` from
    /// `AsyncResult.get(timeout)`).
    #[error("no result after waiting {0:?}; the task is still pending")]
    NotReady(Duration),
    /// A new worker's initializer failed, so this task never ran.
    #[error("worker initializer failed: {0}")]
    InitFailed(String),
    /// A worker process could not be started.
    #[error("could not start a worker process: {0}")]
    Spawn(String),
    /// The task or its result could not be encoded or decoded.
    #[error("could not encode or decode: {0}")]
    Codec(String),
    /// The worker broke the protocol (a bug, or the wrong executable).
    #[error("protocol error with worker: {0}")]
    Protocol(String),
    /// [`ProcessPool::terminate`] stopped the pool before this task finished.
    #[error("the pool was terminated before the task finished")]
    Terminated,
    /// The task was dropped without an outcome (a bug in the pool; reported
    /// rather than leaving the caller blocked forever).
    #[error("the task was lost by the pool")]
    Lost,
}

/// Counters over the pool's life: the cost of IPC, in numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Tasks that came back with a reply (a value or a panic message).
    pub replies: u64,
    /// Bytes written to workers (frames with headers, initializers included).
    pub bytes_sent: u64,
    /// Bytes read back from workers.
    pub bytes_received: u64,
    /// Worker processes started, replacements included.
    pub workers_started: u64,
    /// Workers that died or were killed during a task.
    pub workers_lost: u64,
}

#[derive(Default)]
struct Counters {
    replies: AtomicU64,
    bytes_sent: AtomicU64,
    bytes_received: AtomicU64,
    workers_started: AtomicU64,
    workers_lost: AtomicU64,
}

/// What one worker process is started with.
struct WorkerConfig {
    exe: PathBuf,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    /// An encoded [`Request`] sent to every new worker before its first task.
    initializer: Option<Vec<u8>>,
}

/// State shared by the pool handle and its manager threads.
struct Shared {
    config: WorkerConfig,
    /// The live child of each manager, so `terminate` can kill it while the
    /// manager is blocked reading. The manager never holds the lock while
    /// it waits for a reply.
    children: Vec<Mutex<Option<Child>>>,
    terminating: AtomicBool,
    /// Set when the pool stops taking tasks: no point replacing a dead
    /// worker once the queue is closed and empty.
    closing: AtomicBool,
    counters: Counters,
}

impl Shared {
    fn child(&self, index: usize) -> MutexGuard<'_, Option<Child>> {
        // A panic while holding this lock cannot leave the `Option` half
        // updated, so a poisoned lock is still usable.
        self.children[index].lock().unwrap_or_else(PoisonError::into_inner)
    }
}

type Outcome = Result<(u32, Vec<u8>), TaskError>;

/// The sending side of a task's one-shot reply. Dropping it unsent answers
/// [`TaskError::Lost`]: a caller can never wait forever on a forgotten job.
struct OnceReply(Option<Sender<Outcome>>);

impl OnceReply {
    fn send(mut self, outcome: Outcome) {
        if let Some(sender) = self.0.take() {
            // The caller may have dropped its handle; nobody to tell then.
            let _ = sender.send(outcome);
        }
    }
}

impl Drop for OnceReply {
    fn drop(&mut self) {
        if let Some(sender) = self.0.take() {
            let _ = sender.send(Err(TaskError::Lost));
        }
    }
}

struct Job {
    id: u64,
    /// The encoded [`Request`].
    request: Vec<u8>,
    timeout: Option<Duration>,
    reply: OnceReply,
}

/// Configures a [`ProcessPool`]; see [`ProcessPool::builder`].
#[must_use = "a builder does nothing until `start`"]
pub struct ProcessPoolBuilder<T, R> {
    exe: PathBuf,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    workers: usize,
    task_timeout: Option<Duration>,
    initializer: Option<T>,
    types: PhantomData<fn(T) -> R>,
}

impl<T, R> fmt::Debug for ProcessPoolBuilder<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessPoolBuilder")
            .field("exe", &self.exe)
            .field("args", &self.args)
            .field("workers", &self.workers)
            .field("task_timeout", &self.task_timeout)
            .finish_non_exhaustive()
    }
}

impl<T: Serialize, R: DeserializeOwned> ProcessPoolBuilder<T, R> {
    /// Number of worker processes (default: [`cpu_workers`](super::cpu_workers),
    /// like Python's `Pool()`). Zero is refused by [`start`](Self::start).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// An argument for the worker command line (the hidden argument that
    /// makes the binary's `main` call [`serve`](super::serve)).
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Several worker arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// An environment variable for every worker (they inherit the rest).
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// Default deadline for every task: past it, the worker is killed,
    /// reaped and replaced, and the task's result is [`TaskError::TimedOut`].
    /// [`ProcessPool::submit_with_timeout`] overrides it per task.
    pub fn task_timeout(mut self, timeout: Duration) -> Self {
        self.task_timeout = Some(timeout);
        self
    }

    /// A task every new worker runs once, before its first real task
    /// (Python's `initializer=`). It runs again in replacement workers. If it
    /// panics, the task that needed the worker fails with
    /// [`TaskError::InitFailed`].
    pub fn initializer(mut self, task: T) -> Self {
        self.initializer = Some(task);
        self
    }

    /// Starts every worker process now (as Python's `Pool()` does), runs the
    /// initializer in each, and returns the pool. On failure, workers already
    /// started are killed and reaped before the error is returned.
    pub fn start(self) -> io::Result<ProcessPool<T, R>> {
        if self.workers == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a process pool needs at least one worker",
            ));
        }
        let initializer = match &self.initializer {
            None => None,
            Some(task) => Some(encode_request(0, task).map_err(io::Error::other)?),
        };
        let shared = Arc::new(Shared {
            config: WorkerConfig {
                exe: self.exe,
                args: self.args,
                envs: self.envs,
                initializer,
            },
            children: (0..self.workers).map(|_| Mutex::new(None)).collect(),
            terminating: AtomicBool::new(false),
            closing: AtomicBool::new(false),
            counters: Counters::default(),
        });

        let mut first_workers = Vec::with_capacity(self.workers);
        for index in 0..self.workers {
            match spawn_worker(&shared, index) {
                Ok(live) => first_workers.push(live),
                Err(err) => {
                    for (index, live) in first_workers.into_iter().enumerate() {
                        drop(live);
                        reap(&shared, index, true);
                    }
                    return Err(io::Error::other(err));
                }
            }
        }

        let (jobs, queue) = crossbeam_channel::unbounded::<Job>();
        let mut managers = Vec::with_capacity(self.workers);
        for (index, live) in first_workers.into_iter().enumerate() {
            let for_manager = Arc::clone(&shared);
            let queue = queue.clone();
            let spawned = thread::Builder::new()
                .name(format!("pool-manager-{index}"))
                .spawn(move || manage(index, &for_manager, &queue, Some(live)));
            match spawned {
                Ok(handle) => managers.push(handle),
                Err(err) => {
                    // Managers already running see the queue close and shut
                    // their workers down; the workers without one we reap.
                    drop(jobs);
                    for handle in managers {
                        let _ = handle.join();
                    }
                    for orphan in index..shared.children.len() {
                        reap(&shared, orphan, true);
                    }
                    return Err(err);
                }
            }
        }
        Ok(ProcessPool {
            jobs: Some(jobs),
            managers,
            shared,
            task_timeout: self.task_timeout,
            next_id: AtomicU64::new(1),
            types: PhantomData,
        })
    }
}

/// A pool of worker processes running tasks of type `T` that produce `R`.
///
/// Both types are plain serde data: tasks are usually an enum naming the
/// function to run (`Job::Square(5)`), which the worker binary matches on.
///
/// ```no_run
/// # #[derive(serde::Serialize)] enum Job { Square(i64) }
/// use common::pool::ProcessPool;
/// let exe = std::env::current_exe()?;
/// let pool = ProcessPool::<Job, i64>::builder(exe).arg("__pool-worker").workers(4).start()?;
/// let squares: Result<Vec<i64>, _> = pool.map(Job::Square, [1, 2, 3, 4, 5]).into_iter().collect();
/// assert_eq!(squares?, [1, 4, 9, 16, 25]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ProcessPool<T, R> {
    /// `None` once shutdown has begun: closing the queue is the signal.
    jobs: Option<Sender<Job>>,
    managers: Vec<JoinHandle<()>>,
    shared: Arc<Shared>,
    task_timeout: Option<Duration>,
    next_id: AtomicU64,
    types: PhantomData<fn(T) -> R>,
}

impl<T, R> fmt::Debug for ProcessPool<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessPool")
            .field("exe", &self.shared.config.exe)
            .field("workers", &self.managers.len())
            .field("task_timeout", &self.task_timeout)
            .finish_non_exhaustive()
    }
}

impl<T: Serialize, R: DeserializeOwned> ProcessPool<T, R> {
    /// A pool whose workers run `exe` (usually `std::env::current_exe()` in a
    /// binary, and `env!("CARGO_BIN_EXE_<name>")` in its integration tests).
    pub fn builder(exe: impl Into<PathBuf>) -> ProcessPoolBuilder<T, R> {
        ProcessPoolBuilder {
            exe: exe.into(),
            args: Vec::new(),
            envs: Vec::new(),
            workers: super::cpu_workers(),
            task_timeout: None,
            initializer: None,
            types: PhantomData,
        }
    }

    /// Queues `task` and returns at once with a handle to its result
    /// (Python's `apply_async`). The pool's default timeout applies.
    #[doc(alias = "apply_async")]
    pub fn submit(&self, task: T) -> TaskHandle<R> {
        self.submit_inner(&task, self.task_timeout)
    }

    /// [`submit`](Self::submit) with this task's own deadline.
    pub fn submit_with_timeout(&self, task: T, timeout: Duration) -> TaskHandle<R> {
        self.submit_inner(&task, Some(timeout))
    }

    fn submit_inner(&self, task: &T, timeout: Option<Duration>) -> TaskHandle<R> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = crossbeam_channel::bounded(1);
        let reply = OnceReply(Some(sender));
        let handle = TaskHandle { id, receiver, types: PhantomData };
        match encode_request(id, task) {
            Err(err) => reply.send(Err(err)),
            Ok(request) => {
                let job = Job { id, request, timeout, reply };
                match &self.jobs {
                    // A send fails only when every manager is gone; the job
                    // comes back inside the error and its reply is dropped,
                    // which answers `Lost`. (Cannot happen while `self` lives.)
                    Some(jobs) => drop(jobs.send(job)),
                    None => job.reply.send(Err(TaskError::Terminated)),
                }
            }
        }
        handle
    }

    /// Runs `make_task(item)` for every item and waits for all of them:
    /// one outcome per item, **in input order**, whatever order the workers
    /// finished in (Python's `Pool.map`). An error in one item does not
    /// hide the others; `.into_iter().collect::<Result<Vec<_>, _>>()` gives
    /// Python's all-or-first-error behaviour.
    pub fn map<I>(
        &self,
        make_task: impl FnMut(I) -> T,
        items: impl IntoIterator<Item = I>,
    ) -> Vec<Result<R, TaskError>> {
        let handles: Vec<TaskHandle<R>> =
            items.into_iter().map(make_task).map(|task| self.submit(task)).collect();
        handles.into_iter().map(TaskHandle::result).collect()
    }

    /// Like [`map`](Self::map) but lazy: results come out in input order as
    /// they become ready, and at most two tasks per worker are in flight, so
    /// a long (or endless) input is consumed as the workers keep up.
    /// (Python's `imap` submits everything at once; this one is bounded.)
    pub fn imap<I, Items, F>(
        &self,
        make_task: F,
        items: Items,
    ) -> Imap<'_, T, R, Items::IntoIter, F>
    where
        Items: IntoIterator<Item = I>,
        F: FnMut(I) -> T,
    {
        Imap {
            pool: self,
            items: items.into_iter(),
            make_task,
            in_flight: VecDeque::new(),
            window: 2 * self.managers.len(),
        }
    }
}

impl<T, R> ProcessPool<T, R> {
    /// Number of worker processes.
    pub fn workers(&self) -> usize {
        self.managers.len()
    }

    /// The PID of each worker slot's current process; `None` for a slot
    /// whose worker died and could not be replaced (or during replacement).
    pub fn worker_pids(&self) -> Vec<Option<u32>> {
        (0..self.shared.children.len())
            .map(|index| self.shared.child(index).as_ref().map(Child::id))
            .collect()
    }

    /// The IPC counters so far.
    pub fn stats(&self) -> PoolStats {
        let c = &self.shared.counters;
        PoolStats {
            replies: c.replies.load(Ordering::Relaxed),
            bytes_sent: c.bytes_sent.load(Ordering::Relaxed),
            bytes_received: c.bytes_received.load(Ordering::Relaxed),
            workers_started: c.workers_started.load(Ordering::Relaxed),
            workers_lost: c.workers_lost.load(Ordering::Relaxed),
        }
    }

    /// The executable the workers run.
    pub fn exe(&self) -> &Path {
        &self.shared.config.exe
    }

    /// Graceful shutdown (Python's `close()` + `join()`): queued tasks still
    /// run, then every worker is told to exit and is reaped. `Drop` does the
    /// same; calling this makes the wait visible in the code.
    pub fn shutdown(self) {
        drop(self);
    }

    /// Immediate shutdown (Python's `terminate()`, and what its `with Pool()`
    /// does on exit): running workers are killed and reaped, and every task
    /// not yet finished answers [`TaskError::Terminated`].
    pub fn terminate(mut self) {
        self.kill_workers();
        self.close_and_join();
    }

    /// The first half of [`terminate`](Self::terminate), usable through a
    /// shared reference (an `Arc<ProcessPool>`): kills every worker now; the
    /// tasks they were running, every queued task and every later one answer
    /// [`TaskError::Terminated`]. The pool is then only good for dropping.
    pub fn kill_workers(&self) {
        self.shared.terminating.store(true, Ordering::SeqCst);
        for index in 0..self.shared.children.len() {
            if let Some(child) = self.shared.child(index).as_mut() {
                // Fails only if it already exited; its manager reaps it.
                let _ = child.kill();
            }
        }
    }

    fn close_and_join(&mut self) {
        // Closing the queue is the shutdown signal: each manager drains what
        // is left, then closes its worker's socket and reaps it.
        self.shared.closing.store(true, Ordering::SeqCst);
        self.jobs = None;
        for manager in self.managers.drain(..) {
            if manager.join().is_err() {
                tracing::error!("a process-pool manager thread panicked");
            }
        }
    }
}

impl<T, R> Drop for ProcessPool<T, R> {
    fn drop(&mut self) {
        self.close_and_join();
    }
}

/// The iterator returned by [`ProcessPool::imap`].
pub struct Imap<'pool, T, R, Items, F> {
    pool: &'pool ProcessPool<T, R>,
    items: Items,
    make_task: F,
    in_flight: VecDeque<TaskHandle<R>>,
    window: usize,
}

impl<T, R, I, Items, F> Iterator for Imap<'_, T, R, Items, F>
where
    T: Serialize,
    R: DeserializeOwned,
    Items: Iterator<Item = I>,
    F: FnMut(I) -> T,
{
    type Item = Result<R, TaskError>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.in_flight.len() < self.window {
            let Some(item) = self.items.next() else { break };
            let task = (self.make_task)(item);
            self.in_flight.push_back(self.pool.submit(task));
        }
        self.in_flight.pop_front().map(TaskHandle::result)
    }
}

/// The pending result of one submitted task (Python's `AsyncResult` /
/// `Future`). Dropping it does not cancel the task; the result is discarded.
#[derive(Debug)]
pub struct TaskHandle<R> {
    id: u64,
    receiver: Receiver<Outcome>,
    types: PhantomData<fn() -> R>,
}

impl<R: DeserializeOwned> TaskHandle<R> {
    /// The task's id within its pool (in submission order, from 1).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Whether the outcome has arrived (Python's `ready()`).
    pub fn is_done(&self) -> bool {
        !self.receiver.is_empty()
    }

    /// Waits for the outcome (Python's `get()`).
    pub fn result(self) -> Result<R, TaskError> {
        self.result_with_pid().map(|(value, _)| value)
    }

    /// Waits for the outcome and also says which worker process produced it.
    pub fn result_with_pid(self) -> Result<(R, u32), TaskError> {
        let outcome = self.receiver.recv().unwrap_or(Err(TaskError::Lost));
        decode_outcome(outcome)
    }

    /// Waits at most `wait` (Python's `get(timeout=…)`). On
    /// [`TaskError::NotReady`] the task goes on; ask again later. The outcome
    /// is delivered once: after it has been returned, the handle is spent.
    pub fn result_timeout(&self, wait: Duration) -> Result<R, TaskError> {
        match self.receiver.recv_timeout(wait) {
            Ok(outcome) => decode_outcome(outcome).map(|(value, _)| value),
            Err(RecvTimeoutError::Timeout) => Err(TaskError::NotReady(wait)),
            Err(RecvTimeoutError::Disconnected) => Err(TaskError::Lost),
        }
    }
}

fn decode_outcome<R: DeserializeOwned>(outcome: Outcome) -> Result<(R, u32), TaskError> {
    let (pid, body) = outcome?;
    let value = frame::decode(&body).map_err(|err| TaskError::Codec(err.to_string()))?;
    Ok((value, pid))
}

fn encode_request<T: Serialize>(id: u64, task: &T) -> Result<Vec<u8>, TaskError> {
    let codec = |err: FrameError| TaskError::Codec(err.to_string());
    let task = frame::encode(task).map_err(codec)?;
    frame::encode(&Request { id, task }).map_err(codec)
}

/// The parent's end of one live worker.
struct Live {
    pid: u32,
    reader: BufReader<UnixStream>,
    /// Buffered so that a small frame's header and body leave in one
    /// `write` (one wake-up of the worker, not two).
    writer: BufWriter<UnixStream>,
    /// The socket timeouts currently set, to skip redundant `setsockopt`s on
    /// the hot path (no timeout: none at all after the first call).
    write_timeout: Option<Duration>,
    read_timeout_set: bool,
}

/// How a call to a worker can fail (as opposed to the task failing).
enum Fault {
    /// The deadline passed before the reply arrived.
    TimedOut,
    /// The worker's end closed: it exited or was killed.
    Closed,
    /// The worker sent something that is not a valid reply.
    Protocol(String),
}

impl Live {
    fn new(pid: u32, socket: UnixStream) -> io::Result<Self> {
        let writer = BufWriter::new(socket.try_clone()?);
        Ok(Self {
            pid,
            reader: BufReader::new(socket),
            writer,
            write_timeout: None,
            read_timeout_set: false,
        })
    }

    /// Sends one request and waits for its reply, at most `timeout`.
    /// Returns the reply and the bytes sent and received.
    fn call(
        &mut self,
        request: &[u8],
        timeout: Option<Duration>,
    ) -> Result<(Reply, usize, usize), Fault> {
        let deadline = timeout.map(|t| Instant::now() + t);
        // A write can block too (a full socket buffer, a hung worker).
        if self.write_timeout != timeout {
            let socket = self.writer.get_ref();
            socket
                .set_write_timeout(timeout.map(|t| t.max(Duration::from_millis(1))))
                .map_err(io_fault)?;
            self.write_timeout = timeout;
        }
        let sent = frame::write_body(&mut self.writer, request).map_err(frame_fault)?;

        if deadline.is_none() && self.read_timeout_set {
            self.reader.get_ref().set_read_timeout(None).map_err(io_fault)?;
            self.read_timeout_set = false;
        }
        self.read_timeout_set |= deadline.is_some();
        let mut reader = DeadlineReader { inner: &mut self.reader, deadline };
        let body =
            frame::read_body(&mut reader).map_err(frame_fault)?.ok_or(Fault::Closed)?;
        let reply: Reply =
            frame::decode(&body).map_err(|err| Fault::Protocol(err.to_string()))?;
        Ok((reply, sent, 4 + body.len()))
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

/// Starts worker `index`: a socket pair, the child on one end (as its
/// stdin), the initializer run. The child is stored in the shared slot.
fn spawn_worker(shared: &Shared, index: usize) -> Result<Live, TaskError> {
    let config = &shared.config;
    let (ours, theirs) =
        UnixStream::pair().map_err(|err| TaskError::Spawn(err.to_string()))?;
    // std creates both ends close-on-exec, so no other worker inherits them;
    // `Stdio::from` makes `theirs` the child's fd 0 (dup2 clears the flag).
    let child = Command::new(&config.exe)
        .args(&config.args)
        .envs(config.envs.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::from(OwnedFd::from(theirs)))
        .spawn()
        .map_err(|err| TaskError::Spawn(format!("{}: {err}", config.exe.display())))?;
    let pid = child.id();
    *shared.child(index) = Some(child);
    shared.counters.workers_started.fetch_add(1, Ordering::Relaxed);
    tracing::debug!(pid, index, "started pool worker");

    let mut live = match Live::new(pid, ours) {
        Ok(live) => live,
        Err(err) => {
            reap(shared, index, true);
            return Err(TaskError::Spawn(err.to_string()));
        }
    };
    if let Some(init) = &config.initializer {
        let failure = match live.call(init, None) {
            Ok((reply, sent, received)) => {
                count_bytes(shared, sent, received);
                reply.outcome.err()
            }
            Err(Fault::Closed) => Some("the worker exited during initialization".into()),
            Err(Fault::TimedOut) => Some("initialization timed out".into()),
            Err(Fault::Protocol(msg)) => Some(msg),
        };
        if let Some(message) = failure {
            drop(live);
            let status = reap(shared, index, true);
            return Err(TaskError::InitFailed(format!("{message} (worker {status})")));
        }
    }
    Ok(live)
}

fn count_bytes(shared: &Shared, sent: usize, received: usize) {
    let counters = &shared.counters;
    counters.bytes_sent.fetch_add(sent as u64, Ordering::Relaxed);
    counters.bytes_received.fetch_add(received as u64, Ordering::Relaxed);
}

/// Takes worker `index`'s child out of its slot and waits for it, so it
/// never lingers as a zombie. With `kill`, it is sent SIGKILL first;
/// without, it gets two seconds to exit on its own (it has just closed its
/// socket or been told to) before being killed. Returns the exit status.
fn reap(shared: &Shared, index: usize, kill: bool) -> String {
    let Some(mut child) = shared.child(index).take() else {
        return "already reaped".into();
    };
    let pid = child.id();
    if !kill {
        match child.wait_timeout(Duration::from_secs(2)) {
            Ok(Some(status)) => {
                tracing::debug!(pid, %status, "reaped pool worker");
                return status.to_string();
            }
            Ok(None) => tracing::warn!(pid, "pool worker did not exit; killing it"),
            Err(err) => tracing::warn!(pid, %err, "waiting for pool worker"),
        }
    }
    let _ = child.kill();
    match child.wait() {
        Ok(status) => {
            tracing::debug!(pid, %status, "reaped pool worker");
            status.to_string()
        }
        Err(err) => format!("unknown status ({err})"),
    }
}

/// A manager thread: feeds worker `index` one job at a time until the
/// queue closes, turning every reply or failure into the job's outcome.
fn manage(index: usize, shared: &Shared, queue: &Receiver<Job>, first: Option<Live>) {
    let mut live = first;
    for job in queue {
        if shared.terminating.load(Ordering::SeqCst) {
            job.reply.send(Err(TaskError::Terminated));
            continue;
        }
        let worker = match live.as_mut() {
            Some(worker) => worker,
            None => match spawn_worker(shared, index) {
                Ok(worker) => live.insert(worker),
                Err(err) => {
                    job.reply.send(Err(err));
                    continue;
                }
            },
        };
        let pid = worker.pid;
        match worker.call(&job.request, job.timeout) {
            Ok((reply, sent, received)) if reply.id == job.id => {
                count_bytes(shared, sent, received);
                shared.counters.replies.fetch_add(1, Ordering::Relaxed);
                let outcome = match reply.outcome {
                    Ok(body) => Ok((reply.pid, body)),
                    Err(message) => Err(TaskError::Panicked { pid: reply.pid, message }),
                };
                job.reply.send(outcome);
            }
            Ok((reply, ..)) => {
                live = None;
                let status = reap(shared, index, true);
                let message =
                    format!("reply for task {} to task {} ({status})", reply.id, job.id);
                job.reply.send(Err(TaskError::Protocol(message)));
            }
            Err(fault) => {
                live = None;
                let kill = !matches!(fault, Fault::Closed);
                let status = reap(shared, index, kill);
                shared.counters.workers_lost.fetch_add(1, Ordering::Relaxed);
                let error = if shared.terminating.load(Ordering::SeqCst) {
                    TaskError::Terminated
                } else {
                    match fault {
                        Fault::Closed => TaskError::WorkerDied { pid, status },
                        Fault::TimedOut => TaskError::TimedOut {
                            pid,
                            limit: job.timeout.unwrap_or_default(),
                            status,
                        },
                        Fault::Protocol(msg) => {
                            TaskError::Protocol(format!("{msg} (worker {status})"))
                        }
                    }
                };
                tracing::debug!(pid, %error, "task failed");
                // Replace the worker now, as Python's pool does — and before
                // reporting the failure, so that whoever receives the error
                // finds the pool back at full strength (unless it is
                // shutting down). If this spawn fails, the next task retries
                // it and reports the error.
                let done = shared.closing.load(Ordering::SeqCst) && queue.is_empty();
                if !done && !shared.terminating.load(Ordering::SeqCst) {
                    live = spawn_worker(shared, index).ok();
                }
                job.reply.send(Err(error));
            }
        }
    }
    // The queue is closed and drained. Closing our end of the socket tells
    // the worker to exit (its read sees end-of-stream); then reap it.
    if let Some(worker) = live.take() {
        drop(worker);
        reap(shared, index, shared.terminating.load(Ordering::SeqCst));
    }
}
