//! Section 6: CPU-bound vs I/O-bound work, and what threads do to each.
//!
//! Python: `cpu_bound_task(10_000_000)` sums `range(n)`; `io_bound_task(2)`
//! sleeps. The notebook only times each once; the lesson it states is that
//! threads help the second and not the first, because of the GIL.
//!
//! Here both are also run on threads. In Rust **both speed up**: the I/O
//! tasks because waiting overlaps (as in Python), the CPU-bound sum because
//! the threads really run on separate cores (unlike Python). The CPU speedup
//! is capped by the number of cores; the I/O speedup is not.

use std::hint::black_box;
use std::time::Duration;

use common::report::Comparison;
use common::timing::{HumanDuration, best_of, time};
use common::verdict::{Verdict, compare};

use crate::Config;

/// The notebook's `n`: ten million.
pub const N: u64 = 10_000_000;
/// Ten million additions take Rust a few milliseconds — too short to time
/// threads against (starting them costs tens of microseconds each, and the
/// OS scheduler's noise is of the same order). The thread comparison uses
/// this many instead.
pub const N_FOR_THREADS: u64 = 400_000_000;
/// Threads used for both kinds of work.
pub const THREADS: u64 = 4;

/// Sums `start..end`, one number at a time.
///
/// A plain `(start..end).sum()` would measure nothing: the optimiser
/// recognises the loop and replaces it with Gauss's `n(n-1)/2`. XOR-ing each
/// number with `salt` — a zero the compiler cannot see through, thanks to
/// [`black_box`] — keeps the result the same and the loop real. (The loop is
/// still vectorised: four additions per instruction. That is Rust being
/// fast, not cheating.)
///
/// `inline(never)`: the serial and threaded versions must run the *same*
/// machine code, or the comparison measures the optimiser, not the threads.
#[inline(never)]
pub fn sum_range(start: u64, end: u64) -> u64 {
    let salt = black_box(0_u64);
    let mut total = 0_u64;
    for i in start..end {
        total += i ^ salt;
    }
    total
}

/// `cpu_bound_task(n)`: the sum of `0..n` on one thread.
pub fn cpu_bound_task(n: u64) -> u64 {
    sum_range(0, n)
}

/// The same sum split into `threads` contiguous chunks, one per scoped
/// thread, added up at the end. Scoped threads may borrow local data, and
/// the scope joins them all before returning.
pub fn cpu_bound_threaded(n: u64, threads: u64) -> u64 {
    let chunk = n.div_ceil(threads.max(1));
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (start, end) = ((t * chunk).min(n), ((t + 1) * chunk).min(n));
                s.spawn(move || sum_range(start, end))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("summing cannot panic")).sum()
    })
}

/// `io_bound_task(duration)`: wait, as a network call would, and report.
pub fn io_bound_task(duration: Duration) -> String {
    std::thread::sleep(duration);
    format!("I/O completed in {}", HumanDuration(duration))
}

/// Runs `tasks` I/O-bound tasks on one thread each; returns their messages.
pub fn io_bound_threaded(tasks: usize, duration: Duration) -> Vec<String> {
    std::thread::scope(|s| {
        let handles: Vec<_> =
            (0..tasks).map(|_| s.spawn(move || io_bound_task(duration))).collect();
        handles.into_iter().map(|h| h.join().expect("sleeping cannot panic")).collect()
    })
}

/// The notebook's text block.
pub const KINDS: &str = "\
CPU-BOUND TASKS:
  - Intensive calculations, image processing, data compression, mathematics
  - BEST FOR (Python): Multiprocessing (bypass GIL)
  - BEST FOR (Rust):   threads (no GIL), e.g. rayon; processes for isolation

I/O-BOUND TASKS:
  - Network requests, file operations, database queries, API calls
  - BEST FOR (Python): Threading (simple, efficient)
  - BEST FOR (Rust):   threads, or async for thousands of connections";

