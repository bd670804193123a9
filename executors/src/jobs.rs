//! What this chapter's worker processes run (each process pool serves one
//! task type; [`crate::worker`] picks it).

use std::time::Duration;

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
