//! Section 7: one multiplication on every core.
//!
//! Section 4 split a *factorial* over the cores: many products, the
//! independent ones side by side. At the top of the tree one product is
//! left — a product tree's last step for 1,000,000! multiplies two
//! 9-million-bit numbers — and it can only use every core if the
//! multiplication itself is split.
//!
//! Three ways, measured on the same operands:
//!
//! * **num-bigint** (Karatsuba/Toom-3) on one thread: n^1.46 work, no split.
//! * **The Karatsuba split** ([`crate::bigmath::par_mul`]): a·b as three
//!   independent half-size products, on 3 (then 9) rayon tasks. The pieces
//!   are independent, but each is still n^1.46, and 3 tasks on 2 cores leave
//!   one core idle part of the time.
//! * **The NTT** ([`crate::ntt`]): n·log n work, and the work *is* a set of
//!   independent transforms — six forward, three inverse, one per prime and
//!   operand — then a CRT-and-carry pass cut into blocks. Transforms share
//!   nothing while they run: no lock, no message, only a join at the end of
//!   each column. That is why they spread over cores so well.

use std::time::Duration;

use anyhow::Context;
use common::report::Table;
use common::timing::{HumanDuration, Speedup, speedup, time};
use common::verdict::{TIE_BAND, Verdict, compare, plural, watch};
use num_bigint::BigUint;

use crate::bigmath::{NTT_THRESHOLD_LIMBS, par_mul};
use crate::{Config, ntt};

/// The operands' size in bits: the last product of 1,000,000! (two halves
/// of its 18.5 million bits), or a tenth of it with `--quick`.
pub fn operand_bits(config: &Config) -> u64 {
    config.scale.pick(9_250_000, 925_000)
}

/// A deterministic pseudo-random number of `bits` bits (top bit set).
pub fn operand(bits: u64, seed: u64) -> BigUint {
    let mut rng = fastrand::Rng::with_seed(seed);
    let words = bits.div_ceil(32) as usize;
    let value = BigUint::new((0..words).map(|_| rng.u32(..)).collect());
    (value >> (words as u64 * 32 - bits)) | (BigUint::from(1_u8) << (bits - 1))
}

/// One way of computing the product, timed.
#[derive(Debug, Clone)]
pub struct Way {
    /// What was run.
    pub label: &'static str,
    /// On how many threads.
    pub threads: usize,
    /// Best of the runs.
    pub took: Duration,
}

/// The section's measurements.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The operands' size.
    pub bits: u64,
    /// Building the NTT's twiddle tables for this size (what the first
    /// product of this length pays, once per process).
    pub plans: Duration,
    /// num-bigint, the Karatsuba split, the NTT on 1 thread and on all.
    pub ways: Vec<Way>,
}

/// Multiplies two `bits`-bit numbers every way on `threads` threads (and
/// the NTT on one), checks every product equals num-bigint's, returns the
/// times (best of `runs`).
pub fn measure(bits: u64, threads: usize, runs: u32) -> anyhow::Result<Measured> {
    let (a, b) = (operand(bits, 1), operand(bits, 2));
    // The plans first, on their own clock: a program pays them once per
    // transform length (FFTW calls this planning).
    // Built apart from the cache, so the figure is the same whether or not an
    // earlier section already multiplied numbers this long.
    let limbs = |x: &BigUint| x.iter_u64_digits().len();
    let points =
        ntt::transform_points(limbs(&a), limbs(&b)).context("operands too long")?;
    let (_, plans) = time(|| ntt::build_tables(points));
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|i| format!("ntt-alone-{i}"))
        .build()
        .context("building a one-thread pool")?;
    let best = |work: &dyn Fn() -> BigUint| {
        (0..runs.max(1))
            .map(|_| time(work))
            .min_by_key(|(_, took)| *took)
            .expect("at least one run")
    };
    let (expected, serial) = best(&|| &a * &b);
    let mut ways =
        vec![Way { label: "num-bigint (Karatsuba/Toom-3)", threads: 1, took: serial }];
    let contenders: [(&'static str, usize, &dyn Fn() -> BigUint); 3] = [
        ("Karatsuba split (par_mul)", threads, &|| par_mul(&a, &b)),
        ("NTT", 1, &|| one_thread.install(|| ntt::mul(&a, &b))),
        ("NTT", threads, &|| ntt::mul(&a, &b)),
    ];
    for (label, threads, work) in contenders {
        let (product, took) = best(work);
        anyhow::ensure!(
            product == expected,
            "{label} on {threads} threads: wrong product"
        );
        ways.push(Way { label, threads, took });
    }
    Ok(Measured { bits, plans, ways })
}

