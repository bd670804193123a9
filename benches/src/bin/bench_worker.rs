//! The worker process of `benches/benches/executors.rs`: the executors
//! chapter's pool worker, re-run by the process pool executor under test.

use std::process::ExitCode;

fn main() -> ExitCode {
    match common::worker::role() {
        Some(role) => executors::worker::main(&role),
        None => {
            eprintln!(
                "bench-worker is started by `cargo bench -p benches --bench executors`"
            );
            ExitCode::from(2)
        }
    }
}
