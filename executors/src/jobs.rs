//! What this chapter's worker processes run, and the worker entry point.
//!
//! Each process pool serves one task type; the binary is re-run as
//! `__worker pool <kind>` and `main` hands over to [`worker_main`].

use std::process::ExitCode;
use std::time::Duration;

/// The hidden first argument that makes this binary a worker.
pub const WORKER_ARG: &str = "__worker";

/// The lecture's `square_number(number)`: sleeps, returns `"Square: n²"`.
pub fn square_number((number, pause_micros): (i64, u64)) -> String {
    std::thread::sleep(Duration::from_micros(pause_micros));
    format!("Square: {}", number * number)
}

/// Section 3's `cpu_intensive(n)`: prints its PID, returns Σ i².
pub fn cpu_intensive(n: u64) -> u128 {
    println!("Processing {n} in PID {}...", std::process::id());
    common::work::sum_of_squares(n)
}

/// Sleeps `millis`, returns it (section 5's slow task, in a process).
pub fn slow_task(millis: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(millis));
    millis
}

/// Serves the pool named in `args`.
pub fn worker_main(args: &[String]) -> ExitCode {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["pool", "squares"] => common::pool::serve(square_number),
        ["pool", "cpu"] => common::pool::serve(cpu_intensive),
        ["pool", "slow"] => common::pool::serve(slow_task),
        ["pool", "nothing"] => common::pool::serve(|x: u32| x),
        other => {
            eprintln!("error: unknown worker role {other:?}");
            ExitCode::FAILURE
        }
    }
}