/// Where the NTT starts to win: num-bigint and NTT times for operands of
/// `limbs` 64-bit limbs, best of `runs`.
pub fn crossover(limbs: &[u64], runs: u32) -> Vec<(u64, Duration, Duration)> {
    limbs
        .iter()
        .map(|&n| {
            let (a, b) = (operand(n * 64, 3), operand(n * 64, 4));
            let _warm = ntt::mul(&a, &b);
            let best = |work: &dyn Fn() -> BigUint| {
                (0..runs).map(|_| time(work).1).min().unwrap_or_default()
            };
            (n, best(&|| &a * &b), best(&|| ntt::mul(&a, &b)))
        })
        .collect()
}

/// Section 7.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let bits = operand_bits(config);
    println!(
        "One product of two {bits}-bit numbers (a product tree's last step for \
         1,000,000!: its two halves),\nevery way, best of 3, each checked against num-bigint's:\n"
    );
    let (measured, contention) = watch(|| measure(bits, config.workers, 3));
    let measured = measured?;
    let baseline = measured.ways[0].took;
    let mut table = Table::new(["way", "threads", "time", "vs num-bigint"]);
    table.left_align(0);
    for way in &measured.ways {
        table.row([
            way.label.to_string(),
            way.threads.to_string(),
            HumanDuration(way.took).to_string(),
            Speedup(speedup(baseline, way.took)).to_string(),
        ]);
    }
    println!("{table}");
    let alone = measured.ways[2].took;
    let all = measured.ways[3].took;
    let versus = compare(alone, all);
    let same = config.workers == 1;
    let why = match (versus.verdict, contention.obstacle()) {
        (Verdict::Faster, _) if versus.ratio > config.workers as f64 * TIE_BAND => {
            format!(
                ",\nmore than {} can give: part of the gap is noise in this run (each time is \
             the best of only 3)",
                plural(config.workers as u128, "thread")
            )
        }
        (Verdict::Faster, _) => String::new(),
        (_, Some(obstacle)) => format!(" — no parallel speedup in this run: {obstacle}"),
        (_, None) => {
            " — although no other program was measured taking the cores".to_string()
        }
    };
    if same {
        println!(
            "With one thread the two NTT rows are the same computation ({versus}):\n\
             their difference is this run's noise."
        );
    }
    println!(
        "{}Its plans (a twiddle table per prime, for this length) take {} to build, once\n\
         per process; every later product this long or shorter reuses them.",
        if same {
            String::new()
        } else {
            format!(
                "The NTT on {} against the NTT on one: {versus}{why}.\n",
                plural(config.workers as u128, "thread")
            )
        },
        HumanDuration(measured.plans)
    );
    println!(
        "\nWhy transforms parallelise: the six forward transforms (three primes × two\n\
         operands) and then the three inverse ones share nothing while they run, so\n\
         rayon hands them to whichever core is free; the CRT-and-carry pass is cut into\n\
         blocks that each start from a zero carry, and a short sequential pass adds each\n\
         block's carry into the next. The Karatsuba split also makes independent\n\
         pieces, but only three of them, each still n^1.46{}.",
        if config.workers == 2 { " (on two cores, one waits)" } else { "" }
    );

    let limbs: &[u64] = &[100, 200, 400, 800, 1600];
    println!(
        "\nWhere the NTT starts to win (`ntt::mul` against num-bigint, best of 5; below \
         {NTT_THRESHOLD_LIMBS} limbs\nin the smaller factor `bigmath::mul` leaves the product to num-bigint, \
         a threshold\nmeasured in a release build — in this build the crossing can lie higher):"
    );
    let mut table =
        Table::new(["limbs (64-bit)", "num-bigint", "NTT", "NTT vs num-bigint"]);
    for (n, schoolbook, transform) in crossover(limbs, 5) {
        table.row([
            n.to_string(),
            HumanDuration(schoolbook).to_string(),
            HumanDuration(transform).to_string(),
            Speedup(speedup(schoolbook, transform)).to_string(),
        ]);
    }
    print!("{table}");
    Ok(())
}
