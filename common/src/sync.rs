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
    state: Mutex<EventState>,
    changed: Condvar,
}

/// The flag, and how many times it has been set. A waiter remembers the
/// count it started with: a `set()` it slept through — even one undone by a
/// `clear()` before it woke — still ends its wait, as in Python.
#[derive(Debug, Default, Clone, Copy)]
struct EventState {
    set: bool,
    generation: u64,
    /// Threads inside `wait`/`wait_timeout` (tests use it to know a waiter
    /// is really waiting).
    waiting: usize,
}

impl EventState {
    /// Whether a waiter that started at `generation` may stop waiting.
    fn released(&self, generation: u64) -> bool {
        self.set || self.generation != generation
    }
}

impl Event {
    /// A new, unset event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the flag and wakes **every** waiter (`notify_all`: an event is a
    /// broadcast, unlike a queue where one item wakes one consumer).
    pub fn set(&self) {
        let mut state = lock(&self.state);
        if !state.set {
            state.set = true;
            state.generation = state.generation.wrapping_add(1);
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Clears the flag; later `wait` calls block again. Threads already
    /// waiting when an earlier `set()` happened still return.
    pub fn clear(&self) {
        lock(&self.state).set = false;
    }

    /// Whether the flag is set right now.
    pub fn is_set(&self) -> bool {
        lock(&self.state).set
    }

    /// Blocks until the flag is set (or was set while waiting).
    pub fn wait(&self) {
        let mut guard = lock(&self.state);
        let started = guard.generation;
        guard.waiting += 1;
        let mut guard = self
            .changed
            .wait_while(guard, |state| !state.released(started))
            .unwrap_or_else(PoisonError::into_inner);
        guard.waiting -= 1;
    }

    /// Blocks until the flag is set or `timeout` passes; returns whether it
    /// was set during the wait (or already) — Python's `event.wait(timeout)`.
    /// Prefer this to [`wait`] wherever a lost signal would otherwise hang
    /// the program forever.
    ///
    /// [`wait`]: Event::wait
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let mut guard = lock(&self.state);
        let started = guard.generation;
        guard.waiting += 1;
        let (mut guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |state| !state.released(started))
            .unwrap_or_else(PoisonError::into_inner);
        guard.waiting -= 1;
        guard.released(started)
    }

    /// How many threads are waiting right now.
    pub fn waiting(&self) -> usize {
        lock(&self.state).waiting
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
    fn a_set_quickly_cleared_still_releases_the_threads_already_waiting() {
        let event = Event::new();
        std::thread::scope(|scope| {
            let waiters: Vec<_> = (0..3)
                .map(|_| scope.spawn(|| event.wait_timeout(Duration::from_secs(20))))
                .collect();
            // Not a sleep: wait until all three are inside `wait_timeout`.
            while event.waiting() < 3 {
                std::thread::yield_now();
            }
            event.set();
            event.clear();
            for waiter in waiters {
                assert!(waiter.join().unwrap(), "a waiter missed the set()");
            }
        });
        assert!(!event.is_set());
        // A wait that starts after the clear blocks again.
        assert!(!event.wait_timeout(Duration::from_millis(10)));
    }

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
