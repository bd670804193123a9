//! The worker process that `common`'s own pool tests drive
//! (`tests/pool/`). Not part of the library: chapters have their own
//! workers (their binaries re-run with a hidden argument).
//!
//! `pool-test-worker parent N MARKER_DIR` is the other role: a *parent* that
//! starts a pool of N workers (this binary again), gives each a long task
//! that starts a program of its own (`sleep`) and writes that program's PID
//! to a file in MARKER_DIR, prints the workers' PIDs on one line, and waits
//! forever — for the orphan test to kill it.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

mod tasks;

use common::pool::ProcessPool;
use tasks::TestTask;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("parent") {
        return parent(&args[2..]);
    }
    let code = common::pool::serve(tasks::run);
    // Code after `serve` runs when the pool closes the channel: the tests
    // check it by the file this leaves (after a pause in which a watchdog
    // that ends the process would have done so).
    if let Ok(path) = std::env::var(AFTER_SERVE_VAR) {
        std::thread::sleep(Duration::from_millis(200));
        let _ = std::fs::write(path, b"serve returned");
    }
    code
}

/// The environment variable naming the file a worker writes after `serve`.
const AFTER_SERVE_VAR: &str = "POOL_TEST_AFTER_SERVE";

fn parent(args: &[String]) -> ExitCode {
    let (Some(workers), Some(markers)) =
        (args.first().and_then(|n| n.parse().ok()), args.get(1))
    else {
        eprintln!("usage: pool-test-worker parent N MARKER_DIR");
        return ExitCode::from(2);
    };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let pool = match ProcessPool::<TestTask, u64>::builder(exe).workers(workers).start() {
        Ok(pool) => pool,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let _handles: Vec<_> = (0..workers)
        .map(|i| {
            pool.submit(TestTask::SpawnSleep {
                pid_file: format!("{markers}/task-{i}"),
                secs: 600,
            })
        })
        .collect();
    let pids: Vec<String> =
        pool.worker_pids().into_iter().flatten().map(|pid| pid.to_string()).collect();
    println!("{}", pids.join(" "));
    let _ = std::io::stdout().flush();
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
