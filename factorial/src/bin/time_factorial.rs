//! Times one n! by one method (and optionally its decimal string), for
//! `factorial/compare.sh`, which runs this beside CPython's `math.factorial`.
//!
//! ```text
//! cargo run --release -p factorial --bin time-factorial -- 1000000 [primes|tree|tree-parallel|naive] [--str]
//! ```

use std::process::ExitCode;
use std::time::Instant;

use clap::ValueEnum;
use factorial::methods::{Method, factorial};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(n) = args.first() else {
        eprintln!("usage: time-factorial N [METHOD] [--str]");
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
        None => Method::Primes,
        Some(name) => match Method::from_str(name, true) {
            Ok(method) => method,
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::from(2);
            }
        },
    };
    let start = Instant::now();
    let value = factorial(n, method);
    let took = start.elapsed();
    println!("rust {method} {n}! in {:.6} s", took.as_secs_f64());
    if args.iter().any(|a| a == "--str") {
        let start = Instant::now();
        let text = factorial::digits::to_decimal(&value);
        println!(
            "rust to_decimal {} digits in {:.6} s",
            text.len(),
            start.elapsed().as_secs_f64()
        );
    }
    ExitCode::SUCCESS
}
