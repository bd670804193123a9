//! The tasks that pool workers run.
//!
//! Python's `pool.map(square, numbers)` pickles *a reference to the function*
//! (its module and name) and the worker imports it. Rust cannot send code to
//! another process, so a task is data: an enum variant names the function,
//! its fields are the arguments, and the worker's `match` below is the
//! lookup. The compiler checks that every task has a handler.
//!
//! Each pool has one task type and one result type, and the worker binary
//! serves each with its own hidden argument (`__worker pool ints`, …; see
//! [`crate::worker`]).

use std::time::Duration;

use common::worker::PoolRole;
use serde::{Deserialize, Serialize};

/// §5–6: workers that run the notebook's small integer jobs.
pub const INTS: PoolRole<IntJob, i64> = PoolRole::new("ints");
/// §4: workers that compute a sum of squares.
pub const SUMS: PoolRole<u64, u128> = PoolRole::new("sums");
/// §8: workers whose tasks fail in every way a process can.
pub const FAULTS: PoolRole<FaultJob, u64> = PoolRole::new("faults");

/// Integer tasks for sections 5 and 6: `pool.map(IntJob::Square, 1..=5)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IntJob {
    /// `square(x)`.
    Square(i64),
    /// `cube(x)`.
    Cube(i64),
    /// `process_data(x)`: `x * 2`.
    Double(i64),
    /// `init_worker()`: prints one line with the worker's PID.
    InitWorker,
    /// Does nothing: the cheapest possible task, to measure the round trip.
    Nothing,
}

/// The worker's side of [`IntJob`].
pub fn run_int_job(job: IntJob) -> i64 {
    match job {
        IntJob::Square(x) => x * x,
        IntJob::Cube(x) => x * x * x,
        IntJob::Double(x) => x * 2,
        IntJob::InitWorker => {
            println!("Worker initialized: PID {}", std::process::id());
            0
        }
        IntJob::Nothing => 0,
    }
}

/// Σ i² for i in 0..n, as a `u128` (shared with the executors chapter, so
/// it lives in `common`).
pub use common::work::{sum_of_squares, sum_of_squares_formula};

/// Tasks that end in every possible way, for sections 8 and 9.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultJob {
    /// Returns its value.
    Value(u64),
    /// Panics with this message (the worker catches it and lives on).
    Panic(String),
    /// `std::process::abort()`: the worker process dies with SIGABRT.
    Abort,
    /// `std::process::exit(code)` in the middle of the task.
    Exit(i32),
    /// Sleeps this many milliseconds, then returns the value.
    Sleep { millis: u64, value: u64 },
}

/// What the task does, in the words of its code: `return 3`, `abort()`.
impl std::fmt::Display for FaultJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FaultJob::Value(value) => write!(f, "return {value}"),
            FaultJob::Panic(message) => write!(f, "panic!(\"{message}\")"),
            FaultJob::Abort => write!(f, "abort()"),
            FaultJob::Exit(code) => write!(f, "exit({code})"),
            FaultJob::Sleep { millis, value } => write!(
                f,
                "sleep {}, then return {value}",
                common::timing::HumanDuration(Duration::from_millis(*millis))
            ),
        }
    }
}

/// The worker's side of [`FaultJob`].
pub fn run_fault_job(job: FaultJob) -> u64 {
    match job {
        FaultJob::Value(value) => value,
        FaultJob::Panic(message) => panic!("{message}"),
        FaultJob::Abort => std::process::abort(),
        FaultJob::Exit(code) => std::process::exit(code),
        FaultJob::Sleep { millis, value } => {
            std::thread::sleep(Duration::from_millis(millis));
            value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notebook_sum_needs_u128_and_matches_the_formula() {
        assert_eq!(sum_of_squares_formula(10_000_000), 333_333_283_333_335_000_000);
        assert!(sum_of_squares_formula(10_000_000) > u128::from(u64::MAX));
        for n in [0, 1, 2, 3, 10, 1_000, 123_457] {
            assert_eq!(sum_of_squares(n), sum_of_squares_formula(n), "n = {n}");
        }
    }

    #[test]
    fn int_jobs_compute_the_notebook_values() {
        let squares: Vec<i64> = (1..=5).map(|x| run_int_job(IntJob::Square(x))).collect();
        let cubes: Vec<i64> = (1..=5).map(|x| run_int_job(IntJob::Cube(x))).collect();
        assert_eq!(squares, [1, 4, 9, 16, 25]);
        assert_eq!(cubes, [1, 8, 27, 64, 125]);
        assert_eq!(run_int_job(IntJob::Double(4)), 8);
    }
}
