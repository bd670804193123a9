//! Section 5: real child processes — started, watched, reaped.
//!
//! Python: `multiprocessing.Process(target=process_worker, args=(…))`, then
//! `start()` and `join()`. Under the `spawn` start method (the default on
//! Windows and macOS) the child is a fresh interpreter that re-imports your
//! module and receives the function's arguments pickled.
//!
//! Rust has no `fork`-and-continue-in-a-closure for safe code, and does not
//! need one: the parent re-runs **its own executable** with a hidden first
//! argument ([`common::worker`]), and `main` sends such a process to
//! [`crate::worker::main`] before anything else. Arguments travel on the command
//! line; output comes back on the child's stdout, which the parent reads line
//! by line in one thread per child (so a chatty child can never block on a
//! full pipe) and prints as it arrives. Every child is waited for: a child
//! that has exited but was never waited for stays a *zombie* in the process
//! table.
//!
//! The same section shows the price of isolation: a child changes *its
//! copy* of a variable and the parent never sees it, while a thread changes
//! the parent's own value through an `Arc<Mutex<_>>`.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use anyhow::{Context, bail};
use common::report::Table;
use common::timeline::Timeline;
use common::timing::{HumanDuration, time};

use crate::Config;
use crate::support::children::{ChildRun, run_children};
use crate::support::spawn_cost::spawn_cost;

/// How many times the isolation demo's child and thread increment their
/// counter.
pub const INCREMENTS: i64 = 5;

/// The notebook's three processes: each runs `task NAME SLEEP`. Returns the
/// children and the total time; every child is recorded on `timeline` from
/// its "Starting" line to its "Completed" line.
pub fn run_task_processes(
    exe: &Path,
    names: &[&str],
    sleep: Duration,
    timeline: &Timeline,
    on_line: impl FnMut(usize, &str),
) -> anyhow::Result<(Vec<ChildRun>, Duration)> {
    let jobs: Vec<Vec<String>> = names
        .iter()
        .map(|name| vec!["task".into(), name.to_string(), sleep.as_millis().to_string()])
        .collect();
    let (runs, took) = time(|| run_children(exe, &jobs, on_line));
    let runs = runs?;
    for (run, name) in runs.iter().zip(names) {
        if !run.status.success() {
            bail!("worker process {} ({name}) failed: {}", run.pid, run.status);
        }
        if let (Some(start), Some(end)) =
            (run.line_at("Starting"), run.line_at("Completed"))
        {
            timeline.record(format!("pid {}", run.pid), *name, start, end);
        }
    }
    Ok((runs, took))
}

/// What the isolation demo observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Isolation {
    /// The parent's counter before anything ran.
    pub before: i64,
    /// The value the child reported for *its* copy after incrementing.
    pub child_copy: i64,
    /// The parent's counter after the child finished.
    pub after_child: i64,
    /// The parent's counter after a thread incremented it.
    pub after_thread: i64,
}

/// A child process and then a thread each add [`INCREMENTS`] to "the"
/// counter. Only the thread's change is visible to the parent.
pub fn isolation(exe: &Path) -> anyhow::Result<Isolation> {
    // Arc: the thread needs shared ownership; Mutex: it needs to write.
    let counter = Arc::new(Mutex::new(0_i64));
    let before = *counter.lock().expect("not poisoned: no thread has run yet");

    // The child gets the value — a copy — as an argument, just as Python's
    // spawn method pickles the arguments into the new interpreter.
    let runs =
        run_children(exe, &[vec!["isolate".into(), before.to_string()]], |_, _| ())?;
    let child = &runs[0];
    if !child.status.success() {
        bail!("isolation worker {} failed: {}", child.pid, child.status);
    }
    let child_copy = child
        .lines
        .iter()
        .find_map(|(_, l)| l.strip_prefix("counter=")?.parse().ok())
        .context("the isolation worker did not report its counter")?;
    let after_child = *counter.lock().expect("not poisoned: no thread has run yet");

    let for_thread = Arc::clone(&counter);
    thread::spawn(move || {
        for _ in 0..INCREMENTS {
            *for_thread.lock().expect("only this thread locks it now") += 1;
        }
    })
    .join()
    .map_err(|_| anyhow::anyhow!("the incrementing thread panicked"))?;
    let after_thread =
        *counter.lock().map_err(|_| anyhow::anyhow!("counter lock poisoned"))?;

    Ok(Isolation { before, child_copy, after_child, after_thread })
}

/// The three tasks, as in the notebook.
pub const TASKS: [&str; 3] = ["Task-1", "Task-2", "Task-3"];

/// Prints section 5.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let sleep = config.scale.sleep(2.0);
    println!(
        "Three child processes, each this same binary re-run as `{} task …`,\n\
         each sleeping {}. Parent PID: {}.\n",
        common::worker::WORKER_ARG,
        HumanDuration(sleep),
        std::process::id()
    );
    let timeline = Timeline::new();
    let (runs, took) =
        run_task_processes(&config.worker_exe, &TASKS, sleep, &timeline, |_, line| {
            println!("{line}")
        })?;
    println!("\nMultiprocessing Time: {:.2} seconds", took.as_secs_f64());
    let pids: Vec<String> = runs.iter().map(|r| r.pid.to_string()).collect();
    println!(
        "Child PIDs: {} — all different from the parent's {}.",
        pids.join(", "),
        std::process::id()
    );
    println!("{}", timeline.render(60));
    println!(
        "(The notebook saved 0.37 s and no child output: on Windows, Jupyter's children\n\
         cannot import functions defined in a notebook and die at once. Here they run.)\n"
    );

    println!("Separate memory — a child changes its copy, a thread changes ours:");
    let iso = isolation(&config.worker_exe)?;
    let rows = [
        ("parent's counter before:".to_string(), iso.before, ""),
        (
            format!("child process added {INCREMENTS} to its copy, got:"),
            iso.child_copy,
            "",
        ),
        ("parent's counter after the child:".to_string(), iso.after_child, "← unchanged"),
        (
            format!("parent's counter after a thread added {INCREMENTS}:"),
            iso.after_thread,
            "← shared memory",
        ),
    ];
    for (label, value, note) in rows {
        println!("{}", format!("  {label:<42} {value}   {note}").trim_end());
    }
    println!("\nOverhead (the README's \"process creation is expensive\"), measured:");
    let (threads, processes) = config.scale.pick((100, 20), (20, 4));
    let cost = spawn_cost(&config.worker_exe, threads, processes)?;
    let per_thread = cost.threads_time / cost.threads;
    let per_process = cost.processes_time / cost.processes;
    let mut table = Table::new(["", "count", "total", "per spawn"]);
    table.row([
        "thread: spawn + join".to_string(),
        cost.threads.to_string(),
        HumanDuration(cost.threads_time).to_string(),
        HumanDuration(per_thread).to_string(),
    ]);
    table.row([
        "process: spawn + wait".to_string(),
        cost.processes.to_string(),
        HumanDuration(cost.processes_time).to_string(),
        HumanDuration(per_process).to_string(),
    ]);
    print!("{table}");
    let cost = common::verdict::compare(per_process, per_thread);
    if cost.verdict == common::verdict::Verdict::Faster {
        println!(
            "In this run a process cost {} a thread to start. That is why pools keep\n\
             workers alive and reuse them (chapters multiprocessing and executors).",
            common::timing::Speedup(cost.ratio)
        );
    } else {
        println!(
            "In this run a process cost no more than a thread to start ({cost}: the\n\
             thread row was slowed by something else). Run it again: a process\n\
             usually costs ten times a thread or more."
        );
    }
    Ok(())
}
