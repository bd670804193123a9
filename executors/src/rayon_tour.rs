//! Section 10: rayon, the production thread pool — and when to use which.
//!
//! rayon is a work-stealing pool built for CPU-bound data parallelism:
//! `par_iter` splits a collection across threads, `join` runs two closures
//! in parallel, `scope` spawns tasks that may borrow local data. There are
//! no futures to wait on: the call returns when the work is done.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use rayon::prelude::*;

use crate::Config;

/// A named pool of `threads`, running a parallel sum inside `install`.
pub fn pool_sum(threads: usize, n: u64) -> anyhow::Result<(u64, Vec<String>)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("tour-{i}"))
        .build()
        .context("building the pool")?;
    // Everything inside `install` — par_iter, join, scope — uses this pool.
    Ok(pool.install(|| {
        // `fold` keeps one accumulator per piece of work rayon splits off;
        // each notes the thread that created it.
        let (sum, names) = (1..=n)
            .into_par_iter()
            .fold(
                || (0_u64, BTreeSet::from([common::timeline::current_lane()])),
                |(sum, names), x| (sum + x * 2, names),
            )
            .reduce(
                || (0, BTreeSet::new()),
                |(a, mut names), (b, more)| {
                    names.extend(more);
                    (a + b, names)
                },
            );
        (sum, names.into_iter().collect())
    }))
}

/// `rayon::scope`: tasks that borrow from the stack, all done at the end.
pub fn scoped_counts(words: &[&str]) -> (u64, u64) {
    let letters = AtomicU64::new(0);
    let vowels = AtomicU64::new(0);
    rayon::scope(|scope| {
        for word in words {
            let (letters, vowels) = (&letters, &vowels); // borrowed, no Arc
            scope.spawn(move |_| {
                letters.fetch_add(word.len() as u64, Ordering::Relaxed);
                let v = word.chars().filter(|c| "aeiou".contains(*c)).count();
                vowels.fetch_add(v as u64, Ordering::Relaxed);
            });
        }
    });
    (letters.into_inner(), vowels.into_inner())
}

/// Section 10.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let n = config.scale.size(10_000_000);
    let (sum, names) = pool_sum(2, n)?;
    println!(
        "ThreadPoolBuilder(2 threads).install(|| (1..={n}).into_par_iter().map(|x| x * 2).sum()) = {sum}"
    );
    anyhow::ensure!(sum == n * (n + 1), "the parallel sum is wrong");
    println!("  ran on threads named {}", names.join(", "));
    let (a, b) =
        rayon::join(|| (1..=1000_u64).sum::<u64>(), || (1..=20_u64).product::<u64>());
    println!(
        "rayon::join(|| Σ 1..=1000, || 20!) = ({a}, {b})  — two closures, possibly in parallel"
    );
    let (letters, vowels) = scoped_counts(&["thread", "process", "executor", "future"]);
    println!("rayon::scope over 4 borrowed words: {letters} letters, {vowels} vowels\n");
    println!(
        "When to use which:\n\
         • rayon           — CPU-bound work over data (par_iter) or recursive splits (join).\n\
         • an executor     — tasks that block (I/O, sleeps), need futures, timeouts,\n\
                             cancellation, or arrive over time. Never block inside rayon:\n\
                             a sleeping rayon thread is a core's worth of work lost.\n\
         • a process pool  — isolation: code that may crash, hang, or must be killed."
    );
    Ok(())
}
