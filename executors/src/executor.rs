//! A `ThreadPoolExecutor`, written out: how a thread pool works.
//!
//! ```text
//!   submit(f) ──▶ [ job queue: crossbeam channel ] ──▶ worker-0 ─┐
//!      │                                           ──▶ worker-1 ─┼─▶ future.state = Done(result)
//!      ▼                                           ──▶ worker-2 ─┘        │
//!   TaskFuture ◀────────────── result() waits on a Condvar ◀──────────────┘
//! ```
//!
//! * **Workers** are `max_workers` named threads, started once. Each loops:
//!   take the next job from the queue, run it, repeat — until the queue is
//!   closed and empty.
//! * **The queue** is a crossbeam channel, which is multi-consumer: every
//!   worker holds a clone of the receiver, and no lock is involved.
//!
//!   With `std::sync::mpsc`, whose receiver cannot be shared, the classic
//!   version (the Rust Book, chapter 21) wraps it in `Arc<Mutex<Receiver>>`,
//!   and one innocent-looking line decides whether the pool works:
//!
//!   ```text
//!   let job = receiver.lock().unwrap().recv().unwrap();   // guard dropped at `;`
//!   job();                                                // runs unlocked ✓
//!
//!   while let Ok(job) = receiver.lock().unwrap().recv() { // guard lives until
//!       job();                                            // the end of the loop
//!   }                                                     // body: one job at a time ✗
//!   ```
//!
//!   In the second form the temporary `MutexGuard` lives as long as the
//!   `while let` body, so a worker runs its job *holding the lock*, and every
//!   other worker waits: a pool of one. The test
//!   `jobs_run_concurrently_no_lock_is_held_while_a_job_runs` fails (by
//!   timeout, not by hanging) if that ever happens here.
//! * **A future** is shared state — `Pending`, `Running`, `Done(result)`,
//!   `Cancelled` — behind a `Mutex` and a `Condvar`: the worker sets it, the
//!   caller waits on it. `cancel()` wins only while the job is `Pending`.
//! * **A panic** inside a job is caught (`catch_unwind`) and becomes that
//!   future's error; the worker thread lives on to take the next job.
//! * **Shutdown**: dropping the executor (the Rust form of leaving a `with`
//!   block) closes the queue and joins every worker, after they finish what
//!   was queued. Nothing is left running.

use std::collections::VecDeque;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

/// Why a future has no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// The task panicked; the message and nothing else survive.
    #[error("task panicked: {0}")]
    Panicked(String),
    /// The task returned an error of its own (see [`ThreadPoolExecutor::try_submit`]).
    #[error("{0}")]
    Failed(String),
    /// [`TaskFuture::cancel`] succeeded, or the executor shut down with
    /// `cancel_pending` before the task started.
    #[error("task was cancelled before it started")]
    Cancelled,
    /// [`TaskFuture::result_timeout`] gave up waiting; the task goes on
    /// (Python's `TimeoutError`; the same name as the process pool's
    /// [`common::pool::TaskError::NotReady`]).
    #[doc(alias = "TimeoutError")]
    #[error("no result within {0:?} (the task is still pending or running)")]
    NotReady(Duration),
    /// A process-pool task failed (see [`crate::process_executor`]).
    #[error("{0}")]
    Process(#[from] common::pool::TaskError),
    /// The result was already taken by an earlier call.
    #[error("the result was already taken")]
    Taken,
    /// The executor is broken — a worker's initializer panicked — so the
    /// task never ran (Python's `BrokenThreadPool`).
    #[doc(alias = "BrokenThreadPool")]
    #[error("the executor is broken: {0}")]
    Broken(String),
}

/// Where a future is in its life.
enum State<T> {
    Pending,
    Running,
    /// Settled, its done-callbacks running; not yet visible as done.
    Finishing,
    Done(Result<T, TaskError>),
    Taken,
}

/// A function to call with the outcome when the future is done.
type Callback<T> = Box<dyn FnOnce(&Result<T, TaskError>) + Send + 'static>;

