//! The process pool under fire: workers killed at random while hundreds of
//! tasks run, and a parent killed with its pool mid-task. The assertions are
//! invariants — one outcome per task, right values, nothing left running —
//! never timings (the time limits are generous bounds against hangs).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::pool::{ProcessPool, TaskError};

#[path = "../src/bin/pool-test-worker/tasks.rs"]
mod tasks;
use tasks::TestTask;

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
    let pool = Arc::new(
        ProcessPool::<TestTask, u64>::builder(WORKER)
            .workers(WORKERS)
            .env(TAG_VAR, &tag)
            .start()
            .expect("pool starts"),
    );

    // The killer: every 2–20 ms, SIGKILL a random current worker.
    let stop = Arc::new(AtomicBool::new(false));
    let killer = {
        let (pool, stop) = (Arc::clone(&pool), Arc::clone(&stop));
        let mut rng = fastrand::Rng::with_seed(seed.rotate_left(17));
        thread::spawn(move || {
            let mut killed = HashSet::new();
            while !stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(rng.u64(2..=20)));
                let pids: Vec<u32> = pool.worker_pids().into_iter().flatten().collect();
                if pids.is_empty() {
                    continue;
                }
                let victim = pids[rng.usize(..pids.len())];
                if sigkill(victim) {
                    killed.insert(victim);
                }
            }
            killed
        })
    };

    // Tasks of 0–4 ms; each value is unique, so a wrong or swapped value
    // shows. First through the queue, all submitted at once…
    let sleeps: Vec<u64> = (0..2 * TASKS).map(|_| rng.u64(0..5)).collect();
    let task = |i: u64| TestTask::Sleep { ms: sleeps[i as usize], value: i * 7 + 1 };
    let handles: Vec<_> = (0..TASKS).map(|i| pool.submit(task(i))).collect();
    let mut outcomes: Vec<Result<u64, TaskError>> =
        handles.into_iter().map(|h| h.result()).collect();
    // …then one at a time with `apply`, from more threads than workers:
    // each call talks to an idle worker itself, or queues when none is, so
    // callers and manager threads take turns with the same workers.
    const CALLERS: u64 = WORKERS as u64 + 2;
    let applied = thread::scope(|scope| {
        let callers: Vec<_> = (0..CALLERS)
            .map(|caller| {
                let (pool, task) = (&pool, &task);
                let mine = (TASKS + caller..2 * TASKS).step_by(CALLERS as usize);
                scope.spawn(move || {
                    mine.map(|i| (i, pool.apply(task(i)))).collect::<Vec<_>>()
                })
            })
            .collect();
        let mut applied: Vec<_> =
            callers.into_iter().flat_map(|caller| caller.join().unwrap()).collect();
        applied.sort_by_key(|(i, _)| *i);
        applied
    });
    stop.store(true, Ordering::SeqCst);
    let killed = killer.join().expect("the killer thread");
    assert!(pool.stats().applied_directly > 0, "no apply found an idle worker");

    // Exactly one outcome per task (each handle and each call gives one),
    // of the right kind.
    assert_eq!(
        applied.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        (TASKS..2 * TASKS).collect::<Vec<_>>()
    );
    outcomes.extend(applied.into_iter().map(|(_, outcome)| outcome));
    assert_eq!(outcomes.len() as u64, 2 * TASKS);
    let mut deaths_per_worker: HashMap<u32, usize> = HashMap::new();
    for (i, outcome) in outcomes.iter().enumerate() {
        match outcome {
            Ok(value) => assert_eq!(*value, i as u64 * 7 + 1, "task {i}"),
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

    // Back at full strength: every slot holds a live worker that answers.
    // A last kill may have landed after the final task; once every killed
    // worker is really dead, the pool must not fail a single task for it.
    for &pid in &killed {
        wait_until_dead(pid);
    }
    let echoes = pool.map(TestTask::Echo, 0..(4 * WORKERS as u64));
    assert!(echoes.iter().all(Result::is_ok), "{echoes:?}");
    assert_eq!(pool.workers(), WORKERS);
    assert!(pool.worker_pids().iter().all(Option::is_some), "{:?}", pool.worker_pids());

    // Nothing left running once the pool is dropped.
    let pool = Arc::into_inner(pool).expect("the killer's clone is gone");
    drop(pool);
    assert_eq!(running_with_tag(&tag), Vec::<u32>::new(), "workers outlived the pool");
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

    // Every worker is inside its 10-minute task.
    let started = Instant::now();
    for i in 0..WORKERS {
        let marker = markers.join(format!("task-{i}"));
        while !Path::new(&marker).exists() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "task {i} never started"
            );
            thread::sleep(Duration::from_millis(5));
        }
    }
    assert_eq!(running_with_tag(&tag).len(), WORKERS + 1, "parent and workers run");

    // SIGKILL: no destructor runs in the parent, nothing tells the workers.
    parent.kill().unwrap();
    parent.wait().unwrap();
    let killed = Instant::now();
    while !running_with_tag(&tag).is_empty() {
        assert!(
            killed.elapsed() < Duration::from_secs(2),
            "workers {:?} outlived their parent by 2 s",
            running_with_tag(&tag)
        );
        thread::sleep(Duration::from_millis(10));
    }
    std::fs::remove_dir_all(&markers).unwrap();
}
