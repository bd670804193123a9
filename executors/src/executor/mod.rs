//! A `ThreadPoolExecutor`, written out: how a thread pool works.
//!
//! *A library you may copy:* every section of this chapter submits to it;
//! §1 and §2 (`basics.rs`) are the lessons on using it.
//!
//! ```text
//!   submit(f) ──▶ [ job queue: crossbeam channel ] ──▶ worker_0 ─┐
//!      │                                           ──▶ worker_1 ─┼─▶ future.state = Done(result)
//!      ▼                                           ──▶ worker_2 ─┘        │
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

//!
//! The parts: [`future`](self::TaskFuture) (`future.rs`: the shared state a
//! worker settles), `wait.rs` ([`wait`], [`as_completed`]), `cancel.rs`
//! ([`CancelToken`]), `map.rs` ([`MapResults`]: `map`'s iterator); this
//! file is the executor itself — the queue, the
//! workers, `submit`, `map` and shutdown.

use std::collections::VecDeque;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

mod cancel;
mod future;
mod map;
mod wait;

pub use self::cancel::CancelToken;
use self::future::State;
pub use self::future::{TaskError, TaskFuture};
pub use self::map::MapResults;
pub use self::wait::{
    AsCompleted, AsCompletedWithin, ReturnWhen, Waited, as_completed,
    as_completed_within, wait,
};

/// What [`ThreadPoolExecutor::shutdown`] does with the tasks still queued
/// (Python's `cancel_futures=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(alias = "cancel_futures")]
pub enum Queued {
    /// Run every queued task, then stop (`cancel_futures=False`).
    Run,
    /// Cancel the queued tasks no idle worker can take now
    /// (`cancel_futures=True`).
    Cancel,
}

/// What becomes of a queued job: a worker runs it, or it is settled with
/// an error unrun.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fate {
    Run,
    /// Settle it with this error: `Cancelled` (shut down with
    /// `Queued::Cancel`, or a queue that closed under it) or `Broken`.
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
    /// `None`: Python's default, `ThreadPoolExecutor-<n>`.
    name: Option<String>,
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

    /// Thread names are `{prefix}_0`, `{prefix}_1`, … (Python's
    /// `thread_name_prefix`): they appear in every log line. Without a
    /// prefix they are Python's `ThreadPoolExecutor-<n>_<i>`, where `n`
    /// numbers the executors of this process, so no two executors share a
    /// thread name.
    pub fn thread_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.name = Some(prefix.into());
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
        let busy: Arc<AtomicUsize> = Arc::default();
        let prefix = self.name.unwrap_or_else(|| {
            // Python: `f"ThreadPoolExecutor-{self._counter()}"`.
            static EXECUTORS: AtomicUsize = AtomicUsize::new(0);
            format!("ThreadPoolExecutor-{}", EXECUTORS.fetch_add(1, Ordering::Relaxed))
        });
        let mut workers = Vec::with_capacity(self.max_workers);
        for index in 0..self.max_workers {
            let receiver = receiver.clone();
            let (initializer, broken) = (self.initializer.clone(), Arc::clone(&broken));
            let busy = Arc::clone(&busy);
            let spawned = thread::Builder::new().name(format!("{prefix}_{index}")).spawn(
                move || worker_loop(&receiver, initializer.as_deref(), &broken, &busy),
            );
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
            busy,
        })
    }
}

/// A worker: run the initializer, then jobs until the queue is closed and
/// drained. The receiver is not behind a lock, so nothing is held while
/// `job()` runs. Once the executor is broken, every job is refused. `busy`
/// counts the workers holding a job, so that shutdown knows how many are
/// idle.
fn worker_loop(
    queue: &Receiver<Job>,
    initializer: Option<&(dyn Fn() + Send + Sync)>,
    broken: &OnceLock<String>,
    busy: &AtomicUsize,
) {
    if let Some(init) = initializer
        && let Err(payload) = catch_unwind(AssertUnwindSafe(init))
    {
        let message = common::pool::panic_message(&*payload);
        tracing::error!("an executor initializer panicked: {message}");
        let _first_reason_wins = broken.set(format!("initializer panicked: {message}"));
    }
    for job in queue {
        busy.fetch_add(1, Ordering::SeqCst);
        match broken.get() {
            Some(reason) => job.refuse(TaskError::Broken(reason.clone())),
            None => job.run(),
        }
        busy.fetch_sub(1, Ordering::SeqCst);
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
    /// A receiver of our own, to empty the queue on `shutdown(Queued::Cancel)`.
    queue: Receiver<Job>,
    workers: Vec<JoinHandle<()>>,
    submitted: AtomicUsize,
    /// Why the executor is broken (an initializer panicked), once it is.
    broken: Arc<OnceLock<String>>,
    /// Workers holding a job right now; the others are idle.
    busy: Arc<AtomicUsize>,
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
    /// An executor with `max_workers` threads named
    /// `ThreadPoolExecutor-<n>_<i>`, as Python names them.
    pub fn new(max_workers: usize) -> std::io::Result<Self> {
        Self::builder().max_workers(max_workers).build()
    }

    /// Settings: worker count, thread names, a bounded queue.
    pub fn builder() -> Builder {
        Builder {
            max_workers: common::pool::io_workers(),
            name: None,
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
    /// tasks are submitted at once, as in Python. As in Python, an iterator
    /// dropped before its first `next()` leaves every task to run
    /// (`executor.map(f, xs);` runs them all); once iteration has begun,
    /// dropping it cancels the tasks not yet started.
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
    /// [`Queued::Cancel`], the queued tasks that no idle worker could take
    /// at the time of the call are cancelled — as in Python, where an idle
    /// worker already waiting on the queue gets its task — then every worker
    /// finishes its current task and is joined. Returns how many tasks were
    /// cancelled. Dropping the executor is `shutdown(Queued::Run)`.
    pub fn shutdown(mut self, queued: Queued) -> usize {
        self.close(queued == Queued::Cancel)
    }

    fn close(&mut self, cancel_pending: bool) -> usize {
        let Some(sender) = self.sender.take() else { return 0 };
        let mut cancelled = 0;
        if cancel_pending {
            // Take the queued jobs ourselves, then hand the first ones back
            // to the workers that are idle now (a just-submitted task an
            // idle worker had not yet woken up for is theirs, not ours).
            // The rest, dropped unrun, each cancel their future (see `Job`).
            let queued: Vec<Job> = self.queue.try_iter().collect();
            let idle =
                self.workers.len().saturating_sub(self.busy.load(Ordering::SeqCst));
            for (index, job) in queued.into_iter().enumerate() {
                // Only our `submit` sends, and it cannot run now: a full
                // bounded queue refuses the job (it is cancelled), never blocks.
                let kept = index < idle && sender.try_send(job).is_ok();
                if !kept {
                    cancelled += 1;
                }
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
