//! Times one n! by one method (and optionally its decimal string), for
//! `factorial/compare.sh`, which runs this beside CPython's `math.factorial`
//! and GMP's `mpz_fac_ui`.
//!
//! ```text
//! cargo run --release -p factorial --bin time-factorial -- 1000000 [ntt|primes|tree|tree-parallel|naive] [--str] [--runs K]
//! ```
//!
//! The first run is timed alone: it builds the NTT's plans (twiddle tables,
//! once per transform length per process). With `--runs K` (K ≥ 2), the
//! median of the K − 1 runs after it is printed too.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::ValueEnum;
use factorial::methods::{Method, factorial};

/// `time-factorial … | head -1` closes the output: exit code 141, not a
/// panic (`common::stdout`).
fn main() -> ExitCode {
    common::stdout::run(|| Ok(timed())).unwrap_or(ExitCode::FAILURE)
}

fn timed() -> ExitCode {
    // As the chapter does at its start: freed big blocks go straight back.
    factorial::ntt::return_big_blocks_promptly();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(n) = args.first() else {
        eprintln!("usage: time-factorial N [METHOD] [--str] [--runs K]");
        return ExitCode::from(2);
    };
    let n = match factorial::cli::parse_n(n) {
        Ok(n) => n,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let method = match args.get(1).filter(|a| !a.starts_with("--")) {
        None => Method::Ntt,
        Some(name) => match Method::from_str(name, true) {
            Ok(method) => method,
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::from(2);
            }
        },
    };
    let runs = match args.iter().position(|a| a == "--runs").map(|i| args.get(i + 1)) {
        None => 1,
        Some(Some(k)) if k.parse::<u32>().is_ok_and(|k| k >= 1) => {
            k.parse().expect("checked")
        }
        Some(_) => {
            eprintln!("error: --runs needs a whole number ≥ 1");
            return ExitCode::from(2);
        }
    };
    let want_str = args.iter().any(|a| a == "--str");

    let mut factorial_times = Vec::new();
    let mut decimal_times = Vec::new();
    let mut digits = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let value = factorial(n, method);
        factorial_times.push(start.elapsed());
        if want_str {
            let start = Instant::now();
            digits = factorial::digits::to_decimal(&value).len();
            decimal_times.push(start.elapsed());
        }
    }
    report(&format!("{method} {n}!"), &factorial_times);
    if want_str {
        report(&format!("to_decimal {digits} digits"), &decimal_times);
    }
    ExitCode::SUCCESS
}

/// `rust WHAT in FIRST s (first run)`, then the median of the rest.
fn report(what: &str, times: &[Duration]) {
    println!("rust {what} in {:.6} s (first run)", times[0].as_secs_f64());
    if times.len() > 1 {
        let mut rest = times[1..].to_vec();
        rest.sort_unstable();
        let median = rest[rest.len() / 2];
        println!(
            "rust {what} in {:.6} s (median of {} more runs)",
            median.as_secs_f64(),
            rest.len()
        );
    }
}
