//! Every sentence the chapter prints about a measurement agrees with the
//! numbers printed beside it — on one CPU, and with every CPU kept busy by
//! other processes, where the effects a lesson teaches are hardest to show.
//! Only the sections that judge a measurement run (3, 4 and 7), with
//! `--quick`; section 7 on one CPU only (see `consistent`).

use std::process::Command;

use check::Machine;

use common::verdict::{TIE_BAND, Verdict};

const EXE: &str = env!("CARGO_BIN_EXE_multiprocessing");

/// Runs one section with `--quick` on `machine`; returns
/// its stdout.
fn section(number: &str, machine: Machine) -> String {
    let run = machine.run(Command::new(EXE).args([number, "--quick"]));
    assert_eq!(run.code, Some(0), "section {number} failed:\n{}", run.stderr);
    run.stdout
}

/// The speedup at the end of the table row that starts with `label`.
fn row_speedup(text: &str, label: &str) -> f64 {
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no row {label:?} in:\n{text}"));
    row.split_whitespace()
        .find_map(|w| w.strip_suffix('×')?.parse().ok())
        .unwrap_or_else(|| panic!("no speedup in {row:?}"))
}

/// Section 3: the race on lost updates loses updates, and says how many.
fn shared_memory(text: &str) {
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("load + store"))
        .unwrap_or_else(|| panic!("no racy row in:\n{text}"));
    let lost: u64 =
        row.split_whitespace().nth(4).and_then(|w| w.parse().ok()).expect(row);
    assert!(lost > 0, "the lesson on lost updates lost none:\n{text}");
    assert!(text.contains(&format!("This run lost {lost} update")), "{text}");
    assert!(
        !text.contains("may\neven be 0") && !text.contains("This run lost none"),
        "{text}"
    );
}

/// Section 4: a claim that threads reach the parallel speedup stands beside
/// threads that were faster, on more than one CPU, and not behind the pool.
fn cpu_bound(text: &str, one_cpu: bool) {
    let threads = row_speedup(text, "4 threads");
    let pool = row_speedup(text, "4 processes (warm pool)");
    let claims = text.contains("Rust threads get there without them")
        || text.contains("threads get the parallel speedup without processes");
    if claims {
        assert!(!one_cpu, "claims a parallel speedup on one CPU:\n{text}");
        assert_eq!(
            Verdict::of_ratio(threads * 1.05),
            Verdict::Faster,
            "claims threads reach the speedup beside {threads}×:\n{text}"
        );
        assert_ne!(
            Verdict::of_ratio(threads / pool * 1.1),
            Verdict::Slower,
            "claims threads get as far as processes: {threads}× against {pool}×:\n{text}"
        );
    }
    if one_cpu {
        assert!(text.contains("neither could run in\nparallel on 1 CPU"), "{text}");
    }
}

/// Section 7: the tie band decides "a tie", and each finding about the
/// round trips agrees with its ratio.
fn versus(text: &str) {
    // The old wording: "Multiprocessing is 0.9x as fast as threading …: a tie."
    if let Some(rest) = text.split("Multiprocessing is ").nth(1)
        && let Some(ratio) = rest.split('x').next().and_then(|r| r.parse::<f64>().ok())
        && rest.contains(": a tie")
    {
        assert_eq!(Verdict::of_ratio(ratio), Verdict::Tie, "{text}");
    }
    let mut findings = 0;
    for line in text.lines().filter(|l| l.trim_start().starts_with("- ")) {
        let Some(ratio) = line
            .split_whitespace()
            .find_map(|w| w.strip_suffix('×')?.parse::<f64>().ok())
        else {
            continue;
        };
        if line.contains("apply ") && line.contains(" the floor") {
            // Printed to 2 decimals: at the band's edge either word is right.
            if (ratio - TIE_BAND).abs() > 0.005 && (ratio - 1.0 / TIE_BAND).abs() > 0.005
            {
                let tie = (1.0 / TIE_BAND..TIE_BAND).contains(&ratio);
                assert_eq!(line.contains("a tie"), tie, "{line}\n{text}");
            }
            findings += 1;
        }
        if line.contains("waking another core costs more") {
            assert!(ratio * 1.05 > TIE_BAND, "{line}");
        }
    }
    assert!(findings >= 1, "no finding on apply:\n{text}");
}

fn consistent(machine: Machine) {
    let one_cpu = machine == Machine::OneCpu;
    let three = section("3", machine);
    shared_memory(&three);
    let four = section("4", machine);
    cpu_bound(&four, one_cpu);
    assert!(check::verdicts_agree(&four) >= 1, "no verdict in:\n{four}");
    // Section 7 times thousands of one-at-a-time wake-ups: with every CPU
    // busy each waits for a time slice, and even within its time budgets
    // the section takes seconds, so it runs on one CPU only (where the
    // scheduler hands over at once).
    if one_cpu {
        let seven = section("7", machine);
        versus(&seven);
        assert!(check::verdicts_agree(&seven) >= 1, "no verdict in:\n{seven}");
    }
}

check::consistency_tests!(consistent);
