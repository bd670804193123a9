//! Stopping work that has started: a flag the task itself checks. Part of
//! the executor library; lesson 247 §5 uses it.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

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
