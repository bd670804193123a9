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

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
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
}

/// Where a future is in its life.
enum State<T> {
    Pending,
    Running,
    Done(Result<T, TaskError>),
    Taken,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    done: Condvar,
    /// Who to tell when it is done: `(index, sender)` pairs from
    /// [`as_completed`].
    waiters: Mutex<Vec<(usize, Sender<usize>)>>,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A panic cannot happen while this lock is held (jobs run outside
        // it), so poisoning would be a bug; recover the state anyway.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn finish(&self, result: Result<T, TaskError>) {
        *self.lock() = State::Done(result);
        self.notify();
    }

    /// Cancels if (and only if) the task has not started: the check and the
    /// change happen under one lock, so a worker cannot start it in between.
    fn cancel_if_pending(&self) -> bool {
        {
            let mut state = self.lock();
            if !matches!(*state, State::Pending) {
                return false;
            }
            *state = State::Done(Err(TaskError::Cancelled));
        }
        self.notify();
        true
    }

    fn notify(&self) {
        self.done.notify_all();
        let waiters = std::mem::take(
            &mut *self.waiters.lock().unwrap_or_else(PoisonError::into_inner),
        );
        for (index, sender) in waiters {
            let _ = sender.send(index);
        }
    }

    fn is_finished(&self) -> bool {
        matches!(*self.lock(), State::Done(_) | State::Taken)
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
    pub fn is_done(&self) -> bool {
        self.shared.is_finished()
    }

    /// Whether the task is running right now.
    pub fn is_running(&self) -> bool {
        matches!(*self.shared.lock(), State::Running)
    }

    /// Cancels the task if it has not started; returns whether it did.
    /// A running task cannot be stopped from outside — a thread cannot be
    /// killed safely — so for those, see the cooperative [`CancelToken`].
    pub fn cancel(&self) -> bool {
        self.shared.cancel_if_pending()
    }

    /// Waits for the result (Python's `future.result()`).
    pub fn result(self) -> Result<T, TaskError> {
        let mut state = self.shared.lock();
        loop {
            match std::mem::replace(&mut *state, State::Taken) {
                State::Done(result) => return result,
                State::Taken => return Err(TaskError::Taken),
                still => {
                    *state = still;
                    state = self
                        .shared
                        .done
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }

    /// Waits at most `limit` (Python's `future.result(timeout=…)`). On
    /// [`TaskError::NotReady`] the task goes on and the future stays usable;
    /// the result itself is handed out once.
    pub fn result_timeout(&self, limit: Duration) -> Result<T, TaskError> {
        // `Duration::MAX` (or any limit past the end of time) means "no
        // deadline", not an overflow panic.
        let deadline = Instant::now().checked_add(limit);
        let mut state = self.shared.lock();
        loop {
            match std::mem::replace(&mut *state, State::Taken) {
                State::Done(result) => return result,
                State::Taken => return Err(TaskError::Taken),
                still => *state = still,
            }
            state = match deadline {
                None => {
                    self.shared.done.wait(state).unwrap_or_else(PoisonError::into_inner)
                }
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(TaskError::NotReady(limit));
                    }
                    self.shared
                        .done
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
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
}

/// Yields the futures as they finish, fastest first (Python's
/// `as_completed`). The order depends on the scheduler: it changes from run
/// to run.
pub fn as_completed<T>(futures: Vec<TaskFuture<T>>) -> AsCompleted<T> {
    let (sender, receiver) = crossbeam_channel::unbounded();
    for (index, future) in futures.iter().enumerate() {
        future.notify_when_done(index, sender.clone());
    }
    AsCompleted { futures: futures.into_iter().map(Some).collect(), receiver }
}

/// The iterator returned by [`as_completed`]: `(index, future)` pairs, the
/// index being the future's position in the input.
pub struct AsCompleted<T> {
    futures: Vec<Option<TaskFuture<T>>>,
    receiver: Receiver<usize>,
}

impl<T> Iterator for AsCompleted<T> {
    type Item = (usize, TaskFuture<T>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.futures.iter().all(Option::is_none) {
            return None;
        }
        // Every future notifies exactly once, so this cannot wait forever
        // while a future remains.
        let index = self.receiver.recv().ok()?;
        self.futures[index].take().map(|future| (index, future))
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

/// What becomes of a queued job: a worker runs it, or nobody will.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Run,
    Cancel,
}

/// A queued task. A worker calls [`run`](Job::run); dropping the job unrun
/// (shutdown with `cancel_pending`, or a queue that closed under it) cancels
/// it — so a job that never runs still completes its future, and no caller
/// waits forever.
struct Job {
    task: Option<Box<dyn FnOnce(Fate) + Send + 'static>>,
}

impl Job {
    fn run(mut self) {
        if let Some(task) = self.task.take() {
            task(Fate::Run);
        }
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task(Fate::Cancel);
        }
    }
}

/// Settings for a [`ThreadPoolExecutor`].
#[derive(Debug, Clone)]
pub struct Builder {
    max_workers: usize,
    name: String,
    queue_capacity: Option<usize>,
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
        let mut workers = Vec::with_capacity(self.max_workers);
        for index in 0..self.max_workers {
            let receiver = receiver.clone();
            let spawned = thread::Builder::new()
                .name(format!("{}-{index}", self.name))
                .spawn(move || worker_loop(&receiver));
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
        })
    }
}

/// A worker: run jobs until the queue is closed and drained. The receiver
/// is not behind a lock, so nothing is held while `job()` runs.
fn worker_loop(queue: &Receiver<Job>) {
    for job in queue {
        job.run();
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
        let future = TaskFuture::new();
        let shared = Arc::clone(&future.shared);
        let job = Job {
            task: Some(Box::new(move |fate: Fate| {
                if fate == Fate::Cancel {
                    shared.cancel_if_pending();
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
            None => future.shared.finish(Err(TaskError::Cancelled)),
        }
        future
    }

    /// Runs `f` on every item; the iterator yields the results **in input
    /// order** as each becomes available (Python's `executor.map`). All
    /// tasks are submitted at once, as in Python.
    pub fn map<I, F, T>(
        &self,
        f: F,
        items: I,
    ) -> impl Iterator<Item = Result<T, TaskError>>
    where
        I: IntoIterator,
        I::Item: Send + 'static,
        F: Fn(I::Item) -> T + Send + Sync + 'static,
        T: Send + 'static,
    {
        let f = Arc::new(f);
        let futures: Vec<TaskFuture<T>> = items
            .into_iter()
            .map(|item| {
                let f = Arc::clone(&f);
                self.submit(move || f(item))
            })
            .collect();
        futures.into_iter().map(TaskFuture::result)
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

impl Drop for ThreadPoolExecutor {
    fn drop(&mut self) {
        self.close(false);
    }
}
