//! The chapter binary, run as a learner runs it (with `--quick`).

use std::path::Path;
use std::process::Command;

/// The binary Cargo built for this package (never `current_exe()`: in a
/// test that is the test harness).
const EXE: &str = env!("CARGO_BIN_EXE_what_is_process_and_threads");

/// Marks the processes of one test run: children inherit the environment, so
/// a worker started by that run carries the same variable. Tests run in
/// parallel, so "any worker of this binary" would also see other tests'
/// workers.
const TAG_VAR: &str = "CHAPTER_244_TEST_TAG";

/// A tag unique to this test process and `name`.
fn tag(name: &str) -> String {
    format!("{name}-{}", std::process::id())
}

/// Worker processes of this binary, started under `tag`, still running.
fn leftover_workers(tag: &str) -> Vec<u32> {
    let exe = Path::new(EXE).canonicalize().expect("the binary exists");
    common::procfs::processes_with_env(TAG_VAR, tag)
        .into_iter()
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe)
        })
        .collect()
}

#[test]
fn full_run_prints_nine_numbered_sections_and_leaves_no_children() {
    let run_tag = tag("full-run");
    let readme = include_str!("../README.md");
    let stdout = check::sections_run(
        Command::new(EXE).arg("--quick").env(TAG_VAR, &run_tag),
        readme,
    );

    // Values that must never vary.
    assert!(stdout.contains("sum = 49999995000000"));
    let safe =
        stdout.split("SAFE VERSION (With Lock)").nth(1).expect("safe versions printed");
    assert_eq!(
        safe.matches("Counter value: 50000 (Expected: 50000)").count(),
        2,
        "{safe}"
    );
    assert!(stdout.contains("3 threads × 1000 increments of a Mutex<u64> → 3000"));
    assert!(stdout.contains("✓ same result"));
    assert!(!stdout.contains('✗'), "a concurrent result differed from the serial one");
    assert!(
        stdout.contains("parent's counter after the child:          0   ← unchanged"),
        "{stdout}"
    );

    assert_eq!(
        leftover_workers(&run_tag),
        Vec::<u32>::new(),
        "worker processes outlived the run"
    );
}

#[test]
fn one_section_by_name_or_number() {
    let race = check::run_ok(Command::new(EXE).args(["race", "--quick"]));
    assert!(race.contains("7. THREAD SAFETY & RACE CONDITIONS"), "{race}");
    assert!(!race.contains("1. SEQUENTIAL"), "{race}");
    let five = check::run_ok(Command::new(EXE).args(["5", "--quick"]));
    check::contains_all(&five, &["5. MULTIPROCESSING EXAMPLE", "Completed Task-3"]);
}

#[test]
fn the_leftover_check_does_see_a_live_worker() {
    // Guards the guard: without this, a broken `leftover_workers` would make
    // the "no children left" assertion pass vacuously.
    let probe_tag = tag("probe");
    let mut child =
        common::worker::command(std::path::Path::new(EXE), &["task", "probe", "30000"])
            .env(TAG_VAR, &probe_tag)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("spawns");
    // The worker's environment shows in /proc once its exec is done, which
    // can be a moment after `spawn` returns (seen with other tests loading
    // both cores): poll for it, with a deadline.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let found = loop {
        if leftover_workers(&probe_tag).contains(&child.id()) {
            break true;
        }
        if std::time::Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    child.kill().expect("the worker is still sleeping");
    child.wait().expect("reaped");
    assert!(found, "a live worker was not detected");
}

#[test]
fn command_line_contract() {
    // --help lists every section; a bad section or worker role is a clean error.
    check::command_line(EXE, what_is_process_and_threads::SECTIONS);
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
