//! [`ProcessPool`]: Python's `multiprocessing.Pool`, with real processes.
//!
//! *A library you may copy:* multiprocessing's pools (§4 `cpu_bound.rs`,
//! §5–§6 `pool_basics.rs`, §8 `isolation.rs`, §9 `timeouts.rs`), factorial
//! §3 and §5, and executors' process executor run their tasks on it.
//!
//! ## How it works
//!
//! ```text
//!  your threads             the pool (in your process)                 worker processes
//!  ────────────             ──────────────────────────                 ────────────────
//!  submit(task) ─encode─▶  job queue ─▶ manager thread 0 ─┐ slot 0 ◀─socket─▶ worker 0 (pid 4711)
//!  handle.result() ◀─────  one-shot       manager thread 1 ─┤ slot 1 ◀─socket─▶ worker 1 (pid 4712)
//!                          reply channel                    │   …
//!  apply(task) ─encode──────────────────────────────────────┘ (an idle slot, from your thread)
//! ```
//!
//! * `submit` encodes the task (serde + postcard) and puts it on a shared
//!   queue; it returns a [`TaskHandle`] at once (Python's `apply_async`).
//! * Each worker process has a *slot* here — its socket, behind a lock —
//!   and a *manager thread* that takes the next job, locks the slot, writes
//!   the job to its worker as one frame (see [`super::frame`]), and waits for
//!   the reply — with a deadline if the task has a timeout.
//! * [`ProcessPool::apply`] runs one task and waits (Python's `apply`). When
//!   a worker is idle and nothing is queued, the calling thread locks that
//!   worker's slot and does the manager's job itself: no hand-off to another
//!   thread and back, so one task at a time costs what a bare socket round
//!   trip to a process costs, plus the encoding.
//! * Whoever holds a slot is the only thread touching that worker, so every
//!   failure is seen by exactly one thread, which turns it into that task's
//!   outcome. **Every submitted task yields exactly one outcome**: a value,
//!   or a [`TaskError`] that says what happened (panic, worker death with
//!   its exit status or signal, timeout, pool terminated). Even a job
//!   dropped by a bug answers [`TaskError::Lost`] rather than leaving its
//!   caller waiting.
//! * A worker that dies or overruns its deadline is killed, **reaped**
//!   (`wait`, so no zombie stays), and replaced at once; so is one that dies
//!   between tasks, at its slot's next idle check — the new process is
//!   started before the task's error is delivered, so the caller never sees
//!   the pool short of a worker; its initializer runs after the error is
//!   delivered, so no outcome waits on it. Other tasks are untouched: that is
//!   the point of processes.
//!
//! The parts: this file is the pool's API; `builder.rs` configures and
//! starts it; `handle.rs` is what `submit` and `imap` hand back;
//! `manager.rs` carries one task from the queue (or from `apply`) to its
//! outcome — read it top to bottom for the happy path; `connection.rs` is
//! the parent's end of one worker; `error.rs` what can become of a task.
//!
//! ## Delivery: at most once per worker
//!
//! A task is sent to a worker only while that worker is alive; once sent, it
//! is never sent again.
//!
//! * A worker that died **before** the task reached it — killed while idle,
//!   so that writing the request fails at once (`EPIPE`: the other end of
//!   the socket is closed) — never had the task. The worker is reaped, a fresh one started, and the
//!   task sent there: the caller sees only the value ([`PoolStats::redelivered`]
//!   counts these).
//! * A worker that dies **after** the request was written may have started
//!   the task, so the task is not sent again (it might have had effects):
//!   its outcome is [`TaskError::WorkerDied`]. Retry it yourself if it is
//!   safe to run twice.
//!
//! The one blurred moment is a worker killed an instant before the write,
//! while the kernel is still tearing it down: its socket is not closed yet,
//! the write lands in the socket's buffer, and the task reports `WorkerDied`
//! though it never ran. Either way, each task
//! has exactly one outcome. (Python's `Pool` replaces dead idle workers the
//! same way, and hangs forever on a task whose worker was killed.)
//!
//! ## No orphans
//!
//! Every worker is reaped by the pool (`Drop` finishes queued work first;
//! [`ProcessPool::terminate`] kills). If the *parent* dies — even by
//! SIGKILL, which runs no destructor — each worker notices its socket hang
//! up and exits within moments, mid-task or not (see [`super::worker`]).
//!
//! ## What Python users should notice
//!
//! | Python | here |
//! |---|---|
//! | `Pool(4)` | `ProcessPool::builder(exe).workers(4).start()?` |
//! | `pool.map(f, xs)` | [`pool.map(Job::F, xs)`](ProcessPool::map): one `Result` per item, in input order |
//! | `pool.imap(f, xs)` | [`pool.imap(Job::F, xs)`](ProcessPool::imap): lazy, bounded in flight |
//! | `pool.apply_async(f, (x,))` | [`pool.submit(Job::F(x))`](ProcessPool::submit) |
//! | `pool.apply(f, (x,))` | [`pool.apply(Job::F(x))`](ProcessPool::apply): waits; from the calling thread when a worker is idle |
//! | `res.get(timeout=2)` | [`handle.result_timeout(2 s)`](TaskHandle::result_timeout) |
//! | `initializer=init` | [`.initializer(Job::Init)`](ProcessPoolBuilder::initializer) |
//! | `maxtasksperchild=n` (`max_tasks_per_child` in `concurrent.futures`) | [`.max_tasks_per_worker(n)`](ProcessPoolBuilder::max_tasks_per_worker): a worker is retired and replaced after n tasks |
//! | `with Pool() as p:` | scope + `Drop` (Python's `__exit__` *terminates*; `Drop` here finishes queued work — call [`terminate`](ProcessPool::terminate) for Python's behaviour) |
//! | a task hangs forever | [`task_timeout`](ProcessPoolBuilder::task_timeout): the worker is killed and replaced |
//! | a worker is killed: the pool hangs (a long-standing CPython issue) | the task's result is [`TaskError::WorkerDied`] naming the signal |
//! | a worker dies while idle: replaced within about 0.1 s | the same: each slot checks its idle worker every [`idle_check`](ProcessPoolBuilder::idle_check) (100 ms), reaps and replaces it |
//! | the pool's own thread fails: `BrokenProcessPool`, every pending task fails | that task answers [`TaskError::Internal`]; the pool recovers |
//!
//! ## What the pool promises, and what a task may not do
//!
//! * **Exactly one outcome per task**, whatever fails: a worker, the OS (no
//!   descriptors left: the task that needed a new worker answers
//!   [`TaskError::Spawn`], and the slot starts one again at its next idle
//!   check), or the pool's own code (a panic is caught around each task:
//!   [`TaskError::Internal`], the worker discarded, the manager goes on).
//!   If a manager thread ended anyway, shutdown answers what it left queued.
//! * **No zombie**: every worker is reaped when it ends — during a task, at
//!   its idle check, at retirement or at shutdown.
//! * **No trace in your process**: no signal handler, no global descriptor,
//!   no change to how your own system calls behave. A wait with a deadline
//!   polls a pidfd (closed after), or `waitpid(WNOHANG)` at intervals where
//!   no descriptor can be had ([`crate::child::wait_deadline`]).
//! * A task's deadline counts from the moment its worker has it.
//!
//! A task must not **fork without exec**: the copy inherits the worker's
//! socket, so the worker's death no longer reads as end-of-file here, and
//! the copy can outlive the pool. (`std::process::Command` forks *and*
//! execs, and the socket is close-on-exec: that is fine.)

