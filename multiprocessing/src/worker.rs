//! The child side: what this binary does when re-run as a worker.
//!
//! Every process this chapter starts is `<this binary> __worker <role> …`
//! ([`common::worker`]). `main` checks for a role before parsing the command
//! line and hands over to [`main`](fn@main) here, which runs one role and
//! exits. The roles are the notebook's target functions.

use std::path::Path;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use crate::{basics, ipc, isolation, jobs, lecture, shared_memory, support};
use anyhow::{Context, bail};

// The pool roles are defined beside the jobs they serve (`crate::jobs`),
// so the lessons that start the pools and this dispatch share one value.
pub use crate::jobs::{FAULTS, INTS, SUMS};

/// Runs the role named in `role` (everything after the hidden argument).
pub fn main(role: &[String]) -> ExitCode {
    // Pool workers answer on a socket and report their own errors.
    let served = INTS
        .serve_if(role, jobs::run_int_job)
        .or_else(|| SUMS.serve_if(role, jobs::sum_of_squares))
        .or_else(|| FAULTS.serve_if(role, jobs::run_fault_job));
    if let Some(code) = served {
        return code;
    }
    let args: Vec<&str> = role.iter().map(String::as_str).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("worker {}: error: {err:#}", std::process::id());
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[&str]) -> anyhow::Result<()> {
    match args {
        ["square-numbers", pause] => lecture::square_numbers(micros(pause)?),
        ["cube-numbers", pause] => lecture::cube_numbers(micros(pause)?),
        ["basics", name, value, pause] => {
            basics::worker(name, number(value)?, micros(pause)?);
        }
        ["producer", count, pause] => ipc::producer(number(count)?, micros(pause)?)?,
        ["consumer", count, pause] => ipc::consumer(number(count)?, micros(pause)?)?,
        ["shared", path, mode, increments, pause] => shared_memory::child(
            Path::new(path),
            mode.parse()?,
            number(increments)?,
            micros(pause)?,
        )?,
        ["blast-radius", tick] => isolation::blast_radius_child(micros(tick)?),
        ["hang"] => std::thread::sleep(Duration::from_secs(3600)),
        ["echo"] => support::round_trip::echo_child()?,
        ["exit", code] => std::process::exit(number(code)?),
        other => bail!("unknown worker role {other:?}"),
    }
    Ok(())
}

fn number<T>(text: &str) -> anyhow::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse().with_context(|| format!("bad number {text:?}"))
}

fn micros(text: &str) -> anyhow::Result<Duration> {
    number(text).map(Duration::from_micros)
}