/// The callbacks not yet run, and whether the future has finished (after
/// which a new callback runs at once instead of waiting here).
struct Callbacks<T> {
    waiting: Vec<Callback<T>>,
    finished: bool,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    done: Condvar,
    /// Locked before `state` whenever both are (never the other way round).
    callbacks: Mutex<Callbacks<T>>,
    /// Set once the future is cancelled (it stays cancelled after its
    /// result is taken).
    cancelled: AtomicBool,
    /// Who to tell when it is done: `(index, sender)` pairs from
    /// [`as_completed`] and [`wait`].
    waiters: Mutex<Vec<(usize, Sender<usize>)>>,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A panic cannot happen while this lock is held (jobs and callbacks
        // run outside it), so poisoning would be a bug; recover the state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Settles the future: runs the done-callbacks (in this thread, with
    /// the result), then publishes the result and wakes every waiter. A
    /// callback added while the others run is run too: the future is marked
    /// finished, under the callbacks' lock, only when none is left.
    fn finish(&self, result: Result<T, TaskError>) {
        loop {
            let batch = {
                let mut callbacks =
                    self.callbacks.lock().unwrap_or_else(PoisonError::into_inner);
                if callbacks.waiting.is_empty() {
                    callbacks.finished = true;
                    *self.lock() = State::Done(result);
                    break;
                }
                std::mem::take(&mut callbacks.waiting)
            };
            for callback in batch {
                run_callback(callback, &result);
            }
        }
        self.notify();
    }

    /// Settles the future with `error` if (and only if) no worker has
    /// started it: the check and the change happen under one lock, so a
    /// worker cannot start it in between.
    fn settle_if_pending(&self, error: TaskError) -> bool {
        {
            let mut state = self.lock();
            if !matches!(*state, State::Pending) {
                return false;
            }
            *state = State::Finishing;
        }
        if error == TaskError::Cancelled {
            self.cancelled.store(true, Ordering::SeqCst);
        }
        self.finish(Err(error));
        true
    }

    fn notify(&self) {
        self.done.notify_all();
        let waiters = std::mem::take(
            &mut *self.waiters.lock().unwrap_or_else(PoisonError::into_inner),
        );
        for (index, sender) in waiters {
            // The waiter may have stopped listening (a `wait` that returned).
            let _ = sender.send(index);
        }
    }

    fn is_finished(&self) -> bool {
        matches!(*self.lock(), State::Done(_) | State::Taken)
    }

    /// Done with an error of the task's own (not a cancellation).
    fn has_failed(&self) -> bool {
        matches!(&*self.lock(), State::Done(Err(err)) if *err != TaskError::Cancelled)
    }

    /// Waits until the future is done (or its result taken), at most until
    /// `deadline`; `None` if the deadline passed first.
    fn wait_until(&self, deadline: Option<Instant>) -> Option<MutexGuard<'_, State<T>>> {
        let mut state = self.lock();
        loop {
            if matches!(*state, State::Done(_) | State::Taken) {
                return Some(state);
            }
            state = match deadline {
                None => self.done.wait(state).unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return None;
                    }
                    self.done
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
    }
}

/// Calls one done-callback. A panic in it is logged and goes no further:
/// the future's result, the other callbacks and the worker thread are not
/// affected (Python logs "exception calling callback" and goes on too).
fn run_callback<T>(callback: Callback<T>, result: &Result<T, TaskError>) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| callback(result))) {
        tracing::error!(
            "a done-callback panicked: {}; the future's result is unaffected",
            common::pool::panic_message(&*payload)
        );
    }
}

/// The pending result of a submitted task: Python's `concurrent.futures.Future`
/// (named apart from `std::future::Future`, the trait of async Rust, which is
/// another thing: this one is waited on by blocking a thread).
#[doc(alias = "Future")]
pub struct TaskFuture<T> {
    shared: Arc<Shared<T>>,
}

impl<T> fmt::Debug for TaskFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match *self.shared.lock() {
            State::Pending => "pending",
            State::Running => "running",
            State::Finishing => "finishing",
            State::Done(Ok(_)) => "done",
            State::Done(Err(_)) => "failed",
            State::Taken => "taken",
        };
        f.debug_struct("TaskFuture").field("state", &state).finish()
    }
}