use std::ffi::OsString;
use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender};
use serde::Serialize;
use serde::de::DeserializeOwned;

use self::connection::Connection;
use self::error::Counters;
pub use self::error::{PoolStats, TaskError};
use super::frame::{self, FrameError, MAX_FRAME_BYTES};
use super::protocol::Request;
use crate::child::ChildGuard;

mod builder;
mod connection;
mod error;
mod handle;
mod lifecycle;
mod manager;

pub use self::builder::ProcessPoolBuilder;
use self::handle::OnceReply;
pub use self::handle::{Imap, TaskHandle};

/// The shortest [`ProcessPoolBuilder::idle_check`]: below it, idle
/// managers would wake so often that they keep a core busy.
const MIN_IDLE_CHECK: Duration = Duration::from_millis(1);

/// What one worker process is started with.
struct WorkerConfig {
    exe: PathBuf,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    /// An encoded [`Request`] sent to every new worker before its first task.
    initializer: Option<Vec<u8>>,
    /// How long an initializer may run before its worker is killed.
    initializer_timeout: Duration,
    /// A worker that has answered this many tasks is retired and replaced.
    max_tasks_per_worker: Option<u64>,
    /// How often an idle worker is checked for death (and a replacement
    /// initialised).
    idle_check: Duration,
}

/// State shared by the pool handle and its manager threads.
struct Shared {
    config: WorkerConfig,
    /// The queue of submitted jobs; each manager thread takes from it.
    queue: Receiver<Job>,
    /// Jobs a manager took but could not run because `apply` was using its
    /// worker from the caller's thread: handed back here, and taken before
    /// the queue by whichever manager is free (see `manager::run`).
    handed_back: (Sender<Job>, Receiver<Job>),
    /// Each worker's connection. Whoever holds the lock — its manager
    /// thread, or a caller in [`ProcessPool::apply`] — is the only one
    /// using that worker. `None` between a death and its replacement.
    connections: Vec<Mutex<Option<Connection>>>,
    /// The live child of each manager, so `terminate` can kill it while the
    /// manager is blocked reading. The manager never holds the lock while
    /// it waits for a reply. A guard kills and reaps on drop.
    children: Vec<Mutex<Option<ChildGuard>>>,
    terminating: AtomicBool,
    /// Set when the pool stops taking tasks: no point replacing a dead
    /// worker once the queue is closed and empty.
    closing: AtomicBool,
    counters: Counters,
}

