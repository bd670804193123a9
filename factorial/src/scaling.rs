//! Section 6: speedup analysis — the prime-exponent method (num-bigint
//! products, split over cores) on 1, 2, … threads. (Section 7 measures the
//! NTT's own scaling, one product at a time.)
//!
//! Each thread count gets its own rayon pool (`ThreadPoolBuilder` +
//! `install`): everything inside `install` — `join`, `par_iter` — runs on
//! that pool's threads. Amdahl's law says where the curve bends: whatever
//! part of the work is sequential (here the last, biggest multiplications,
//! which are split only three ways) caps the speedup below the ideal line.

use std::time::Duration;

use anyhow::Context;
use common::report::Table;
use common::timing::{HumanDuration, Speedup, speedup, time};
use common::verdict::{Contention, Verdict, plural, ratio, watch};

use crate::Config;
pub use crate::estimate::thread_counts;
use crate::methods::{Method, factorial};

/// Times `method` for n on a pool of each size in `counts`; checks that all
/// results agree. With an `estimate` past two seconds, a progress bar shows
/// on a terminal.
pub fn measure(
    n: u64,
    method: Method,
    counts: &[usize],
    estimate: Option<Duration>,
) -> anyhow::Result<Vec<(usize, Duration)>> {
    let bar = crate::estimate::progress_bar(counts.len() as u64, estimate);
    bar.set_message(method.to_string());
    let mut reference = None;
    let mut rows = Vec::new();
    for &threads in counts {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(move |i| format!("scaling-{threads}-{i}"))
            .build()
            .context("building a rayon pool")?;
        let (value, took) = time(|| pool.install(|| factorial(n, method)));
        match &reference {
            None => reference = Some(value),
            Some(first) => anyhow::ensure!(*first == value, "{threads} threads disagree"),
        }
        rows.push((threads, took));
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(rows)
}

/// An ASCII chart of speedup against thread count, with the ideal line.
pub fn chart(rows: &[(usize, f64)], width: usize) -> String {
    let top = rows.iter().map(|&(t, s)| s.max(t as f64)).fold(1.0, f64::max);
    let mut text = String::new();
    for &(threads, measured) in rows {
        let bar = ((measured / top) * width as f64).round() as usize;
        let ideal = ((threads as f64 / top) * width as f64).round() as usize;
        let mut line: Vec<char> = std::iter::repeat_n('█', bar).collect();
        line.resize(width.max(ideal), ' ');
        if ideal > 0 && ideal <= line.len() {
            line[ideal - 1] = if ideal <= bar { '┃' } else { '│' };
        }
        let line: String = line.into_iter().collect();
        let label = if threads == 1 { "thread " } else { "threads" };
        text.push_str(&format!("{threads:>3} {label} {line}  {measured:.2}×\n"));
    }
    text.push_str("            █ measured speedup   │ ideal (= threads)\n");
    text
}

/// Section 6.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let n = config.n;
    let method = config.method.filter(|m| m.is_parallel()).unwrap_or(Method::Primes);
    let cores = common::pool::cpu_workers();
    let counts = thread_counts(cores);
    let list: Vec<String> = counts.iter().map(ToString::to_string).collect();
    println!(
        "{n}! by {method}, on rayon pools of {} threads ({}):\n",
        list.join(", "),
        plural(cores as u128, "core")
    );
    let estimate = config.speed.map(|speed| {
        speed.scale(crate::estimate::speedup_work(config.method, cores).nominal(n))
    });
    if let (Some(estimate), Some(speed)) = (estimate, config.speed)
        && estimate >= crate::estimate::ANNOUNCE
    {
        println!("{}\n", crate::estimate::announcement(estimate, speed));
    }
    let (rows, contention) = watch(|| measure(n, method, &counts, estimate));
    let rows = rows?;
    let base = rows[0].1;
    let mut table = Table::new(["threads", "time", "speedup", "efficiency"]);
    let mut points = Vec::new();
    for &(threads, took) in &rows {
        let s = speedup(base, took);
        points.push((threads, s));
        table.row([
            threads.to_string(),
            HumanDuration(took).to_string(),
            Speedup(s).to_string(),
            format!("{:.0}%", 100.0 * s / threads as f64),
        ]);
    }
    println!("{table}");
    println!("{}", chart(&points, 40));
    println!("{}", reading(&points, cores, contention));
    Ok(())
}