impl<T> TaskFuture<T> {
    fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State::Pending),
                done: Condvar::new(),
                callbacks: Mutex::new(Callbacks { waiting: Vec::new(), finished: false }),
                cancelled: AtomicBool::new(false),
                waiters: Mutex::new(Vec::new()),
            }),
        }
    }

    /// A future that is already done (for results known without running).
    pub fn ready(result: Result<T, TaskError>) -> Self {
        let future = Self::new();
        future.shared.finish(result);
        future
    }

    /// Whether the task has finished (successfully or not, or cancelled).
    #[doc(alias = "done")]
    pub fn is_done(&self) -> bool {
        self.shared.is_finished()
    }

    /// Whether the task is running right now.
    #[doc(alias = "running")]
    pub fn is_running(&self) -> bool {
        matches!(*self.shared.lock(), State::Running)
    }

    /// Whether the task was cancelled (Python's `future.cancelled()`).
    #[doc(alias = "cancelled")]
    pub fn is_cancelled(&self) -> bool {
        self.shared.cancelled.load(Ordering::SeqCst)
    }

    /// Cancels the task if it has not started; returns whether it did.
    /// A running task cannot be stopped from outside — a thread cannot be
    /// killed safely — so for those, see the cooperative [`CancelToken`].
    pub fn cancel(&self) -> bool {
        self.shared.settle_if_pending(TaskError::Cancelled)
    }

    /// Calls `callback` with the outcome once the task is done (Python's
    /// `add_done_callback`): at once, in this thread, if it already is;
    /// otherwise in the thread that completes it — the worker, or whoever
    /// cancels it.
    ///
    /// Unlike Python, the callbacks run *before* the future is marked done
    /// and its waiters wake: when [`result`](Self::result) returns, every
    /// callback added before completion has run (a progress counter kept by
    /// callbacks is never behind a result you hold). A callback that panics
    /// is logged and changes nothing else. One added after the result was
    /// taken sees `Err(TaskError::Taken)`.
    ///
    /// A callback added to a future that is already done runs while this
    /// future's state is locked (that is how it can see the result without
    /// taking it), so it must not call methods of the same future.
    #[doc(alias = "add_done_callback")]
    pub fn on_done(&self, callback: impl FnOnce(&Result<T, TaskError>) + Send + 'static) {
        let callback: Callback<T> = Box::new(callback);
        {
            let mut callbacks =
                self.shared.callbacks.lock().unwrap_or_else(PoisonError::into_inner);
            if !callbacks.finished {
                callbacks.waiting.push(callback);
                return;
            }
        }
        let state = self.shared.lock();
        match &*state {
            State::Done(result) => run_callback(callback, result),
            _ => run_callback(callback, &Err(TaskError::Taken)),
        }
    }

    /// Waits for the result (Python's `future.result()`).
    pub fn result(self) -> Result<T, TaskError> {
        let mut state = self.shared.wait_until(None).expect("no deadline");
        match std::mem::replace(&mut *state, State::Taken) {
            State::Done(result) => result,
            _ => Err(TaskError::Taken),
        }
    }

    /// Waits at most `limit` (Python's `future.result(timeout=…)`). On
    /// [`TaskError::NotReady`] the task goes on and the future stays usable;
    /// the result itself is handed out once.
    pub fn result_timeout(&self, limit: Duration) -> Result<T, TaskError> {
        // `Duration::MAX` (or any limit past the end of time) means "no
        // deadline", not an overflow panic.
        let deadline = Instant::now().checked_add(limit);
        let Some(mut state) = self.shared.wait_until(deadline) else {
            return Err(TaskError::NotReady(limit));
        };
        match std::mem::replace(&mut *state, State::Taken) {
            State::Done(result) => result,
            _ => Err(TaskError::Taken),
        }
    }

    /// The task's error, without taking its result (Python's
    /// `future.exception(timeout)`): `Ok(None)` if it succeeded,
    /// `Ok(Some(error))` if it failed, `Err(Cancelled)` if it was
    /// cancelled, `Err(NotReady)` if it is not done within `limit` (`None`:
    /// wait as long as it takes).
    #[doc(alias = "exception")]
    pub fn error(&self, limit: Option<Duration>) -> Result<Option<TaskError>, TaskError> {
        let deadline = limit.and_then(|limit| Instant::now().checked_add(limit));
        let Some(state) = self.shared.wait_until(deadline) else {
            return Err(TaskError::NotReady(limit.unwrap_or_default()));
        };
        match &*state {
            State::Done(Ok(_)) => Ok(None),
            State::Done(Err(TaskError::Cancelled)) => Err(TaskError::Cancelled),
            State::Done(Err(err)) => Ok(Some(err.clone())),
            _ => Err(TaskError::Taken),
        }
    }

    /// Registers `sender` to receive `index` when this future is done (at
    /// once if it already is).
    fn notify_when_done(&self, index: usize, sender: Sender<usize>) {
        let mut waiters =
            self.shared.waiters.lock().unwrap_or_else(PoisonError::into_inner);
        if self.shared.is_finished() {
            let _ = sender.send(index);
        } else {
            waiters.push((index, sender));
        }
    }

    /// Removes what [`notify_when_done`](Self::notify_when_done) registered
    /// for the channel of `sender`: a waiter that gave up (a `wait` that
    /// returned, an `as_completed` dropped early) leaves nothing behind in a
    /// future that stays pending. (CPython's `wait` removes its waiter too.)
    fn stop_notifying(&self, sender: &Sender<usize>) {
        self.shared
            .waiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(_, registered)| !registered.same_channel(sender));
    }
}

