//! The child side: this binary re-run as a process-pool worker.
//!
//! `main` checks for a role ([`common::worker`]) before parsing the command
//! line and hands over to [`main`](fn@main) here.

use std::process::ExitCode;

use common::worker::PoolRole;

use crate::batch::Summary;
use crate::lecture::computer_factorial;

/// Workers that compute `n!` and send it back as little-endian bytes
/// (`BigUint::to_bytes_le`): 8000! crosses the socket as 11.5 KB.
pub const FACTORIALS: PoolRole<u64, Vec<u8>> = PoolRole::new("factorials");

/// The same factorials without the printing: §3 times these.
pub const FACTORIALS_QUIET: PoolRole<u64, Vec<u8>> = PoolRole::new("factorials-quiet");

/// Workers that summarise a chunk of numbers (§5).
pub const BATCH: PoolRole<Vec<u64>, Vec<Summary>> = PoolRole::new("batch");

/// Serves the pool named in `role`.
pub fn main(role: &[String]) -> ExitCode {
    FACTORIALS
        .serve_if(role, |n| {
            let pid = format!("pid {}", std::process::id());
            computer_factorial(n, &pid).to_bytes_le()
        })
        .or_else(|| {
            FACTORIALS_QUIET.serve_if(role, |n| {
                crate::methods::factorial(n, crate::methods::Method::Tree).to_bytes_le()
            })
        })
        .or_else(|| BATCH.serve_if(role, crate::batch::summarize_chunk))
        .unwrap_or_else(|| common::worker::unknown(role))
}
