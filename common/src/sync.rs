//! Two of Python's `threading` primitives that the Rust standard library
//! leaves out — [`Event`] and [`Semaphore`] — each built from a [`Mutex`] and
//! a [`Condvar`], which is how you build any "wait until X" primitive.
//!
//! The recipe, used by both types below:
//!
//! 1. Put the state (a `bool`, a count) inside a `Mutex`, so every change is
//!    made by one thread at a time.
//! 2. Waiters lock the mutex and call [`Condvar::wait_while`] with the
//!    condition they are waiting *out*. The condvar atomically releases the
//!    lock while sleeping and re-takes it on waking, and `wait_while`
//!    re-checks the condition after every wake-up, which makes **spurious
//!    wake-ups** (the OS may wake a waiter for no reason) harmless.
//! 3. The thread that changes the state does so under the lock, then calls
//!    `notify_one` or `notify_all`.
//!
//! Why std has neither: an `Event` is usually better expressed as a channel
//! (a message *is* the signal, and dropping the sender wakes every receiver)
//! or a [`Barrier`](std::sync::Barrier); and a semaphore's permits are often
//! better as a bounded channel or a fixed-size worker pool. They are here
//! because translating Python code line by line needs them, and because
//! writing one is the best way to understand `Condvar`.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Python's `threading.Event`: a flag that threads can wait for.
///
/// ```
/// use std::sync::Arc;
/// use common::sync::Event;
///
/// let start = Arc::new(Event::new());
/// let waiter = {
///     let start = Arc::clone(&start);
///     std::thread::spawn(move || {
///         start.wait(); // blocks until set()
///         "started"
///     })
/// };
/// start.set();
/// assert_eq!(waiter.join().unwrap(), "started");
/// assert!(start.is_set());
/// ```
#[derive(Debug, Default)]
pub struct Event {
    flag: Mutex<bool>,
    changed: Condvar,
}

impl Event {
    /// A new, unset event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the flag and wakes **every** waiter (`notify_all`: an event is a
    /// broadcast, unlike a queue where one item wakes one consumer).
    pub fn set(&self) {
        *lock(&self.flag) = true;
        self.changed.notify_all();
    }

    /// Clears the flag; later `wait` calls block again.
    pub fn clear(&self) {
        *lock(&self.flag) = false;
    }

    /// Whether the flag is set right now.
    pub fn is_set(&self) -> bool {
        *lock(&self.flag)
    }

    /// Blocks until the flag is set.
    pub fn wait(&self) {
        let guard = lock(&self.flag);
        drop(
            self.changed
                .wait_while(guard, |set| !*set)
                .unwrap_or_else(PoisonError::into_inner),
        );
    }

    /// Blocks until the flag is set or `timeout` passes; returns whether it
    /// was set — Python's `event.wait(timeout)`. Prefer this to [`wait`]
    /// wherever a lost signal would otherwise hang the program forever.
    ///
    /// [`wait`]: Event::wait
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let guard = lock(&self.flag);
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |set| !*set)
            .unwrap_or_else(PoisonError::into_inner);
        *guard
    }
}

/// Python's `threading.Semaphore(n)`: at most `n` holders at once.
///
/// [`acquire`](Semaphore::acquire) returns a [`Permit`] guard that gives the
/// slot back when dropped — the Rust form of `with semaphore:`, so a panic
/// or an early `return` can never leak a permit.
///
/// ```
/// use common::sync::Semaphore;
/// let slots = Semaphore::new(2);
/// let a = slots.acquire();
/// let _b = slots.acquire();
/// assert!(slots.try_acquire().is_none()); // both permits are taken
/// drop(a);                                // … until one is returned
/// assert!(slots.try_acquire().is_some());
/// ```
#[derive(Debug)]
pub struct Semaphore {
    available: Mutex<usize>,
    released: Condvar,
}

/// A held slot of a [`Semaphore`]; dropping it releases the slot.
#[derive(Debug)]
#[must_use = "the permit is released as soon as it is dropped"]
pub struct Permit<'a> {
    semaphore: &'a Semaphore,
}

impl Semaphore {
    /// A semaphore with `permits` free slots.
    pub fn new(permits: usize) -> Self {
        Self { available: Mutex::new(permits), released: Condvar::new() }
    }

    /// Waits for a free slot and takes it.
    pub fn acquire(&self) -> Permit<'_> {
        let guard = lock(&self.available);
        let mut available = self
            .released
            .wait_while(guard, |n| *n == 0)
            .unwrap_or_else(PoisonError::into_inner);
        *available -= 1;
        Permit { semaphore: self }
    }

    /// Takes a slot if one is free right now, without waiting.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut available = lock(&self.available);
        (*available > 0).then(|| {
            *available -= 1;
            Permit { semaphore: self }
        })
    }

    /// Free slots right now (already stale when you read it; for display).
    pub fn available(&self) -> usize {
        *lock(&self.available)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *lock(&self.semaphore.available) += 1;
        // One slot freed, so one waiter can proceed: notify_one, not _all.
        self.semaphore.released.notify_one();
    }
}

/// Locks a mutex, ignoring poisoning. The state guarded here (a `bool`, a
/// count) is valid after any panic, because each change is one assignment.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn event_releases_every_waiter() {
        let event = Event::new();
        let released = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    event.wait();
                    released.fetch_add(1, Ordering::SeqCst);
                });
            }
            // No sleep needed: waiters that arrive after set() return at once,
            // so the outcome is the same whatever the interleaving.
            event.set();
        });
        assert_eq!(released.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn event_wait_timeout_reports_unset_and_clear_resets() {
        let event = Event::new();
        assert!(!event.wait_timeout(Duration::from_millis(10)));
        event.set();
        assert!(event.wait_timeout(Duration::from_millis(10)));
        event.clear();
        assert!(!event.is_set());
    }

    #[test]
    fn semaphore_never_exceeds_its_permits() {
        let slots = Semaphore::new(3);
        let inside = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let start = Barrier::new(8);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    start.wait();
                    for _ in 0..200 {
                        let _permit = slots.acquire();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                });
            }
        });
        assert!(peak.load(Ordering::SeqCst) <= 3);
        assert_eq!(slots.available(), 3, "every permit was returned");
    }

    #[test]
    fn permit_is_returned_on_panic() {
        let slots = Semaphore::new(1);
        let result = std::thread::scope(|s| {
            s.spawn(|| {
                let _permit = slots.acquire();
                panic!("worker failed while holding a permit");
            })
            .join()
        });
        assert!(result.is_err());
        assert_eq!(slots.available(), 1);
    }
}
