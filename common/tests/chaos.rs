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

/// Set in the re-run test binary: this process exists for one test.
const OWN_PROCESS_VAR: &str = "POOL_CHAOS_OWN_PROCESS";

/// Runs the ignored test `name` alone in a fresh copy of this test binary
/// and asserts that it passed.
fn in_own_process(name: &str) {
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args([name, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(OWN_PROCESS_VAR, "1")
        .stdin(Stdio::null())
        .output()
        .expect("the test binary runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{name}, in a process of its own, failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    eprint!("{stderr}");
}

/// Whether this process was started by [`in_own_process`]. The tests it
/// runs do nothing otherwise (`cargo test -- --ignored` must not lower the
/// descriptor limit of a process full of other tests).
fn own_process() -> bool {
    std::env::var_os(OWN_PROCESS_VAR).is_some()
}

fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

/// Lowers this process's soft limit on open descriptors to `limit`.
fn limit_descriptors(limit: usize) {
    let mut rlimit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit read or write one rlimit we own.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut rlimit), 0);
        rlimit.rlim_cur = limit as libc::rlim_t;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit), 0);
    }
}

/// Opens `/dev/null` until the process has no descriptor left; dropping
/// the files gives them back.
fn exhaust_descriptors() -> Vec<std::fs::File> {
    let mut hog = Vec::new();
    loop {
        match std::fs::File::open("/dev/null") {
            Ok(file) => hog.push(file),
            Err(err) => {
                assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err}");
                return hog;
            }
        }
    }
}

/// The living children of this process (every thread's), zombies included.
fn children() -> Vec<String> {
    let mut children = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").into_iter().flatten().flatten() {
        let list =
            std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        children.extend(list.split_whitespace().map(str::to_string));
    }
    children
}

/// The signal dispositions in `/proc/self/status`: which signals have
/// handlers (`SigCgt`) and which are ignored (`SigIgn`). (`SigBlk` is a
/// thread's mask, not the process's: it changes while any thread forks.)
fn signal_dispositions() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .filter(|line| ["SigCgt", "SigIgn"].iter().any(|key| line.starts_with(key)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_pool_leaves_no_signal_handler_descriptor_thread_or_child_behind() {
    in_own_process("footprint_in_own_process");
}

#[test]
#[ignore = "runs in a process of its own, started by a_pool_leaves_no_signal_handler_…"]
fn footprint_in_own_process() {
    if !own_process() {
        return;
    }
    let before = (signal_dispositions(), open_descriptors(), common::procfs::status());
    {
        // Every way a worker is reaped: retired (graceful), timed out
        // (killed), died mid-task, killed while idle, and at shutdown.
        let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
            .workers(2)
            .max_tasks_per_worker(2)
            .task_timeout(Duration::from_millis(300))
            .start()
            .expect("pool starts");
        let echoes = pool.map(TestTask::Echo, 0..8);
        assert!(echoes.iter().all(Result::is_ok), "{echoes:?}");
        let overdue = pool.apply(TestTask::Sleep { ms: 60_000, value: 0 });
        assert!(matches!(overdue, Err(TaskError::TimedOut { .. })), "{overdue:?}");
        let died = pool.apply(TestTask::Abort);
        assert!(matches!(died, Err(TaskError::WorkerDied { .. })), "{died:?}");
        let idle = pool.worker_pids()[0].expect("a worker");
        sigkill(idle);
        wait_until_dead(idle);
        assert_eq!(pool.apply(TestTask::Echo(1)), Ok(1));
    }
    let after = (signal_dispositions(), open_descriptors());
    assert_eq!(before.0, after.0, "the pool changed the signal dispositions");
    assert_eq!(before.1, after.1, "the pool left descriptors open");
    // A thread that has been joined can still be listed for a moment while
    // the kernel finishes its exit (seen once in a full `cargo test` on a
    // loaded machine): wait, within a bound, for the count to come back.
    let threads = || common::procfs::status().map(|s| s.threads);
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while threads() != before.2.map(|s| s.threads) && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(before.2.map(|s| s.threads), threads(), "the pool left threads running");
    assert_eq!(children(), Vec::<String>::new(), "the pool left children");
}

#[test]
fn out_of_descriptors_every_task_still_gets_an_outcome_and_the_pool_recovers() {
    in_own_process("out_of_descriptors_in_own_process");
}

#[test]
#[ignore = "runs in a process of its own, started by out_of_descriptors_every_task_…"]
fn out_of_descriptors_in_own_process() {
    if !own_process() {
        return;
    }
    // A limit just above what is open now: the pool starts, then the hog
    // takes every descriptor left.
    limit_descriptors(open_descriptors() + 24);
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(1)
        .max_tasks_per_worker(1)
        .start()
        .expect("pool starts");
    // A thread takes every descriptor, and every one that is freed, at
    // once: closing the retired worker's socket frees two, which it takes
    // back before the reap can use them.
    let stop = Arc::new(AtomicBool::new(false));
    let grabber = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || {
            let mut held = exhaust_descriptors();
            while !stop.load(Ordering::SeqCst) {
                if let Ok(file) = std::fs::File::open("/dev/null") {
                    held.push(file);
                }
            }
            held
        })
    };
    while std::fs::File::open("/dev/null").is_ok() {
        thread::yield_now();
    }
    // The task runs on the worker that exists. Then the worker is retired:
    // reaped with no descriptor to spare (no pidfd, no pipe), and its
    // replacement cannot start (no socket pair).
    assert_eq!(pool.apply(TestTask::Echo(1)), Ok(1));
    let queued = pool.submit(TestTask::Echo(2)).result_timeout(Duration::from_secs(20));
    assert!(
        matches!(&queued, Err(TaskError::Spawn(m)) if m.contains("open files")),
        "{queued:?}"
    );
    let applied = pool.apply(TestTask::Echo(3));
    assert!(matches!(&applied, Err(TaskError::Spawn(_))), "{applied:?}");
    stop.store(true, Ordering::SeqCst);
    drop(grabber.join().expect("the grabber thread"));
    // Descriptors again: the pool is whole.
    assert_eq!(pool.apply(TestTask::Echo(4)), Ok(4));
    assert_eq!(pool.submit(TestTask::Echo(5)).result(), Ok(5));
    drop(pool);
    assert_eq!(children(), Vec::<String>::new(), "the pool left children");
}

