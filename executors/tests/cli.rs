//! The binary, run as a learner runs it (with `--quick`).

use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_executors");
const README: &str = include_str!("../README.md");

#[test]
fn full_quick_run_shows_every_section_and_the_notebook_lines() {
    // The banners and the README's sample run are checked against the
    // README, then the notebook's lines.
    let stdout = check::sections_run(Command::new(EXE).arg("--quick"), README);
    check::contains_all(
        &stdout,
        &[
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
        ],
    );
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
fn command_line_contract() {
    // --help lists every section; a bad section or worker role is a clean error.
    check::command_line(EXE, executors::SECTIONS);
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
