//! Section 8 (beyond the notebook): crash isolation — the blast radius of a
//! failure in a thread versus in a process.
//!
//! * A **panic** unwinds one thread. In a thread, `join` returns it as an
//!   `Err`; in a pool worker, the worker catches it and sends the message
//!   back. Either way the program goes on.
//! * An **abort** (`std::process::abort`, a failed `extern "C"` call, a
//!   segfault in foreign code, the OOM killer's SIGKILL) ends the whole
//!   *process*, every thread in it, immediately: no unwinding, no `Drop`.
//!   In a thread, that is your program. In a pool worker, it is one worker:
//!   the pool reports the task's exit status and starts a replacement.
//!
//! This is the real reason to reach for processes in Rust: not speed (no
//! GIL to escape) but a wall around code that may take the process down.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::thread;
use std::time::Duration;

use anyhow::Context;
use common::pool::TaskError;
use common::report::Table;

use crate::Config;
use crate::children::{ChildGuard, worker_command};
use crate::jobs::{FAULTS, FaultJob};

/// The section's mixed batch: good tasks around a panic, an abort and an exit.
pub fn mixed_batch() -> Vec<FaultJob> {
    vec![
        FaultJob::Value(1),
        FaultJob::Panic("bad input: -1".into()),
        FaultJob::Value(3),
        FaultJob::Abort,
        FaultJob::Value(5),
        FaultJob::Exit(3),
        FaultJob::Value(7),
    ]
}

/// Runs the batch on a two-worker pool: one outcome per task, in order.
pub fn run_batch(config: &Config) -> anyhow::Result<(Vec<Result<u64, TaskError>>, u64)> {
    let pool = FAULTS
        .pool(&config.worker_exe)
        .workers(2)
        .start()
        .context("starting the pool")?;
    let outcomes = pool.map(|job| job, mixed_batch());
    let started = pool.stats().workers_started;
    pool.shutdown();
    Ok((outcomes, started))
}

/// The child for part 3: a ticking thread, and another thread that aborts.
pub fn blast_radius_child(tick: Duration) {
    let ticker = thread::Builder::new().name("ticker".into()).spawn(move || {
        for i in 1..=100 {
            println!("ticker: tick {i}");
            thread::sleep(tick);
        }
    });
    let _crasher = thread::Builder::new().name("crasher".into()).spawn(move || {
        thread::sleep(tick * 3 + tick / 2);
        println!("crasher: calling abort()");
        std::process::abort();
    });
    // This child process is about to abort (that is the demonstration); a
    // ticker that could not start, or that panicked, is said on stderr.
    match ticker {
        Ok(ticker) => {
            if ticker.join().is_err() {
                eprintln!("ticker: the thread panicked");
            }
        }
        Err(err) => eprintln!("ticker: could not start: {err}"),
    }
}

/// Section 8.
pub fn show(config: &Config) -> anyhow::Result<()> {
    println!(
        "1. A batch on a process pool of 2, with a panic, an abort and an exit in it:\n"
    );
    let (outcomes, started) = run_batch(config)?;
    let mut table = Table::new(["task", "outcome"]);
    table.left_align(0).left_align(1);
    for (job, outcome) in mixed_batch().iter().zip(&outcomes) {
        let shown = match outcome {
            Ok(value) => format!("returned {value}"),
            Err(err) => err.to_string(),
        };
        table.row([job.to_string(), shown]);
    }
    println!("{table}");
    let good = outcomes.iter().filter(|o| o.is_ok()).count();
    println!(
        "{good} of {} tasks succeeded; each failure is that task's error alone. {started} worker\n\
         processes were started in all: 2, plus one replacement per dead worker.\n",
        outcomes.len()
    );

    println!(
        "2. A thread that panics, in this process (the default panic hook prints it on stderr):"
    );
    let joined = thread::Builder::new()
        .name("doomed".into())
        .spawn(|| -> u64 { panic!("bad input: -1") })?
        .join();
    match joined {
        Ok(_) => println!("   (it did not panic?)"),
        Err(payload) => println!(
            "   join() returned Err, carrying the panic's message \"{}\"; this process\n   carries on.\n",
            common::pool::panic_message(payload.as_ref())
        ),
    }

    println!(
        "3. A thread that aborts — in a child process, so that we survive to watch:"
    );
    let tick = config.scale.sleep(0.5);
    let mut command =
        worker_command(config, &["blast-radius", &tick.as_micros().to_string()]);
    command.stdout(Stdio::piped());
    let mut child = ChildGuard::spawn("blast-radius", &mut command)?;
    let lines = child.take_stdout().map(|out| BufReader::new(out).lines());
    let mut ticks = 0;
    for line in lines.into_iter().flatten() {
        let line = line?;
        ticks += usize::from(line.starts_with("ticker"));
        println!("   child {}: {line}", child.id());
    }
    let status = child.wait()?;
    println!(
        "   The child ended with `{status}` after {ticks} ticks: the ticker thread did"
    );
    println!(
        "   nothing wrong, and died with its process. Had that been our process, this"
    );
    println!("   line would never print.");
    Ok(())
}
