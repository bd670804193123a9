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
//!
//! The rest of the module is [`ProcessPool`], Python's `multiprocessing.Pool`
//! with real processes: [`process`] is the parent's side, [`worker`] the
//! child's, [`frame`] the bytes between them.

use std::num::NonZeroUsize;

pub mod frame;
pub mod process;
mod protocol;
pub mod worker;

pub use process::{
    Imap, PoolStats, ProcessPool, ProcessPoolBuilder, TaskError, TaskHandle,
};
pub use worker::serve;

/// The text of a panic payload: `panic!("…")` carries a `&'static str` or a
/// `String`; anything else (from `std::panic::panic_any`) has no message.
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("boom {}", 7)).unwrap_err();
/// assert_eq!(common::pool::panic_message(payload.as_ref()), "boom 7");
/// ```
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic without a message)".to_string()
    }
}

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