/// When [`wait`] returns (Python's `FIRST_COMPLETED`, `FIRST_EXCEPTION`,
/// `ALL_COMPLETED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(alias = "return_when")]
pub enum ReturnWhen {
    /// As soon as any future is done (or cancelled).
    #[doc(alias = "FIRST_COMPLETED")]
    FirstCompleted,
    /// As soon as any future fails (a cancellation is not a failure); if
    /// none does, when all are done.
    #[doc(alias = "FIRST_EXCEPTION")]
    FirstException,
    /// When every future is done.
    #[doc(alias = "ALL_COMPLETED")]
    AllCompleted,
}

/// What [`wait`] found: positions in the slice it was given, ascending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[doc(alias = "DoneAndNotDoneFutures")]
pub struct Waited {
    /// The futures done (or cancelled) when `wait` returned.
    pub done: Vec<usize>,
    /// The others: still queued or running.
    pub pending: Vec<usize>,
}

/// Waits until `return_when` holds or `timeout` passes (`None`: no limit),
/// then says which futures are done (Python's `concurrent.futures.wait`,
/// returning `(done, not_done)`). The futures stay yours: take results from
/// the done ones, cancel or keep waiting for the rest.
pub fn wait<T>(
    futures: &[TaskFuture<T>],
    timeout: Option<Duration>,
    return_when: ReturnWhen,
) -> Waited {
    let deadline = timeout.and_then(|limit| Instant::now().checked_add(limit));
    let (sender, receiver) = crossbeam_channel::unbounded();
    for (index, future) in futures.iter().enumerate() {
        future.notify_when_done(index, sender.clone());
    }
    let mut finished = vec![false; futures.len()];
    let mut count = 0;
    loop {
        let satisfied = match return_when {
            ReturnWhen::FirstCompleted => count > 0,
            ReturnWhen::FirstException => {
                count == futures.len()
                    || finished
                        .iter()
                        .zip(futures)
                        .any(|(&done, future)| done && future.shared.has_failed())
            }
            ReturnWhen::AllCompleted => count == futures.len(),
        };
        if satisfied || count == futures.len() {
            break;
        }
        let next = match deadline {
            None => receiver.recv().ok(),
            Some(deadline) => receiver.recv_deadline(deadline).ok(),
        };
        let Some(index) = next else { break }; // the deadline passed
        if !std::mem::replace(&mut finished[index], true) {
            count += 1;
        }
    }
    for future in futures {
        future.stop_notifying(&sender);
    }
    // A snapshot as `wait` returns: some may have finished since the check.
    let (done, pending) = (0..futures.len()).partition(|&i| futures[i].is_done());
    Waited { done, pending }
}

/// Yields the futures as they finish, fastest first (Python's
/// `as_completed`). The order depends on the scheduler: it changes from run
/// to run.
pub fn as_completed<T>(futures: Vec<TaskFuture<T>>) -> AsCompleted<T> {
    let (sender, receiver) = crossbeam_channel::unbounded();
    for (index, future) in futures.iter().enumerate() {
        future.notify_when_done(index, sender.clone());
    }
    AsCompleted { futures: futures.into_iter().map(Some).collect(), receiver, sender }
}

/// The iterator returned by [`as_completed`]: `(index, future)` pairs, the
/// index being the future's position in the input.
pub struct AsCompleted<T> {
    futures: Vec<Option<TaskFuture<T>>>,
    receiver: Receiver<usize>,
    /// The sending side every future was given: to unregister from the
    /// futures not yielded when the iteration is dropped or handed back.
    sender: Sender<usize>,
}

impl<T> Drop for AsCompleted<T> {
    fn drop(&mut self) {
        for future in self.futures.iter().flatten() {
            future.stop_notifying(&self.sender);
        }
    }
}

