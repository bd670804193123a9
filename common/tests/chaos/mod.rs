//! The process pool under fire: workers killed at random while hundreds of
//! tasks run, a parent killed with its pool mid-task, a process out of file
//! descriptors — and what a pool leaves behind in its process (nothing). The
//! assertions are invariants — one outcome per task, right values, nothing
//! left running — never timings (the time limits are generous bounds
//! against hangs).
//!
//! Tests that change process-wide state (the descriptor limit) or measure
//! it (signal dispositions, open descriptors) run in a process of their own:
//! this test binary re-run with only that test ([`in_own_process`]).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::pool::{ProcessPool, TaskError};

use crate::tasks::TestTask;

const WORKER: &str = env!("CARGO_BIN_EXE_pool-test-worker");
const TAG_VAR: &str = "POOL_CHAOS_TAG";

fn sigkill(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe { libc::kill(pid, libc::SIGKILL) == 0 }
}

/// Running processes started under `tag` (workers, replacements, the
/// orphan test's parent), whoever their parent is now.
fn running_with_tag(tag: &str) -> Vec<u32> {
    common::procfs::processes_with_env(TAG_VAR, tag)
}

/// Waits (polling, up to 10 s) until `pid` has really exited.
fn wait_until_dead(pid: u32) {
    let started = Instant::now();
    while !common::procfs::has_exited(pid) {
        assert!(started.elapsed() < Duration::from_secs(10), "{pid} did not die");
        thread::sleep(Duration::from_millis(2));
    }
}

fn unique_tag(name: &str) -> String {
    format!("{name}-{}-{:?}", std::process::id(), Instant::now())
}

/// A pool of `workers` whose processes carry `tag` in their environment, so
/// [`running_with_tag`] finds them (and their replacements) wherever they are.
fn tagged_pool(tag: &str, workers: usize) -> Arc<ProcessPool<TestTask, u64>> {
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(workers)
        .env(TAG_VAR, tag)
        .start()
        .expect("pool starts");
    Arc::new(pool)
}

/// A thread that SIGKILLs a random current worker every 2–20 ms until
/// [`Killer::stop`], and remembers whom it killed.
struct Killer {
    stop: Arc<AtomicBool>,
    thread: thread::JoinHandle<HashSet<u32>>,
}

impl Killer {
    fn start(pool: &Arc<ProcessPool<TestTask, u64>>, seed: u64) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (pool, stopped) = (Arc::clone(pool), Arc::clone(&stop));
        let mut rng = fastrand::Rng::with_seed(seed);
        let thread = thread::spawn(move || {
            let mut killed = HashSet::new();
            while !stopped.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(rng.u64(2..=20)));
                let pids: Vec<u32> = pool.worker_pids().into_iter().flatten().collect();
                if let Some(&victim) = pids.get(rng.usize(..pids.len().max(1)))
                    && sigkill(victim)
                {
                    killed.insert(victim);
                }
            }
            killed
        });
        Self { stop, thread }
    }

    /// Stops the killing; the workers it killed.
    fn stop(self) -> HashSet<u32> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().expect("the killer thread")
    }
}

