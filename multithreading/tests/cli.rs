//! The chapter binary, run as a learner runs it (with `--quick`).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_multithreading");

#[test]
fn full_run_prints_every_section_in_order_with_its_invariants() {
    let run = check::run(Command::new(EXE).arg("--quick"));
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let (stdout, stderr) = (run.stdout, run.stderr);
    let readme = include_str!("../README.md");
    let numbers = check::matches_readme(&stdout, readme);
    assert_eq!(numbers, (0..=16).collect::<Vec<_>>());

    check::contains_all(
        &stdout,
        &[
            "Final balance: 1200",
            "Producer-Consumer pattern complete! (5 items consumed)",
            "9 items consumed, each exactly once",
            "Each thread maintained its own data!",
            "Main program ending... Daemon will be killed",
            "DEADLOCK detected",
            "2 of 2 transfers done, balances a = 100, b = 100",
            "join() returned Err — the panic surfaced",
            "poisoned = true",
            "4 completed, 2 failed",
            "AtomicCounter (fetch_add):      40000",
            "MutexCounter  (lock):           40000",
            "torn reads = 0",
        ],
    );
    // Logging integration: worker log lines carry their thread's name.
    assert!(stderr.contains("worker-1") && stderr.contains("Task failed"), "{stderr}");
}

#[test]
fn daemon_child_exits_even_though_its_thread_never_ends() {
    let run = multithreading::daemon::run_daemon_child(
        Path::new(EXE),
        Duration::from_millis(5),
        // Wide window: on a busy machine the background thread must still get
        // scheduled at least once before main returns.
        Duration::from_millis(500),
    )
    .expect("the child ends by itself");
    // Which of the two threads prints first is up to the scheduler: check
    // presence, not order.
    assert!(run.lines.iter().any(|l| l == "Main program running..."));
    assert!(
        run.lines.iter().any(|l| l == "Main program ending... Daemon will be killed")
    );
    assert!(run.lines.iter().any(|l| l == "Background task running..."));
}

#[test]
fn one_section_by_name() {
    let stdout = check::run_ok(Command::new(EXE).args(["deadlock", "--quick"]));
    assert!(stdout.contains("12. DEADLOCK"), "{stdout}");
    assert!(!stdout.contains("0. THE LECTURE"), "{stdout}");
}

#[test]
fn command_line_contract() {
    // --help lists every section; a bad section or worker role is a clean error.
    check::command_line(EXE, multithreading::SECTIONS);
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
