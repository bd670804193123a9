//! Section 11: `Mutex` vs `RwLock` vs atomics — which to pick.
//!
//! * [`Mutex<T>`]: one thread at a time, readers and writers alike. The
//!   default choice: simple, and fast when critical sections are short.
//! * [`RwLock<T>`]: any number of readers *or* one writer. Wins when reads
//!   are long or very frequent and writes rare (a config, a cache).
//! * Atomics ([`AtomicU64`] …): a single number (counter, flag, max) with no
//!   lock at all. Cannot protect two values that must change together.
//! * Channels: when data should *move* to another thread rather than be
//!   shared.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError, RwLock};
use std::thread;
use std::time::Duration;

use common::report::Table;

use crate::Config;

/// What the reader/writer demo observed.
#[derive(Debug, Clone, Copy)]
pub struct RwRun {
    /// The most readers holding the read lock at the same instant.
    pub peak_readers: usize,
    /// Reads that saw a half-written (inconsistent) pair: must be 0.
    pub torn_reads: usize,
    /// The writer's final version.
    pub version: u64,
}

/// The reader/writer demo's workload.
#[derive(Debug, Clone, Copy)]
pub struct ReadersAndWriter {
    /// Reader threads.
    pub readers: usize,
    /// Reads each reader makes.
    pub reads_each: usize,
    /// Updates the one writer makes.
    pub writes: u64,
    /// How long each read holds the read lock.
    pub hold: Duration,
}

/// `readers` threads read a `(version, version * 2)` pair, `reads_each`
/// times each, holding the read lock for `hold`; one writer updates it
/// `writes` times. Every read must see a consistent pair.
pub fn readers_and_writer(load: ReadersAndWriter) -> RwRun {
    let ReadersAndWriter { readers, reads_each, writes, hold } = load;
    let pair = RwLock::new((0_u64, 0_u64));
    let inside = AtomicUsize::new(0);
    let peak = AtomicUsize::new(0);
    let torn = AtomicUsize::new(0);
    thread::scope(|s| {
        for _ in 0..readers {
            s.spawn(|| {
                for _ in 0..reads_each {
                    let guard = pair.read().unwrap_or_else(PoisonError::into_inner);
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    thread::sleep(hold);
                    if guard.1 != guard.0 * 2 {
                        torn.fetch_add(1, Ordering::SeqCst);
                    }
                    inside.fetch_sub(1, Ordering::SeqCst);
                }
            });
        }
        s.spawn(|| {
            for v in 1..=writes {
                let mut guard = pair.write().unwrap_or_else(PoisonError::into_inner);
                guard.0 = v; // between these two lines the pair is inconsistent,
                guard.1 = v * 2; // but no reader can see it: the write lock is exclusive
            }
        });
    });
    let version = pair.into_inner().unwrap_or_else(PoisonError::into_inner).0;
    RwRun { peak_readers: peak.into_inner(), torn_reads: torn.into_inner(), version }
}

/// The same counter three ways; returns the three totals.
pub fn three_counters(threads: u64, per_thread: u64) -> [u64; 3] {
    let atomic = AtomicU64::new(0);
    let mutex = Mutex::new(0_u64);
    let rwlock = RwLock::new(0_u64);
    thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..per_thread {
                    atomic.fetch_add(1, Ordering::Relaxed);
                    *mutex.lock().unwrap_or_else(PoisonError::into_inner) += 1;
                    *rwlock.write().unwrap_or_else(PoisonError::into_inner) += 1;
                }
            });
        }
    });
    [
        atomic.into_inner(),
        mutex.into_inner().unwrap_or_else(PoisonError::into_inner),
        rwlock.into_inner().unwrap_or_else(PoisonError::into_inner),
    ]
}

/// Prints section 11.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let hold = config.scale.pick(Duration::from_millis(1), Duration::from_micros(100));
    let load = ReadersAndWriter { readers: 4, reads_each: 20, writes: 50, hold };
    let run = readers_and_writer(load);
    println!(
        "RwLock: {} readers × {} reads while a writer makes {} updates:\n\
         peak readers inside at once = {} (shared), torn reads = {} (the writer is exclusive),\n\
         final version = {}.\n",
        load.readers,
        load.reads_each,
        load.writes,
        run.peak_readers,
        run.torn_reads,
        run.version
    );
    let [atomic, mutex, rwlock] = three_counters(4, 10_000);
    println!(
        "One counter, 4 threads × 10000: AtomicU64 {atomic}, Mutex {mutex}, RwLock {rwlock}.\n"
    );

    let mut table = Table::new(["need", "pick", "why"]);
    table.left_align(1).left_align(2);
    table.row([
        "one number (count, flag, max)",
        "AtomicU64 / AtomicBool",
        "no lock; one instruction",
    ]);
    table.row([
        "several values that change together",
        "Mutex<T>",
        "simple; short sections",
    ]);
    table.row(["read often, write rarely", "RwLock<T>", "readers run in parallel"]);
    table.row(["hand work or results to another thread", "channel", "no sharing at all"]);
    table.row([
        "data each thread only reads",
        "&T in thread::scope / Arc<T>",
        "immutable: no lock",
    ]);
    print!("{table}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_never_seen_half_done() {
        let run = readers_and_writer(ReadersAndWriter {
            readers: 3,
            reads_each: 10,
            writes: 100,
            hold: Duration::ZERO,
        });
        assert_eq!(run.torn_reads, 0);
        assert_eq!(run.version, 100);
        assert!(run.peak_readers >= 1);
    }

    #[test]
    fn all_three_counters_are_exact() {
        assert_eq!(three_counters(4, 5_000), [20_000; 3]);
    }
}