impl<T> AsCompleted<T> {
    /// The next future to finish before `deadline`: `Err(())` if the
    /// deadline passes first, `Ok(None)` when every future was yielded.
    fn next_before(
        &mut self,
        deadline: Option<Instant>,
    ) -> Result<Option<(usize, TaskFuture<T>)>, ()> {
        if self.futures.iter().all(Option::is_none) {
            return Ok(None);
        }
        // Every future notifies exactly once, so this cannot wait forever
        // while a future remains.
        let index = match deadline {
            None => self.receiver.recv().map_err(|_| ())?,
            Some(deadline) => self.receiver.recv_deadline(deadline).map_err(|_| ())?,
        };
        Ok(self.futures[index].take().map(|future| (index, future)))
    }

    /// The futures not yielded yet, with their positions.
    pub fn remaining(mut self) -> Vec<(usize, TaskFuture<T>)> {
        for future in self.futures.iter().flatten() {
            future.stop_notifying(&self.sender);
        }
        std::mem::take(&mut self.futures)
            .into_iter()
            .enumerate()
            .filter_map(|(index, future)| future.map(|future| (index, future)))
            .collect()
    }
}

impl<T> Iterator for AsCompleted<T> {
    type Item = (usize, TaskFuture<T>);

    fn next(&mut self) -> Option<Self::Item> {
        self.next_before(None).ok().flatten()
    }
}

/// [`as_completed`] with a deadline (Python's `as_completed(fs, timeout)`):
/// futures as they finish, then — if `timeout` after this call some are
/// still not done — one `Err(TaskError::NotReady)`, and the iteration ends.
/// [`AsCompletedWithin::remaining`] hands back the futures not yielded.
#[doc(alias = "as_completed")]
pub fn as_completed_within<T>(
    futures: Vec<TaskFuture<T>>,
    timeout: Duration,
) -> AsCompletedWithin<T> {
    AsCompletedWithin {
        deadline: Instant::now().checked_add(timeout),
        timeout,
        inner: as_completed(futures),
        expired: false,
    }
}

/// The iterator returned by [`as_completed_within`].
pub struct AsCompletedWithin<T> {
    inner: AsCompleted<T>,
    deadline: Option<Instant>,
    timeout: Duration,
    expired: bool,
}

impl<T> AsCompletedWithin<T> {
    /// The futures not yielded yet, with their positions.
    pub fn remaining(self) -> Vec<(usize, TaskFuture<T>)> {
        self.inner.remaining()
    }
}

impl<T> Iterator for AsCompletedWithin<T> {
    type Item = Result<(usize, TaskFuture<T>), TaskError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.expired {
            return None;
        }
        match self.inner.next_before(self.deadline) {
            Ok(next) => next.map(Ok),
            Err(()) => {
                self.expired = true;
                Some(Err(TaskError::NotReady(self.timeout)))
            }
        }
    }
}

/// A cooperative cancellation flag: the submitter sets it, the task checks
/// it between steps and returns early. The only safe way to stop a running
/// thread's work.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<std::sync::atomic::AtomicBool>);

impl CancelToken {
    /// A fresh, unset token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every task holding a clone to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether cancellation was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Sleeps up to `total` in small slices, returning early (`false`) if
    /// cancelled: a sleep a task can be woken from.
    pub fn sleep(&self, total: Duration) -> bool {
        let slice = Duration::from_millis(5);
        // A total past the end of time sleeps until cancelled.
        let deadline = Instant::now().checked_add(total);
        while !self.is_cancelled() {
            let left =
                deadline.map_or(slice, |d| d.saturating_duration_since(Instant::now()));
            if left.is_zero() {
                return true;
            }
            thread::sleep(left.min(slice));
        }
        false
    }
}

/// What becomes of a queued job: a worker runs it, or it is settled with
/// an error unrun.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fate {
    Run,
    /// Settle it with this error: `Cancelled` (shut down with
    /// `cancel_pending`, or a queue that closed under it) or `Broken`.
    Refuse(TaskError),
}

/// A queued task. A worker calls [`run`](Job::run) or [`refuse`](Job::refuse);
/// dropping the job unrun cancels it — so a job that never runs still
/// completes its future, and no caller waits forever.
struct Job {
    task: Option<Box<dyn FnOnce(Fate) + Send + 'static>>,
}

impl Job {
    fn run(mut self) {
        if let Some(task) = self.task.take() {
            task(Fate::Run);
        }
    }

    fn refuse(mut self, error: TaskError) {
        if let Some(task) = self.task.take() {
            task(Fate::Refuse(error));
        }
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task(Fate::Refuse(TaskError::Cancelled));
        }
    }
}

/// Runs once in each worker thread before its first task.
type Initializer = Arc<dyn Fn() + Send + Sync + 'static>;

