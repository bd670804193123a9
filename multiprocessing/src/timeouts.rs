//! Section 9 (beyond the notebook): timeouts and exit statuses.
//!
//! Python's `p.join(timeout)` returns after the timeout whether or not the
//! child finished; you then check `p.is_alive()`, call `p.terminate()`, and
//! must `join()` again, or the child lingers as a zombie. `p.exitcode` is
//! the exit code, or `-N` if signal `N` killed it.
//!
//! Rust has the same steps, spelled out: `wait_timeout` (std has none;
//! `common::child::wait_deadline` waits on a pidfd, with no signal handler),
//! `kill` (SIGKILL), then `wait` to reap. `ExitStatus` says how the child ended: `code()` for an exit,
//! `signal()` (Unix) for a signal.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::ExitStatus;
use std::time::Duration;

use anyhow::Context;
use common::pool::TaskError;
use common::report::Table;
use common::timing::{HumanDuration, time};

use crate::Config;
use crate::children::{ChildGuard, worker_command};
use crate::jobs::{FAULTS, FaultJob};

/// What happened to a child given `limit` to finish.
#[derive(Debug)]
pub struct Deadline {
    /// The child's PID.
    pub pid: u32,
    /// Whether it had to be killed.
    pub killed: bool,
    /// How it ended.
    pub status: ExitStatus,
    /// Whether its /proc entry was gone afterwards (reaped, not a zombie).
    pub reaped: bool,
}

/// Runs worker `args` with a deadline: waits up to `limit`, then kills and
/// reaps.
pub fn run_with_deadline(
    config: &Config,
    args: &[&str],
    limit: Duration,
) -> anyhow::Result<Deadline> {
    let mut child = ChildGuard::spawn(args.join(" "), &mut worker_command(config, args))?;
    let pid = child.id();
    let (status, killed) = match child.wait_timeout(limit)? {
        Some(status) => {
            // `wait_timeout` reaped it already; the guard has nothing to do.
            drop(child.wait());
            (status, false)
        }
        None => (child.kill_and_reap()?, true),
    };
    let reaped = !Path::new(&format!("/proc/{pid}")).exists();
    Ok(Deadline { pid, killed, status, reaped })
}

/// Python's `Process.exitcode` for a status: the code, or `-signal`.
pub fn python_exitcode(status: ExitStatus) -> Option<i32> {
    status.code().or_else(|| status.signal().map(|signal| -signal))
}

/// Section 9.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let limit = config.scale.sleep(3.0);
    println!("1. A child that hangs, given {} to finish:", HumanDuration(limit));
    let (outcome, took) = time(|| run_with_deadline(config, &["hang"], limit));
    let hung = outcome?;
    println!(
        "   pid {} still running after {} → killed → reaped: status `{}`, zombie left: {}\n",
        hung.pid,
        HumanDuration(took),
        hung.status,
        if hung.reaped { "no" } else { "YES" }
    );
    anyhow::ensure!(
        hung.killed && hung.reaped,
        "the hung child was not killed and reaped"
    );

    println!("2. How children end, as Rust and Python report it:");
    let mut table =
        Table::new(["child", "ExitStatus", "code()", "signal()", "Python exitcode"]);
    table.left_align(0).left_align(1);
    let cases: [(&str, &[&str]); 3] = [
        ("exit(0)", &["exit", "0"]),
        ("exit(3)", &["exit", "3"]),
        ("hangs, killed", &["hang"]),
    ];
    for (label, args) in cases {
        let ended = run_with_deadline(config, args, limit)?;
        let show = |value: Option<i32>| value.map_or("-".into(), |v| v.to_string());
        table.row([
            label.to_string(),
            ended.status.to_string(),
            show(ended.status.code()),
            show(ended.status.signal()),
            show(python_exitcode(ended.status)),
        ]);
    }
    println!("{table}");

    let task_limit = config.scale.sleep(3.0);
    println!(
        "3. A process pool with a {} task timeout, one task that would sleep an hour:\n",
        HumanDuration(task_limit)
    );
    let pool = FAULTS
        .pool(&config.worker_exe)
        .workers(1)
        .task_timeout(task_limit)
        .start()
        .context("starting the process pool")?;
    let jobs = [
        FaultJob::Sleep { millis: 1, value: 1 },
        FaultJob::Sleep { millis: 3_600_000, value: 2 },
        FaultJob::Value(3),
    ];
    let (outcomes, took) = time(|| pool.map(|job| job, jobs.clone()));
    for (job, outcome) in jobs.iter().zip(&outcomes) {
        let job = job.to_string();
        match outcome {
            Ok(value) => println!("   {job:<31} → returned {value}"),
            Err(TaskError::TimedOut { pid, limit, status }) => println!(
                "   {job:<31} → timed out after {}; worker pid {pid} was killed ({status})",
                HumanDuration(*limit)
            ),
            Err(err) => println!("   {job:<31} → {err}"),
        }
    }
    anyhow::ensure!(
        matches!(outcomes[1], Err(TaskError::TimedOut { .. })) && outcomes[2] == Ok(3),
        "the timeout did not behave"
    );
    println!(
        "   All three answered in {}; the task after the hung one ran on a",
        HumanDuration(took)
    );
    println!(
        "   fresh worker ({} workers started in all).",
        pool.stats().workers_started
    );
    Ok(())
}
