//! The child side: this binary re-run as a worker process.
//!
//! Section 5's children are `<this binary> __worker <role> …`
//! ([`common::worker`]). `main` checks for a role before parsing the command
//! line and hands over to [`main`](fn@main) here, which runs one role and
//! exits.

use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use crate::processes::INCREMENTS;

/// Entry point of a worker process: `main` calls this when the process was
/// started with a role, passing the role's arguments.
///
/// * `task NAME SLEEP_MS` — the notebook's `process_worker(name, duration)`.
/// * `isolate VALUE` — add [`INCREMENTS`] to its own copy of `VALUE` and
///   print `counter=N`.
/// * `noop` — exit at once (to measure the cost of a process itself).
pub fn main(args: &[String]) -> ExitCode {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let pid = std::process::id();
    match args.as_slice() {
        ["task", name, sleep_ms] => {
            let Ok(ms) = sleep_ms.parse::<u64>() else {
                eprintln!("worker: bad sleep `{sleep_ms}`");
                return ExitCode::from(2);
            };
            println!("[Process {name} pid {pid}] Starting {name}");
            thread::sleep(Duration::from_millis(ms));
            println!("[Process {name} pid {pid}] Completed {name}");
            ExitCode::SUCCESS
        }
        ["isolate", value] => {
            let Ok(mut counter) = value.parse::<i64>() else {
                eprintln!("worker: bad value `{value}`");
                return ExitCode::from(2);
            };
            for _ in 0..INCREMENTS {
                counter += 1; // our own copy: no lock needed, nobody else sees it
            }
            println!("counter={counter}");
            ExitCode::SUCCESS
        }
        ["noop"] => ExitCode::SUCCESS,
        _ => {
            eprintln!("worker: unknown job {args:?}");
            ExitCode::from(2)
        }
    }
}
