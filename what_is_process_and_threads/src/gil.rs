//! Section 3: the Global Interpreter Lock, **measured** instead of described.
//!
//! CPython lets only the thread holding the GIL run Python bytecode. A thread
//! that wants it waits; every *switch interval* (5 ms, `sys.getswitchinterval()`)
//! the holder is asked to let go, and the waiter takes its turn. So CPU-bound
//! Python threads take turns on one core — **concurrency** — and never run
//! at the same instant — **parallelism**.
//!
//! Rust has no GIL. To *see* the difference we build one: [`Gil`] is a fair
//! lock (first come, first served, like CPython's hand-off) that a
//! [`GilMode::Simulated`] worker must hold while computing and gives up every
//! [`SWITCH_INTERVAL`]. The same workers in [`GilMode::Free`] just compute.
//! Same work, same result ([`run`] checks it), and the timelines show the
//! interleaving on one side and the parallel bars on the other.
//!
//! What to expect: the simulated-GIL run takes about as long as running the
//! work serially (1×, a little worse for the hand-offs); free threads are
//! faster by up to the number of cores *this run may use*. Every sentence
//! the section prints about those numbers is computed from them
//! ([`common::verdict`]): pinned to one CPU, or with the cores busy with
//! other work, it says that the speedup did not show, and why.

use std::hint::black_box;
use std::time::{Duration, Instant};

use common::report::Comparison;
use common::timeline::{Timeline, peak_overlap};
use common::timing::{HumanDuration, time};
use common::verdict::compare;

use crate::Config;
use crate::support::gil_readout::{free_meaning, gil_meaning};
pub use crate::support::simulated_gil::{Gil, GilGuard};

/// CPython's default `sys.getswitchinterval()`.
pub const SWITCH_INTERVAL: Duration = Duration::from_millis(5);

/// How the worker threads run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GilMode {
    /// Each worker must hold the shared [`Gil`] while it computes, and
    /// releases it every [`SWITCH_INTERVAL`]: CPython's rule.
    Simulated,
    /// No global lock: Rust's rule.
    Free,
}

/// One unit of CPU-bound work: 20 000 steps of a xorshift generator.
/// `black_box` stops the optimiser from computing the answer at compile
/// time, so the loop really runs.
pub fn work_unit(seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x = black_box(x);
    }
    x
}

/// The work of thread `index`: `units` work units folded into a checksum.
/// `between_units` runs after each unit: the simulated GIL uses it as
/// CPython's eval loop uses its "should I drop the GIL?" check.
fn thread_work(index: usize, units: u64, mut between_units: impl FnMut()) -> u64 {
    let mut checksum = 0_u64;
    for unit in 0..units {
        checksum = checksum.wrapping_add(work_unit((index as u64) << 32 | unit));
        between_units();
    }
    checksum
}

/// Every thread's work, done one thread-load after another on the calling
/// thread: the serial baseline.
pub fn run_serial(threads: usize, units: u64) -> Vec<u64> {
    (0..threads).map(|i| thread_work(i, units, || ())).collect()
}

/// Runs `threads` workers of `units` work units each, in `mode`, recording
/// every stretch of computing on `timeline`. Returns each worker's checksum.
pub fn run(mode: GilMode, threads: usize, units: u64, timeline: &Timeline) -> Vec<u64> {
    let gil = Gil::default();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let gil = &gil;
                let lane = format!("thread-{}", i + 1);
                std::thread::Builder::new()
                    .name(lane.clone())
                    .spawn_scoped(s, move || match mode {
                        GilMode::Free => {
                            timeline.span(&lane, &lane, || thread_work(i, units, || ()))
                        }
                        GilMode::Simulated => {
                            let mut guard = Some(gil.acquire());
                            let mut slice_start = Instant::now();
                            let checksum = thread_work(i, units, || {
                                // Like CPython's eval loop: between units of work,
                                // check whether our 5 ms are up; if so, let the
                                // next thread in and queue for another turn.
                                if slice_start.elapsed() >= SWITCH_INTERVAL {
                                    timeline.record(
                                        &lane,
                                        &lane,
                                        slice_start,
                                        Instant::now(),
                                    );
                                    drop(guard.take());
                                    guard = Some(gil.acquire());
                                    slice_start = Instant::now();
                                }
                            });
                            timeline.record(&lane, &lane, slice_start, Instant::now());
                            checksum
                        }
                    })
                    .expect(
                        "spawning a thread fails only when the OS is out of resources",
                    )
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("the work loop has no panicking operation"))
            .collect()
    })
}

/// Threads used by the demo: 4, as the later chapters' "four sums".
pub const THREADS: usize = 4;

