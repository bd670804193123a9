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
//!
//! The demo prints from inside every task, as the lecture does, so its times
//! would mostly measure printing. The timings are taken apart, after it:
//! the same work without printing, repeated until one sample lasts long
//! enough for a clock to see, and the median of several samples reported.

use std::time::Duration;

use anyhow::Context;
use common::pool::ProcessPool;
use common::report::{Comparison, Table};
use common::timing::{HumanDuration, time};
use common::verdict::{Verdict, compare, plural};
use common::worker::PoolRole;
use num_bigint::BigUint;
use rayon::prelude::*;

use crate::Config;
use crate::digits::{digit_count, leading_digits, trailing_digits};
use crate::methods::{Method, factorial};
use crate::primes::legendre;
pub use crate::support::quiet_timing::{Quiet, SAMPLES, time_quietly};

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

/// Workers that compute `n!` and send it back as little-endian bytes
/// (`BigUint::to_bytes_le`): 8000! crosses the socket as 11.5 KB.
pub const FACTORIALS: PoolRole<u64, Vec<u8>> = PoolRole::new("factorials");

/// A pool of worker processes that compute factorials and send them back as
/// little-endian bytes (`BigUint::to_bytes_le`).
pub fn factorial_pool(
    config: &Config,
    workers: usize,
) -> anyhow::Result<ProcessPool<u64, Vec<u8>>> {
    FACTORIALS
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

/// `1 process`, `2 processes`.
fn processes_label(workers: usize) -> String {
    if workers == 1 { "1 process".into() } else { format!("{workers} processes") }
}

/// What the timings say, each verdict through [`common::verdict::compare`].
fn quiet_reading(q: &Quiet, workers: usize) -> String {
    let rayon = compare(q.sequential, q.rayon);
    let processes = compare(q.sequential, q.processes);
    let rayon_text = match (rayon.verdict, q.contention.obstacle()) {
        (Verdict::Faster, None) => format!("rayon was {rayon} than one thread"),
        (Verdict::Faster, Some(why)) if q.contention.cpus_allowed <= 1 => format!(
            "rayon was {rayon} than one thread, though not by running side by side\n({why})"
        ),
        (Verdict::Faster, Some(why)) => format!(
            "rayon was {rayon} than one thread ({why}:\nmore threads win a bigger share \
             of the busy cores)"
        ),
        (_, Some(why)) => format!("rayon against one thread: {rayon}\n({why})"),
        (_, None) => format!(
            "rayon against one thread: {rayon}, although no other program was measured \
             taking the cores"
        ),
    };
    let pool = processes_label(workers);
    let processes_text = match processes.verdict {
        _ if workers == 1 => format!(
            "the {pool} against one thread: {processes}; one worker process has no\n\
             second core to share the work with, only the results to ship back"
        ),
        Verdict::Faster => {
            format!("the {pool} were {processes}, shipping every result back as bytes")
        }
        Verdict::Tie => format!(
            "the {pool} against one thread: {processes}; shipping every result back as\n\
             bytes costs about as much as the work on more cores saves"
        ),
        Verdict::Slower => format!(
            "the {pool} against one thread: {processes}; shipping every result back as\n\
             bytes costs more than the work on more cores saves"
        ),
    };
    format!("In this run {rayon_text};\n{processes_text}.")
}

/// Section 3.
pub fn show(config: &Config) -> anyhow::Result<()> {
    println!("numbers = {NUMBERS:?}\n");
    println!("1. rayon: numbers.par_iter().map(computer_factorial).collect()");
    let rayon_results = with_rayon(&NUMBERS);

    println!("\n2. ProcessPool with {} worker processes: pool.map(…)", config.workers);
    let run = with_processes(config, &NUMBERS)?;

    println!("\n3. Sequentially:");
    let sequential_results = sequentially(&NUMBERS);

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

    let sample = config.scale.pick(Duration::from_millis(50), Duration::from_millis(10));
    let q = time_quietly(config, &NUMBERS, sample)?;
    println!(
        "Timed apart from the demo, without printing: the median of {SAMPLES} samples, each the \
         four\nfactorials {}:",
        plural(u128::from(q.rounds), "time")
    );
    let mut comparison = Comparison::new("sequential", q.sequential);
    comparison.add(
        format!("rayon, {}", plural(rayon::current_num_threads() as u128, "thread")),
        q.rayon,
    );
    comparison.add_with_note(
        format!("{}, map", processes_label(config.workers)),
        q.processes,
        format!("+ {} to start them", HumanDuration(run.start)),
    );
    println!("{comparison}");
    println!("{}\n", quiet_reading(&q, config.workers));
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
