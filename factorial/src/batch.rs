//! Section 5: batch processing with error handling — what the module's
//! SUMMARY promises for this notebook and no cell ever does.
//!
//! Inputs arrive as text (a file, a form), so some are bad. Each is parsed
//! on its own; the good ones go to a process pool **in chunks** (Python's
//! `Pool.map(f, items, chunksize=k)`): one message per chunk instead of one
//! per item. Every input gets exactly one line of outcome, in input order,
//! and the totals are checked against a sequential run.

use anyhow::Context;
use common::pool::ProcessPool;
use common::report::Table;
use common::timing::{HumanDuration, time};
use serde::{Deserialize, Serialize};

use common::worker::PoolRole;

use crate::Config;
use crate::digits::digit_count;
use crate::methods::{Method, factorial};
use crate::primes::legendre;

/// The batch: the SUMMARY's `range(1, 21)`, then inputs a real batch has.
pub fn batch_input() -> Vec<String> {
    let mut items: Vec<String> = (1..=20).map(|n| n.to_string()).collect();
    items.extend(["-3", "seven", "2.5", "5000", "", "123456789"].map(String::from));
    items
}

/// The largest n a batch item may ask for.
pub const BATCH_LIMIT: u64 = 100_000;

/// Why an input was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItemError {
    /// Not a whole number.
    #[error("not a whole number: {0:?}")]
    NotANumber(String),
    /// Below zero.
    #[error("Factorial not defined for negative numbers ({0})")]
    Negative(i64),
    /// Above [`BATCH_LIMIT`].
    #[error("{0} is above this batch's limit of {BATCH_LIMIT}")]
    TooLarge(u64),
}

/// Parses one input.
pub fn parse_item(text: &str) -> Result<u64, ItemError> {
    let n: i64 =
        text.trim().parse().map_err(|_| ItemError::NotANumber(text.to_string()))?;
    let n = u64::try_from(n).map_err(|_| ItemError::Negative(n))?;
    if n > BATCH_LIMIT {
        return Err(ItemError::TooLarge(n));
    }
    Ok(n)
}

/// What the workers send back per item: small facts, not the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The input.
    pub n: u64,
    /// Decimal digits of n!.
    pub digits: u64,
    /// Trailing zeros of n!.
    pub trailing_zeros: u64,
}

/// Computes one item's summary.
pub fn summarize(n: u64) -> Summary {
    let value = factorial(n, Method::Tree);
    Summary { n, digits: digit_count(n, &value), trailing_zeros: legendre(n, 5) }
}

/// The pool task: a whole chunk at once.
pub fn summarize_chunk(chunk: Vec<u64>) -> Vec<Summary> {
    chunk.into_iter().map(summarize).collect()
}

/// Workers that summarise a chunk of numbers (§5).
pub const BATCH: PoolRole<Vec<u64>, Vec<Summary>> = PoolRole::new("batch");

/// A pool of processes that summarise chunks.
pub fn batch_pool(
    config: &Config,
) -> anyhow::Result<ProcessPool<Vec<u64>, Vec<Summary>>> {
    BATCH
        .pool(&config.worker_exe)
        .workers(config.workers)
        .start()
        .context("starting the process pool")
}

/// Runs `numbers` through `pool` in chunks of `chunk_size`; results in
/// input order.
pub fn run_chunked(
    pool: &ProcessPool<Vec<u64>, Vec<Summary>>,
    numbers: &[u64],
    chunk_size: usize,
) -> anyhow::Result<Vec<Summary>> {
    let chunks = numbers.chunks(chunk_size.max(1)).map(<[u64]>::to_vec);
    let mut summaries = Vec::with_capacity(numbers.len());
    for chunk in pool.map(|chunk| chunk, chunks) {
        summaries.extend(chunk?);
    }
    Ok(summaries)
}

