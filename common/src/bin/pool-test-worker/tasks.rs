//! Tasks for the pool tests: each one exercises one way a task can end.
//! Shared with `tests/pool/` through `#[path]`, so both sides agree.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum TestTask {
    /// Returns its value.
    Echo(u64),
    /// Returns the product (CPython's `mul(x, y)`).
    Mul(u64, u64),
    /// Sleeps, then returns the value.
    Sleep { ms: u64, value: u64 },
    /// Panics with this message (the worker survives).
    Panic(String),
    /// `abort()`: the worker process dies with SIGABRT.
    Abort,
    /// `exit(code)` in the middle of a task.
    Exit(i32),
    /// Returns the worker's PID.
    Pid,
    /// The initializer: counts how often it ran in this process.
    Init,
    /// How many times `Init` ran in this process.
    InitRuns,
    /// Returns the payload's length (a large request frame).
    Blob(Vec<u8>),
    /// Creates the file `marker` (so a test knows the task has started),
    /// then sleeps and returns the value.
    MarkThenSleep { marker: String, ms: u64, value: u64 },
    /// 1 if this worker's stdin is `/dev/null`, else 0.
    StdinIsDevNull,
    /// An initializer that hangs (sleeps a minute) while the file `path`
    /// exists, and returns at once otherwise.
    HangIfExists(String),
    /// An initializer that, while the file `hang_if` exists, creates the
    /// file `marker` (so a test knows it is running) and sleeps a minute;
    /// otherwise it returns at once.
    InitHang { hang_if: String, marker: String },
    /// Starts `sleep SECS` (a program of its own, through `Command`),
    /// writes its PID to `pid_file`, and waits for it.
    SpawnSleep { pid_file: String, secs: u64 },
    /// Runs `cat` with the worker's stdin (what `Command::status` passes on
    /// by default) and returns its exit code: `cat` must see end-of-file at
    /// once, not the pool's request stream.
    RunCat,
}

static INIT_RUNS: AtomicU64 = AtomicU64::new(0);

#[allow(dead_code)] // used by the worker binary, not by the tests that include this file
pub(crate) fn run(task: TestTask) -> u64 {
    match task {
        TestTask::Echo(value) => value,
        TestTask::Mul(x, y) => x * y,
        TestTask::Sleep { ms, value } => {
            std::thread::sleep(Duration::from_millis(ms));
            value
        }
        TestTask::Panic(message) => panic!("{message}"),
        TestTask::Abort => std::process::abort(),
        TestTask::Exit(code) => std::process::exit(code),
        TestTask::Pid => u64::from(std::process::id()),
        TestTask::Init => INIT_RUNS.fetch_add(1, Ordering::SeqCst) + 1,
        TestTask::InitRuns => INIT_RUNS.load(Ordering::SeqCst),
        TestTask::Blob(bytes) => bytes.len() as u64,
        TestTask::MarkThenSleep { marker, ms, value } => {
            std::fs::write(&marker, b"started")
                .expect("the test's marker directory exists");
            std::thread::sleep(Duration::from_millis(ms));
            value
        }
        TestTask::HangIfExists(path) => {
            if std::path::Path::new(&path).exists() {
                std::thread::sleep(Duration::from_secs(60));
            }
            0
        }
        TestTask::InitHang { hang_if, marker } => {
            if std::path::Path::new(&hang_if).exists() {
                std::fs::write(&marker, b"started")
                    .expect("the test's marker directory exists");
                std::thread::sleep(Duration::from_secs(60));
            }
            0
        }
        TestTask::SpawnSleep { pid_file, secs } => {
            let mut sleep = std::process::Command::new("sleep")
                .arg(secs.to_string())
                .spawn()
                .expect("sleep(1) runs");
            std::fs::write(&pid_file, sleep.id().to_string())
                .expect("the test's directory exists");
            let _ = sleep.wait();
            0
        }
        TestTask::StdinIsDevNull => {
            let target = std::fs::read_link("/proc/self/fd/0").unwrap_or_default();
            u64::from(target == std::path::Path::new("/dev/null"))
        }
        TestTask::RunCat => {
            let status = std::process::Command::new("cat")
                .stdout(std::process::Stdio::null())
                .status()
                .expect("cat runs");
            status.code().map_or(u64::MAX, |code| code as u64)
        }
    }
}
