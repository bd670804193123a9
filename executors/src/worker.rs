//! The child side: this binary re-run as a process-pool worker.
//!
//! Each pool is `<this binary> __worker pool <kind>` ([`common::worker`]);
//! `main` checks for a role before parsing the command line and hands over
//! to [`main`](fn@main) here, which serves one kind of task until the pool
//! hangs up.

use std::process::ExitCode;

use crate::jobs::{cpu_intensive, leaky_task, slow_task, square_chunk, square_number};
use crate::support::python_calls;

// Each role is defined beside the function it serves, so the lessons and
// the worker share one value (a mismatch of name or types does not
// compile); here they are gathered for the dispatch below.
pub use crate::jobs::{CPU, LEAKY, NOTHING, SLOW, SQUARE_CHUNKS, SQUARES};
pub use crate::support::python_calls::{PYTHON_CALLS, TRAPS};

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
