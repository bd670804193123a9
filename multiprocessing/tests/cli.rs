//! The chapter binary, run as a learner runs it (with `--quick`).

use std::process::Command;

/// The binary Cargo built for this package (never `current_exe()`: in a
/// test that is the test harness).
const EXE: &str = env!("CARGO_BIN_EXE_multiprocessing");

/// Children inherit the environment, so every process of one run carries
/// this variable; tests run in parallel, and must not see each other's.
const TAG_VAR: &str = "CHAPTER_246_TEST_TAG";

/// Processes still running that were started under `tag`.
fn tagged_processes(tag: &str) -> Vec<u32> {
    common::procfs::processes_with_env(TAG_VAR, tag)
}

/// Shared-memory files a run with this PID left in the temp directory.
fn leftover_files(pid: u32) -> Vec<String> {
    let prefix = format!("multiprocessing-shared-{pid}-");
    std::fs::read_dir(std::env::temp_dir())
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|name| name.starts_with(&prefix))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn full_run_shows_every_section_and_leaves_no_process_or_file_behind() {
    let tag = format!("full-run-{}", std::process::id());
    let run = check::run(Command::new(EXE).arg("--quick").env(TAG_VAR, &tag));
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let (stdout, pid) = (run.stdout, run.pid);
    check::matches_readme(&stdout, include_str!("../README.md"));
    check::contains_all(
        &stdout,
        &[
            "Square: 16",
            "Cube: 64",
            "[Process-0] PID: ",
            "[Process-2] Done",
            "All processes completed",
            "Produced: Item-2",
            "Consumed: Item-2",
            "IPC completed",
            "Final value: 30",
            "Speedup: ",
            "Squares: [1, 4, 9, 16, 25]",
            "Cubes: [1, 8, 27, 64, 125]",
            "10 squared: 100",
            "Results: [0, 2, 4, 6, 8]",
            "process pool: apply",
            "signal: 6 (SIGABRT)",
            "signal: 9 (SIGKILL)",
            "exit status: 3",
        ],
    );
    assert_eq!(stdout.matches("Modified value: ").count(), 3);
    assert_eq!(stdout.matches("Worker initialized: PID ").count(), 2);
    // The "Main PID" line names the chapter process itself.
    assert!(stdout.contains(&format!("Main PID: {pid}")));

    assert_eq!(tagged_processes(&tag), Vec::<u32>::new(), "processes left running");
    assert_eq!(leftover_files(pid), Vec::<String>::new(), "shared-memory files left");
}

#[test]
fn one_section_by_name() {
    let stdout = check::run_ok(Command::new(EXE).args(["pool", "--quick"]));
    check::contains_all(&stdout, &["5. PROCESS POOL", "Squares: [1, 4, 9, 16, 25]"]);
    assert!(!stdout.contains("6. POOL WITH INITIALIZER"), "{stdout}");
}

#[test]
fn a_pool_worker_started_by_hand_explains_itself() {
    let run = check::run(Command::new(EXE).args(multiprocessing::worker::INTS.args()));
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("process-pool worker"), "{}", run.stderr);
}

#[test]
fn command_line_contract() {
    // --help lists every section; a bad section or worker role is a clean error.
    check::command_line(EXE, multiprocessing::SECTIONS);
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