impl Shared {
    fn connection(&self, index: usize) -> MutexGuard<'_, Option<Connection>> {
        self.connections[index].lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn child(&self, index: usize) -> MutexGuard<'_, Option<ChildGuard>> {
        // A panic while holding this lock cannot leave the `Option` half
        // updated, so a poisoned lock is still usable.
        self.children[index].lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A task's outcome as it travels to its handle: the worker's PID and the
/// encoded value, or the error. Decoded into `R` by the handle.
type TaskOutcome = Result<(u32, Vec<u8>), TaskError>;

/// One task, ready to send.
struct Task {
    id: u64,
    /// The encoded [`Request`].
    request: Vec<u8>,
    timeout: Option<Duration>,
}

/// A queued task and where its outcome goes.
struct Job {
    task: Task,
    reply: OnceReply,
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
    job_sender: Option<Sender<Job>>,
    managers: Vec<JoinHandle<()>>,
    shared: Arc<Shared>,
    task_timeout: Option<Duration>,
    next_id: AtomicU64,
    /// Tasks go in, results come out, none is stored here: see the builder.
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
        ProcessPoolBuilder::new(exe.into())
    }

    /// Queues `task` and returns at once with a handle to its result
    /// (Python's `apply_async`). The pool's default timeout applies.
    #[doc(alias = "apply_async")]
    pub fn submit(&self, task: T) -> TaskHandle<R> {
        self.submit_inner(&task, self.task_timeout, None)
    }

