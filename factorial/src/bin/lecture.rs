//! The lecture script `factorial_multi_processing.py`, line for line, with
//! rayon in place of `multiprocessing.Pool` — for timing the whole process
//! against Python's (`factorial/compare.sh lecture`).
//!
//! ```text
//! cargo run --release -p factorial --bin lecture
//! ```

use std::time::Instant;

use num_bigint::BigUint;
use rayon::prelude::*;

// Real-World Example: Multiprocessing for CPU-bound Tasks
// Scenario: Factorial Calculation
// (No `sys.set_int_max_str_digits` needed: Rust prints any size.)

/// Returns the factorial and its decimal text: converting a 27 753-digit
/// number to decimal costs more than computing it, so it is done once, in
/// the worker, and reused for the "Results" line.
fn computer_factorial(number: u64) -> (BigUint, String) {
    println!("Computing factorial of {number}");
    let result = factorial::methods::factorial(number, factorial::methods::Method::Tree);
    let text = factorial::digits::to_decimal(&result);
    println!("Factorial of {number} is {text}");
    (result, text)
}

/// `lecture | head -2` closes the output: exit code 141, not a panic
/// (`common::stdout`). The lecture itself is [`lecture`].
fn main() -> std::process::ExitCode {
    common::stdout::run(|| {
        lecture();
        Ok(std::process::ExitCode::SUCCESS)
    })
    .unwrap_or(std::process::ExitCode::FAILURE)
}

fn lecture() {
    let numbers: [u64; 4] = [5000, 6000, 700, 8000];
    let start_time = Instant::now();
    // Create a pool of worker threads: rayon's global pool, one per core.
    let results: Vec<(BigUint, String)> =
        numbers.par_iter().map(|&n| computer_factorial(n)).collect();
    let end_time = Instant::now();
    let shown: Vec<&str> = results.iter().map(|(_, text)| text.as_str()).collect();
    println!("Results: [{}]", shown.join(", "));
    println!("Time taken: {} seconds", (end_time - start_time).as_secs_f64());
}
