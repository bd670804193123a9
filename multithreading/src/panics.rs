//! Section 13: a panicking thread, and a poisoned lock.
//!
//! Python: an exception in a thread is printed by `threading.excepthook` and
//! then lost; `join()` returns normally and the caller never knows. Rust:
//! the panic unwinds that thread only, and [`JoinHandle::join`] returns it as
//! an `Err` carrying the panic payload — the caller must look at it.
//!
//! If the thread panicked while holding a `Mutex` guard, the mutex is marked
//! **poisoned**: the data may be half-updated, so the next `lock()` returns
//! `Err(PoisonError)` instead of pretending all is well. You decide: give
//! up, or take the data with `into_inner()` after checking it, and
//! `clear_poison()`.

use std::sync::Mutex;
use std::thread::{self, JoinHandle};

/// The text of a panic payload (`panic!` with a literal gives `&str`, with
/// formatting a `String`): a downcast of the `Box<dyn Any + Send>` that
/// `join` returns. It lives in `common` because the process pool's workers
/// need the same thing to send a panic back to the parent.
pub use common::pool::panic_message as message;

/// Spawns a worker that panics; returns what `join` reported.
pub fn panicking_worker() -> Result<u32, String> {
    let handle: JoinHandle<u32> = thread::Builder::new()
        .name("doomed".into())
        .spawn(|| {
            let parsed: Result<u32, _> = "not a number".parse::<u32>();
            match parsed {
                Ok(n) => n,
                Err(e) => panic!("worker failed to parse its input: {e}"),
            }
        })
        .expect("spawning a thread fails only when the OS is out of resources");
    handle.join().map_err(|payload| message(&*payload))
}

/// What the poisoning demo observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poisoned {
    /// The panic message the writer died with.
    pub panic: String,
    /// Whether the next `lock()` reported poisoning.
    pub was_poisoned: bool,
    /// The data as the dead writer left it.
    pub data: Vec<u32>,
    /// Whether the lock is usable normally after `clear_poison`.
    pub recovered: bool,
}

/// A writer panics halfway through an update under the lock.
pub fn poisoning() -> Poisoned {
    let ledger = Mutex::new(vec![1, 2, 3]);
    let panic = thread::scope(|s| {
        s.spawn(|| {
            let mut guard = ledger.lock().expect("fresh lock");
            guard.push(4); // first half of an update…
            panic!("writer crashed mid-update"); // …the second half never happens
        })
        .join()
        .map_err(|payload| message(&*payload))
        .expect_err("the writer always panics")
    });
    let (was_poisoned, data) = match ledger.lock() {
        Ok(guard) => (false, guard.clone()),
        Err(poisoned) => (true, poisoned.into_inner().clone()),
    };
    ledger.clear_poison();
    Poisoned { panic, was_poisoned, data, recovered: ledger.lock().is_ok() }
}

/// Prints section 13.
pub fn show(_config: &crate::Config) -> anyhow::Result<()> {
    println!(
        "(The default panic hook prints each panic on stderr; the lines below are ours.)"
    );
    match panicking_worker() {
        Ok(n) => println!("worker returned {n}"),
        Err(msg) => println!("join() returned Err — the panic surfaced: \"{msg}\""),
    }
    let run = poisoning();
    println!(
        "\nA writer panicked holding the lock (\"{}\").\n\
         next lock(): poisoned = {}; data as left = {:?} (half-updated!)\n\
         after checking it and clear_poison(): lock() works again = {}",
        run.panic, run.was_poisoned, run.data, run.recovered
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_surfaces_through_join() {
        let err = panicking_worker().expect_err("the worker panics");
        assert!(err.contains("worker failed to parse its input"), "{err}");
    }

    #[test]
    fn poisoning_is_reported_and_recoverable() {
        let run = poisoning();
        assert!(run.was_poisoned);
        assert_eq!(run.data, [1, 2, 3, 4]);
        assert!(run.recovered);
        assert_eq!(run.panic, "writer crashed mid-update");
    }
}
