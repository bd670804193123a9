//! The child side: this binary re-run as a process-pool worker.
//!
//! Each pool is `<this binary> __worker pool <kind>` ([`common::worker`]);
//! `main` checks for a role before parsing the command line and hands over
//! to [`main`](fn@main) here, which serves one kind of task until the pool
//! hangs up.

use std::process::ExitCode;

use common::worker::PoolRole;

use crate::jobs::{
    Leaked, cpu_intensive, leaky_task, slow_task, square_chunk, square_number,
};
use crate::support::python_calls::{self, Call, TrapTask, Trapped};

/// The lecture's `square_number(number, pause)`.
pub const SQUARES: PoolRole<(i64, u64), String> = PoolRole::new("squares");
/// A CPU-bound sum.
pub const CPU: PoolRole<u64, u128> = PoolRole::new("cpu");
/// Sleeps the given milliseconds and returns them.
pub const SLOW: PoolRole<u64, u64> = PoolRole::new("slow");
/// Returns its input: the cost of a round trip and nothing else.
pub const NOTHING: PoolRole<u32, u32> = PoolRole::new("nothing");
/// Squares a chunk of numbers (`map_chunked`).
pub const SQUARE_CHUNKS: PoolRole<Vec<u64>, Vec<u64>> = PoolRole::new("square-chunks");
/// Leaks memory on purpose (`max_tasks_per_child`).
pub const LEAKY: PoolRole<u32, Leaked> = PoolRole::new("leaky");
/// The plain functions CPython's own tests submit (`mul`, `pow`, …):
/// `tests/cpython_futures.rs`.
pub const PYTHON_CALLS: PoolRole<Call, u64> = PoolRole::new("python-calls");
/// CPython's deadlock tests: tasks and results that fail, exit or crash
/// while encoded or decoded.
pub const TRAPS: PoolRole<TrapTask, Trapped> = PoolRole::new("traps");

/// Serves the pool named in `role` (everything after the hidden argument).
pub fn main(role: &[String]) -> ExitCode {
    SQUARES
        .serve_if(role, square_number)
        .or_else(|| CPU.serve_if(role, cpu_intensive))
        .or_else(|| SLOW.serve_if(role, slow_task))
        .or_else(|| NOTHING.serve_if(role, |x| x))
        .or_else(|| SQUARE_CHUNKS.serve_if(role, square_chunk))
        .or_else(|| LEAKY.serve_if(role, leaky_task))
        .or_else(|| PYTHON_CALLS.serve_if(role, python_calls::call))
        .or_else(|| TRAPS.serve_if(role, python_calls::trap_task))
        .unwrap_or_else(|| common::worker::unknown(role))
}
