//! What [`ThreadPoolExecutor::map`](super::ThreadPoolExecutor::map)
//! returns: the results in input order, each waited for in turn, under one
//! deadline for all of them when `map_within` set one.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{TaskError, TaskFuture};

/// The results of [`ThreadPoolExecutor::map`](super::ThreadPoolExecutor::map) and
/// [`map_within`](super::ThreadPoolExecutor::map_within), in input order.
pub struct MapResults<T> {
    futures: VecDeque<TaskFuture<T>>,
    /// The deadline and the timeout it came from.
    deadline: Option<(Instant, Duration)>,
    /// Whether `next` has been called: only then does a drop cancel.
    iterated: bool,
}

impl<T> MapResults<T> {
    pub(super) fn new(
        futures: VecDeque<TaskFuture<T>>,
        deadline: Option<(Instant, Duration)>,
    ) -> Self {
        Self { futures, deadline, iterated: false }
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
        self.iterated = true;
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
    /// Python's map iterator, once started, cancels what it never yielded
    /// when it is closed; so does this one when dropped. (A generator never
    /// started has nothing to clean up: its tasks run.)
    fn drop(&mut self) {
        if self.iterated {
            self.cancel_rest();
        }
    }
}
