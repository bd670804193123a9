//! The process pool's fault behaviour, with real worker processes
//! (`src/bin/pool-test-worker`). Each test starts its own small pool; no test
//! depends on timing except through wide deadlines.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::pool::{ProcessPool, TaskError};
use proptest::prelude::*;

use crate::tasks::TestTask;

const WORKER: &str = env!("CARGO_BIN_EXE_pool-test-worker");

fn pool(workers: usize) -> ProcessPool<TestTask, u64> {
    ProcessPool::builder(WORKER).workers(workers).start().expect("pool starts")
}

/// A pool whose idle workers are not checked for an hour: a worker killed
/// while idle is then found dead only by the next task's delivery, which
/// is what the redelivery tests are about.
fn pool_without_idle_checks(workers: usize) -> ProcessPool<TestTask, u64> {
    ProcessPool::builder(WORKER)
        .workers(workers)
        .idle_check(Duration::from_secs(3600))
        .start()
        .expect("pool starts")
}

fn alive(pid: u32) -> bool {
    // A reaped process has no /proc entry; a zombie still has one.
    common::procfs::state(pid).is_some()
}

fn assert_all_reaped(pids: &[u32]) {
    for &pid in pids {
        assert!(!alive(pid), "worker {pid} is still in the process table");
    }
}

fn sigkill(pid: u32) {
    let pid = libc::pid_t::try_from(pid).unwrap();
    // SAFETY: kill(2) has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
}

/// Waits (polling, up to 10 s) until `pid` has really exited.
fn wait_until_dead(pid: u32) {
    let started = Instant::now();
    while !common::procfs::has_exited(pid) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{pid} did not die within 10 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits (polling, up to 10 s) until the file exists.
fn wait_for_file(path: &Path) {
    let started = Instant::now();
    while !path.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn marker_dir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("pool-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A task that tells the test when it has started running — it creates a
/// marker file, then sleeps — so a test can act on a worker that is
/// provably busy without guessing with a sleep of its own. The marker's
/// directory is removed on drop.
struct Marked {
    dir: std::path::PathBuf,
}

impl Marked {
    fn new(name: &str) -> Self {
        Self { dir: marker_dir(name) }
    }

    /// The task: mark, sleep `ms`, return `value`.
    fn task(&self, ms: u64, value: u64) -> TestTask {
        let marker = self.dir.join("started").display().to_string();
        TestTask::MarkThenSleep { marker, ms, value }
    }

    /// Waits until the task is running in a worker.
    fn wait_until_started(&self) {
        wait_for_file(&self.dir.join("started"));
    }
}

impl Drop for Marked {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Waits (polling, up to 10 s) until a file holds a PID, and returns it.
fn read_pid(path: &Path) -> u32 {
    wait_for_file(path);
    let started = Instant::now();
    loop {
        if let Ok(pid) = std::fs::read_to_string(path).unwrap_or_default().trim().parse()
        {
            return pid;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no pid in {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

mod apply;
mod basics;
mod edges;
mod faults;
mod lifecycle;
mod properties;
