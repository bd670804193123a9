//! Section 16: the race, model-checked.
//!
//! The counter lesson of chapter 244 — read, add, write from several threads
//! loses updates — is easy to *demonstrate* and impossible to *test* by
//! running it: a lost update depends on the scheduler, and a test that passes
//! a thousand times proves nothing about the thousand-and-first.
//!
//! [loom](https://docs.rs/loom) does what running cannot: it executes a
//! small concurrent program under **every** interleaving the memory model
//! allows and fails if any of them breaks an assertion. To make that
//! possible the code under test uses loom's versions of `Arc`, `Mutex` and
//! the atomics when compiled with `--cfg loom`, and std's otherwise — the
//! small `sync` shim below. `tests/loom.rs` then proves [`RacyCounter`]
//! wrong (loom finds the interleaving that loses an update) and
//! [`AtomicCounter`] and [`MutexCounter`] right:
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p multithreading --test loom --release --target-dir target/loom
//! ```

/// std's primitives normally, loom's under `--cfg loom`. Everything in this
/// module reaches them through here, so the same code is run for real and
/// model-checked.
mod sync {
    #[cfg(loom)]
    pub(crate) use loom::sync::Mutex;
    #[cfg(loom)]
    pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
    #[cfg(not(loom))]
    pub(crate) use std::sync::Mutex;
    #[cfg(not(loom))]
    pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};
}

use sync::{AtomicUsize, Mutex, Ordering};

/// A shared counter; the three implementations differ only in `increment`.
pub trait Counter: Send + Sync {
    /// Adds one.
    fn increment(&self);
    /// The current value.
    fn get(&self) -> usize;
}

/// WRONG: `load`, then `store(seen + 1)` — Python's `counter += 1`. Each
/// operation is atomic; the pair is not.
#[derive(Debug, Default)]
pub struct RacyCounter {
    value: AtomicUsize,
}

/// RIGHT: one indivisible `fetch_add`.
#[derive(Debug, Default)]
pub struct AtomicCounter {
    value: AtomicUsize,
}

/// RIGHT: read-add-write inside a lock.
#[derive(Debug, Default)]
pub struct MutexCounter {
    value: Mutex<usize>,
}

impl RacyCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self { value: AtomicUsize::new(0) }
    }
}

impl AtomicCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self { value: AtomicUsize::new(0) }
    }
}

impl MutexCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self { value: Mutex::new(0) }
    }
}

impl Counter for RacyCounter {
    fn increment(&self) {
        let seen = self.value.load(Ordering::SeqCst);
        // ← another thread can store between these two lines
        self.value.store(seen + 1, Ordering::SeqCst);
    }
    fn get(&self) -> usize {
        self.value.load(Ordering::SeqCst)
    }
}

impl Counter for AtomicCounter {
    fn increment(&self) {
        self.value.fetch_add(1, Ordering::SeqCst);
    }
    fn get(&self) -> usize {
        self.value.load(Ordering::SeqCst)
    }
}

impl Counter for MutexCounter {
    fn increment(&self) {
        *self.value.lock().expect("no incrementer panics while holding the lock") += 1;
    }
    fn get(&self) -> usize {
        *self.value.lock().expect("no incrementer panics while holding the lock")
    }
}

/// Runs `threads` scoped threads × `per_thread` increments on `counter` and
/// returns the final value. (Under `--cfg loom` this compiles but must not
/// be called: loom's types work only inside `loom::model`, see `tests/loom.rs`.)
pub fn hammer(counter: &dyn Counter, threads: usize, per_thread: usize) -> usize {
    let start = std::sync::Barrier::new(threads);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                start.wait(); // all start together, so they really overlap
                for _ in 0..per_thread {
                    counter.increment();
                }
            });
        }
    });
    counter.get()
}

/// Prints section 16.
pub fn show(config: &crate::Config) -> anyhow::Result<()> {
    let (threads, per_thread) = (4, config.scale.pick(100_000, 10_000));
    let expected = threads * per_thread;
    println!("{threads} threads × {per_thread} increments (expected {expected}):");
    let racy = hammer(&RacyCounter::new(), threads, per_thread);
    let lost = expected - racy;
    println!("  RacyCounter   (load + store): {racy:>7}   {lost} lost");
    println!(
        "  AtomicCounter (fetch_add):    {:>7}",
        hammer(&AtomicCounter::new(), threads, per_thread)
    );
    println!(
        "  MutexCounter  (lock):         {:>7}",
        hammer(&MutexCounter::new(), threads, per_thread)
    );
    println!(
        "\nThis run lost {}{}: running shows a race only when the\n\
         scheduler cooperates. loom explores every interleaving of 2 threads × 1\n\
         increment and finds the losing one every time:\n\
         \x20 RUSTFLAGS=\"--cfg loom\" cargo test -p multithreading --test loom --release \\\n\
         \x20     --target-dir target/loom\n\
         tests/loom.rs: racy_counter_loses_an_update (expects loom's panic \"lost update\"),\n\
         atomic_counter_never_loses, mutex_counter_never_loses.",
        if lost == 0 {
            "none".to_string()
        } else {
            common::verdict::plural(lost as u64, "update")
        },
        if lost == 0 { "" } else { "\n(another run may lose none)" }
    );
    Ok(())
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn safe_counters_are_exact() {
        assert_eq!(hammer(&AtomicCounter::new(), 4, 10_000), 40_000);
        assert_eq!(hammer(&MutexCounter::new(), 4, 10_000), 40_000);
    }

    #[test]
    fn racy_counter_never_gains() {
        let value = hammer(&RacyCounter::new(), 4, 10_000);
        assert!((1..=40_000).contains(&value), "{value}");
    }
}