/// Prints section 6.
pub fn show(config: &Config) -> anyhow::Result<()> {
    println!("{KINDS}\n");
    println!("Testing CPU-bound with {N} operations...");
    let (sum, took) = time(|| cpu_bound_task(N));
    println!(
        "Time: {}   (sum = {sum}; the notebook's saved Python run: 0.38s)",
        HumanDuration(took)
    );

    let n = config.scale.pick(N_FOR_THREADS, N);
    println!(
        "\nToo quick to compare with threads, so: the sum of 0..{n}, 1 thread vs {THREADS}\n\
         (best of 3 runs each: outside noise only ever adds time):"
    );
    let (sum, serial) = best_of(3, || cpu_bound_task(n));
    let ((threaded_sum, threaded), contention) =
        common::verdict::watch(|| best_of(3, || cpu_bound_threaded(n, THREADS)));
    let mut cpu = Comparison::new("1 thread", serial);
    let check = if threaded_sum == sum { "✓ same sum" } else { "✗ DIFFERENT SUM" };
    cpu.add_with_note(format!("{THREADS} threads"), threaded, check);
    println!("{cpu}");

    let sleep = config.scale.sleep(2.0);
    println!("Testing I/O-bound with a {} sleep...", HumanDuration(sleep));
    let (message, one) = time(|| io_bound_task(sleep));
    println!("Time: {:.2}s   ({message})", one.as_secs_f64());
    let (_, serial_io) = time(|| {
        for _ in 0..THREADS {
            io_bound_task(sleep);
        }
    });
    let (done, threaded_io) = time(|| io_bound_threaded(THREADS as usize, sleep));
    let mut io = Comparison::new(format!("{THREADS} waits, 1 thread"), serial_io);
    io.add_with_note(
        format!("{THREADS} waits, {THREADS} threads"),
        threaded_io,
        format!("{} completed", done.len()),
    );
    println!("{io}");

    let cpu_cmp = compare(serial, threaded);
    let cpu_note = if cpu_cmp.verdict == Verdict::Faster && contention.cpus_allowed > 1 {
        format!(
            "the threads computed in parallel (never more than {} at once:\n  \
             the CPUs this process may use)",
            contention.cpus_allowed
        )
    } else {
        format!("no parallel speedup: {}", contention.reason())
    };
    let cpu_note = match contention.beyond_cores(cpu_cmp.ratio, THREADS as usize) {
        Some(beyond) => format!("{cpu_note};\n  {beyond}"),
        None => cpu_note,
    };
    let io_cmp = compare(serial_io, threaded_io);
    let io_note = if io_cmp.verdict == Verdict::Faster {
        "waiting threads use no core, so no core count caps this".to_string()
    } else {
        format!("the waits did not overlap: {}", contention.reason())
    };
    println!(
        "Rust, this run: the CPU sum on {THREADS} threads was {cpu_cmp}:\n\
         \x20 {cpu_note}.\n\
         The {THREADS} waits on {THREADS} threads were {io_cmp}:\n\
         \x20 {io_note}.\n\
         Python: threads speed up only the I/O — the GIL serialises the CPU loop\n\
         (section 3 showed why), so CPU-bound Python work needs processes."
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notebook_sum() {
        assert_eq!(cpu_bound_task(N), 49_999_995_000_000);
    }

    #[test]
    fn the_big_sum_fits_in_u64() {
        // n(n-1)/2 for n = 4 × 10^8 is 8 × 10^16, far below u64::MAX ≈ 1.8 × 10^19.
        assert_eq!(cpu_bound_threaded(N_FOR_THREADS, THREADS), 79_999_999_800_000_000);
    }

    #[test]
    fn threaded_sum_matches_for_awkward_splits() {
        for (n, threads) in [(0, 3), (1, 4), (10, 3), (1_000_003, 7), (5, 8)] {
            assert_eq!(
                cpu_bound_threaded(n, threads),
                cpu_bound_task(n),
                "n={n} threads={threads}"
            );
        }
    }

    #[test]
    fn io_threads_each_return_one_message() {
        let done = io_bound_threaded(5, Duration::from_millis(1));
        assert_eq!(done.len(), 5);
        assert!(done.iter().all(|m| m.starts_with("I/O completed")));
    }
}
