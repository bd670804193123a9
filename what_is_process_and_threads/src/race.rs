//! Section 7: a race condition that really loses updates, and two fixes.
//!
//! Python's `counter += 1` is three steps — read, add, write. Two threads
//! that both read 41 both write 42, and one increment is lost. (On CPython
//! 3.13 the notebook's saved run printed 500000 anyway: the GIL rarely
//! switches in the middle of that line. Rarely is not never.)
//!
//! ## The Python version does not compile in Rust
//!
//! Two threads mutating one plain integer is a *data race*, and Rust rejects
//! it at compile time — the closures would both need `&mut counter` at once:
//!
//! ```compile_fail,E0499
//! let mut counter = 0;
//! std::thread::scope(|s| {
//!     s.spawn(|| for _ in 0..100_000 { counter += 1 }); // first &mut borrow
//!     s.spawn(|| for _ in 0..100_000 { counter += 1 }); // error[E0499]: second
//! });
//! ```
//!
//! To share it you must pick a synchronised type: [`mutex_counter`] or
//! [`atomic_counter`]. With those, the compiler is satisfied *and* the
//! answer is right.
//!
//! ## Losing updates on purpose
//!
//! Rust will let you write the *logical* race with atomics: each `load` and
//! `store` is individually safe (no undefined behaviour), but nothing makes
//! the pair atomic. [`racy_counter`] does exactly what Python's `+=` does —
//! read, add one, write back — and it loses updates, on one core too: every
//! [`YIELD_EVERY`]th increment gives the CPU away between the read and the
//! write, as the end of a time slice would.
//! The multithreading chapter model-checks this with loom.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Barrier, Mutex};

use common::verdict::plural;

use crate::Config;

/// The notebook's numbers: 5 threads × 100 000 increments.
pub const THREADS: u64 = 5;
/// Increments per thread.
pub const INCREMENTS: u64 = 100_000;

/// Runs `threads` threads that each call `increment` `per_thread` times, all
/// released at once by a [`Barrier`] so they really overlap (without it, the
/// first thread could finish before the last one starts).
fn hammer(threads: u64, per_thread: u64, increment: impl Fn() + Sync) {
    let start = Barrier::new(threads as usize);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                start.wait();
                for _ in 0..per_thread {
                    increment();
                }
            });
        }
    });
}

/// UNSAFE VERSION: `load`, add one, `store` — Python's `counter += 1`.
/// Returns the final count, which can be **less** than
/// `threads × per_thread` (never more: a lost update only ever loses).
pub fn racy_counter(threads: u64, per_thread: u64) -> u64 {
    let counter = AtomicU64::new(0);
    hammer(threads, per_thread, || {
        let seen = counter.load(Ordering::Relaxed);
        // ← another thread may store here; our store below overwrites it.
        // On one core that happens only when this thread's time slice ends
        // right here, which is rare; every YIELD_EVERY-th increment gives
        // the CPU away at this point on purpose, as a slice end would, so
        // the race shows on any machine.
        thread_local!(static DONE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
        if DONE.replace(DONE.get() + 1) % YIELD_EVERY == YIELD_EVERY - 1 {
            std::thread::yield_now();
        }
        counter.store(seen + 1, Ordering::Relaxed);
    });
    counter.into_inner()
}

/// How often [`racy_counter`] yields the CPU between its load and its store.
pub const YIELD_EVERY: u64 = 128;

/// SAFE VERSION 1: Python's `with lock: counter += 1`. The guard returned by
/// `lock()` unlocks when it goes out of scope, so the read-add-write happens
/// with no other thread inside.
pub fn mutex_counter(threads: u64, per_thread: u64) -> u64 {
    let counter = Mutex::new(0_u64);
    hammer(threads, per_thread, || {
        // A poisoned lock would mean another incrementer panicked: impossible here.
        *counter.lock().expect("no incrementer panics") += 1;
    });
    counter.into_inner().expect("no incrementer panics")
}

/// SAFE VERSION 2: one indivisible read-modify-write instruction
/// (`lock xadd` on x86). No lock at all, and the fastest of the three;
/// `Relaxed` suffices because only the final total matters, not the order
/// relative to other memory.
pub fn atomic_counter(threads: u64, per_thread: u64) -> u64 {
    let counter = AtomicU64::new(0);
    hammer(threads, per_thread, || {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    counter.into_inner()
}

/// Prints section 7.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let per_thread = config.scale.pick(INCREMENTS, INCREMENTS / 10);
    let expected = THREADS * per_thread;
    println!("\nUNSAFE VERSION (Race Condition): load, add 1, store — three runs:");
    let mut lost_in_runs = Vec::new();
    for run in 1..=3 {
        let counter = racy_counter(THREADS, per_thread);
        let lost = expected - counter;
        println!(
            "  run {run}: Counter value: {counter} (Expected: {expected}) → {} lost",
            plural(lost, "update")
        );
        lost_in_runs.push(lost);
    }
    let losing = lost_in_runs.iter().filter(|&&lost| lost > 0).count();
    if losing > 0 {
        println!(
            "  {losing} of 3 runs lost updates: two threads read the same value, both\n\
             \x20 stored value + 1, and one increment vanished. (Every {YIELD_EVERY}th \
             increment\n\
             \x20 yields the CPU between its read and its write, as the end of a time slice\n\
             \x20 would, so this shows on one core too.)"
        );
    } else {
        println!(
            "  No run lost an update this time: the threads never interleaved between\n\
             \x20 a read and its write. That proves nothing — nothing prevents it."
        );
    }
    println!("\nSAFE VERSION (With Lock): Mutex<u64>");
    println!(
        "  Counter value: {} (Expected: {expected})",
        mutex_counter(THREADS, per_thread)
    );
    println!("\nSAFE VERSION (Atomic): AtomicU64::fetch_add");
    println!(
        "  Counter value: {} (Expected: {expected})",
        atomic_counter(THREADS, per_thread)
    );
    println!(
        "\nThe Python original — a plain `counter += 1` from 5 threads — does not even\n\
         compile in Rust (error E0499: two mutable borrows; see the compile_fail example\n\
         in src/race.rs). The type system makes you choose Mutex or an atomic."
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_counters_are_exact() {
        assert_eq!(mutex_counter(THREADS, INCREMENTS), 500_000);
        assert_eq!(atomic_counter(THREADS, INCREMENTS), 500_000);
    }

    #[test]
    fn racy_counter_never_exceeds_the_expected_total() {
        // Whether updates are lost depends on the scheduler, so the test
        // asserts only what must always hold.
        for _ in 0..3 {
            let counter = racy_counter(THREADS, INCREMENTS);
            assert!(counter <= 500_000, "{counter}");
            // The last store is always `seen + 1`, so the counter is never 0.
            assert!(counter > 0);
        }
    }
}
