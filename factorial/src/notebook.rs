//! Sections 1 and 2: the notebook's own cells.
//!
//! ```python
//! def factorial(n):
//!     if n < 0:
//!         raise ValueError("Factorial not defined for negative numbers")
//!     if n == 0 or n == 1:
//!         return 1
//!     result = 1
//!     for i in range(2, n + 1):
//!         result *= i
//!     return result
//!
//! def heavy_factorial(n):          # section 2 — not a factorial at all
//!     result = 0
//!     for i in range(n):
//!         for j in range(100):
//!             result += j
//!     return result
//! ```

use std::hint::black_box;
use std::time::Duration;

use common::report::Comparison;
use common::timing::{HumanDuration, time};
use common::verdict::{Contention, Verdict, compare, watch};
use rayon::prelude::*;

use crate::Config;
use crate::methods::factorial_checked;

/// Section 1's inputs and their values.
pub const EXAMPLES: [(i64, u64); 3] =
    [(5, 120), (10, 3_628_800), (20, 2_432_902_008_176_640_000)];

/// The notebook's `factorial_iterative(n)`, defined but never called there:
/// n! plus a count of 1000 wasted steps per factor ("simulate more work").
pub fn factorial_iterative(n: u64) -> (num_bigint::BigUint, u64) {
    let mut result = num_bigint::BigUint::from(1_u8);
    let mut count = 0_u64;
    for i in 2..=n {
        result *= i;
        for _ in 0..1000 {
            count = black_box(count + 1);
        }
    }
    (result, count)
}

/// Section 1.
pub fn show_factorial(_config: &Config) -> anyhow::Result<()> {
    for (n, expected) in EXAMPLES {
        let value = factorial_checked(n)?;
        anyhow::ensure!(value == expected.into(), "{n}! is wrong");
        println!("{n}! = {value}");
    }
    // The notebook never shows its error path; here it is. Python raises
    // ValueError; Rust returns an Err the caller must handle.
    match factorial_checked(-1) {
        Ok(value) => anyhow::bail!("factorial(-1) returned {value}"),
        Err(err) => println!("factorial(-1) → Err: {err}"),
    }
    let (value, count) = factorial_iterative(10);
    println!(
        "factorial_iterative(10) returns {value} and a count of {count} inner steps  \
         (defined but never called in the notebook)"
    );
    println!(
        "\n20! = 2432902008176640000 still fits in a u64 (max ≈ 1.8·10¹⁹); 21! does not.\n\
         Python's int grows silently; here the result type is num_bigint::BigUint."
    );
    Ok(())
}

/// The notebook's `numbers`.
pub const HEAVY_NUMBERS: [u64; 4] = [10_000; 4];

/// The notebook's `heavy_factorial`, as written. `black_box` keeps the
/// compiler from replacing the loops by their closed form, n × 4950.
#[inline(never)]
pub fn heavy_factorial(n: u64) -> u64 {
    let mut result = 0;
    for _ in 0..n {
        for j in 0..100 {
            result += black_box(j);
        }
    }
    result
}

/// Section 2: sequential as in the notebook, then with rayon.
pub fn show_heavy(_config: &Config) -> anyhow::Result<()> {
    println!("Sequential calculation...");
    let (results, sequential) =
        time(|| HEAVY_NUMBERS.iter().map(|&n| heavy_factorial(n)).collect::<Vec<_>>());
    for result in &results {
        println!("Processed: {result}");
    }
    println!("Sequential time: {:.4}s  (the notebook: 0.30s)", sequential.as_secs_f64());
    anyhow::ensure!(results.iter().all(|&r| r == 49_500_000), "heavy_factorial is wrong");

    let ((parallel_results, parallel), contention) = watch(|| {
        time(|| HEAVY_NUMBERS.par_iter().map(|&n| heavy_factorial(n)).collect::<Vec<_>>())
    });
    anyhow::ensure!(parallel_results == results, "the parallel results differ");
    let mut table = Comparison::new("sequential", sequential);
    table.add(
        format!(
            "rayon par_iter, {}",
            common::verdict::plural(rayon::current_num_threads() as u128, "thread")
        ),
        parallel,
    );
    println!("\n{table}");
    println!(
        "heavy_factorial is not a factorial: it adds 0 + 1 + … + 99 = 4950, n times, so it\n\
         returns n × 4950 = 49500000 for n = 10000. Each call is a million additions:\n\
         {} for all four here.\n{}",
        HumanDuration(sequential),
        heavy_reading(sequential, parallel, contention)
    );
    Ok(())
}

/// The rayon row against the sequential one, judged through
/// [`common::verdict::compare`]: faster, or why not in this run.
fn heavy_reading(
    sequential: Duration,
    parallel: Duration,
    contention: Contention,
) -> String {
    let versus = compare(sequential, parallel);
    match (versus.verdict, contention.obstacle()) {
        (Verdict::Faster, None) => {
            format!("rayon was {versus}: the four calls ran side by side.")
        }
        (Verdict::Faster, Some(why)) if contention.cpus_allowed <= 1 => format!(
            "rayon was {versus} in this run, though not by running side by side:\n{why}."
        ),
        (Verdict::Faster, Some(why)) => format!(
            "rayon was {versus} in this run, although {why}:\nmore threads win a bigger \
             share of the busy cores."
        ),
        (_, Some(why)) => format!("rayon against one thread: {versus} — {why}."),
        (_, None) => format!(
            "rayon against one thread: {versus}. Work this short is the size of what it\n\
             costs to wake the pool's threads and hand them four tasks."
        ),
    }
}
