//! The simulated GIL of section 3 ([`crate::gil`]): a fair lock that a
//! worker holds while it computes, passed on in the order threads asked for
//! it, as CPython hands its GIL over. The lesson reads `gil.acquire()` and
//! drops the guard every switch interval; how the lock is fair is here.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

/// A fair global lock: threads get it in the order they asked for it
/// (a *ticket lock*). `std::sync::Mutex` makes no fairness promise — a
/// thread that unlocks and immediately re-locks often wins again — and a
/// GIL that never switched would show nothing.
#[derive(Debug, Default)]
pub struct Gil {
    /// The next ticket to hand out.
    next_ticket: AtomicU64,
    /// The ticket whose holder may run now.
    now_serving: Mutex<u64>,
    /// Signalled whenever `now_serving` moves on.
    turn: Condvar,
}

/// Proof of holding the [`Gil`]; dropping it passes the lock to the next
/// ticket.
#[derive(Debug)]
pub struct GilGuard<'a> {
    gil: &'a Gil,
}

impl Gil {
    /// Waits for this thread's turn and takes the lock.
    pub fn acquire(&self) -> GilGuard<'_> {
        let ticket = self.next_ticket.fetch_add(1, Ordering::Relaxed);
        let serving = self.now_serving.lock().unwrap_or_else(PoisonError::into_inner);
        // wait_while re-checks after every wake-up: notify_all wakes every
        // waiter, and only the one holding the next ticket proceeds.
        drop(
            self.turn
                .wait_while(serving, |s| *s != ticket)
                .unwrap_or_else(PoisonError::into_inner),
        );
        GilGuard { gil: self }
    }
}

impl Drop for GilGuard<'_> {
    fn drop(&mut self) {
        *self.gil.now_serving.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.gil.turn.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_lock_is_exclusive() {
        let gil = Gil::default();
        // Threads inside the lock now, and entries in all.
        let (inside, entries) = (AtomicU64::new(0), AtomicU64::new(0));
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..500 {
                        let _guard = gil.acquire();
                        assert_eq!(
                            inside.fetch_add(1, Ordering::SeqCst),
                            0,
                            "two holders"
                        );
                        entries.fetch_add(1, Ordering::SeqCst);
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                });
            }
        });
        assert_eq!(entries.load(Ordering::SeqCst), 4 * 500, "every acquire got in");
    }
}
