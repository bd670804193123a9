//! Section 4 (the lesson the notebook skips): one huge factorial on every
//! core.
//!
//! `Pool.map` parallelises *many* tasks. A single big task — 1,000,000! — gets
//! nothing from it: one worker computes it while the others idle. To use
//! every core, the task itself must be split. Five methods, slowest first,
//! each checked against the others (see [`crate::methods`]).

use std::time::Duration;

use common::report::Table;
use common::timing::{HumanDuration, Speedup, speedup, time};
use common::verdict::{Contention, TIE_BAND, Verdict, compare, plural, watch};
use num_bigint::BigUint;

use crate::Config;
use crate::digits::{digit_count, estimated_digits, to_decimal};
pub use crate::methods::methods_for;
use crate::methods::{Method, Multiplier, factorial};
use crate::primes::legendre;

/// One method's run.
#[derive(Debug, Clone)]
pub struct Run {
    /// The method.
    pub method: Method,
    /// How long it took.
    pub took: Duration,
}

/// Runs `methods` on n, checks they agree, returns the value and the runs.
/// With an `estimate` past two seconds, a progress bar shows on a terminal.
pub fn run_methods(
    n: u64,
    methods: &[Method],
    estimate: Option<Duration>,
) -> anyhow::Result<(BigUint, Vec<Run>)> {
    let bar = crate::estimate::progress_bar(methods.len() as u64, estimate);
    let mut value: Option<BigUint> = None;
    let mut runs = Vec::new();
    for &method in methods {
        bar.set_message(method.to_string());
        let (result, took) = time(|| factorial(n, method));
        bar.inc(1);
        match &value {
            None => value = Some(result),
            Some(first) => anyhow::ensure!(
                *first == result,
                "{method} disagrees with {} on {n}!",
                methods[0]
            ),
        }
        runs.push(Run { method, took });
    }
    bar.finish_and_clear();
    Ok((value.unwrap_or_else(|| BigUint::from(1_u8)), runs))
}

/// Each parallel method against the one-core product tree, judged from this
/// run's numbers: within the tie band, a plain speedup, or more than the
/// cores could give — and then the part beyond the cores is the algorithm's
/// (fewer, cheaper multiplications), not parallelism's. `None` when the
/// one-core tree did not run.
pub fn against_one_core(runs: &[Run], contention: Contention) -> Option<String> {
    let tree = runs.iter().find(|r| r.method == Method::Tree)?.took;
    // Parallelism can give at most one core's worth per CPU this process may
    // use, and only the part other programs left free.
    let cores = contention.cpus_allowed.min(rayon::current_num_threads()).max(1);
    let ceiling = (cores as f64).min(contention.cpus_free().max(1.0));
    let mut lines = vec!["Against the one-core product tree, in this run:".to_string()];
    let width =
        runs.iter().map(|r| r.method.to_string().chars().count()).max().unwrap_or(0);
    for run in runs.iter().filter(|r| r.method.is_parallel()) {
        let versus = compare(tree, run.took);
        let why = if versus.ratio > ceiling * TIE_BAND {
            let source = if run.method == Method::ParallelTree {
                "the same products in another order"
            } else {
                "a better algorithm: fewer, cheaper multiplications"
            };
            let room = if contention.obstacle().is_some() {
                format!(
                    "other programs left {:.1} of {} free",
                    contention.cpus_free(),
                    plural(cores as u128, "CPU")
                )
            } else {
                plural(cores as u128, "core")
            };
            // Rounded down: "at least" must not round up past what was measured.
            let beyond = (versus.ratio / ceiling * 10.0).floor() / 10.0;
            format!(
                "parallelism gave at most {ceiling:.1}× here ({room}),\n      so at least \
                 {beyond:.1}× is {source}"
            )
        } else if versus.verdict == Verdict::Faster {
            format!("within what {} can give", plural(cores as u128, "core"))
        } else if let Some(obstacle) = contention.obstacle() {
            format!("no parallel speedup: {obstacle}")
        } else {
            "no speedup at this n".to_string()
        };
        lines.push(format!(
            "  {:<width$}   {versus}:\n      {why}",
            run.method.to_string()
        ));
    }
    (lines.len() > 1).then(|| lines.join("\n"))
}