/// Settings for a [`ThreadPoolExecutor`].
#[derive(Clone)]
pub struct Builder {
    max_workers: usize,
    name: String,
    queue_capacity: Option<usize>,
    initializer: Option<Initializer>,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("max_workers", &self.max_workers)
            .field("name", &self.name)
            .field("queue_capacity", &self.queue_capacity)
            .field("initializer", &self.initializer.is_some())
            .finish()
    }
}

impl Builder {
    /// Worker threads (default: Python's `min(32, cores + 4)`).
    pub fn max_workers(mut self, workers: usize) -> Self {
        self.max_workers = workers;
        self
    }

    /// Thread names are `{prefix}-0`, `{prefix}-1`, … (Python's
    /// `thread_name_prefix`): they appear in every log line.
    pub fn thread_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.name = prefix.into();
        self
    }

    /// Bounds the queue: once `capacity` jobs wait, `submit` blocks until a
    /// worker takes one (backpressure). Python's queue is unbounded.
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.queue_capacity = Some(capacity);
        self
    }

    /// Runs `init` once in each worker thread, before its first task
    /// (Python's `initializer=`; its `initargs` are what the closure
    /// captures) — to set up thread-local state such as a connection. If it
    /// panics, the executor is *broken*, as Python's is: tasks not yet run
    /// and every later `submit` fail with [`TaskError::Broken`].
    #[doc(alias = "initargs")]
    pub fn initializer(mut self, init: impl Fn() + Send + Sync + 'static) -> Self {
        self.initializer = Some(Arc::new(init));
        self
    }

    /// Starts the workers.
    pub fn build(self) -> std::io::Result<ThreadPoolExecutor> {
        if self.max_workers == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "max_workers must be at least 1",
            ));
        }
        let (sender, receiver) = match self.queue_capacity {
            Some(capacity) => crossbeam_channel::bounded::<Job>(capacity),
            None => crossbeam_channel::unbounded::<Job>(),
        };
        let broken: Arc<OnceLock<String>> = Arc::default();
        let mut workers = Vec::with_capacity(self.max_workers);
        for index in 0..self.max_workers {
            let receiver = receiver.clone();
            let (initializer, broken) = (self.initializer.clone(), Arc::clone(&broken));
            let spawned = thread::Builder::new()
                .name(format!("{}-{index}", self.name))
                .spawn(move || worker_loop(&receiver, initializer.as_deref(), &broken));
            match spawned {
                Ok(handle) => workers.push(handle),
                Err(err) => {
                    drop(sender); // the started workers see the queue close
                    for handle in workers {
                        if handle.join().is_err() {
                            tracing::error!(
                                "an executor worker panicked while starting up"
                            );
                        }
                    }
                    return Err(err);
                }
            }
        }
        Ok(ThreadPoolExecutor {
            sender: Some(sender),
            queue: receiver,
            workers,
            submitted: AtomicUsize::new(0),
            broken,
        })
    }
}

/// A worker: run the initializer, then jobs until the queue is closed and
/// drained. The receiver is not behind a lock, so nothing is held while
/// `job()` runs. Once the executor is broken, every job is refused.
fn worker_loop(
    queue: &Receiver<Job>,
    initializer: Option<&(dyn Fn() + Send + Sync)>,
    broken: &OnceLock<String>,
) {
    if let Some(init) = initializer
        && let Err(payload) = catch_unwind(AssertUnwindSafe(init))
    {
        let message = common::pool::panic_message(&*payload);
        tracing::error!("an executor initializer panicked: {message}");
        let _first_reason_wins = broken.set(format!("initializer panicked: {message}"));
    }
    for job in queue {
        match broken.get() {
            Some(reason) => job.refuse(TaskError::Broken(reason.clone())),
            None => job.run(),
        }
    }
}

/// Python's `ThreadPoolExecutor`, on std threads and a crossbeam channel.
///
/// ```
/// use executors::executor::ThreadPoolExecutor;
/// let executor = ThreadPoolExecutor::new(3)?;
/// let squares: Vec<u64> = executor.map(|x: u64| x * x, 1..=5).map(Result::unwrap).collect();
/// assert_eq!(squares, [1, 4, 9, 16, 25]);
/// let future = executor.submit(|| "done");
/// assert_eq!(future.result(), Ok("done"));
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct ThreadPoolExecutor {
    /// `None` once shut down: closing the channel is the stop signal.
    sender: Option<Sender<Job>>,
    /// A receiver of our own, to empty the queue on `shutdown(true)`.
    queue: Receiver<Job>,
    workers: Vec<JoinHandle<()>>,
    submitted: AtomicUsize,
    /// Why the executor is broken (an initializer panicked), once it is.
    broken: Arc<OnceLock<String>>,
}

