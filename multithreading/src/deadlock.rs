//! Section 12: deadlock — provoked, detected without hanging, then
//! prevented.
//!
//! Two threads, two locks, opposite order: thread A holds `account_a` and
//! wants `account_b`; thread B holds `account_b` and wants `account_a`. Each
//! waits for the other forever. A [`Barrier`] after the first lock makes
//! sure both really hold one lock before reaching for the second, so the
//! deadlock happens on every run, not just on unlucky ones.
//!
//! To *see* it without hanging the program, the second lock is taken with
//! `try_lock` in a loop until a deadline; a thread that misses the deadline
//! reports what it holds and what it waits for, then gives up (releasing its
//! lock). The fix is the oldest rule there is: **every thread takes the
//! locks in the same order**.
//!
//! The module README's troubleshooting list, in Rust:
//!
//! | Python advice | Rust |
//! |---|---|
//! | ensure locks are always released | guards release on drop, even on panic or `?` |
//! | use context managers | the guard *is* the context manager |
//! | avoid holding multiple locks | or take them in one global order ([`transfer`] with [`LockOrder::Global`]) |
//! | (timeouts) | `try_lock` with a deadline; `Condvar::wait_timeout`; `recv_timeout` |

use std::sync::{Barrier, Mutex, MutexGuard, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

use common::timing::HumanDuration;

use crate::Config;

/// A thread gave up waiting for its second lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlock {
    /// The thread that gave up.
    pub thread: &'static str,
    /// The lock it held.
    pub holding: &'static str,
    /// The lock it could not get.
    pub waiting_for: &'static str,
}

/// Tries to lock `mutex` until `deadline`; `None` if it never could.
fn lock_before<'a, T>(
    mutex: &'a Mutex<T>,
    deadline: Instant,
) -> Option<MutexGuard<'a, T>> {
    loop {
        match mutex.try_lock() {
            Ok(guard) => return Some(guard),
            Err(TryLockError::Poisoned(poisoned)) => return Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                thread::yield_now()
            }
            Err(TryLockError::WouldBlock) => return None,
        }
    }
}

/// The order in which the two transfer threads take the two locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockOrder {
    /// Each thread locks the account it moves money *from* first: A takes
    /// `a` then `b`, B takes `b` then `a` — the deadlock.
    Opposite,
    /// New: both take `a` first, whichever way the money moves — one
    /// global order, no deadlock.
    Global,
}

/// Two threads each move 10 between two accounts, taking the locks in
/// `order`. In the [`Opposite`](LockOrder::Opposite) order they deadlock
/// (each reports it after `patience`); in the [`Global`](LockOrder::Global)
/// order both finish. Returns each thread's outcome and the final balances.
pub fn transfer(
    order: LockOrder,
    patience: Duration,
) -> (Vec<Result<(), Deadlock>>, (i64, i64)) {
    let accounts = [Mutex::new(100_i64), Mutex::new(100_i64)];
    let names = ["account_a", "account_b"];
    // A rendezvous only for the deadlocking order: it guarantees each thread
    // holds its first lock before trying the second.
    let both_hold_one = Barrier::new(2);
    let outcomes = thread::scope(|s| {
        let handles: Vec<_> = [("thread A", 0_usize, 1_usize), ("thread B", 1, 0)]
            .into_iter()
            .map(|(thread, from, to)| {
                let (accounts, both_hold_one) = (&accounts, &both_hold_one);
                s.spawn(move || {
                    let (first, second) = match order {
                        LockOrder::Opposite => (from, to),
                        // New: the lower index first, whatever the direction.
                        LockOrder::Global => (from.min(to), from.max(to)),
                    };
                    let mut first_guard =
                        accounts[first].lock().unwrap_or_else(|p| p.into_inner());
                    if order == LockOrder::Opposite {
                        both_hold_one.wait();
                    }
                    let Some(mut second_guard) =
                        lock_before(&accounts[second], Instant::now() + patience)
                    else {
                        return Err(Deadlock {
                            thread,
                            holding: names[first],
                            waiting_for: names[second],
                        });
                    };
                    let (from_guard, to_guard) = if first == from {
                        (&mut first_guard, &mut second_guard)
                    } else {
                        (&mut second_guard, &mut first_guard)
                    };
                    **from_guard -= 10;
                    **to_guard += 10;
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("the transfer threads do not panic"))
            .collect()
    });
    let [a, b] = accounts.map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()));
    (outcomes, (a, b))
}

/// Prints section 12.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let patience =
        config.scale.pick(Duration::from_millis(200), Duration::from_millis(20));
    println!(
        "Opposite lock order (A: a then b; B: b then a), patience {}:",
        HumanDuration(patience)
    );
    let (outcomes, balances) = transfer(LockOrder::Opposite, patience);
    for outcome in &outcomes {
        match outcome {
            Ok(()) => println!("  transfer done"),
            Err(d) => println!(
                "  DEADLOCK detected: {} holds {} and waits for {} — giving up",
                d.thread, d.holding, d.waiting_for
            ),
        }
    }
    println!(
        "  balances a = {}, b = {} (total {}): a thread that gave up moved nothing, no\n\
         \x20 money was lost, and the program went on instead of hanging.",
        balances.0,
        balances.1,
        balances.0 + balances.1
    );

    println!("\nSame order in both threads (a, then b):");
    let (outcomes, balances) = transfer(LockOrder::Global, patience);
    let done = outcomes.iter().filter(|o| o.is_ok()).count();
    println!(
        "  {done} of 2 transfers done, balances a = {}, b = {} (total still {}).",
        balances.0,
        balances.1,
        balances.0 + balances.1
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opposite_order_is_detected_and_returns() {
        let (outcomes, balances) =
            transfer(LockOrder::Opposite, Duration::from_millis(20));
        // At least one thread must detect it; the other may then get through
        // once the first gives up and releases its lock.
        assert!(outcomes.iter().any(Result::is_err), "{outcomes:?}");
        assert_eq!(balances.0 + balances.1, 200, "money is never created or lost");
    }

    #[test]
    fn consistent_order_never_deadlocks() {
        for _ in 0..20 {
            let (outcomes, balances) =
                transfer(LockOrder::Global, Duration::from_secs(5));
            assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
            assert_eq!(balances, (100, 100), "A moved 10 to B and B moved 10 to A");
        }
    }
}
