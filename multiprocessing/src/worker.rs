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

use anyhow::{Context, bail};

use crate::{basics, ipc, isolation, jobs, lecture, shared_memory, versus};

/// Runs the role named in `args` (everything after the hidden argument).
pub fn main(args: &[String]) -> ExitCode {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // Pool workers answer on a socket and report their own errors.
    match args.as_slice() {
        ["pool", "ints"] => return common::pool::serve(jobs::run_int_job),
        ["pool", "sums"] => return common::pool::serve(jobs::sum_of_squares),
        ["pool", "faults"] => return common::pool::serve(jobs::run_fault_job),
        _ => {}
    }
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
        ["echo"] => versus::echo_child()?,
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
