//! The child side: this binary re-run as a process-pool worker.
//!
//! Each pool is `<this binary> __worker pool <kind>` ([`common::worker`]);
//! `main` checks for a role before parsing the command line and hands over
//! to [`main`](fn@main) here, which serves one kind of task until the pool
//! hangs up.

use std::process::ExitCode;

use crate::jobs::{cpu_intensive, leaky_task, slow_task, square_chunk, square_number};

/// Serves the pool named in `args` (everything after the hidden argument).
pub fn main(args: &[String]) -> ExitCode {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["pool", "squares"] => common::pool::serve(square_number),
        ["pool", "cpu"] => common::pool::serve(cpu_intensive),
        ["pool", "slow"] => common::pool::serve(slow_task),
        ["pool", "nothing"] => common::pool::serve(|x: u32| x),
        ["pool", "square-chunks"] => common::pool::serve(square_chunk),
        ["pool", "leaky"] => common::pool::serve(leaky_task),
        other => {
            eprintln!("error: unknown worker role {other:?}");
            ExitCode::FAILURE
        }
    }
}