/// Runs tasks `0..2 * tasks` (`task(i)` builds each): the first half
/// submitted at once through the queue, the second half one at a time with
/// `apply` from more threads than workers — each call talks to an idle
/// worker itself, or queues when none is, so callers and manager threads
/// take turns with the same workers. Every outcome, by task number.
fn submit_then_apply(
    pool: &ProcessPool<TestTask, u64>,
    tasks: u64,
    task: impl Fn(u64) -> TestTask + Sync,
) -> Vec<(u64, Result<u64, TaskError>)> {
    let handles: Vec<_> = (0..tasks).map(|i| pool.submit(task(i))).collect();
    let mut outcomes: Vec<_> =
        handles.into_iter().enumerate().map(|(i, h)| (i as u64, h.result())).collect();
    let callers = pool.workers() as u64 + 2;
    thread::scope(|scope| {
        let threads: Vec<_> = (0..callers)
            .map(|caller| {
                let task = &task;
                scope.spawn(move || {
                    (tasks + caller..2 * tasks)
                        .step_by(callers as usize)
                        .map(|i| (i, pool.apply(task(i))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for caller in threads {
            outcomes.extend(caller.join().expect("a caller thread"));
        }
    });
    outcomes.sort_by_key(|(i, _)| *i);
    assert_eq!(
        outcomes.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        (0..2 * tasks).collect::<Vec<_>>(),
        "one outcome per task"
    );
    outcomes
}

/// After a run under fire: once every killed worker is really dead, the
/// pool is back at full strength (every slot a live worker that answers),
/// and once it is dropped nothing started under `tag` runs.
fn assert_whole_then_gone(
    pool: Arc<ProcessPool<TestTask, u64>>,
    killed: &HashSet<u32>,
    tag: &str,
) {
    for &pid in killed {
        wait_until_dead(pid);
    }
    let started = Instant::now();
    while pool.worker_pids().iter().any(Option::is_none) {
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", pool.worker_pids());
        thread::sleep(Duration::from_millis(10));
    }
    let echoes = pool.map(TestTask::Echo, 0..(4 * pool.workers() as u64));
    assert!(echoes.iter().all(Result::is_ok), "{echoes:?}");
    let pool = Arc::into_inner(pool).expect("the killer's clone is gone");
    drop(pool);
    assert_eq!(running_with_tag(tag), Vec::<u32>::new(), "workers outlived the pool");
}

#[test]
fn random_sigkills_lose_no_task_and_leave_no_process() {
    const TASKS: u64 = 600;
    const WORKERS: usize = 4;
    let seed = std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("chaos seed {seed} (CHAOS_SEED={seed} replays the task mix)");
    // Seeded, so a failing run can be replayed with its task mix.
    let mut rng = fastrand::Rng::with_seed(seed);
    let tag = unique_tag("chaos");
    let pool = tagged_pool(&tag, WORKERS);
    let killer = Killer::start(&pool, seed.rotate_left(17));
    // Tasks of 0–4 ms; each value is unique, so a wrong or swapped value
    // shows.
    let sleeps: Vec<u64> = (0..2 * TASKS).map(|_| rng.u64(0..5)).collect();
    let task = |i: u64| TestTask::Sleep { ms: sleeps[i as usize], value: i * 7 + 1 };
    let outcomes = submit_then_apply(&pool, TASKS, task);
    let killed = killer.stop();
    assert!(pool.stats().applied_directly > 0, "no apply found an idle worker");

    // Exactly one outcome per task (`submit_then_apply` checks), of the
    // right kind.
    let mut deaths_per_worker: HashMap<u32, usize> = HashMap::new();
    for (i, outcome) in &outcomes {
        match outcome {
            Ok(value) => assert_eq!(*value, i * 7 + 1, "task {i}"),
            // A task may fail only with the death of a worker it was
            // delivered to: a worker the killer really killed.
            Err(TaskError::WorkerDied { pid, status }) => {
                assert!(killed.contains(pid), "task {i}: {pid} died but was not killed");
                assert!(status.contains("SIGKILL"), "task {i}: {status}");
                *deaths_per_worker.entry(*pid).or_default() += 1;
            }
            Err(other) => panic!("task {i}: unexpected {other:?}"),
        }
    }
    // A worker holds one task at a time, so one kill fails at most one task.
    // (Tasks sent to a worker killed while idle went to a fresh worker.)
    for (pid, deaths) in &deaths_per_worker {
        assert_eq!(*deaths, 1, "worker {pid} failed {deaths} tasks");
    }
    let failed: usize = deaths_per_worker.values().sum();
    let stats = pool.stats();
    eprintln!(
        "{} kills, {failed} tasks failed with their worker, {} redelivered, {} workers \
         started, {} of {TASKS} applied directly",
        killed.len(),
        stats.redelivered,
        stats.workers_started,
        stats.applied_directly
    );

    // Back at full strength, then nothing left running. A last kill may
    // have landed after the final task; once every killed worker is really
    // dead, the pool must not fail a single task for it.
    assert_whole_then_gone(pool, &killed, &tag);
}

#[test]
fn workers_die_with_a_parent_killed_mid_task() {
    const WORKERS: usize = 2;
    let tag = unique_tag("orphan");
    let markers =
        std::env::temp_dir().join(format!("pool-orphan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&markers);
    std::fs::create_dir_all(&markers).unwrap();

    let mut parent = Command::new(WORKER)
        .arg("parent")
        .arg(WORKERS.to_string())
        .arg(&markers)
        .env(TAG_VAR, &tag)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the parent starts");
    let mut line = String::new();
    BufReader::new(parent.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let pids: Vec<u32> = line.split_whitespace().map(|p| p.parse().unwrap()).collect();
    assert_eq!(pids.len(), WORKERS, "{line:?}");

    // Every worker is inside its 10-minute task, waiting for a program the
    // task started (a grandchild of the test).
    let started = Instant::now();
    let mut grandchildren = Vec::new();
    for i in 0..WORKERS {
        let marker = markers.join(format!("task-{i}"));
        let pid = loop {
            let text = std::fs::read_to_string(&marker).unwrap_or_default();
            if let Ok(pid) = text.trim().parse::<u32>() {
                break pid;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "task {i} never started"
            );
            thread::sleep(Duration::from_millis(5));
        };
        grandchildren.push(pid);
    }
    assert_eq!(
        running_with_tag(&tag).len(),
        2 * WORKERS + 1,
        "parent, workers and their programs run"
    );

    // SIGKILL: no destructor runs in the parent, nothing tells the workers.
    parent.kill().unwrap();
    parent.wait().unwrap();
    let killed = Instant::now();
    while !running_with_tag(&tag).is_empty() {
        assert!(
            killed.elapsed() < Duration::from_secs(2),
            "workers or their programs {:?} outlived the parent by 2 s",
            running_with_tag(&tag)
        );
        thread::sleep(Duration::from_millis(10));
    }
    for pid in grandchildren {
        wait_until_dead(pid);
    }
    std::fs::remove_dir_all(&markers).unwrap();
}

mod own_process;
