//! The child side: this binary re-run as a process-pool worker.
//!
//! `main` checks for a role ([`common::worker`]) before parsing the command
//! line and hands over to [`main`](fn@main) here.

use std::process::ExitCode;

use crate::lecture::computer_factorial;
use crate::support::quiet_timing::quiet_factorial;

// Each role is defined beside the function it serves (a mismatch of name
// or types between the pool and this dispatch does not compile); here they
// are gathered.
pub use crate::batch::BATCH;
pub use crate::lecture::FACTORIALS;
pub use crate::support::quiet_timing::FACTORIALS_QUIET;

/// Serves the pool named in `role`.
pub fn main(role: &[String]) -> ExitCode {
    FACTORIALS
        .serve_if(role, |n| {
            let pid = format!("pid {}", std::process::id());
            computer_factorial(n, &pid).to_bytes_le()
        })
        .or_else(|| FACTORIALS_QUIET.serve_if(role, quiet_factorial))
        .or_else(|| BATCH.serve_if(role, crate::batch::summarize_chunk))
        .unwrap_or_else(|| common::worker::unknown(role))
}
