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

use crate::Config;
use crate::methods::{Method, factorial};

/// Thread counts to try: 1, 2, 4, … up to the cores, and one count beyond
/// them (to show that more threads than cores do not help).
pub fn thread_counts(cores: usize) -> Vec<usize> {
    let mut counts = vec![1];
    while *counts.last().expect("non-empty") < cores {
        let next = (counts.last().expect("non-empty") * 2).min(cores);
        counts.push(next);
    }
    counts.push(cores * 2);
    counts
}

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
        text.push_str(&format!("{threads:>3} threads {line}  {measured:.2}×\n"));
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
    println!("{n}! by {method}, on rayon pools of {counts:?} threads ({cores} cores):\n");
    let estimate = config.speed.map(|speed| {
        speed.scale(crate::estimate::speedup_work(config.method, cores).nominal(n))
    });
    if let (Some(estimate), Some(speed)) = (estimate, config.speed)
        && estimate >= crate::estimate::ANNOUNCE
    {
        println!("{}\n", crate::estimate::announcement(estimate, speed));
    }
    let rows = measure(n, method, &counts, estimate)?;
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
    println!("{}", reading(&points, cores));
    Ok(())
}

/// What the measured curve says, in words chosen from the numbers: past the
/// core count the curve may rise a little, stay level or drop, and each has
/// its own reason. (Never a fixed sentence the next run can contradict.)
pub fn reading(points: &[(usize, f64)], cores: usize) -> String {
    let at =
        |threads: usize| points.iter().find(|&&(t, _)| t == threads).map(|&(_, s)| s);
    let gap = "Below the core count, the gap to the ideal is the part that does not split:\n\
               the final, largest multiplications, cut into only three pieces.";
    let (Some(at_cores), Some(&(over, at_over))) = (at(cores), points.last()) else {
        return gap.to_string();
    };
    if over <= cores {
        return gap.to_string();
    }
    let past = if at_over > at_cores * 1.05 {
        format!(
            "{over} threads on {cores} cores did better than {cores} ({at_over:.2}× vs {at_cores:.2}×): \
             a multiplication split three ways\nleaves a core idle while the third piece runs \
             alone, and extra threads, time-sliced, fill those gaps.\n\
             It can never pass {cores}×: there are only {cores} cores."
        )
    } else if at_over < at_cores * 0.95 {
        format!(
            "{over} threads on {cores} cores did worse than {cores} ({at_over:.2}× vs {at_cores:.2}×): \
             the extra threads only\nshare the same cores, and switching between them costs time."
        )
    } else {
        format!(
            "{over} threads on {cores} cores did about as well as {cores} ({at_over:.2}× vs {at_cores:.2}×): \
             the extra threads\nonly share the same cores."
        )
    };
    format!("{past}\n{gap}")
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
        assert!(reading(&[(1, 1.0), (2, 1.45), (4, 1.74)], 2).contains("did better"));
        assert!(reading(&[(1, 1.0), (2, 1.9), (4, 1.5)], 2).contains("did worse"));
        assert!(reading(&[(1, 1.0), (2, 1.8), (4, 1.8)], 2).contains("about as well"));
        assert!(reading(&[(1, 1.0), (2, 1.8)], 2).starts_with("Below the core count"));
    }

    #[test]
    fn the_chart_has_a_row_per_count_and_marks_the_ideal() {
        let text = chart(&[(1, 1.0), (2, 1.8), (4, 1.7)], 20);
        assert_eq!(text.lines().count(), 4);
        assert!(text.contains("1.80×"));
        assert!(text.contains('│'));
    }
}
