//! The binary, run as a learner runs it (with `--quick`).

use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;

const EXE: &str = env!("CARGO_BIN_EXE_executors");

#[test]
fn full_quick_run_shows_every_section_and_the_notebook_lines() {
    let output = Command::new(EXE)
        .arg("--quick")
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    // Every section the README's table lists, and no other, in order.
    assert_eq!(
        common::report::banner_numbers(&stdout),
        common::report::readme_section_numbers(include_str!("../README.md"))
    );
    for expected in [
        "Number :0",
        "Square: 196",
        "Square: 121",
        "Response from url5",
        "Downloaded file4.txt",
        "Results (as completed):",
        "Success: Task 1 completed",
        "Success: Task 3 completed",
        "Error: Task 0 - Task 0 failed",
        "Error: Task 4 - Task 4 failed",
        "Error: Task 2 - task panicked: Task 2 failed",
        "Result: Completed in 1s",
        "Task timed out!",
        "Processed item5",
        "Error: cannot parse corrupt-item",
        "a thread per task",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
    assert_eq!(stdout.matches("Number :").count(), 13);
    assert_eq!(
        stdout.matches("Result: ").count(),
        4 + 1,
        "four sums and one timed result"
    );
    assert_eq!(stdout.matches(" in PID ").count(), 4);
    // Number lines in input order: 1 2 3 4 5 6 7 8 9 0 1 2 3.
    let numbers: Vec<&str> =
        stdout.lines().filter_map(|l| l.strip_prefix("Number :")).collect();
    assert_eq!(
        numbers,
        ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "1", "2", "3"]
    );
}

#[test]
fn an_unknown_section_is_an_error_with_exit_code_2() {
    Command::new(EXE)
        .arg("gil")
        .timeout(Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no section `gil`"));
}
