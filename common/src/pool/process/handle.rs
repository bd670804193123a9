//! What `submit` and `imap` hand back: [`TaskHandle`], a task's pending
//! outcome, and [`Imap`], results in order as the workers keep up.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{OnceReply, ProcessPool, TaskError, TaskOutcome, decode_outcome};

/// The iterator returned by [`ProcessPool::imap`].
pub struct Imap<'pool, T, R, Items, F> {
    pub(super) pool: &'pool ProcessPool<T, R>,
    pub(super) items: Items,
    pub(super) make_task: F,
    pub(super) in_flight: VecDeque<TaskHandle<R>>,
    pub(super) window: usize,
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
    /// A handle for task `id`, and the one-shot sender of its outcome.
    pub(super) fn new(id: u64) -> (Self, OnceReply) {
        let (sender, receiver) = crossbeam_channel::bounded(1);
        let outcome = std::sync::OnceLock::new();
        (Self { id, receiver, outcome, types: PhantomData }, OnceReply(Some(sender)))
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