/// Prints section 3.
pub fn show(config: &Config) -> anyhow::Result<()> {
    println!(
        "What is the GIL? A mutex in CPython: only the thread holding it runs Python\n\
         bytecode, even on a multi-core machine. Every {} the holder is asked to\n\
         release it so another thread can run.\n",
        HumanDuration(SWITCH_INTERVAL)
    );
    println!(
        "Impact (Python):\n\
         - Threads don't provide true parallelism for CPU-bound tasks\n\
         - Threads ARE useful for I/O-bound tasks (waiting releases the GIL)\n\
         - Processes bypass the GIL: each has its own interpreter and its own GIL\n"
    );
    println!(
        "Rust has no GIL. Below, the same CPU-bound work runs three ways: serially,\n\
         on {THREADS} threads that must share a simulated GIL (a fair lock handed over every\n\
         {}), and on {THREADS} free threads. Cores available: {}.\n",
        HumanDuration(SWITCH_INTERVAL),
        common::pool::cpu_workers()
    );

    let units = config.scale.pick(1600, 40);
    let ((serial, serial_time), contention) =
        common::verdict::watch(|| time(|| run_serial(THREADS, units)));
    let gil_timeline = Timeline::new();
    let (with_gil, gil_time) =
        time(|| run(GilMode::Simulated, THREADS, units, &gil_timeline));
    let free_timeline = Timeline::new();
    let ((free, free_time), free_contention) = common::verdict::watch(|| {
        time(|| run(GilMode::Free, THREADS, units, &free_timeline))
    });
    // The free run is the one that needs the cores: report what it met,
    // unless the serial run met something worse.
    let contention = if free_contention.cpus_free() <= contention.cpus_free() {
        free_contention
    } else {
        contention
    };

    let check = |result: &Vec<u64>| {
        if *result == serial { "✓ same result" } else { "✗ DIFFERENT RESULT" }
    };
    let mut table = Comparison::new("serial (1 thread)", serial_time);
    table.add_with_note(
        format!("{THREADS} threads + simulated GIL"),
        gil_time,
        check(&with_gil),
    );
    table.add_with_note(
        format!("{THREADS} free threads (Rust)"),
        free_time,
        check(&free),
    );
    println!("{table}");

    println!(
        "With the simulated GIL — CONCURRENCY: the threads take turns, one at a time:"
    );
    println!("{}", gil_timeline.render(64));
    let gil = compare(serial_time, gil_time);
    println!("Simulated GIL vs serial: {gil}.\n{}", gil_meaning(gil.verdict));

    let peak = peak_overlap(&free_timeline.spans());
    let at_once = match common::pool::cpu_workers().min(THREADS) {
        1 => "only 1 of them at any instant (this process may use 1 CPU)".to_string(),
        n => format!("up to {n} of them at any instant"),
    };
    println!(
        "\nFree threads — no lock: the OS may run {at_once}.\n\
         In this run at most {peak} of the {THREADS} bars overlap:"
    );
    println!("{}", free_timeline.render(64));
    let free_cmp = compare(serial_time, free_time);
    println!(
        "Free threads vs serial: {free_cmp}.\n{}",
        free_meaning(free_cmp, compare(gil_time, free_time), &contention)
    );
    if let Some(beyond) = contention.beyond_cores(free_cmp.ratio, THREADS) {
        println!("({beyond}.)");
    }
    println!(
        "(Overlapping bars only say the threads were in progress at once; a speedup\n\
         says they computed at once.)\n"
    );
    println!(
        "When to use what, in Python:\n\
         - I/O-bound (network, file): THREADS (faster, easier)\n\
         - CPU-bound (calculations): PROCESSES (true parallelism)\n\
         - Mixed: a PROCESS POOL for CPU + a THREAD POOL for I/O\n\
         In Rust, threads serve both; section 9 says when processes still win."
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gil_and_free_threads_compute_the_serial_result() {
        let serial = run_serial(3, 5);
        assert_eq!(run(GilMode::Simulated, 3, 5, &Timeline::new()), serial);
        assert_eq!(run(GilMode::Free, 3, 5, &Timeline::new()), serial);
    }

    #[test]
    fn simulated_gil_never_lets_two_threads_compute_at_once() {
        // Spans recorded under the GIL must not overlap in time: that is the
        // whole point of a global lock. (Free-thread spans may overlap.)
        let timeline = Timeline::new();
        run(GilMode::Simulated, 3, 60, &timeline);
        let spans = timeline.spans();
        for pair in spans.windows(2) {
            assert!(
                pair[0].end <= pair[1].start,
                "overlap: {:?} and {:?}",
                pair[0],
                pair[1]
            );
        }
    }
}