impl fmt::Debug for ThreadPoolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolExecutor")
            .field("workers", &self.workers.len())
            .field("submitted", &self.submitted.load(Ordering::Relaxed))
            .finish()
    }
}

impl ThreadPoolExecutor {
    /// An executor with `max_workers` threads named `executor-N`.
    pub fn new(max_workers: usize) -> std::io::Result<Self> {
        Self::builder().max_workers(max_workers).build()
    }

    /// Settings: worker count, thread names, a bounded queue.
    pub fn builder() -> Builder {
        Builder {
            max_workers: common::pool::io_workers(),
            name: "executor".into(),
            queue_capacity: None,
            initializer: None,
        }
    }

    /// Number of worker threads.
    pub fn max_workers(&self) -> usize {
        self.workers.len()
    }

    /// Tasks submitted so far.
    pub fn submitted(&self) -> usize {
        self.submitted.load(Ordering::Relaxed)
    }

    /// Queues `f` and returns its future at once (Python's `submit`).
    pub fn submit<F, T>(&self, f: F) -> TaskFuture<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.submit_result(move || Ok(f()))
    }

    /// Like [`submit`](Self::submit) for a task that returns a `Result`: an
    /// `Err` becomes the future's [`TaskError::Failed`] (Python: the task
    /// raised an exception).
    pub fn try_submit<F, T, E>(&self, f: F) -> TaskFuture<T>
    where
        F: FnOnce() -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: fmt::Display,
    {
        self.submit_result(move || f().map_err(|err| TaskError::Failed(err.to_string())))
    }

    pub(crate) fn submit_result<F, T>(&self, f: F) -> TaskFuture<T>
    where
        F: FnOnce() -> Result<T, TaskError> + Send + 'static,
        T: Send + 'static,
    {
        self.submitted.fetch_add(1, Ordering::Relaxed);
        if let Some(reason) = self.broken.get() {
            return TaskFuture::ready(Err(TaskError::Broken(reason.clone())));
        }
        let future = TaskFuture::new();
        let shared = Arc::clone(&future.shared);
        let job = Job {
            task: Some(Box::new(move |fate: Fate| {
                if let Fate::Refuse(error) = fate {
                    shared.settle_if_pending(error);
                    return;
                }
                {
                    let mut state = shared.lock();
                    if !matches!(*state, State::Pending) {
                        return; // cancelled before it started
                    }
                    *state = State::Running;
                }
                let result = match catch_unwind(AssertUnwindSafe(f)) {
                    Ok(result) => result,
                    Err(payload) => {
                        Err(TaskError::Panicked(common::pool::panic_message(&*payload)))
                    }
                };
                shared.finish(result);
            })),
        };
        match &self.sender {
            // Blocks when a bounded queue is full: backpressure.
            Some(sender) => {
                // Fails only if every worker is gone; the job comes back in
                // the error and dropping it cancels its future.
                let _ = sender.send(job);
            }
            None => {
                future.shared.settle_if_pending(TaskError::Cancelled);
            }
        }
        future
    }

    /// Runs `f` on every item; the iterator yields the results **in input
    /// order** as each becomes available (Python's `executor.map`). All
    /// tasks are submitted at once, as in Python; dropping the iterator
    /// early cancels the ones not started.
    pub fn map<I, F, T>(&self, f: F, items: I) -> MapResults<T>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        F: Fn(I::Item) -> T + Send + Sync + 'static,
        T: Send + 'static,
    {
        MapResults::new(self.submit_each(f, items), None)
    }

    /// [`map`](Self::map) with Python's `timeout=`: it counts from this
    /// call. A result not ready by then is one `Err(TaskError::NotReady)`,
    /// after which that task and every later one not yet started are
    /// cancelled, and the iteration ends (as Python's iterator raises
    /// `TimeoutError` and cancels the rest).
    #[doc(alias = "map")]
    pub fn map_within<I, F, T>(&self, f: F, items: I, timeout: Duration) -> MapResults<T>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        F: Fn(I::Item) -> T + Send + Sync + 'static,
        T: Send + 'static,
    {
        let deadline = Instant::now().checked_add(timeout);
        MapResults::new(self.submit_each(f, items), deadline.map(|at| (at, timeout)))
    }

    fn submit_each<I, F, T>(&self, f: F, items: I) -> VecDeque<TaskFuture<T>>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        F: Fn(I::Item) -> T + Send + Sync + 'static,
        T: Send + 'static,
    {
        let f = Arc::new(f);
        items
            .into_iter()
            .map(|item| {
                let f = Arc::clone(&f);
                self.submit(move || f(item))
            })
            .collect()
    }

    /// Shuts down (Python's `shutdown(wait=True, cancel_futures=…)`): with
    /// `cancel_pending`, tasks that have not started are cancelled; then
    /// every worker finishes its current task and is joined. Returns how many
    /// tasks were cancelled. Dropping the executor is `shutdown(false)`.
    pub fn shutdown(mut self, cancel_pending: bool) -> usize {
        self.close(cancel_pending)
    }

    fn close(&mut self, cancel_pending: bool) -> usize {
        let Some(sender) = self.sender.take() else { return 0 };
        let mut cancelled = 0;
        if cancel_pending {
            // Take the queued jobs ourselves: dropped unrun, each cancels
            // its future (see `Job`).
            while let Ok(job) = self.queue.try_recv() {
                cancelled += 1;
                drop(job);
            }
        }
        drop(sender);
        for worker in self.workers.drain(..) {
            if worker.join().is_err() {
                tracing::error!("an executor worker panicked outside a task");
            }
        }
        cancelled
    }
}