/// One outcome per input, in input order.
pub fn process_batch(
    pool: &ProcessPool<Vec<u64>, Vec<Summary>>,
    inputs: &[String],
) -> anyhow::Result<Vec<Result<Summary, ItemError>>> {
    let parsed: Vec<Result<u64, ItemError>> =
        inputs.iter().map(|s| parse_item(s)).collect();
    let good: Vec<u64> = parsed.iter().filter_map(|p| p.as_ref().ok().copied()).collect();
    let mut summaries = run_chunked(pool, &good, 4)?.into_iter();
    parsed
        .into_iter()
        .map(|item| match item {
            Ok(n) => {
                let summary = summaries.next().context("a summary went missing")?;
                anyhow::ensure!(summary.n == n, "summaries out of order");
                Ok(Ok(summary))
            }
            Err(err) => Ok(Err(err)),
        })
        .collect()
}

/// Section 5.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let pool = batch_pool(config)?;
    let inputs = batch_input();
    let outcomes = process_batch(&pool, &inputs)?;
    let mut table = Table::new(["input", "outcome"]);
    table.left_align(0).left_align(1);
    for (input, outcome) in inputs.iter().zip(&outcomes) {
        let shown = match outcome {
            Ok(s) => format!(
                "{}! has {}, {}",
                s.n,
                common::verdict::plural(s.digits, "digit"),
                common::verdict::plural(s.trailing_zeros, "trailing zero")
            ),
            Err(err) => format!("error: {err}"),
        };
        table.row([format!("\"{input}\""), shown]);
    }
    println!("{table}");
    let good = outcomes.iter().filter(|o| o.is_ok()).count();
    println!(
        "{} inputs: {good} computed, {} rejected, none lost.\n",
        inputs.len(),
        inputs.len() - good
    );

    let last = config.scale.pick(2000, 300);
    let numbers: Vec<u64> = (1..=last).collect();
    let (sequential, sequential_time) =
        time(|| numbers.iter().map(|&n| summarize(n)).collect::<Vec<_>>());
    let total_digits: u64 = sequential.iter().map(|s| s.digits).sum();
    println!(
        "Chunk size, for {last} small factorials (1! … {last}!, {total_digits} digits in all; \
         sequential: {}):",
        HumanDuration(sequential_time)
    );
    let mut table = Table::new(["chunk size", "messages", "time", "total digits"]);
    let mut times = Vec::new();
    let watch = common::verdict::ContentionWatch::start();
    for chunk_size in [1, 10, 100] {
        let (result, took) = time(|| run_chunked(&pool, &numbers, chunk_size));
        times.push(took);
        let summaries = result?;
        anyhow::ensure!(
            summaries == sequential,
            "chunk size {chunk_size} changed the results"
        );
        let total: u64 = summaries.iter().map(|s| s.digits).sum();
        table.row([
            chunk_size.to_string(),
            (numbers.len().div_ceil(chunk_size)).to_string(),
            HumanDuration(took).to_string(),
            total.to_string(),
        ]);
    }
    println!("{table}");
    let contention = watch.finish();
    let chunked = common::verdict::compare(times[0], times[2]);
    println!("Every run's totals equal the sequential ones.");
    if chunked.verdict == common::verdict::Verdict::Faster {
        println!(
            "Chunks of 100 against one item per message: {chunked}. Tiny tasks drown in\n\
             per-message cost; chunks amortise it — the reason Python's Pool.map has a\n\
             chunksize argument."
        );
    } else {
        println!(
            "Chunks of 100 against one item per message: {chunked}, so this run did not show\n\
             the per-message cost ({}). It usually does: each message is a\n\
             write, a wake-up and a read, and 100 items share one.",
            contention.reason()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_inputs_are_each_rejected_with_a_reason() {
        assert_eq!(parse_item("5000"), Ok(5000));
        assert_eq!(parse_item(" 7 "), Ok(7));
        assert_eq!(parse_item("-3"), Err(ItemError::Negative(-3)));
        assert_eq!(parse_item("seven"), Err(ItemError::NotANumber("seven".into())));
        assert_eq!(parse_item("2.5"), Err(ItemError::NotANumber("2.5".into())));
        assert_eq!(parse_item(""), Err(ItemError::NotANumber(String::new())));
        assert_eq!(parse_item("123456789"), Err(ItemError::TooLarge(123_456_789)));
    }

    #[test]
    fn summaries_are_right() {
        assert_eq!(
            summarize(5000),
            Summary { n: 5000, digits: 16_326, trailing_zeros: 1249 }
        );
        assert_eq!(summarize(0), Summary { n: 0, digits: 1, trailing_zeros: 0 });
    }
}
