//! Support for section 5 ([`crate::processes`]): start worker processes,
//! read their output as it arrives, and reap every one.
//!
//! Machinery, not the lesson. Each child's stdout is read line by line in a
//! thread of its own (so a chatty child can never block on a full pipe) and
//! the lines are passed on in the order they arrive; every child is waited
//! for, and if anything fails the rest are killed and reaped, so no child
//! outlives [`run_children`] and none is left a zombie.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::thread;
use std::time::Instant;

use anyhow::Context;
use common::child::ChildGuard;

/// What the parent learned about one finished child.
#[derive(Debug)]
pub struct ChildRun {
    /// The child's process id.
    pub pid: u32,
    /// How it ended (exit code, or the signal that killed it).
    pub status: ExitStatus,
    /// Each stdout line with the instant the parent received it.
    pub lines: Vec<(Instant, String)>,
}

impl ChildRun {
    /// The instant the parent received the first line starting with `prefix`
    /// (after the `[…] ` tag, if any).
    pub fn line_at(&self, contains: &str) -> Option<Instant> {
        self.lines.iter().find(|(_, l)| l.contains(contains)).map(|(at, _)| *at)
    }
}

/// Starts one worker process per entry of `jobs` (each the worker arguments),
/// all at once; calls `on_line(child_index, line)` for each line of output as
/// it arrives; waits for every child; returns them in `jobs` order.
///
/// No child outlives this function: if starting one fails, those already
/// started are killed and reaped before the error is returned.
pub fn run_children(
    exe: &Path,
    jobs: &[Vec<String>],
    mut on_line: impl FnMut(usize, &str),
) -> anyhow::Result<Vec<ChildRun>> {
    let (line_sender, line_receiver) = crossbeam_channel::unbounded();
    // Each child in a guard: whatever path leaves this function early, the
    // guards' drops kill and reap the children still held.
    let mut started: Vec<(ChildGuard, thread::JoinHandle<()>)> = Vec::new();
    for (index, args) in jobs.iter().enumerate() {
        let mut command = common::worker::command(exe, args);
        command.stdout(Stdio::piped());
        let spawned = ChildGuard::spawn(format!("worker {index}"), &mut command)
            .with_context(|| format!("starting worker process {}", exe.display()));
        let mut child = match spawned {
            Ok(child) => child,
            Err(err) => {
                stop_all(started);
                return Err(err);
            }
        };
        let stdout = child.take_stdout().expect("stdout was configured as a pipe");
        // Each reader owns a clone of the sender; the channel closes when the
        // last reader finishes (its child closed stdout, i.e. exited).
        let sender = line_sender.clone();
        let reader = thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send((index, Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        started.push((child, reader));
    }
    // Drop our own sender, or the loop below would wait forever for it.
    drop(line_sender);

    let mut lines: Vec<Vec<(Instant, String)>> = vec![Vec::new(); jobs.len()];
    for (index, at, line) in line_receiver {
        on_line(index, &line);
        lines[index].push((at, line));
    }

    let mut runs = Vec::with_capacity(jobs.len());
    let mut started = started.into_iter();
    for ((child, reader), lines) in started.by_ref().zip(lines) {
        let pid = child.id();
        let waited = child.wait().context("waiting for a worker process");
        let joined = reader
            .join()
            .map_err(|_| anyhow::anyhow!("an output reader thread panicked"));
        match waited.and_then(|status| joined.map(|()| status)) {
            Ok(status) => runs.push(ChildRun { pid, status, lines }),
            Err(err) => {
                // The rest are killed and reaped, their readers joined.
                stop_all(started.collect());
                return Err(err);
            }
        }
    }
    Ok(runs)
}

/// Kills and reaps every child, then joins its output reader (which ends
/// when the dead child's pipe closes).
fn stop_all(started: Vec<(ChildGuard, thread::JoinHandle<()>)>) {
    for (child, reader) in started {
        let name = child.name().to_string();
        if let Err(err) = child.kill_and_reap() {
            tracing::error!(%name, %err, "could not reap a worker process");
        }
        if reader.join().is_err() {
            tracing::error!(%name, "an output reader thread panicked");
        }
    }
}
