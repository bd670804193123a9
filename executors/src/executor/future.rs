//! A task's future: Python's `concurrent.futures.Future` — shared state
//! behind a `Mutex` and a `Condvar` that a worker settles and callers wait
//! on, with done-callbacks and the registrations of [`super::wait`] and
//! [`super::as_completed`]. Part of the executor library (see the module
//! above); lesson 247 §2 and §11 use it.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

/// Why a future has no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// The task panicked; the message and nothing else survive.
    #[error("task panicked: {0}")]
    Panicked(String),
    /// The task returned an error of its own (see [`ThreadPoolExecutor::try_submit`](super::ThreadPoolExecutor::try_submit)).
    #[error("{0}")]
    Failed(String),
    /// [`TaskFuture::cancel`] succeeded, or the executor shut down with
    /// [`Queued::Cancel`](super::Queued::Cancel) before the task started.
    #[error("task was cancelled before it started")]
    Cancelled,
    /// [`TaskFuture::result_timeout`] gave up waiting; the task goes on
    /// (Python's `TimeoutError`; the same name as the process pool's
    /// [`common::pool::TaskError::NotReady`]).
    #[doc(alias = "TimeoutError")]
    #[error(
        "no result within {} (the task is still pending or running)",
        common::timing::HumanDuration(*.0)
    )]
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
pub(super) enum State<T> {
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

pub(super) struct Shared<T> {
    state: Mutex<State<T>>,
    done: Condvar,
    /// Locked before `state` whenever both are (never the other way round).
    callbacks: Mutex<Callbacks<T>>,
    /// Set once the future is cancelled (it stays cancelled after its
    /// result is taken).
    cancelled: AtomicBool,
    /// Who to tell when it is done: `(index, sender)` pairs from
    /// [`as_completed`] and [`wait`].
    pub(super) waiters: Mutex<Vec<(usize, Sender<usize>)>>,
}

impl<T> Shared<T> {
    pub(super) fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A panic cannot happen while this lock is held (jobs and callbacks
        // run outside it), so poisoning would be a bug; recover the state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Settles the future: runs the done-callbacks (in this thread, with
    /// the result), then publishes the result and wakes every waiter. A
    /// callback added while the others run is run too: the future is marked
    /// finished, under the callbacks' lock, only when none is left.
    pub(super) fn finish(&self, result: Result<T, TaskError>) {
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
    pub(super) fn settle_if_pending(&self, error: TaskError) -> bool {
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

    pub(super) fn notify(&self) {
        self.done.notify_all();
        let waiters = std::mem::take(
            &mut *self.waiters.lock().unwrap_or_else(PoisonError::into_inner),
        );
        for (index, sender) in waiters {
            // The waiter may have stopped listening (a `wait` that returned).
            let _ = sender.send(index);
        }
    }

    pub(super) fn is_finished(&self) -> bool {
        matches!(*self.lock(), State::Done(_) | State::Taken)
    }

    /// Done with an error of the task's own (not a cancellation).
    pub(super) fn has_failed(&self) -> bool {
        matches!(&*self.lock(), State::Done(Err(err)) if *err != TaskError::Cancelled)
    }

    /// Waits until the future is done (or its result taken), at most until
    /// `deadline`; `None` if the deadline passed first.
    pub(super) fn wait_until(
        &self,
        deadline: Option<Instant>,
    ) -> Option<MutexGuard<'_, State<T>>> {
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
    pub(super) shared: Arc<Shared<T>>,
}

impl<T> fmt::Debug for TaskFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cancelled = self.shared.cancelled.load(Ordering::SeqCst);
        let state = match *self.shared.lock() {
            _ if cancelled => "cancelled",
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
    pub(super) fn new() -> Self {
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

    /// Cancels the task if it has not started; returns whether the future
    /// is now cancelled (true again for one cancelled before, as Python's
    /// `cancel()`). A running task cannot be stopped from outside — a thread
    /// cannot be killed safely — so for those, see the cooperative
    /// [`CancelToken`](super::CancelToken).
    pub fn cancel(&self) -> bool {
        self.shared.settle_if_pending(TaskError::Cancelled) || self.is_cancelled()
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
    pub(super) fn notify_when_done(&self, index: usize, sender: Sender<usize>) {
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
    pub(super) fn stop_notifying(&self, sender: &Sender<usize>) {
        self.shared
            .waiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(_, registered)| !registered.same_channel(sender));
    }
}
