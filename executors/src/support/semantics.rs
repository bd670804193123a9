//! Support for section 11 ([`crate::futures_tour`]): the rest of
//! `concurrent.futures`, scenario by scenario — the same
//! scenarios as `executors/python/futures_semantics.py`, each reported as
//! one `NAME: OUTCOME` line in the script's words, so the two can be
//! compared line by line (`tests/semantics.rs` does, against CPython itself).
//!
//! Deterministic as the script is: tasks are held by [`Event`]s, never
//! ordered by sleeps, and a timeout is only waited on for a held task.
//!
//! Where Rust does not, or should not, match Python, [`DIFFERENCES`] says
//! so, with both outcomes and the reason.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use anyhow::Context;
use common::sync::Event;

use crate::executor::{
    Queued, ReturnWhen, TaskError, TaskFuture, ThreadPoolExecutor, Waited,
    as_completed_within, wait,
};
use crate::jobs::leaky_pool;
use crate::process_executor::ProcessPoolExecutor;

/// A timeout that must expire: what it waits for is held.
const SHORT: Duration = Duration::from_millis(50);

/// A deadline that must expire for the held task but not for the one beside
/// it, which has nothing to do: wide, so a busy machine cannot make the
/// free task late.
const WIDE: Duration = Duration::from_secs(1);

