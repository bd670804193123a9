//! The whole chapter (`--quick`), run pinned to one CPU and again with every
//! CPU kept busy by other processes: each sentence that judges a measurement
//! must agree with the numbers printed beside it, no lesson may claim a
//! parallel effect its run could not show, counts read as English, and no
//! `Debug` output reaches the learner.

use std::process::Command;

use check::Machine;
use common::readout::{
    debug_leaks, durations, plural_mistakes, ratios, verdict_agrees, verdict_word,
};

const EXE: &str = env!("CARGO_BIN_EXE_factorial");

/// The text of section `number`, from its banner to the next one.
fn section(text: &str, number: u32) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let banner = |i: usize| lines[i].starts_with("=====") && i + 1 < lines.len();
    let start = (1..lines.len())
        .find(|&i| banner(i - 1) && lines[i].starts_with(&format!("{number}. ")))
        .unwrap_or_else(|| panic!("no section {number} in:\n{text}"));
    let end = (start + 2..lines.len())
        .find(|&i| banner(i) && lines[i + 1].starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(lines.len());
    lines[start..end].join("\n")
}

/// The first duration on the row that starts with `label`.
fn time_of(text: &str, label: &str) -> f64 {
    let line = text
        .lines()
        .find(|line| line.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no row {label:?} in:\n{text}"));
    durations(line)[0]
}

/// The verdict word in the first line that starts with `prefix` and all
/// the lines after it up to a blank line.
fn verdict_after<'a>(text: &'a str, prefix: &str) -> (&'static str, &'a str) {
    let line = text
        .lines()
        .find(|line| line.trim_start().starts_with(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in:\n{text}"));
    (verdict_word(line).unwrap_or_else(|| panic!("no verdict in {line}")), line)
}

fn agrees(ratio: f64, (word, line): (&str, &str), text: &str) {
    assert!(verdict_agrees(ratio, word), "{ratio:.2}× is not {word:?}: {line}\n{text}");
}

fn heavy(text: &str, one_cpu: bool) {
    let s = &section(text, 2);
    let ratio = time_of(s, "sequential") / time_of(s, "rayon par_iter");
    let verdict = s
        .lines()
        .find(|l| l.starts_with("rayon was") || l.starts_with("rayon against"))
        .unwrap_or_else(|| panic!("no verdict on rayon:\n{s}"));
    agrees(ratio, (verdict_word(verdict).expect("a verdict word"), verdict), s);
    if one_cpu {
        assert!(!s.contains("ran side by side"), "side by side on one CPU:\n{s}");
    }
}

fn lecture(text: &str, one_cpu: bool) {
    let s = &section(text, 3);
    let timed = s.split("Timed apart from the demo").nth(1).expect("the quiet timings");
    let sequential = time_of(timed, "sequential");
    agrees(
        sequential / time_of(timed, "rayon, "),
        verdict_after(timed, "In this run rayon"),
        s,
    );
    let processes = timed
        .lines()
        .find(|l| l.starts_with("the ") && l.contains("process"))
        .expect("the processes' verdict");
    let rows: Vec<&str> = timed.lines().filter(|l| l.contains(", map")).collect();
    agrees(
        sequential / durations(rows[0])[0],
        (verdict_word(processes).expect("a verdict word"), processes),
        s,
    );
    if one_cpu {
        assert!(timed.contains("only 1 CPU"), "one CPU, not said:\n{timed}");
    }
}

fn huge(text: &str, one_cpu: bool) {
    let s = &section(text, 4);
    let tree = time_of(s, "product tree ");
    let judged =
        s.split("Against the one-core product tree").nth(1).expect("the reading");
    for method in
        ["product tree, parallel", "prime exponents, parallel", "prime exponents, NTT"]
    {
        let ratio = tree / time_of(s, method);
        let line = judged
            .lines()
            .find(|l| l.trim_start().starts_with(method))
            .unwrap_or_else(|| panic!("{method} not judged:\n{s}"));
        agrees(ratio, (verdict_word(line).expect("a verdict word"), line), s);
        if one_cpu && verdict_agrees(ratio, "faster") && ratio > 1.2 {
            let why = judged.split(line).nth(1).unwrap_or_default();
            assert!(
                why.lines().take(3).any(|l| l.contains("at least")),
                "{method} beat the one-core tree on one CPU without saying why:\n{s}"
            );
        }
    }
    // A share claimed for the algorithm is the ratio beyond the stated ceiling.
    for pair in judged.lines().collect::<Vec<_>>().windows(2) {
        if let (Some(ceiling), Some(rest)) = (
            pair[0].split("at most ").nth(1).and_then(|r| ratios(r).first().copied()),
            pair[1].split("at least ").nth(1),
        ) {
            assert!(ceiling >= 1.0, "{}", pair[0]);
            assert!(ratios(rest)[0] > 0.0, "{}", pair[1]);
        }
    }
}

fn speedup(text: &str, one_cpu: bool) {
    let s = &section(text, 6);
    let row = |threads: &str| {
        s.lines()
            .find(|l| l.split_whitespace().next() == Some(threads) && l.contains('%'))
            .map(|l| ratios(l)[0])
    };
    if one_cpu {
        assert!(s.contains("One core here"), "one CPU, not said:\n{s}");
    }
    if s.contains("Below the core count, the gap to the ideal") {
        let cores: &str =
            s.split("threads (").nth(1).and_then(|r| r.split(' ').next()).unwrap();
        let at = row(cores).expect("the row at the core count");
        assert!(verdict_agrees(at, "faster"), "a gap to the ideal at {at}×:\n{s}");
    }
}

fn one_product(text: &str) {
    let s = &section(text, 7);
    let ntt: Vec<f64> = s
        .lines()
        .filter(|l| l.trim_start().starts_with("NTT "))
        .map(|l| durations(l)[0])
        .collect();
    let prefix =
        if s.contains("With one thread") { "With one thread" } else { "The NTT on" };
    agrees(ntt[0] / ntt[1], verdict_after(s, prefix), s);
}

fn consistent(machine: Machine) {
    let one_cpu = machine == Machine::OneCpu;
    let run = machine.run(Command::new(EXE).arg("--quick"));
    assert_eq!(run.code, Some(0), "the run failed:\n{}", run.stderr);
    let text = &run.stdout;
    assert!(plural_mistakes(text).is_empty(), "{:?}", plural_mistakes(text));
    assert!(debug_leaks(text).is_empty(), "{:?}", debug_leaks(text));
    heavy(text, one_cpu);
    lecture(text, one_cpu);
    huge(text, one_cpu);
    speedup(text, one_cpu);
    one_product(text);
}

check::consistency_tests!(consistent);
