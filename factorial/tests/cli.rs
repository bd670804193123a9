//! The binaries, run as a learner runs them.

use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_factorial");
const README: &str = include_str!("../README.md");

#[test]
fn full_quick_run_shows_seven_sections_and_the_notebook_values() {
    // The banners and the README's sample run are checked against the
    // README, then the notebook's lines.
    let stdout = check::sections_run(Command::new(EXE).arg("--quick"), README);
    check::contains_all(
        &stdout,
        &[
            "5! = 120",
            "10! = 3628800",
            "20! = 2432902008176640000",
            "Factorial not defined for negative numbers",
            "Sequential time:",
            "Computing factorial of 8000 (pid ",
            "Computing factorial of 700 (main)",
            "422857792660",
            "518418106048",
            "All 5 results are equal.",
            "100000! has 456574 digits",
            "24999 trailing zeros",
            "26 inputs: 21 computed, 5 rejected, none lost.",
            "efficiency",
        ],
    );
    assert_eq!(stdout.matches("Processed: 49500000").count(), 4);
    for (n, digits, zeros) in [(5000, 16326, 1249), (6000, 20066, 1498), (700, 1690, 174)]
    {
        let row = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{n} ")))
            .unwrap();
        assert!(
            row.contains(&digits.to_string()) && row.contains(&zeros.to_string()),
            "{row}"
        );
    }
}

#[test]
fn print_digits_prints_the_lecture_s_full_numbers() {
    let stdout = check::run_ok(Command::new(EXE).args(["lecture", "--print-digits"]));
    assert!(stdout.contains("Factorial of 700 is 242204012475"));
    // 8000! has 27753 digits: 518418106048 and then 27741 more.
    assert!(stdout.lines().any(|line| {
        line.strip_prefix("Factorial of 8000 is 518418106048").is_some_and(|rest| {
            rest.len() == 27741 && rest.bytes().all(|b| b.is_ascii_digit())
        })
    }));
}

#[test]
fn one_method_for_a_chosen_n() {
    let stdout = check::run_ok(Command::new(EXE).args([
        "huge",
        "--n",
        "20000",
        "--method",
        "tree-parallel",
    ]));
    check::contains_all(&stdout, &["20000! has 77338 digits", "product tree, parallel"]);
    assert!(!stdout.contains("naive loop"));
}

#[test]
fn bad_input_is_one_line_and_a_non_zero_exit_never_a_panic() {
    check::command_line(EXE, factorial::SECTIONS);
    for (args, message) in [
        (&["--n", "-5"][..], "negative"),
        (&["--n=-5"][..], "negative"),
        (&["--n", "abc"][..], "whole number"),
        (&["--n", "2.5"][..], "whole number"),
        (&["--n", "100000000"][..], "MiB"),
        (&["--n", "99999999999999999999999"][..], "out of range"),
        (&["--workers", "0"][..], "workers"),
        (&["--method", "magic"][..], "possible values: naive"),
        (&["--nn", "5"][..], "similar argument exists: '--n'"),
        (&["lecture", "extra"][..], "'extra'"),
    ] {
        refused_in_one_line(args, message);
    }
}

/// Runs the binary with `args` and asserts the README's promise for bad
/// input: exit code 2, one line on stderr containing `message`, no stdout,
/// no panic.
fn refused_in_one_line(args: &[&str], message: &str) -> String {
    let run = check::run(Command::new(EXE).args(args));
    assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
    assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{args:?}: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    assert!(run.stdout.is_empty(), "{args:?} printed before failing: {}", run.stdout);
    run.stderr
}

#[test]
fn an_option_the_chosen_section_does_not_use_is_an_error_naming_it() {
    for (args, message) in [
        (&["lecture", "--n", "5"][..], "--n is used only by sections 4 (huge) and 6"),
        (&["batch", "--method", "tree"][..], "--method is used only by"),
        (&["batch", "--print-digits"][..], "--print-digits is used only by"),
        (&["function", "--workers", "2"][..], "--workers is used only by"),
        (&["speedup", "--method", "tree"][..], "--method tree runs on one thread"),
        (&["--method", "naive"][..], "--method naive runs on one thread"),
        (&["lecture", "--allow-long"][..], "--allow-long is used only by"),
    ] {
        refused_in_one_line(args, message);
    }
}

#[test]
fn the_lecture_binary_prints_what_the_script_prints() {
    let stdout = check::run_ok(&mut Command::new(env!("CARGO_BIN_EXE_lecture")));
    check::contains_all(
        &stdout,
        &[
            "Computing factorial of 6000",
            "Factorial of 5000 is 422857792660",
            "Results: [4228577926605543522201064200233584405390786674626646748849782402181358052708108200690899047871706387537084746657300685445878486066683812736",
            "Time taken: ",
        ],
    );
}

#[test]
fn time_factorial_reports_and_rejects_bad_n() {
    let timer = env!("CARGO_BIN_EXE_time-factorial");
    let stdout = check::run_ok(Command::new(timer).args(["3000", "primes", "--str"]));
    check::contains_all(&stdout, &["3000! in ", "9131 digits"]);
    let bad = check::run(Command::new(timer).arg("-1"));
    assert_eq!(bad.code, Some(2));
    assert!(bad.stderr.contains("negative"), "{}", bad.stderr);
}

#[test]
fn a_run_estimated_past_minutes_is_refused_at_once_with_the_estimate() {
    // The naive loop at the size limit: hours on any machine (the estimate
    // is scaled by a measured calibration, at most 20 times faster than the
    // reference machine, still far past the three-minute limit).
    let started = std::time::Instant::now();
    let stderr = refused_in_one_line(
        &["huge", "--n", "12000000", "--method", "naive"],
        "--n 12000000 would take about ",
    );
    let took = started.elapsed();
    check::contains_all(&stderr, &[" h here", "--method ntt", "--allow-long"]);
    // It estimated; it did not compute (that would take hours).
    assert!(took < std::time::Duration::from_secs(10), "refusing took {took:?}");
}

/// `cargo run -p <chapter> | head -3`: the reader stops reading; the run
/// stops too, with exit code 141 and nothing on stderr — no panic, and no
/// error from a child process that printed into the same closed pipe.
#[test]
fn closing_the_output_early_stops_the_run_quietly() {
    for lines in [3, 40] {
        check::stops_quietly_when_output_closes(Command::new(EXE).arg("--quick"), lines);
    }
}
