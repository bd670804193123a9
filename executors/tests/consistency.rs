//! The sections that judge a measurement, run pinned to one CPU and again
//! with every CPU kept busy by other processes: each sentence must agree
//! with the numbers printed beside it, and no lesson may claim an effect
//! (parallelism) that this run could not show.

use std::process::Command;

use check::{Machine, Run};
use common::readout::{
    durations, ratio_rounding, ratios, significant_figures, verdict_agrees, verdict_word,
};

const EXE: &str = env!("CARGO_BIN_EXE_executors");

/// The judging sections, each run alone with `--quick`.
const JUDGING: [&str; 3] = ["process-pool", "comparison", "workers"];

fn stdout_of(run: Run, section: &str) -> String {
    assert_eq!(run.code, Some(0), "section {section} failed:\n{}", run.stderr);
    run.stdout
}

/// The row of a table that starts with `label`.
fn row<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find(|line| line.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no row {label:?} in:\n{text}"))
}

/// Every line that states one ratio and a verdict word says the word the
/// ratio earns.
fn verdicts_follow_their_ratios(text: &str) {
    for line in text.lines() {
        if let (Some(word), [ratio]) = (verdict_word(line), ratios(line).as_slice()) {
            assert!(
                verdict_agrees(*ratio, word),
                "{ratio}× is not {word:?}: {line}\n{text}"
            );
        }
    }
}

/// On one CPU (or with every CPU busy) the output may mention parallelism
/// only to say it could not happen.
fn no_parallel_claim(text: &str, obstacle_expected: bool) {
    let prose = text.replace('\n', " ");
    let claims = prose.matches("in parallel too").count();
    let denials = prose.matches("Neither could run in parallel here").count();
    if obstacle_expected {
        assert!(
            claims == 0 || denials > 0,
            "claims parallelism it could not have had:\n{text}"
        );
    }
}

fn process_pool(text: &str, one_cpu: bool) {
    let processes = durations(row(text, "4 processes (incl. start)"))[0];
    let threads = durations(row(text, "4 threads"))[0];
    let ratio = processes / threads;
    let verdict = text
        .lines()
        .skip_while(|line| !line.starts_with("Four PIDs"))
        .find_map(verdict_word)
        .unwrap_or_else(|| panic!("no verdict on threads vs processes:\n{text}"));
    assert!(verdict_agrees(ratio, verdict), "{ratio:.2}× is not {verdict:?}:\n{text}");
    no_parallel_claim(text, one_cpu);
}

fn comparison(text: &str) {
    let labels = [
        "ThreadPoolExecutor (ours)",
        "ProcessPoolExecutor",
        "rayon scope + spawn",
        "rayon par_iter",
    ];
    for label in labels {
        let line = row(text, label);
        let rest = line.trim_start().strip_prefix(label).unwrap();
        let printed = rest.split_whitespace().next().unwrap();
        let value = durations(rest).first().copied();
        assert!(
            value.is_some_and(|v| v > 0.0) && significant_figures(printed) >= 2,
            "{label}: a per-task cost printed as {printed:?} reads as free or exact:\n{text}"
        );
    }
    // "X cost F× Y": F is the ratio of the two printed costs.
    let cost = |name: &str| {
        let label = match name {
            "the process pool" => labels[1],
            "our thread pool" => labels[0],
            "a rayon spawn" => labels[2],
            _ => labels[3],
        };
        durations(row(text, label))[0]
    };
    let names =
        ["the process pool", "our thread pool", "a rayon spawn", "a par_iter item"];
    let steps: Vec<&str> =
        text.lines().filter(|l| l.contains(" cost ") && l.contains('×')).collect();
    assert_eq!(steps.len(), 3, "three steps of the ranking:\n{text}");
    for step in steps {
        let mut found = names.iter().filter(|n| step.contains(*n));
        let (Some(a), Some(b)) = (found.next(), found.next()) else {
            panic!("a step names two pools: {step}")
        };
        let (dearer, cheaper) = if step.find(a) < step.find(b) {
            (cost(a), cost(b))
        } else {
            (cost(b), cost(a))
        };
        assert!(dearer >= cheaper * 0.99, "ranked out of order: {step}\n{text}");
        let factor = ratios(step)[0];
        let measured = dearer / cheaper;
        assert!(
            (factor - measured).abs() <= 0.02 * measured + 0.06,
            "{factor}× printed, {measured:.2}× from the table: {step}"
        );
    }
}

fn workers(text: &str, one_cpu: bool) {
    let cpu = text.split("CPU-bound").nth(1).expect("the CPU sweep");
    verdicts_follow_their_ratios(cpu);
    let rows: Vec<(usize, f64)> = cpu
        .lines()
        .filter_map(|line| {
            let workers = line.split_whitespace().next()?.parse().ok()?;
            Some((workers, *durations(line).first()?))
        })
        .collect();
    assert!(rows.len() >= 3, "the CPU rows:\n{cpu}");
    let reading = cpu.lines().find(|l| l.starts_with("CPU:")).expect("the CPU reading");
    if one_cpu {
        assert!(reading.contains("one core"), "one CPU, yet: {reading}\n{cpu}");
    }
    // A speedup stated for the core count is the one the table shows.
    if let Some(stated) = ratios(reading).first() {
        let with = |n: usize| rows.iter().find(|r| r.0 == n).map(|r| r.1);
        let cores: usize = reading
            .split(" with ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            .expect("the worker count in the reading");
        let measured = with(1).unwrap() / with(cores).unwrap();
        // The stated ratio is rounded to its last printed decimal, and each
        // printed time to three figures (about 1 % of the quotient each).
        let rounding = ratio_rounding(reading).expect("the stated ratio");
        assert!(
            (stated - measured).abs() <= rounding + 0.02 * measured + 0.001,
            "{stated}× stated, {measured:.2}× in the table:\n{cpu}"
        );
    }
}

fn consistent(machine: Machine) {
    let one_cpu = machine == Machine::OneCpu;
    for section in JUDGING {
        let text =
            stdout_of(machine.run(Command::new(EXE).args(["--quick", section])), section);
        verdicts_follow_their_ratios(&text);
        match section {
            "process-pool" => process_pool(&text, one_cpu),
            "comparison" => comparison(&text),
            _ => workers(&text, one_cpu),
        }
    }
}

check::consistency_tests!(consistent);
