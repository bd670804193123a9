//! The worker process of `benches/benches/executors.rs`: the executors
//! chapter's pool worker, re-run by the process pool executor under test.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1) {
        Some(arg) if arg == executors::jobs::WORKER_ARG => {
            executors::jobs::worker_main(&args[2..])
        }
        _ => {
            eprintln!(
                "bench-worker is started by `cargo bench -p benches --bench executors`"
            );
            ExitCode::from(2)
        }
    }
}
