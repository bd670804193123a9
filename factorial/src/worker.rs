//! The child side: this binary re-run as a process-pool worker.
//!
//! `main` checks for a role ([`common::worker`]) before parsing the command
//! line and hands over to [`main`](fn@main) here.

use std::process::ExitCode;

use crate::lecture::computer_factorial;

/// Serves the pool named in `args`.
pub fn main(args: &[String]) -> ExitCode {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["pool", "factorials"] => common::pool::serve(|n: u64| {
            let pid = format!("pid {}", std::process::id());
            // The result crosses the socket as bytes: 8000! is 11.5 KB.
            computer_factorial(n, &pid).to_bytes_le()
        }),
        ["pool", "factorials-quiet"] => common::pool::serve(|n: u64| {
            crate::methods::factorial(n, crate::methods::Method::Tree).to_bytes_le()
        }),
        ["pool", "batch"] => common::pool::serve(crate::batch::summarize_chunk),
        other => {
            eprintln!("error: unknown worker role {other:?}");
            ExitCode::FAILURE
        }
    }
}