/// One scenario's outcome, in the Python script's words.
pub type Line = (&'static str, String);

/// A scenario whose outcome differs from CPython's, on purpose.
#[derive(Debug, Clone, Copy)]
pub struct Difference {
    /// The scenario.
    pub name: &'static str,
    /// What CPython 3.11 prints.
    pub python: &'static str,
    /// What this crate prints.
    pub rust: &'static str,
    /// Why.
    pub why: &'static str,
}

/// Every scenario where the outcomes differ, and why.
pub const DIFFERENCES: &[Difference] = &[
    Difference {
        name: "wait FIRST_EXCEPTION, a cancellation",
        python: "done=[] pending=[0, 1]",
        rust: "done=[1] pending=[0]",
        why: "CPython's wait() counts a cancelled future as done only once a worker has \
              taken it off the queue, although its done() already says True; here a \
              cancelled future is done everywhere at once",
    },
    Difference {
        name: "callback vs result()",
        python: "result() returned before the callback ended=True",
        rust: "result() returned before the callback ended=False",
        why: "callbacks run before the future is marked done, so a result you hold is \
              never ahead of what the callbacks recorded (CPython wakes result() first)",
    },
    Difference {
        name: "a failing thread initializer",
        python: "first task=BrokenThreadPool later submit=BrokenThreadPool at submit",
        rust: "first task=BrokenThreadPool later submit=BrokenThreadPool from result()",
        why: "submit never fails here: every outcome, this one too, comes out of the \
              future (TaskError::Broken)",
    },
];

/// `[0, 1]` as Python prints a list.
fn list(indices: &[usize]) -> String {
    let items: Vec<String> = indices.iter().map(usize::to_string).collect();
    format!("[{}]", items.join(", "))
}

fn waited(found: &Waited) -> String {
    format!("done={} pending={}", list(&found.done), list(&found.pending))
}

/// A task that waits for `gate`, then returns `"released"`.
fn held(gate: &Arc<Event>) -> impl FnOnce() -> &'static str + Send + 'static {
    let gate = Arc::clone(gate);
    move || {
        gate.wait();
        "released"
    }
}

/// The `wait` scenarios.
pub fn wait_scenarios() -> anyhow::Result<Vec<Line>> {
    let mut lines = Vec::new();
    let gate = Arc::new(Event::new());
    let pool = ThreadPoolExecutor::builder()
        .max_workers(3)
        .thread_name_prefix("worker")
        .build()?;
    let fs = [pool.submit(|| "0"), pool.submit(held(&gate)), pool.submit(held(&gate))];
    lines.push((
        "wait FIRST_COMPLETED",
        waited(&wait(&fs, None, ReturnWhen::FirstCompleted)),
    ));
    lines.push((
        "wait with a timeout",
        waited(&wait(&fs, Some(SHORT), ReturnWhen::AllCompleted)),
    ));
    gate.set();
    lines
        .push(("wait ALL_COMPLETED", waited(&wait(&fs, None, ReturnWhen::AllCompleted))));
    drop(pool);

    let gate = Arc::new(Event::new());
    let pool = ThreadPoolExecutor::new(3)?;
    let fs: [TaskFuture<&str>; 3] = [
        pool.try_submit(|| Err::<&str, _>("boom")),
        pool.submit(held(&gate)),
        pool.submit(held(&gate)),
    ];
    lines.push((
        "wait FIRST_EXCEPTION",
        waited(&wait(&fs, None, ReturnWhen::FirstException)),
    ));
    gate.set();
    drop(pool);

    let pool = ThreadPoolExecutor::new(2)?;
    let fs = [pool.submit(|| 1), pool.submit(|| 2)];
    let found = wait(&fs, None, ReturnWhen::FirstException);
    lines.push(("wait FIRST_EXCEPTION, nothing fails", waited(&found)));
    drop(pool);

    let gate = Arc::new(Event::new());
    let pool = ThreadPoolExecutor::new(1)?;
    let fs = [pool.submit(held(&gate)), pool.submit(|| "1")];
    fs[1].cancel();
    let found = wait(&fs, Some(SHORT), ReturnWhen::FirstException);
    lines.push(("wait FIRST_EXCEPTION, a cancellation", waited(&found)));
    gate.set();
    Ok(lines)
}

/// `cancel`, `cancelled` and `exception`.
pub fn future_scenarios() -> anyhow::Result<Vec<Line>> {
    let (gate, started) = (Arc::new(Event::new()), Arc::new(Event::new()));
    let pool = ThreadPoolExecutor::new(1)?;
    let ok = pool.submit(|| 7);
    ok.error(None).ok();
    let failed = pool.try_submit(|| Err::<i32, _>("boom"));
    failed.error(None).ok();
    let busy = {
        let (gate, started) = (Arc::clone(&gate), Arc::clone(&started));
        pool.submit(move || {
            started.set();
            gate.wait();
            0
        })
    };
    let queued = pool.submit(|| 8);
    started.wait();

    let cancelled_queued = queued.cancel();
    let cancelled_running = busy.cancel();
    let line = format!(
        "queued={}/{} running={}/{} done={}/{}",
        py_bool(cancelled_queued),
        py_bool(queued.is_cancelled()),
        py_bool(cancelled_running),
        py_bool(busy.is_cancelled()),
        py_bool(ok.cancel()),
        py_bool(ok.is_cancelled()),
    );
    let mut lines = vec![("cancel", line)];

    let exception =
        |future: &TaskFuture<i32>, limit: Option<Duration>| match future.error(limit) {
            Ok(None) => "None".to_string(),
            Ok(Some(TaskError::Failed(message))) => message,
            Ok(Some(other)) => other.to_string(),
            Err(TaskError::Cancelled) => "CancelledError".to_string(),
            Err(TaskError::NotReady(_)) => "TimeoutError".to_string(),
            Err(other) => other.to_string(),
        };
    lines.push((
        "exception",
        format!(
            "ok={} failed={} cancelled={} not_ready={}",
            exception(&ok, None),
            exception(&failed, None),
            exception(&queued, None),
            exception(&busy, Some(SHORT)),
        ),
    ));
    gate.set();
    Ok(lines)
}

/// `True`/`False`, as Python prints a bool.
fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// Where and when done-callbacks run.
pub fn callback_scenarios() -> anyhow::Result<Vec<Line>> {
    let seen: Arc<Mutex<Vec<(&'static str, String)>>> = Arc::default();
    let record_thread = |key: &'static str| {
        let seen = Arc::clone(&seen);
        move |_: &Result<i32, TaskError>| {
            let name = thread::current().name().unwrap_or("unnamed").to_string();
            seen.lock().expect("not poisoned").push((key, name));
        }
    };
    let gate = Arc::new(Event::new());
    let pool = ThreadPoolExecutor::builder()
        .max_workers(1)
        .thread_name_prefix("worker")
        .build()?;
    let done = pool.submit(|| 1);
    done.error(None).ok();
    done.on_done(record_thread("done"));
    let pending = {
        let gate = Arc::clone(&gate);
        pool.submit(move || {
            gate.wait();
            1
        })
    };
    pending.on_done(record_thread("pending"));
    let queued = pool.submit(|| 2);
    queued.on_done(record_thread("cancelled"));
    queued.cancel();
    gate.set();
    pending.result().ok();
    drop(pool);
    let main = thread::current().name().unwrap_or("unnamed").to_string();
    let name = |key: &str| {
        let seen = seen.lock().expect("not poisoned");
        match seen.iter().find(|(k, _)| *k == key) {
            Some((_, thread)) if *thread == main => "main",
            Some(_) => "worker",
            None => "never",
        }
    };
    let mut lines = vec![(
        "callback threads",
        format!(
            "already done={} completed later={} cancelled={}",
            name("done"),
            name("pending"),
            name("cancelled")
        ),
    )];

    // When does result() return, relative to the callbacks?
    let returned = Arc::new(Event::new());
    let observed = Arc::new(AtomicBool::new(false));
    let gate = Arc::new(Event::new());
    let pool = ThreadPoolExecutor::new(1)?;
    let future = pool.submit(held(&gate));
    {
        let (returned, observed) = (Arc::clone(&returned), Arc::clone(&observed));
        // The callback waits a while for result() to have returned (the
        // script waits up to 1 s, where the answer comes at once; here it
        // never comes, so a shorter wait reports the same).
        future.on_done(move |_| {
            observed.store(returned.wait_timeout(SHORT * 4), Ordering::SeqCst);
        });
    }
    gate.set();
    future.result().ok();
    returned.set();
    drop(pool);
    lines.push((
        "callback vs result()",
        format!(
            "result() returned before the callback ended={}",
            py_bool(observed.load(Ordering::SeqCst))
        ),
    ));

    let ran = Arc::new(AtomicBool::new(false));
    let pool = ThreadPoolExecutor::new(1)?;
    let other = pool.submit(|| 42);
    let gate = Arc::new(Event::new());
    let future = pool.submit(held(&gate));
    future.on_done(|_| panic!("callback bug"));
    {
        let ran = Arc::clone(&ran);
        future.on_done(move |_| ran.store(true, Ordering::SeqCst));
    }
    gate.set();
    let outcome = future.result().unwrap_or("lost");
    lines.push((
        "a raising callback",
        format!(
            "next callback ran={} result={outcome} other result={}",
            py_bool(ran.load(Ordering::SeqCst)),
            other.result().map_or_else(|err| err.to_string(), |v| v.to_string())
        ),
    ));
    Ok(lines)
}

/// `as_completed(fs, timeout)` and `map(…, timeout)`.
pub fn iteration_scenarios() -> anyhow::Result<Vec<Line>> {
    let gate = Arc::new(Event::new());
    let pool = ThreadPoolExecutor::new(2)?;
    let fs = vec![pool.submit(|| "0"), pool.submit(held(&gate))];
    let mut yielded = Vec::new();
    let mut end = "no timeout";
    for next in as_completed_within(fs, WIDE) {
        match next {
            Ok((index, _)) => yielded.push(index),
            Err(_) => end = "TimeoutError",
        }
    }
    let mut lines = vec![(
        "as_completed with a timeout",
        format!("yielded={} then {end}", list(&yielded)),
    )];
    gate.set();
    drop(pool);

    let gate = Arc::new(Event::new());
    let ran: Arc<Mutex<Vec<usize>>> = Arc::default();
    let pool = ThreadPoolExecutor::new(1)?;
    let step = {
        let (gate, ran) = (Arc::clone(&gate), Arc::clone(&ran));
        move |i: usize| {
            ran.lock().expect("not poisoned").push(i);
            if i == 1 {
                gate.wait();
            }
            i
        }
    };
    let mut results = Vec::new();
    let mut end = "no timeout";
    for next in pool.map_within(step, [0, 1, 2], WIDE) {
        match next {
            Ok(value) => results.push(value),
            Err(_) => end = "TimeoutError",
        }
    }
    gate.set();
    drop(pool);
    let mut ran = ran.lock().expect("not poisoned").clone();
    ran.sort_unstable();
    lines.push((
        "map with a timeout",
        format!("yielded={} then {end}; ran={}", list(&results), list(&ran)),
    ));
    Ok(lines)
}

thread_local! {
    static TAG: std::cell::Cell<Option<&'static str>> = const { std::cell::Cell::new(None) };
}

/// Thread-pool initializers, good and bad.
pub fn initializer_scenarios() -> anyhow::Result<Vec<Line>> {
    let pool = ThreadPoolExecutor::builder()
        .max_workers(2)
        .initializer(|| TAG.with(|tag| tag.set(Some("ready"))))
        .build()?;
    let tags: Vec<_> = pool.map(|_| TAG.with(std::cell::Cell::get), 0..8).collect();
    let every = tags.iter().all(|tag| *tag == Ok(Some("ready")));
    let mut lines =
        vec![("thread initializer", format!("every task saw it={}", py_bool(every)))];
    drop(pool);

    let pool = ThreadPoolExecutor::builder()
        .max_workers(1)
        .initializer(|| panic!("no database"))
        .build()?;
    let first = match pool.submit(|| 1).result() {
        Err(TaskError::Broken(_)) => "BrokenThreadPool",
        _ => "ran",
    };
    let later = match pool.submit(|| 2).result() {
        Err(TaskError::Broken(_)) => "BrokenThreadPool from result()",
        _ => "ran",
    };
    lines.push((
        "a failing thread initializer",
        format!("first task={first} later submit={later}"),
    ));
    Ok(lines)
}

/// `max_tasks_per_child` and `chunksize`, with worker processes: `exe` is
/// this chapter's binary (it serves the `leaky` and `square-chunks` pools).
pub fn process_scenarios(exe: &Path) -> anyhow::Result<Vec<Line>> {
    let pool = leaky_pool(exe, Some(2)).context("starting the leaky pool")?;
    let executor = ProcessPoolExecutor::from_pool(pool)?;
    let mut pids = Vec::new();
    for _ in 0..5 {
        pids.push(executor.submit(0).result()?.pid);
    }
    executor.shutdown(Queued::Run);
    let mut letters: Vec<u32> = Vec::new();
    let pattern: String = pids
        .iter()
        .map(|pid| {
            let index = letters.iter().position(|p| p == pid).unwrap_or_else(|| {
                letters.push(*pid);
                letters.len() - 1
            });
            char::from(b'A' + index as u8)
        })
        .collect();
    let mut lines =
        vec![("max_tasks_per_child=2, 5 tasks", format!("worker pattern={pattern}"))];

    let executor = ProcessPoolExecutor::<Vec<u64>, Vec<u64>>::new(
        exe,
        crate::worker::SQUARE_CHUNKS,
        2,
    )?;
    let squares: Result<Vec<u64>, TaskError> =
        executor.map_chunked(0..10, 4)?.into_iter().collect();
    executor.shutdown(Queued::Run);
    let squares: Vec<String> = squares?.iter().map(u64::to_string).collect();
    lines.push(("map with chunksize=4", format!("[{}]", squares.join(", "))));
    Ok(lines)
}

/// Every scenario, in the script's order.
pub fn run(exe: &Path) -> anyhow::Result<Vec<Line>> {
    let mut lines = wait_scenarios()?;
    lines.extend(future_scenarios()?);
    lines.extend(callback_scenarios()?);
    lines.extend(iteration_scenarios()?);
    lines.extend(initializer_scenarios()?);
    lines.extend(process_scenarios(exe)?);
    Ok(lines)
}

/// §11's last part: every scenario's outcome here beside CPython's (the
/// recording in `python/futures_semantics.expected`), `=` where they agree
/// and both where not, then the documented reasons for each difference.
pub fn show_against_cpython(exe: &std::path::Path) -> anyhow::Result<()> {
    println!(
        "The same scenarios in CPython 3.11 and here (executors/python/futures_semantics.py):"
    );
    let python = include_str!("../../python/futures_semantics.expected");
    let rust = run(exe)?;
    let mut differing = 0;
    for ((name, outcome), python_line) in rust.iter().zip(python.lines()) {
        let python_outcome = python_line.split_once(": ").map_or(python_line, |(_, o)| o);
        if python_outcome == outcome {
            println!("  = {name}: {outcome}");
        } else {
            differing += 1;
            println!(
                "  ≠ {name}:\n      Python: {python_outcome}\n      Rust:   {outcome}"
            );
        }
    }
    println!(
        "{} of {} the same; where not ({differing}), on purpose:",
        rust.len() - differing,
        rust.len()
    );
    for difference in DIFFERENCES {
        println!("  • {}: {}.", difference.name, difference.why);
    }
    println!(
        "  (A raising callback's panic message on stderr comes from Rust's panic hook.)"
    );
    Ok(())
}