#[test]
fn random_sigkills_while_descriptors_run_out_lose_no_task() {
    in_own_process("sigkills_and_descriptor_pressure_in_own_process");
}

#[test]
#[ignore = "runs in a process of its own, started by random_sigkills_while_descriptors_…"]
fn sigkills_and_descriptor_pressure_in_own_process() {
    if !own_process() {
        return;
    }
    const TASKS: u64 = 300;
    const WORKERS: usize = 4;
    let seed = fastrand::u64(..);
    eprintln!("descriptor-pressure chaos seed {seed}");
    // Like `ulimit -n 64` in a small program: room for the pool, a little
    // more, and a hog that takes what is left, again and again.
    limit_descriptors(open_descriptors() + 40);
    let tag = unique_tag("fd-chaos");
    let pool = Arc::new(
        ProcessPool::<TestTask, u64>::builder(WORKER)
            .workers(WORKERS)
            .env(TAG_VAR, &tag)
            .start()
            .expect("pool starts"),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let killer = {
        let (pool, stop) = (Arc::clone(&pool), Arc::clone(&stop));
        let mut rng = fastrand::Rng::with_seed(seed);
        thread::spawn(move || {
            let mut killed = HashSet::new();
            while !stop.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(rng.u64(2..=20)));
                let pids: Vec<u32> = pool.worker_pids().into_iter().flatten().collect();
                if let Some(&victim) = pids.get(rng.usize(..pids.len().max(1)))
                    && sigkill(victim)
                {
                    killed.insert(victim);
                }
            }
            killed
        })
    };
    let hog = {
        let stop = Arc::clone(&stop);
        let mut rng = fastrand::Rng::with_seed(seed.rotate_left(9));
        thread::spawn(move || {
            let mut exhausted = 0_u32;
            while !stop.load(Ordering::SeqCst) {
                let files = exhaust_descriptors();
                exhausted += 1;
                thread::sleep(Duration::from_millis(rng.u64(0..=5)));
                drop(files);
                thread::sleep(Duration::from_millis(rng.u64(0..=5)));
            }
            exhausted
        })
    };

    let task = |i: u64| TestTask::Sleep { ms: i % 3, value: i * 7 + 1 };
    let handles: Vec<_> = (0..TASKS).map(|i| pool.submit(task(i))).collect();
    let mut outcomes: Vec<(u64, Result<u64, TaskError>)> =
        handles.into_iter().enumerate().map(|(i, h)| (i as u64, h.result())).collect();
    const CALLERS: u64 = WORKERS as u64 + 2;
    thread::scope(|scope| {
        let callers: Vec<_> = (0..CALLERS)
            .map(|caller| {
                let (pool, task) = (&pool, &task);
                scope.spawn(move || {
                    (TASKS + caller..2 * TASKS)
                        .step_by(CALLERS as usize)
                        .map(|i| (i, pool.apply(task(i))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for caller in callers {
            outcomes.extend(caller.join().expect("a caller thread"));
        }
    });
    stop.store(true, Ordering::SeqCst);
    let killed = killer.join().expect("the killer thread");
    let exhausted = hog.join().expect("the hog thread");

    outcomes.sort_by_key(|(i, _)| *i);
    assert_eq!(
        outcomes.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        (0..2 * TASKS).collect::<Vec<_>>(),
        "one outcome per task"
    );
    let (mut ok, mut died, mut no_spawn) = (0, 0, 0);
    for (i, outcome) in &outcomes {
        match outcome {
            Ok(value) => {
                assert_eq!(*value, i * 7 + 1, "task {i}");
                ok += 1;
            }
            Err(TaskError::WorkerDied { pid, status }) => {
                assert!(killed.contains(pid), "task {i}: {pid} died but was not killed");
                assert!(status.contains("SIGKILL"), "task {i}: {status}");
                died += 1;
            }
            // No descriptor for a replacement's socket: the task never ran.
            Err(TaskError::Spawn(_)) => no_spawn += 1,
            Err(other) => panic!("task {i}: unexpected {other:?}"),
        }
    }
    eprintln!(
        "{} kills, {exhausted} exhaustions: {ok} values, {died} worker deaths, \
         {no_spawn} tasks refused for want of a worker",
        killed.len()
    );
    assert!(ok > 0, "no task succeeded");

    // Descriptors are free again: back to full strength.
    for &pid in &killed {
        wait_until_dead(pid);
    }
    let started = Instant::now();
    while pool.worker_pids().iter().any(Option::is_none) {
        assert!(started.elapsed() < Duration::from_secs(10), "{:?}", pool.worker_pids());
        thread::sleep(Duration::from_millis(10));
    }
    let echoes = pool.map(TestTask::Echo, 0..(4 * WORKERS as u64));
    assert!(echoes.iter().all(Result::is_ok), "{echoes:?}");
    let pool = Arc::into_inner(pool).expect("the killer's clone is gone");
    drop(pool);
    assert_eq!(running_with_tag(&tag), Vec::<u32>::new(), "workers outlived the pool");
    assert_eq!(children(), Vec::<String>::new(), "the pool left children");
}