/// The results of [`ThreadPoolExecutor::map`] and
/// [`map_within`](ThreadPoolExecutor::map_within), in input order.
pub struct MapResults<T> {
    futures: VecDeque<TaskFuture<T>>,
    /// The deadline and the timeout it came from.
    deadline: Option<(Instant, Duration)>,
}

impl<T> MapResults<T> {
    fn new(
        futures: VecDeque<TaskFuture<T>>,
        deadline: Option<(Instant, Duration)>,
    ) -> Self {
        Self { futures, deadline }
    }

    fn cancel_rest(&mut self) {
        for future in self.futures.drain(..) {
            future.cancel();
        }
    }
}

impl<T> Iterator for MapResults<T> {
    type Item = Result<T, TaskError>;

    fn next(&mut self) -> Option<Self::Item> {
        let future = self.futures.pop_front()?;
        let Some((deadline, timeout)) = self.deadline else {
            return Some(future.result());
        };
        let left = deadline.saturating_duration_since(Instant::now());
        match future.result_timeout(left) {
            Err(TaskError::NotReady(_)) => {
                future.cancel();
                self.cancel_rest();
                Some(Err(TaskError::NotReady(timeout)))
            }
            outcome => Some(outcome),
        }
    }
}

impl<T> Drop for MapResults<T> {
    /// Python's map iterator cancels what it never yielded when it is
    /// closed; so does this one when dropped.
    fn drop(&mut self) {
        self.cancel_rest();
    }
}

impl Drop for ThreadPoolExecutor {
    fn drop(&mut self) {
        self.close(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registered<T>(future: &TaskFuture<T>) -> usize {
        future.shared.waiters.lock().unwrap().len()
    }

    #[test]
    fn wait_and_as_completed_leave_no_waiter_behind_on_a_pending_future() {
        /// Opens the gate on drop, so a failed assertion cannot leave the
        /// executor's drop waiting for the task forever.
        struct OpenOnDrop(CancelToken);
        impl Drop for OpenOnDrop {
            fn drop(&mut self) {
                self.0.cancel();
            }
        }
        let executor = ThreadPoolExecutor::new(1).unwrap();
        let gate = CancelToken::new();
        let _open = OpenOnDrop(gate.clone());
        let pending = {
            let gate = gate.clone();
            executor.submit(move || {
                while !gate.is_cancelled() {
                    thread::sleep(Duration::from_millis(1));
                }
            })
        };
        let futures = vec![pending];
        for _ in 0..1_000 {
            let waited = wait(&futures, Some(Duration::ZERO), ReturnWhen::AllCompleted);
            assert_eq!(waited.pending, [0]);
        }
        assert_eq!(registered(&futures[0]), 0, "wait left its waiters behind");

        let mut iteration = as_completed_within(futures, Duration::ZERO);
        assert!(matches!(iteration.next(), Some(Err(TaskError::NotReady(_)))));
        let mut futures: Vec<_> =
            iteration.remaining().into_iter().map(|(_, future)| future).collect();
        assert_eq!(registered(&futures[0]), 0, "as_completed left its waiter behind");
        drop(as_completed(vec![futures.remove(0)]).remaining());
    }
}
