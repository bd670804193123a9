//! What `submit` and `imap` hand back: [`TaskHandle`], a task's pending
//! outcome, and [`Imap`], results in input or completion order as the
//! workers keep up.

use std::any::Any;
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Select, Sender};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{ProcessPool, TaskError, TaskOutcome, decode_outcome};

/// The order in which an [`Imap`] yields its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// The input's order (Python's `imap`): a slow task holds back the
    /// results after it.
    Input,
    /// The order the workers finish them (Python's `imap_unordered`).
    Finished,
}

/// The iterator returned by [`ProcessPool::imap`] and
/// [`ProcessPool::imap_unordered`]: the input, read as the workers keep up
/// (at most two tasks per worker in flight), and the results in input or
/// completion order.
///
/// If the input panics at item k, the results of the items before k come
/// out first; the next `next()` then resumes that panic in the caller, and
/// after it the iterator is empty (the input is never pulled again).
pub struct Imap<'pool, T, R, Items, F> {
    pool: &'pool ProcessPool<T, R>,
    items: Items,
    make_task: F,
    order: Order,
    in_flight: VecDeque<TaskHandle<R>>,
    window: usize,
    /// The input ended, or failed: it is never pulled again.
    exhausted: bool,
    /// The input's panic, held until the results before it are delivered.
    failure: Option<Box<dyn Any + Send>>,
}

impl<'pool, T, R, I, Items, F> Imap<'pool, T, R, Items, F>
where
    T: Serialize,
    R: DeserializeOwned,
    Items: Iterator<Item = I>,
    F: FnMut(I) -> T,
{
    /// Results of `items` (each made a task by `make_task`) in input order;
    /// nothing is submitted until the first `next()`.
    pub(super) fn new(
        pool: &'pool ProcessPool<T, R>,
        items: Items,
        make_task: F,
    ) -> Self {
        Self {
            pool,
            items,
            make_task,
            order: Order::Input,
            in_flight: VecDeque::new(),
            window: 2 * pool.workers(),
            exhausted: false,
            failure: None,
        }
    }

    /// The same iterator, yielding in the order the workers finish.
    pub fn unordered(self) -> Self {
        Self { order: Order::Finished, ..self }
    }

    /// Tops the window up from the input. A panic in the input (or in
    /// `make_task`) ends the input; it is kept, to be resumed once every
    /// result before it has been delivered (Python's `imap` raises the
    /// input's exception at its position).
    fn fill(&mut self) {
        while !self.exhausted && self.in_flight.len() < self.window {
            let (items, make_task) = (&mut self.items, &mut self.make_task);
            match catch_unwind(AssertUnwindSafe(|| items.next().map(make_task))) {
                Ok(Some(task)) => self.in_flight.push_back(self.pool.submit(task)),
                Ok(None) => self.exhausted = true,
                Err(payload) => {
                    self.exhausted = true;
                    self.failure = Some(payload);
                }
            }
        }
    }

    /// The index in `in_flight` of the first task whose outcome has arrived
    /// (a dropped reply counts: it answers `Lost`); blocks until one has.
    fn first_finished(&self) -> usize {
        let mut select = Select::new();
        for handle in &self.in_flight {
            select.recv(&handle.receiver);
        }
        select.ready()
    }
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
        self.fill();
        if self.in_flight.is_empty() {
            // Nothing left in flight: the end, or the input's panic resumed
            // here.
            return match self.failure.take() {
                Some(payload) => resume_unwind(payload),
                None => None,
            };
        }
        let next = match self.order {
            Order::Input => 0,
            Order::Finished => self.first_finished(),
        };
        self.in_flight.remove(next).map(TaskHandle::result)
    }
}

/// The pending result of one submitted task (Python's `AsyncResult` /
/// `Future`). Dropping it does not cancel the task; the result is discarded.
#[derive(Debug)]
pub struct TaskHandle<R> {
    id: u64,
    receiver: Receiver<TaskOutcome>,
    /// The outcome once received: a handle stays ready after
    /// [`result_timeout`](Self::result_timeout) returned it, and asking again
    /// gives the same answer (Python's `AsyncResult.get()` can be called
    /// again).
    outcome: std::sync::OnceLock<TaskOutcome>,
    /// The handle *produces* an `R` (decoded from bytes) and holds none.
    types: PhantomData<fn() -> R>,
}

