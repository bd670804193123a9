//! Section 3's timing without printing ([`crate::lecture`]): the lecture's
//! three ways — in sequence, on rayon, on a process pool — timed on the same
//! numbers, each the median of a few samples long enough to measure, while
//! a watch notes what else the machine was running. The lesson calls
//! [`time_quietly`] and reads a [`Quiet`].

use std::time::Duration;

use anyhow::Context as _;
use common::timing::time;
use common::worker::PoolRole;
use rayon::prelude::*;

use crate::Config;
use crate::methods::{Method, factorial};

/// The same factorials without the printing: §3 times these.
pub const FACTORIALS_QUIET: PoolRole<u64, Vec<u8>> = PoolRole::new("factorials-quiet");

/// What a [`FACTORIALS_QUIET`] worker computes: n! by the product tree, as
/// little-endian bytes.
pub fn quiet_factorial(n: u64) -> Vec<u8> {
    factorial(n, Method::Tree).to_bytes_le()
}

/// Samples per timing; the median is reported.
pub const SAMPLES: usize = 5;

/// The three ways timed without printing: each sample repeats `numbers`
/// `rounds` times; the median of [`SAMPLES`] samples, divided by `rounds`.
#[derive(Debug, Clone, Copy)]
pub struct Quiet {
    /// Rounds per sample.
    pub rounds: u32,
    /// One round, sequentially.
    pub sequential: Duration,
    /// One round on rayon.
    pub rayon: Duration,
    /// One round on the started process pool (`map`).
    pub processes: Duration,
    /// What the three had to run on.
    pub contention: common::verdict::Contention,
}

/// The median of [`SAMPLES`] runs of `rounds` repetitions of `work`, per
/// repetition.
fn median_per_round(rounds: u32, mut work: impl FnMut()) -> Duration {
    let mut samples: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            time(|| {
                for _ in 0..rounds {
                    work();
                }
            })
            .1
        })
        .collect();
    samples.sort();
    samples[SAMPLES / 2] / rounds
}

/// Times the three ways on `numbers` without printing, each sample at least
/// `sample` long (rounds chosen from one sequential round).
pub fn time_quietly(
    config: &Config,
    numbers: &[u64],
    sample: Duration,
) -> anyhow::Result<Quiet> {
    let quiet = |n: u64| factorial(n, Method::Tree);
    let pool = FACTORIALS_QUIET
        .pool(&config.worker_exe)
        .workers(config.workers)
        .start()
        .context("starting the process pool")?;
    let watch = common::verdict::ContentionWatch::start();
    let (_, one) = time(|| numbers.iter().map(|&n| quiet(n)).collect::<Vec<_>>());
    // At least two rounds a sample, even when one round already outlasts
    // `sample` (a loaded machine): a sample is then never a single round.
    let rounds = (sample.as_secs_f64() / one.as_secs_f64().max(1e-6))
        .ceil()
        .clamp(2.0, 1e4) as u32;
    let sequential = median_per_round(rounds, || {
        std::hint::black_box(numbers.iter().map(|&n| quiet(n)).collect::<Vec<_>>());
    });
    let rayon = median_per_round(rounds, || {
        std::hint::black_box(numbers.par_iter().map(|&n| quiet(n)).collect::<Vec<_>>());
    });
    let mut failed = false;
    let processes = median_per_round(rounds, || {
        failed |= pool.map(|n| n, numbers.iter().copied()).iter().any(Result::is_err);
    });
    let contention = watch.finish();
    pool.shutdown();
    anyhow::ensure!(!failed, "a quiet process-pool task failed");
    Ok(Quiet { rounds, sequential, rayon, processes, contention })
}
