//! The tests that change process-wide state (the descriptor limit) or
//! measure it (signal dispositions, open descriptors, threads, children):
//! each runs in a process of its own, this test binary re-run with only
//! that test ([`in_own_process`]).

use super::*;

/// Set in the re-run test binary: this process exists for one test.
const OWN_PROCESS_VAR: &str = "POOL_CHAOS_OWN_PROCESS";

/// Runs the ignored test `name` alone in a fresh copy of this test binary
/// and asserts that it passed.
fn in_own_process(module: &str, test: &str) {
    // A test's name is its module path without the crate's name.
    let name = match module.split_once("::") {
        Some((_crate, path)) => format!("{path}::{test}"),
        None => test.to_string(),
    };
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args([name.as_str(), "--exact", "--ignored", "--nocapture", "--test-threads=1"])
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
    in_own_process(module_path!(), "footprint_in_own_process");
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
    in_own_process(module_path!(), "out_of_descriptors_in_own_process");
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
    in_own_process(module_path!(), "sigkills_and_descriptor_pressure_in_own_process");
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
    let pool = tagged_pool(&tag, WORKERS);
    let killer = Killer::start(&pool, seed);
    let stop = Arc::new(AtomicBool::new(false));
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
    let outcomes = submit_then_apply(&pool, TASKS, task);
    let killed = killer.stop();
    stop.store(true, Ordering::SeqCst);
    let exhausted = hog.join().expect("the hog thread");

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

    // Descriptors are free again: back to full strength, then nothing
    // left running.
    assert_whole_then_gone(pool, &killed, &tag);
    assert_eq!(children(), Vec::<String>::new(), "the pool left children");
}
