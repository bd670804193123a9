//! Section 3: the lecture script `factorial_multi_processing.py`.
//!
//! ```python
//! sys.set_int_max_str_digits(100000)
//!
//! def computer_factorial(number):
//!     print(f"Computing factorial of {number}")
//!     result = math.factorial(number)
//!     print(f"Factorial of {number} is {result}")
//!     return result
//!
//! numbers = [5000, 6000, 700, 8000]
//! with multiprocessing.Pool() as pool:
//!     results = pool.map(computer_factorial, numbers)
//! ```
//!
//! Three ways, each printing which worker computed what:
//!
//! * **rayon** — `par_iter().map(…).collect()` is `Pool.map` on threads:
//!   results in input order, work on every core, nothing copied.
//! * **`common::pool::ProcessPool`** — real processes, as in Python; every
//!   result (a 27 753-digit number for 8000!) travels back over a socket as
//!   bytes, and that costs something: measured below.
//! * **sequentially**, for the baseline.

use std::time::Duration;

use anyhow::Context;
use common::pool::ProcessPool;
use common::report::{Comparison, Table};
use common::timing::{HumanDuration, time};
use num_bigint::BigUint;
use rayon::prelude::*;

use crate::Config;
use crate::digits::{digit_count, leading_digits, trailing_digits};
use crate::methods::{Method, factorial};
use crate::primes::legendre;

/// The lecture's numbers.
pub const NUMBERS: [u64; 4] = [5000, 6000, 700, 8000];

/// The lecture's `computer_factorial`, in whichever worker runs it: prints
/// which thread or process it is, computes on one core.
pub fn computer_factorial(number: u64, worker: &str) -> BigUint {
    println!("Computing factorial of {number} ({worker})");
    factorial(number, Method::Tree)
}

/// The name of the current thread, for the "Computing" lines.
fn thread_name() -> String {
    common::timeline::current_lane()
}

/// `Pool.map` on rayon's threads.
pub fn with_rayon(numbers: &[u64]) -> Vec<BigUint> {
    numbers.par_iter().map(|&n| computer_factorial(n, &thread_name())).collect()
}

/// One after another.
pub fn sequentially(numbers: &[u64]) -> Vec<BigUint> {
    numbers.iter().map(|&n| computer_factorial(n, "main")).collect()
}

/// A pool of worker processes that compute factorials and send them back as
/// little-endian bytes (`BigUint::to_bytes_le`).
pub fn factorial_pool(
    config: &Config,
    workers: usize,
) -> anyhow::Result<ProcessPool<u64, Vec<u8>>> {
    crate::worker::FACTORIALS
        .pool(&config.worker_exe)
        .workers(workers)
        .start()
        .context("starting the process pool")
}

/// What the process-pool run measured.
#[derive(Debug, Clone)]
pub struct ProcessRun {
    /// The factorials, in input order.
    pub results: Vec<BigUint>,
    /// Starting the workers.
    pub start: Duration,
    /// `map` on the started pool.
    pub map: Duration,
    /// Bytes that came back (frames included).
    pub bytes_received: u64,
    /// Time spent turning the bytes back into numbers, here.
    pub decode: Duration,
}

/// `Pool.map` on real processes.
pub fn with_processes(config: &Config, numbers: &[u64]) -> anyhow::Result<ProcessRun> {
    let (pool, start) = time(|| factorial_pool(config, config.workers));
    let pool = pool?;
    let (bytes, map) = time(|| pool.map(|n| n, numbers.iter().copied()));
    let bytes: Vec<Vec<u8>> = bytes.into_iter().collect::<Result<_, _>>()?;
    let (results, decode) =
        time(|| bytes.iter().map(|b| BigUint::from_bytes_le(b)).collect::<Vec<_>>());
    let bytes_received = pool.stats().bytes_received;
    pool.shutdown();
    Ok(ProcessRun { results, start, map, bytes_received, decode })
}

/// Section 3.
pub fn show(config: &Config) -> anyhow::Result<()> {
    println!("numbers = {NUMBERS:?}\n");
    println!("1. rayon: numbers.par_iter().map(computer_factorial).collect()");
    let (rayon_results, rayon_time) = time(|| with_rayon(&NUMBERS));

    println!("\n2. ProcessPool with {} worker processes: pool.map(…)", config.workers);
    let run = with_processes(config, &NUMBERS)?;

    println!("\n3. Sequentially:");
    let (sequential_results, sequential) = time(|| sequentially(&NUMBERS));

    anyhow::ensure!(rayon_results == sequential_results, "rayon results differ");
    anyhow::ensure!(run.results == sequential_results, "process-pool results differ");

    if config.print_digits {
        for (n, value) in NUMBERS.iter().zip(&sequential_results) {
            println!("Factorial of {n} is {value}");
        }
    }
    let mut table = Table::new([
        "n",
        "digits",
        "first 12 digits",
        "last 12 digits",
        "trailing zeros",
    ]);
    for (&n, value) in NUMBERS.iter().zip(&sequential_results) {
        let digits = digit_count(n, value);
        table.row([
            n.to_string(),
            digits.to_string(),
            leading_digits(value, digits, 12),
            trailing_digits(value, 12),
            legendre(n, 5).to_string(),
        ]);
    }
    println!("\nResults (all three ways equal, in input order):\n{table}");

    let mut comparison = Comparison::new("sequential", sequential);
    comparison
        .add(format!("rayon, {} threads", rayon::current_num_threads()), rayon_time);
    comparison.add_with_note(
        format!("{} processes, map", config.workers),
        run.map,
        format!("+ {} to start them", HumanDuration(run.start)),
    );
    println!("{comparison}");
    println!(
        "The processes shipped {} bytes of results back ({} to decode them here); the\n\
         threads shipped nothing: their results were already in this process's memory.",
        run.bytes_received,
        HumanDuration(run.decode)
    );
    println!(
        "\nPython needs sys.set_int_max_str_digits(100000) to print these: since 3.11 it\n\
         refuses to convert ints over 4300 digits, because its conversion is quadratic and\n\
         a huge number in untrusted input could stall a server. Rust has no such limit;\n\
         --print-digits prints all {} digits.",
        NUMBERS
            .iter()
            .zip(&sequential_results)
            .map(|(&n, v)| digit_count(n, v))
            .sum::<u64>()
    );
    Ok(())
}