    /// Runs `task` and waits for its outcome (Python's `apply`): the one
    /// call for one task at a time.
    ///
    /// `submit(task).result()` gives the same outcome, but the task travels
    /// through two hand-offs between threads (the queue to a manager thread,
    /// the reply channel back), each a wake-up. `apply` skips both when a
    /// worker is idle and nothing is queued: the calling thread writes the
    /// request to that worker and reads the reply itself, as a bare socket
    /// ping-pong would. When every worker is busy, it queues like `submit`.
    /// The pool's default timeout applies, and the outcomes are the same.
    ///
    /// ```no_run
    /// # #[derive(serde::Serialize)] enum Job { Square(i64) }
    /// # let exe = std::env::current_exe()?;
    /// # let pool = common::pool::ProcessPool::<Job, i64>::builder(exe).workers(1).start()?;
    /// assert_eq!(pool.apply(Job::Square(7))?, 49);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&self, task: T) -> Result<R, TaskError> {
        let id = self.next_id();
        let task =
            Task { id, request: encode_request(id, &task)?, timeout: self.task_timeout };
        if self.shared.queue.is_empty() && self.shared.handed_back.1.is_empty() {
            // Nothing queued (`apply` does not jump the queue): try an idle
            // worker from this thread.
            if let Some(outcome) = manager::run_here(&self.shared, &task) {
                return decode_outcome(outcome).map(|(value, _)| value);
            }
        }
        self.enqueue(task, None).result()
    }

    /// [`submit`](Self::submit) with this task's own deadline.
    pub fn submit_with_timeout(&self, task: T, timeout: Duration) -> TaskHandle<R> {
        self.submit_inner(&task, Some(timeout), None)
    }

    /// [`submit`](Self::submit) with Python's `callback=` and
    /// `error_callback=` in one closure: `on_done` gets the task's outcome,
    /// `Ok(value)` or `Err(error)`, exactly once, *before* the handle's
    /// `result()` can return it (as Python calls the callback before the
    /// `AsyncResult` is ready).
    ///
    /// It runs in the thread that settles the task: the pool's manager
    /// thread for that worker (a result, a panic, a dead worker, a
    /// timeout), or the calling thread when the task is refused before it is
    /// queued (it could not be encoded, or the pool is shutting down). Keep
    /// it short: while it runs, that worker takes no next task. A callback
    /// that panics is caught and logged.
    #[doc(alias = "apply_async")]
    #[doc(alias = "error_callback")]
    pub fn submit_with_callback(
        &self,
        task: T,
        on_done: impl FnOnce(&Result<R, TaskError>) + Send + 'static,
    ) -> TaskHandle<R> {
        let callback = Box::new(move |outcome: &TaskOutcome| {
            on_done(&decode_outcome(outcome.clone()).map(|(value, _)| value));
        });
        self.submit_inner(&task, self.task_timeout, Some(callback))
    }

    fn submit_inner(
        &self,
        task: &T,
        timeout: Option<Duration>,
        callback: Option<handle::Callback>,
    ) -> TaskHandle<R> {
        let id = self.next_id();
        match encode_request(id, task) {
            Ok(request) => self.enqueue(Task { id, request, timeout }, callback),
            // Refused before it reaches (or kills) a worker.
            Err(err) => {
                let (handle, reply) = TaskHandle::new(id, callback);
                reply.send(Err(err));
                handle
            }
        }
    }

    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Puts an encoded task on the queue for the manager threads.
    fn enqueue(&self, task: Task, callback: Option<handle::Callback>) -> TaskHandle<R> {
        let (handle, reply) = TaskHandle::new(task.id, callback);
        let job = Job { task, reply };
        match &self.job_sender {
            // A send fails only when every manager is gone; the job comes
            // back inside the error and its reply is dropped, which answers
            // `Lost`. (Cannot happen while `self` lives.)
            Some(job_sender) => drop(job_sender.send(job)),
            None => job.reply.send(Err(TaskError::Terminated)),
        }
        handle
    }

    /// Runs `make_task(item)` for every item and waits for all of them:
    /// one outcome per item, **in input order**, whatever order the workers
    /// finished in (Python's `Pool.map`). An error in one item does not
    /// hide the others; `.into_iter().collect::<Result<Vec<_>, _>>()` gives
    /// Python's all-or-first-error behaviour.
    ///
    /// The whole input is read (and every task made) before the first task
    /// is submitted, as Python turns it into a list first: an input that
    /// panics part-way panics here with nothing submitted.
    pub fn map<I>(
        &self,
        make_task: impl FnMut(I) -> T,
        items: impl IntoIterator<Item = I>,
    ) -> Vec<Result<R, TaskError>> {
        let tasks: Vec<T> = items.into_iter().map(make_task).collect();
        let handles: Vec<TaskHandle<R>> =
            tasks.into_iter().map(|task| self.submit(task)).collect();
        handles.into_iter().map(TaskHandle::result).collect()
    }

    /// Like [`map`](Self::map) but lazy: results come out in input order as
    /// they become ready, and at most two tasks per worker are in flight, so
    /// a long (or endless) input is consumed as the workers keep up.
    /// (Python's `imap` submits everything at once; this one is bounded.)
    /// An input that panics at item k: the results before k, then the panic
    /// (see [`Imap`]).
    pub fn imap<I>(
        &self,
        make_task: impl FnMut(I) -> T,
        items: impl IntoIterator<Item = I>,
    ) -> Imap<'_, T, R, impl Iterator<Item = I>, impl FnMut(I) -> T> {
        Imap::new(self, items.into_iter(), make_task)
    }

    /// [`imap`](Self::imap) with the results in the order the workers finish
    /// them (Python's `imap_unordered`): a slow task does not hold back the
    /// ones after it. The same bounded window of two tasks per worker.
    pub fn imap_unordered<I>(
        &self,
        make_task: impl FnMut(I) -> T,
        items: impl IntoIterator<Item = I>,
    ) -> Imap<'_, T, R, impl Iterator<Item = I>, impl FnMut(I) -> T> {
        self.imap(make_task, items).unordered()
    }
}

/// Starts worker `index` and runs the initializer in it (a pool's first
/// workers are ready before `start` returns, as Python's `Pool()` is).
fn start_worker(shared: &Shared, index: usize) -> Result<Connection, TaskError> {
    let mut worker = Connection::spawn(shared, index)?;
    worker.initialize(shared, index)?;
    Ok(worker)
}

fn decode_outcome<R: DeserializeOwned>(
    outcome: TaskOutcome,
) -> Result<(R, u32), TaskError> {
    let (pid, body) = outcome?;
    let value = frame::decode(&body).map_err(|err| {
        TaskError::Codec(format!("the result: {}", frame::decode_failure::<R>(&err)))
    })?;
    Ok((value, pid))
}

/// Encodes a task as a request frame body. A task too large for one frame
/// is the caller's error, found here: it never reaches (or kills) a worker.
fn encode_request<T: Serialize>(id: u64, task: &T) -> Result<Vec<u8>, TaskError> {
    let task = frame::encode(task)
        .map_err(|err| TaskError::Codec(frame::encode_failure(task, &err)))?;
    let request = frame::encode(&Request { id, task })
        .map_err(|err: FrameError| TaskError::Codec(err.to_string()))?;
    if request.len() > MAX_FRAME_BYTES {
        return Err(TaskError::Codec(format!(
            "the task is {} bytes encoded, over the {MAX_FRAME_BYTES}-byte frame limit",
            request.len()
        )));
    }
    Ok(request)
}
