//! The whole chapter (`--quick`, offline), run pinned to one CPU and again
//! with every CPU kept busy by other processes: each sentence that judges a
//! measurement must agree with the numbers printed beside it, counts read
//! as English, and no `Debug` output reaches the learner.

use std::process::Command;

use check::Machine;
use common::readout::{
    debug_leaks, durations, plural_mistakes, ratio_rounding, ratios, verdict_agrees,
    verdict_word,
};

const EXE: &str = env!("CARGO_BIN_EXE_webscraping");

/// The row of a table that starts with `label`.
fn row<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines()
        .find(|line| line.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no row {label:?} in:\n{text}"))
}

/// The number in a row's column, counted from the end (`1` = last).
fn column_from_end(line: &str, from_end: usize) -> u64 {
    let cells: Vec<&str> =
        line.split("   ").map(str::trim).filter(|c| !c.is_empty()).collect();
    cells[cells.len() - from_end].parse().unwrap_or_else(|_| panic!("no count in {line}"))
}

/// §6: the threads each strategy added, and the per-page time against async.
fn threads_at_scale(text: &str) {
    let section = text.split("6. THREADS AT SCALE").nth(1).expect("section 6");
    let per_page = row(section, "60 threads, one per page");
    let asynchronous = row(section, "async: tokio, 2 worker threads");
    let (per_page_threads, async_threads) =
        (column_from_end(per_page, 3), column_from_end(asynchronous, 3));
    assert!(
        async_threads <= 2,
        "async on a 2-thread runtime added {async_threads} threads:\n{section}"
    );
    assert!(
        section.contains(&format!("it added {per_page_threads} threads"))
            && section.contains(&format!("async added {async_threads} thread")),
        "the sentence does not repeat the table's counts:\n{section}"
    );
    let ratio = durations(asynchronous)[0] / durations(per_page)[0];
    let sentence = section
        .lines()
        .find(|line| line.starts_with("A thread per page"))
        .unwrap_or_else(|| panic!("no verdict on a thread per page:\n{section}"));
    let word = verdict_word(sentence).expect("a verdict word");
    assert!(verdict_agrees(ratio, word), "{ratio:.2}× is not {word:?}: {sentence}");
    // The printed ratio is rounded to its last decimal; each printed time to
    // three figures (about 1 % of the quotient each).
    let rounding = ratio_rounding(sentence).expect("a ratio");
    assert!(
        (ratios(sentence)[0] - ratio).abs() <= rounding + 0.02 * ratio + 0.001,
        "{sentence}"
    );
}

/// §3: "no fault held up another page" only when the whole run took about
/// as long as its slowest path.
fn robust(text: &str) {
    let section = text.split("3. ROBUST SCRAPING").nth(1).expect("section 3");
    let line = section
        .lines()
        .find(|line| line.starts_with("All of it in"))
        .unwrap_or_else(|| panic!("no overall time:\n{section}"));
    let [total, slowest] = durations(line)[..] else { panic!("two times in {line}") };
    let slowest_row = section
        .lines()
        .filter(|l| l.trim_start().starts_with('/'))
        .filter_map(|l| durations(l).last().copied())
        .fold(0.0, f64::max);
    assert!((slowest - slowest_row).abs() <= 0.01 * slowest_row, "{line}\n{section}");
    let claims_none_held_up = section.contains("no fault held up another page");
    let tie = verdict_agrees(total / slowest, "a tie");
    assert!(!claims_none_held_up || tie, "{total} s against {slowest} s: {line}");
}

fn consistent(machine: Machine) {
    let run = machine.run(Command::new(EXE).arg("--quick"));
    assert_eq!(run.code, Some(0), "the run failed:\n{}", run.stderr);
    let text = &run.stdout;
    assert!(plural_mistakes(text).is_empty(), "{:?}", plural_mistakes(text));
    assert!(debug_leaks(text).is_empty(), "{:?}", debug_leaks(text));
    threads_at_scale(text);
    robust(text);
}

check::consistency_tests!(consistent);