/// Where the time of a prime-exponent method goes, phase by phase (one more
/// run, timed phase by phase), as a table with each phase's share.
pub fn profile_table(n: u64, multiplier: Multiplier) -> String {
    let (_, profile) = crate::methods::by_prime_exponents_profiled(n, multiplier);
    let total: Duration = profile.iter().map(|(_, took)| *took).sum();
    let mut table = Table::new(["phase", "time", "share"]);
    table.left_align(0);
    for (phase, took) in &profile {
        let share =
            100.0 * took.as_secs_f64() / total.as_secs_f64().max(f64::MIN_POSITIVE);
        table.row([
            phase.to_string(),
            HumanDuration(*took).to_string(),
            format!("{share:.0}%"),
        ]);
    }
    table.row([
        "total".to_string(),
        HumanDuration(total).to_string(),
        "100%".to_string(),
    ]);
    let slowest =
        profile.iter().max_by_key(|(_, took)| *took).map_or("—", |(phase, _)| phase);
    // The profile runs after the timed runs: the NTT's tables are built, and
    // the row that would build them only finds them.
    let tables_note = match multiplier {
        Multiplier::Ntt => {
            "\n(The third row sums eₚ·log₂ p to size the last product and finds the twiddle\n\
             tables the timed runs above built; in a fresh process it also builds them:\n\
             section 7 times that for one length.)"
        }
        Multiplier::KaratsubaSplit => "",
    };
    format!(
        "Where the time goes: {n}! by prime exponents ({}), phase by phase \
         (profile to find the bottleneck):\n{}\nThe bottleneck in this run: \
         {slowest}.{tables_note}",
        match multiplier {
            Multiplier::Ntt => "NTT products",
            Multiplier::KaratsubaSplit => "num-bigint products",
        },
        table.to_string().trim_end()
    )
}

/// Section 4.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let n = config.n;
    println!(
        "n = {n}: n! will have about {:.0} digits. Computing it {} on {}…\n",
        estimated_digits(n),
        if config.method.is_some() { "one way" } else { "every way" },
        plural(rayon::current_num_threads() as u128, "thread")
    );
    let methods = methods_for(n, config.method);
    let estimate = config.speed.map(|speed| {
        speed.scale(crate::estimate::huge_work(n, config.method).nominal(n))
    });
    if let (Some(estimate), Some(speed)) = (estimate, config.speed)
        && estimate >= crate::estimate::ANNOUNCE
    {
        println!("{}\n", crate::estimate::announcement(estimate, speed));
    }
    let (outcome, contention) = watch(|| run_methods(n, &methods, estimate));
    let (value, runs) = outcome?;

    let baseline = runs[0].took;
    let mut table = Table::new(["method", "time", "vs first", ""]);
    table.left_align(0);
    for run in &runs {
        let note = if run.method.is_parallel() { "all cores" } else { "one core" };
        table.row([
            run.method.to_string(),
            HumanDuration(run.took).to_string(),
            Speedup(speedup(baseline, run.took)).to_string(),
            note.to_string(),
        ]);
    }
    println!("{table}");
    if methods.len() > 1 {
        println!("All {} results are equal.", methods.len());
    }
    if let Some(reading) = against_one_core(&runs, contention) {
        println!("\n{reading}");
    }
    if methods.contains(&Method::Ntt) {
        println!(
            "(The NTT's time includes building its transform plans, once per process: a\n\
             twiddle table per prime, grown to the longest length; the profile below runs\n\
             after them, and section 7 times them apart.)"
        );
    }
    if config.method.is_none() && n > Method::NAIVE_LIMIT {
        println!(
            "(The naive loop is left out above n = {}: it is quadratic.)",
            Method::NAIVE_LIMIT
        );
    }

    // The fastest prime-exponent method that ran, phase by phase.
    if methods.contains(&Method::Ntt) {
        println!("\n{}", profile_table(n, Multiplier::Ntt));
    } else if methods.contains(&Method::Primes) {
        println!("\n{}", profile_table(n, Multiplier::KaratsubaSplit));
    }

    let (digits, count_time) = time(|| digit_count(n, &value));
    println!(
        "\n{n}! has {digits} digits ({} bits) and {} trailing zeros (Legendre's formula for 5).\n\
         The digit count took {}: Stirling's ln Γ(n+1), no decimal conversion.",
        value.bits(),
        legendre(n, 5),
        HumanDuration(count_time)
    );
    if config.print_digits {
        let (text, took) = time(|| to_decimal(&value));
        anyhow::ensure!(text.len() as u64 == digits, "the digit count is wrong");
        println!("{n}! = {text}");
        println!("(decimal conversion: {}, on every core)", HumanDuration(took));
    } else {
        println!(
            "--print-digits prints all of them (divide-and-conquer conversion, in parallel)."
        );
    }
    Ok(())
}