impl<R> TaskHandle<R> {
    /// A handle for task `id`, and the one-shot sender of its outcome, which
    /// calls `callback` with it first.
    pub(super) fn new(id: u64, callback: Option<Callback>) -> (Self, OnceReply) {
        let (sender, receiver) = crossbeam_channel::bounded(1);
        let outcome = std::sync::OnceLock::new();
        let reply = OnceReply { sender: Some(sender), callback };
        (Self { id, receiver, outcome, types: PhantomData }, reply)
    }
}

/// A task's done-callback (see [`ProcessPool::submit_with_callback`]), on
/// the encoded outcome.
pub(super) type Callback = Box<dyn FnOnce(&TaskOutcome) + Send + 'static>;

/// The sending side of a task's one-shot reply. Dropping it unsent answers
/// [`TaskError::Lost`]: a caller can never wait forever on a forgotten job.
/// The callback, if any, is called with the outcome just before it is sent,
/// in the sending thread.
pub(super) struct OnceReply {
    sender: Option<Sender<TaskOutcome>>,
    callback: Option<Callback>,
}

impl OnceReply {
    pub(super) fn send(mut self, outcome: TaskOutcome) {
        self.settle(outcome);
    }

    fn settle(&mut self, outcome: TaskOutcome) {
        if let Some(callback) = self.callback.take()
            && let Err(payload) = catch_unwind(AssertUnwindSafe(|| callback(&outcome)))
        {
            let message = crate::pool::panic_message(&*payload);
            tracing::error!("a process pool task's callback panicked: {message}");
        }
        if let Some(sender) = self.sender.take() {
            // The caller may have dropped its handle; nobody to tell then.
            let _ = sender.send(outcome);
        }
    }
}

impl Drop for OnceReply {
    fn drop(&mut self) {
        if self.sender.is_some() {
            self.settle(Err(TaskError::Lost));
        }
    }
}

impl<R: DeserializeOwned> TaskHandle<R> {
    /// The task's id within its pool (in submission order, from 1).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Whether the outcome has arrived (Python's `ready()`).
    pub fn is_done(&self) -> bool {
        self.outcome.get().is_some() || !self.receiver.is_empty()
    }

    /// Waits for the outcome (Python's `get()`).
    pub fn result(self) -> Result<R, TaskError> {
        self.result_with_pid().map(|(value, _)| value)
    }

    /// Waits for the outcome and also says which worker process produced it.
    pub fn result_with_pid(mut self) -> Result<(R, u32), TaskError> {
        let outcome = match self.outcome.take() {
            Some(outcome) => outcome,
            None => self.receiver.recv().unwrap_or(Err(TaskError::Lost)),
        };
        decode_outcome(outcome)
    }

    /// Waits at most `wait` (Python's `get(timeout=…)`). On
    /// [`TaskError::NotReady`] the task goes on; ask again later. Once the
    /// outcome has arrived, every call (and [`result`](Self::result))
    /// returns it again, decoded afresh.
    pub fn result_timeout(&self, wait: Duration) -> Result<R, TaskError> {
        if let Some(outcome) = self.outcome.get() {
            return decode_outcome(outcome.clone()).map(|(value, _)| value);
        }
        let outcome = match self.receiver.recv_timeout(wait) {
            Ok(outcome) => self.outcome.get_or_init(|| outcome),
            Err(RecvTimeoutError::Timeout) => return Err(TaskError::NotReady(wait)),
            // The one message was sent (a reply is always sent, `Lost` at
            // worst) and taken by another thread sharing this handle, which
            // stores it next: wait for that.
            Err(RecvTimeoutError::Disconnected) => loop {
                if let Some(outcome) = self.outcome.get() {
                    break outcome;
                }
                thread::yield_now();
            },
        };
        decode_outcome(outcome.clone()).map(|(value, _)| value)
    }
}
