//! Waiting for many futures: Python's `concurrent.futures.wait` and
//! `as_completed`. Each registers a channel with every future, is told the
//! position of each one that finishes, and unregisters when it is done, so
//! a future that stays pending keeps nothing of a waiter that gave up. Part
//! of the executor library; lesson 247 §5 and §11 use it.

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::future::{TaskError, TaskFuture};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::{CancelToken, ThreadPoolExecutor};

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
                    std::thread::sleep(Duration::from_millis(1));
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