/// What the measured curve says, in words chosen from the numbers (through
/// [`common::verdict`]): whether this run showed a parallel speedup at all
/// (and if not, why), and how the count past the cores compares.
pub fn reading(points: &[(usize, f64)], cores: usize, contention: Contention) -> String {
    let at =
        |threads: usize| points.iter().find(|&&(t, _)| t == threads).map(|&(_, s)| s);
    let Some(at_cores) = at(cores) else { return String::new() };
    let on_cores = format!(
        "{} on {}",
        plural(cores as u128, "thread"),
        plural(cores as u128, "core")
    );
    let first = if cores == 1 {
        "One core here: there is no parallel speedup to see, only threads taking turns."
            .to_string()
    } else if Verdict::of_ratio(at_cores) != Verdict::Faster {
        let why = contention.obstacle().unwrap_or_else(|| {
            "no other program was measured taking the cores, so at this n the work did \
             not split well"
                .to_string()
        });
        format!(
            "No parallel speedup in this run ({}, {on_cores}):\n{why}.",
            ratio(at_cores)
        )
    } else {
        format!(
            "{on_cores}: {}.\nBelow the core count, the gap to the ideal is the part that does \
             not split:\nthe final, largest multiplications, cut into only three pieces.",
            ratio(at_cores)
        )
    };
    let Some(&(over, at_over)) = points.last().filter(|&&(t, _)| t > cores) else {
        return first;
    };
    let versus = ratio(at_over / at_cores);
    let (over_on, with) = (
        format!(
            "{} on {}",
            plural(over as u128, "thread"),
            plural(cores as u128, "core")
        ),
        format!("{at_over:.2}× against {at_cores:.2}×"),
    );
    let past = match versus.verdict {
        Verdict::Faster if contention.obstacle().is_some() => format!(
            "{over_on} did better than {cores} ({with}): with other programs on the\n\
             same cores, more threads win a bigger share of their time. The cores are not more."
        ),
        Verdict::Faster => format!(
            "{over_on} did better than {cores} ({with}): a multiplication split\n\
             three ways leaves a core idle while the third piece runs alone, and extra\n\
             threads, time-sliced, fill those gaps. It can never pass {cores}×: there are only {}.",
            plural(cores as u128, "core")
        ),
        Verdict::Slower => format!(
            "{over_on} did worse than {cores} ({with}):\nthe extra threads only share \
             the same cores, and switching between them costs time."
        ),
        Verdict::Tie => format!(
            "{over_on} did about as well as {cores} ({with}, {versus}): the extra threads\n\
             only share the same cores."
        ),
    };
    format!("{first}\n{past}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts_double_up_to_the_cores_then_oversubscribe() {
        assert_eq!(thread_counts(1), [1, 2]);
        assert_eq!(thread_counts(2), [1, 2, 4]);
        assert_eq!(thread_counts(6), [1, 2, 4, 6, 12]);
    }

    #[test]
    fn the_reading_follows_the_numbers_past_the_cores() {
        let quiet = Contention { cpus_allowed: 2, others_busy: 0.0 };
        assert!(
            reading(&[(1, 1.0), (2, 1.45), (4, 1.74)], 2, quiet).contains("did better")
        );
        assert!(reading(&[(1, 1.0), (2, 1.9), (4, 1.5)], 2, quiet).contains("did worse"));
        assert!(
            reading(&[(1, 1.0), (2, 1.8), (4, 1.8)], 2, quiet).contains("about as well")
        );
        assert!(
            reading(&[(1, 1.0), (2, 1.8)], 2, quiet).contains("Below the core count")
        );
    }

    #[test]
    fn no_speedup_is_explained_not_described_as_a_gap() {
        let busy = Contention { cpus_allowed: 2, others_busy: 1.8 };
        let text = reading(&[(1, 1.0), (2, 0.86), (4, 0.86)], 2, busy);
        assert!(text.starts_with("No parallel speedup in this run"), "{text}");
        assert!(text.contains("other programs kept 1.8"), "{text}");
        assert!(!text.contains("Below the core count"), "{text}");
        let one = Contention { cpus_allowed: 1, others_busy: 0.0 };
        assert!(reading(&[(1, 1.0), (2, 0.9)], 1, one).starts_with("One core here"));
    }

    #[test]
    fn the_chart_has_a_row_per_count_and_marks_the_ideal() {
        let text = chart(&[(1, 1.0), (2, 1.8), (4, 1.7)], 20);
        assert_eq!(text.lines().count(), 4);
        assert!(text.contains("1.80×"));
        assert!(text.contains('│'));
    }
}
