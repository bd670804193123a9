//! How many workers? The module README's "Performance Tips", as functions.
//!
//! * **CPU-bound work** cannot go faster than the number of cores that run it:
//!   more workers than cores only add switching. So [`cpu_workers`] is the
//!   machine's [`available_parallelism`](std::thread::available_parallelism)
//!   (which also honours cgroup and affinity limits in containers). It is what
//!   Python's `multiprocessing.Pool()` uses by default (`os.cpu_count()`).
//! * **I/O-bound work** spends its time waiting, not computing, so workers
//!   can outnumber cores: while one waits for a socket, others run. The
//!   README suggests 5–10; Python's `ThreadPoolExecutor` defaults to
//!   `min(32, cpu_count + 4)`. [`io_workers`] uses Python's formula, and
//!   [`io_workers_for`] never starts more workers than there are tasks.
//!
//! Both are starting points, to be measured (the executors chapter sweeps the
//! worker count and shows where each kind of work levels off).

use std::num::NonZeroUsize;

/// Workers for CPU-bound work: the number of cores this process may use
/// (at least 1).
///
/// ```
/// assert!(common::pool::cpu_workers() >= 1);
/// ```
pub fn cpu_workers() -> usize {
    std::thread::available_parallelism().map(NonZeroUsize::get).unwrap_or(1)
}

/// Workers for I/O-bound work: Python's `ThreadPoolExecutor` default,
/// `min(32, cores + 4)`.
///
/// ```
/// let n = common::pool::io_workers();
/// assert!((5..=32).contains(&n));
/// ```
pub fn io_workers() -> usize {
    (cpu_workers() + 4).min(32)
}

/// Workers for `tasks` I/O-bound tasks: [`io_workers`], but never more than
/// the tasks themselves (an idle thread still costs a stack) and at least 1.
///
/// ```
/// assert_eq!(common::pool::io_workers_for(3), 3);
/// assert_eq!(common::pool::io_workers_for(0), 1);
/// ```
pub fn io_workers_for(tasks: usize) -> usize {
    io_workers().min(tasks).max(1)
}
