//! The process pool's fault behaviour, with real worker processes
//! (`src/bin/pool-test-worker`). Each test starts its own small pool; no test
//! depends on timing except through wide deadlines.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::pool::{ProcessPool, TaskError};
use proptest::prelude::*;

#[path = "../src/bin/pool-test-worker/tasks.rs"]
mod tasks;
use tasks::TestTask;

const WORKER: &str = env!("CARGO_BIN_EXE_pool-test-worker");

fn pool(workers: usize) -> ProcessPool<TestTask, u64> {
    ProcessPool::builder(WORKER).workers(workers).start().expect("pool starts")
}

/// A pool whose idle workers are not checked for an hour: a worker killed
/// while idle is then found dead only by the next task's delivery, which
/// is what the redelivery tests are about.
fn pool_without_idle_checks(workers: usize) -> ProcessPool<TestTask, u64> {
    ProcessPool::builder(WORKER)
        .workers(workers)
        .idle_check(Duration::from_secs(3600))
        .start()
        .expect("pool starts")
}

fn alive(pid: u32) -> bool {
    // A reaped process has no /proc entry; a zombie still has one.
    common::procfs::state(pid).is_some()
}

fn assert_all_reaped(pids: &[u32]) {
    for &pid in pids {
        assert!(!alive(pid), "worker {pid} is still in the process table");
    }
}

#[test]
fn map_returns_results_in_input_order_not_completion_order() {
    let pool = pool(3);
    // The first items sleep longest, so they finish last.
    let results = pool.map(|i| TestTask::Sleep { ms: (6 - i) * 20, value: i * 10 }, 0..6);
    let values: Vec<u64> = results.into_iter().map(Result::unwrap).collect();
    assert_eq!(values, [0, 10, 20, 30, 40, 50]);
    assert_eq!(pool.stats().replies, 6);
}

#[test]
fn imap_consumes_its_input_lazily() {
    let pool = pool(2);
    let pulled = AtomicUsize::new(0);
    let items = (0..1_000_u64).inspect(|_| {
        pulled.fetch_add(1, Ordering::SeqCst);
    });
    let mut results = pool.imap(TestTask::Echo, items);
    assert_eq!(results.next(), Some(Ok(0)));
    // Two workers, two tasks each in flight: the other 996 items are untouched.
    assert_eq!(pulled.load(Ordering::SeqCst), 4);
    let rest: Vec<u64> = results.map(Result::unwrap).collect();
    assert_eq!(rest, (1..1_000).collect::<Vec<_>>());
    assert_eq!(pulled.load(Ordering::SeqCst), 1_000);
}

#[test]
fn the_initializer_runs_once_in_every_worker_including_replacements() {
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(2)
        .initializer(TestTask::Init)
        .start()
        .unwrap();
    let runs = pool.map(|_| TestTask::InitRuns, 0..20);
    assert!(runs.iter().all(|r| *r == Ok(1)), "{runs:?}");

    // Kill a worker through its task; the replacement is initialised too.
    let died = pool.submit(TestTask::Abort).result();
    assert!(matches!(died, Err(TaskError::WorkerDied { .. })), "{died:?}");
    let runs = pool.map(|_| TestTask::InitRuns, 0..20);
    assert!(runs.iter().all(|r| *r == Ok(1)), "{runs:?}");
    let stats = pool.stats();
    assert_eq!((stats.workers_started, stats.workers_lost), (3, 1));
}

#[test]
fn max_tasks_per_worker_retires_each_worker_after_that_many_tasks() {
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(1)
        .max_tasks_per_worker(2)
        .initializer(TestTask::Init)
        .start()
        .unwrap();
    let pids: Vec<u64> =
        (0..4).map(|_| pool.submit(TestTask::Pid).result().unwrap()).collect();
    // One worker at a time: two tasks each, then a fresh process.
    assert_eq!(pids[0], pids[1], "{pids:?}");
    assert_eq!(pids[2], pids[3], "{pids:?}");
    assert_ne!(pids[0], pids[2], "{pids:?}");
    // The fifth task is the third worker's first, and it is initialised.
    // (Its manager retires a spent worker before it takes the next task, so
    // by the time this answers, both retirements have happened — and the
    // third worker, with one task answered, is not being retired.)
    assert_eq!(pool.submit(TestTask::InitRuns).result(), Ok(1));
    let stats = pool.stats();
    assert_eq!((stats.retired, stats.workers_lost), (2, 0), "{stats:?}");
    assert_eq!(stats.workers_started, 3, "{stats:?}");
    let third = pool.submit(TestTask::Pid).result().unwrap();
    assert!(!pids.contains(&third), "{pids:?} then {third}");
    let retired: Vec<u32> = [pids[0], pids[2]].iter().map(|&pid| pid as u32).collect();
    assert_all_reaped(&retired);
    drop(pool);
    assert_all_reaped(&[third as u32]);
}

#[test]
fn max_tasks_per_worker_of_zero_is_refused() {
    let err = ProcessPool::<TestTask, u64>::builder(WORKER)
        .max_tasks_per_worker(0)
        .start()
        .unwrap_err();
    assert!(err.to_string().contains("at least 1"), "{err}");
}

#[test]
fn a_failing_initializer_fails_the_start() {
    let started = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(2)
        .initializer(TestTask::Panic("no config".into()))
        .start();
    let err = started.unwrap_err().to_string();
    assert!(err.contains("initializer failed") && err.contains("no config"), "{err}");
}

#[test]
fn a_panic_is_that_task_s_error_and_the_worker_lives_on() {
    let pool = pool(1);
    let before = pool.submit(TestTask::Pid).result().unwrap();
    let err = pool.submit(TestTask::Panic("bad input 42".into())).result().unwrap_err();
    match &err {
        TaskError::Panicked { pid, message } => {
            assert_eq!(u64::from(*pid), before);
            assert!(message.starts_with("bad input 42 (at "), "{message}");
            assert!(message.contains("tasks.rs:"), "{message}");
        }
        other => panic!("expected a panic, got {other:?}"),
    }
    assert_eq!(pool.submit(TestTask::Pid).result().unwrap(), before, "same worker");
    assert_eq!(pool.stats().workers_started, 1);
}

#[test]
fn abort_and_exit_are_reported_with_their_status_and_the_pool_recovers() {
    let pool = pool(1);
    let aborted = pool.submit(TestTask::Abort).result().unwrap_err();
    let exited = pool.submit(TestTask::Exit(7)).result().unwrap_err();
    let fine = pool.submit(TestTask::Echo(5)).result();
    assert!(
        matches!(&aborted, TaskError::WorkerDied { status, .. } if status.contains("SIGABRT")),
        "{aborted:?}"
    );
    assert!(
        matches!(&exited, TaskError::WorkerDied { status, .. } if status.contains("exit status: 7")),
        "{exited:?}"
    );
    assert_eq!(fine, Ok(5));
    assert_eq!(pool.stats().workers_lost, 2);
}

#[test]
fn a_task_past_its_timeout_has_its_worker_killed_reaped_and_replaced() {
    let pool = pool(1);
    let first_pid = pool.worker_pids()[0].unwrap();
    let started = Instant::now();
    let hung = pool
        .submit_with_timeout(
            TestTask::Sleep { ms: 60_000, value: 0 },
            Duration::from_millis(200),
        )
        .result()
        .unwrap_err();
    // Wide margin: the point is "not 60 s", not a precise deadline.
    assert!(started.elapsed() < Duration::from_secs(10));
    match &hung {
        TaskError::TimedOut { pid, limit, status } => {
            assert_eq!(*pid, first_pid);
            assert_eq!(*limit, Duration::from_millis(200));
            assert!(status.contains("SIGKILL"), "{status}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(!alive(first_pid), "the killed worker was reaped");
    let next = pool.submit(TestTask::Pid).result().unwrap();
    assert_ne!(next, u64::from(first_pid), "a fresh worker took over");
}

fn sigkill(pid: u32) {
    let pid = libc::pid_t::try_from(pid).unwrap();
    // SAFETY: kill(2) has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
}

/// Waits (polling, up to 10 s) until `pid` has really exited.
fn wait_until_dead(pid: u32) {
    let started = Instant::now();
    while !common::procfs::has_exited(pid) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{pid} did not die within 10 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits (polling, up to 10 s) until the file exists.
fn wait_for_file(path: &Path) {
    let started = Instant::now();
    while !path.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn marker_dir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("pool-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A task that tells the test when it has started running — it creates a
/// marker file, then sleeps — so a test can act on a worker that is
/// provably busy without guessing with a sleep of its own. The marker's
/// directory is removed on drop.
struct Marked {
    dir: std::path::PathBuf,
}

impl Marked {
    fn new(name: &str) -> Self {
        Self { dir: marker_dir(name) }
    }

    /// The task: mark, sleep `ms`, return `value`.
    fn task(&self, ms: u64, value: u64) -> TestTask {
        let marker = self.dir.join("started").display().to_string();
        TestTask::MarkThenSleep { marker, ms, value }
    }

    /// Waits until the task is running in a worker.
    fn wait_until_started(&self) {
        wait_for_file(&self.dir.join("started"));
    }
}

impl Drop for Marked {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn a_worker_killed_with_sigkill_mid_task_is_reported_and_replaced() {
    let pool = pool(1);
    let victim = pool.worker_pids()[0].unwrap();
    let marked = Marked::new("mid-task");
    let handle = pool.submit(marked.task(60_000, 1));
    // Kill only once the task is running: it was delivered, so its outcome
    // is the worker's death, named by its signal.
    marked.wait_until_started();
    sigkill(victim);
    let err = handle.result().unwrap_err();
    assert!(
        matches!(&err, TaskError::WorkerDied { pid, status }
            if *pid == victim && status.contains("SIGKILL")),
        "{err:?}"
    );
    assert!(!alive(victim));
    assert_eq!(pool.submit(TestTask::Echo(9)).result(), Ok(9));
}

#[test]
fn a_worker_killed_while_idle_costs_no_task_the_next_one_goes_to_a_fresh_worker() {
    let pool = pool_without_idle_checks(1);
    let idle = pool.worker_pids()[0].unwrap();
    sigkill(idle);
    // Dead (a zombie: its manager is waiting for work, not for it) before
    // the task is submitted — so the task cannot have reached it.
    wait_until_dead(idle);
    let pid =
        pool.submit(TestTask::Pid).result().expect("the task runs on a fresh worker");
    assert_ne!(pid, u64::from(idle));
    assert!(!alive(idle), "the dead worker was reaped");
    let stats = pool.stats();
    assert_eq!((stats.redelivered, stats.workers_lost, stats.workers_started), (1, 1, 2));
}

#[test]
fn a_worker_that_dies_while_idle_is_reaped_and_replaced_with_no_task_to_notice() {
    let pool = pool(2);
    let idle = pool.worker_pids()[0].unwrap();
    sigkill(idle);
    // No task is sent: the slot's own idle check (every 100 ms) must reap
    // the dead worker — no zombie — and start another.
    let started = Instant::now();
    loop {
        let pids = pool.worker_pids();
        let replaced = pids[0].is_some_and(|pid| pid != idle);
        if replaced && !alive(idle) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "after 5 s: worker {idle} is {:?}, slots hold {pids:?}",
            common::procfs::state(idle)
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let stats = pool.stats();
    assert_eq!((stats.reaped_idle, stats.workers_lost, stats.workers_started), (1, 1, 3));
    assert_eq!(pool.workers(), 2);
    assert_eq!(pool.map(TestTask::Echo, 0..4), [Ok(0), Ok(1), Ok(2), Ok(3)]);
}

#[test]
fn a_task_s_timeout_starts_once_its_worker_has_it_not_during_an_initializer() {
    // The initializer takes 600 ms, every task may take 300 ms, and no
    // idle check warms a replacement: the task after a worker's death waits
    // for a fresh worker's initializer, and must not be charged for it.
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(1)
        .initializer(TestTask::Sleep { ms: 600, value: 0 })
        .task_timeout(Duration::from_millis(300))
        .idle_check(Duration::from_secs(3600))
        .start()
        .expect("pool starts");
    let died = pool.apply(TestTask::Abort);
    assert!(matches!(died, Err(TaskError::WorkerDied { .. })), "{died:?}");
    assert_eq!(pool.apply(TestTask::Echo(1)), Ok(1));
    assert_eq!(pool.submit(TestTask::Exit(3)).result().map_err(|_| ()), Err(()));
    assert_eq!(pool.submit(TestTask::Echo(2)).result(), Ok(2));

    // The same when every task retires its worker.
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(1)
        .initializer(TestTask::Sleep { ms: 600, value: 0 })
        .task_timeout(Duration::from_millis(300))
        .max_tasks_per_worker(1)
        .idle_check(Duration::from_secs(3600))
        .start()
        .expect("pool starts");
    for i in 0..3 {
        assert_eq!(pool.apply(TestTask::Echo(i)), Ok(i));
    }
    assert_eq!(pool.stats().workers_lost, 0);
}

#[test]
fn kill_workers_while_apply_waits_for_an_initializer_answers_terminated() {
    let dir = marker_dir("kill-during-init");
    let (hang_if, marker) = (dir.join("hang"), dir.join("init-started"));
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(1)
        .initializer(TestTask::InitHang {
            hang_if: hang_if.display().to_string(),
            marker: marker.display().to_string(),
        })
        .idle_check(Duration::from_secs(3600))
        .start()
        .expect("the first initializer returns at once");
    std::fs::write(&hang_if, b"").unwrap();
    // The worker dies; its replacement's initializer will hang.
    assert!(matches!(pool.apply(TestTask::Abort), Err(TaskError::WorkerDied { .. })));
    std::thread::scope(|scope| {
        let applying = scope.spawn(|| pool.apply(TestTask::Echo(1)));
        wait_for_file(&marker);
        pool.kill_workers();
        assert_eq!(applying.join().unwrap(), Err(TaskError::Terminated));
    });
    drop(pool);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_handle_stays_ready_after_result_timeout_returned_its_outcome() {
    let pool = pool(1);
    let handle = pool.submit(TestTask::Echo(5));
    assert_eq!(handle.result_timeout(Duration::from_secs(30)), Ok(5));
    assert!(handle.is_done());
    assert_eq!(handle.result_timeout(Duration::ZERO), Ok(5));
    assert_eq!(handle.result(), Ok(5));

    let failed = pool.submit(TestTask::Panic("once".into()));
    let first = failed.result_timeout(Duration::from_secs(30));
    assert!(matches!(first, Err(TaskError::Panicked { .. })), "{first:?}");
    assert_eq!(failed.result_timeout(Duration::ZERO), first);
}

#[test]
fn code_after_serve_runs_when_the_pool_closes_the_channel() {
    let dir = marker_dir("after-serve");
    let after = dir.join("after");
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(1)
        .env("POOL_TEST_AFTER_SERVE", &after)
        .start()
        .expect("pool starts");
    assert_eq!(pool.apply(TestTask::Echo(1)), Ok(1));
    // Graceful shutdown: the worker's `serve` returns and its `main` goes
    // on (it pauses 200 ms, then writes the file). A watchdog that ended the
    // process on the hang-up would have cut that short.
    drop(pool);
    assert_eq!(std::fs::read(&after).ok().as_deref(), Some(&b"serve returned"[..]));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Waits (polling, up to 10 s) until a file holds a PID, and returns it.
fn read_pid(path: &Path) -> u32 {
    wait_for_file(path);
    let started = Instant::now();
    loop {
        if let Ok(pid) = std::fs::read_to_string(path).unwrap_or_default().trim().parse()
        {
            return pid;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no pid in {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_program_a_task_started_dies_with_its_worker_at_a_timeout_and_at_terminate() {
    let dir = marker_dir("grandchild");
    let task = |name: &str| TestTask::SpawnSleep {
        pid_file: dir.join(name).display().to_string(),
        secs: 60,
    };
    // A timeout kills the worker's whole process group.
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(1)
        .task_timeout(Duration::from_millis(500))
        .start()
        .expect("pool starts");
    let overdue = pool.apply(task("timeout"));
    assert!(matches!(overdue, Err(TaskError::TimedOut { .. })), "{overdue:?}");
    let orphan = read_pid(&dir.join("timeout"));
    wait_until_dead(orphan);

    // So does terminate.
    let handle = pool.submit(task("terminate"));
    let orphan = read_pid(&dir.join("terminate"));
    pool.terminate();
    assert_eq!(handle.result(), Err(TaskError::Terminated));
    wait_until_dead(orphan);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn kill_workers_leaves_no_zombie_while_the_pool_lives() {
    let pool = pool(2);
    let pids: Vec<u32> = pool.worker_pids().into_iter().flatten().collect();
    assert_eq!(pool.apply(TestTask::Echo(1)), Ok(1));
    pool.kill_workers();
    // The pool stays alive (an `Arc` held elsewhere, say): its idle checks
    // reap the killed workers, and no replacement starts.
    let started = Instant::now();
    while pids.iter().any(|&pid| alive(pid))
        || pool.worker_pids().iter().any(Option::is_some)
    {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "after 5 s: {:?}, slots {:?}",
            pids.iter().map(|&pid| common::procfs::state(pid)).collect::<Vec<_>>(),
            pool.worker_pids()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(pool.apply(TestTask::Echo(2)), Err(TaskError::Terminated));
}

#[test]
fn apply_from_a_drop_during_the_caller_s_own_panic_keeps_the_healthy_worker() {
    let pool = pool_without_idle_checks(1);
    let before = pool.worker_pids();
    /// A cleanup guard that uses the pool when it is dropped.
    struct Cleanup<'a>(
        &'a ProcessPool<TestTask, u64>,
        &'a std::sync::Mutex<Option<Result<u64, TaskError>>>,
    );
    impl Drop for Cleanup<'_> {
        fn drop(&mut self) {
            *self.1.lock().unwrap() = Some(self.0.apply(TestTask::Echo(6)));
        }
    }
    let answer = std::sync::Mutex::new(None);
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _cleanup = Cleanup(&pool, &answer);
        panic!("the caller's own panic");
    }));
    assert!(unwound.is_err());
    assert_eq!(*answer.lock().unwrap(), Some(Ok(6)));
    assert_eq!(pool.worker_pids(), before, "the worker was discarded");
    assert_eq!(pool.stats().workers_lost, 0);
}

#[test]
fn a_queued_task_does_not_wait_behind_another_caller_s_apply_while_a_worker_is_idle() {
    let pool = pool(2);
    let marked = Marked::new("apply-hol");
    std::thread::scope(|scope| {
        // One caller's long task, run from its own thread on one worker.
        let long = scope.spawn(|| pool.apply(marked.task(60_000, 1)));
        marked.wait_until_started();
        // The other worker is idle: every short task submitted now runs
        // there, however the managers took them from the queue.
        for i in 0..6 {
            let handle = pool.submit(TestTask::Echo(i));
            assert_eq!(handle.result_timeout(Duration::from_secs(20)), Ok(i), "task {i}");
        }
        pool.kill_workers(); // ends the long task
        assert_eq!(long.join().unwrap(), Err(TaskError::Terminated));
    });
}

#[test]
fn a_task_s_child_program_gets_dev_null_not_the_pool_s_socket_as_stdin() {
    let pool = pool(1);
    assert_eq!(pool.submit(TestTask::StdinIsDevNull).result(), Ok(1));
    // `cat` reads stdin to its end: on the pool's socket it would block (or
    // swallow the next request); on /dev/null it exits 0 at once.
    let cat =
        pool.submit_with_timeout(TestTask::RunCat, Duration::from_secs(20)).result();
    assert_eq!(cat, Ok(0));
    assert_eq!(pool.submit(TestTask::Echo(4)).result(), Ok(4), "the channel is intact");
    assert_eq!(pool.stats().workers_started, 1);
}

#[test]
fn a_timeout_of_duration_max_means_no_deadline_not_a_panic() {
    let pool = pool(1);
    let handle =
        pool.submit_with_timeout(TestTask::Sleep { ms: 20, value: 8 }, Duration::MAX);
    assert_eq!(handle.result(), Ok(8));
    assert_eq!(pool.workers(), 1, "the manager thread is alive");
    assert_eq!(
        pool.submit_with_timeout(TestTask::Echo(2), Duration::MAX).result(),
        Ok(2)
    );
}

#[test]
fn a_task_over_the_frame_limit_is_refused_at_submit_and_no_worker_dies() {
    let pool = pool(1);
    let pid = pool.worker_pids()[0];
    let blob = vec![0_u8; common::pool::frame::MAX_FRAME_BYTES + 1];
    let err = pool.submit(TestTask::Blob(blob)).result().unwrap_err();
    assert!(
        matches!(&err, TaskError::Codec(message) if message.contains("frame limit")),
        "{err:?}"
    );
    assert_eq!(pool.worker_pids()[0], pid);
    assert_eq!(pool.stats().workers_lost, 0);
    assert_eq!(pool.submit(TestTask::Echo(1)).result(), Ok(1));
}

#[test]
fn a_hung_initializer_times_out_and_never_holds_an_outcome_hostage() {
    let dir = marker_dir("hung-init");
    let hang = dir.join("hang");
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(1)
        .initializer(TestTask::HangIfExists(hang.display().to_string()))
        .initializer_timeout(Duration::from_millis(300))
        .start()
        .expect("the first initializer returns at once");
    // From now on every new worker's initializer hangs.
    std::fs::write(&hang, b"").unwrap();
    let started = Instant::now();
    let died = pool.submit(TestTask::Abort).result();
    assert!(matches!(died, Err(TaskError::WorkerDied { .. })), "{died:?}");
    // The outcome came before the replacement's initializer gave up (or
    // at worst with it): not after a minute.
    assert!(started.elapsed() < Duration::from_secs(10));
    let next = pool.submit(TestTask::Echo(1)).result();
    assert!(
        matches!(&next, Err(TaskError::InitFailed(message)) if message.contains("no answer within")),
        "{next:?}"
    );
    std::fs::remove_file(&hang).unwrap();
    assert_eq!(pool.submit(TestTask::Echo(2)).result(), Ok(2));
    drop(pool);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn apply_runs_on_an_idle_worker_from_the_calling_thread_with_every_outcome() {
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(2)
        .task_timeout(Duration::from_secs(1))
        .start()
        .expect("pool starts");
    assert_eq!(pool.apply(TestTask::Echo(5)), Ok(5));
    let panicked = pool.apply(TestTask::Panic("nope".into()));
    assert!(
        matches!(&panicked, Err(TaskError::Panicked { message, .. }) if message.starts_with("nope")),
        "{panicked:?}"
    );
    let aborted = pool.apply(TestTask::Abort);
    assert!(
        matches!(&aborted, Err(TaskError::WorkerDied { status, .. }) if status.contains("SIGABRT")),
        "{aborted:?}"
    );
    let overdue = pool.apply(TestTask::Sleep { ms: 60_000, value: 0 });
    assert!(matches!(overdue, Err(TaskError::TimedOut { .. })), "{overdue:?}");
    // Both failed workers were replaced, and the pool answers as before.
    assert_eq!(pool.apply(TestTask::Echo(6)), Ok(6));
    assert!(pool.worker_pids().iter().all(Option::is_some));
    let stats = pool.stats();
    // Every call found an idle worker: none went through the queue.
    assert_eq!(stats.applied_directly, 5);
    assert_eq!((stats.workers_started, stats.workers_lost), (4, 2));
}

#[test]
fn apply_on_a_worker_killed_while_idle_goes_to_a_fresh_worker() {
    let pool = pool_without_idle_checks(1);
    let idle = pool.worker_pids()[0].unwrap();
    sigkill(idle);
    wait_until_dead(idle);
    let pid = pool.apply(TestTask::Pid).expect("the task runs on a fresh worker");
    assert_ne!(pid, u64::from(idle));
    assert!(!alive(idle), "the dead worker was reaped");
    let stats = pool.stats();
    assert_eq!(
        (stats.applied_directly, stats.redelivered, stats.workers_lost),
        (1, 1, 1)
    );
}

#[test]
fn apply_with_every_worker_busy_waits_its_turn_in_the_queue() {
    let pool = pool(1);
    let marked = Marked::new("apply-busy");
    // Two seconds: far longer than the microseconds between the marker
    // appearing and `apply` looking at the queue, so the worker is still
    // busy, and the second task still queued, when it looks.
    let running = pool.submit(marked.task(2_000, 1));
    // The only worker is running a task (its manager holds it), and one more
    // task waits in the queue: `apply` must not wait for the worker and
    // then overtake that task, but queue behind it.
    marked.wait_until_started();
    let queued = pool.submit(TestTask::Pid);
    assert_eq!(pool.apply(TestTask::Echo(3)), Ok(3));
    assert!(queued.is_done(), "the task queued first was answered first");
    assert_eq!((running.result(), pool.stats().applied_directly), (Ok(1), 0));
}

#[test]
fn apply_in_a_pool_being_killed_answers_terminated() {
    let pool = pool(1);
    let marked = Marked::new("apply-kill");
    std::thread::scope(|scope| {
        let applying = scope.spawn(|| pool.apply(marked.task(60_000, 1)));
        marked.wait_until_started();
        pool.kill_workers();
        assert_eq!(applying.join().unwrap(), Err(TaskError::Terminated));
    });
    assert_eq!(pool.apply(TestTask::Echo(1)), Err(TaskError::Terminated));
}

#[test]
fn result_timeout_reports_not_ready_and_the_task_still_finishes() {
    let pool = pool(1);
    let handle = pool.submit(TestTask::Sleep { ms: 300, value: 3 });
    assert_eq!(
        handle.result_timeout(Duration::from_millis(1)),
        Err(TaskError::NotReady(Duration::from_millis(1)))
    );
    assert_eq!(handle.result_timeout(Duration::from_secs(30)), Ok(3));
}

#[test]
fn drop_finishes_queued_work_and_reaps_every_worker() {
    let pool = pool(2);
    let pids: Vec<u32> = pool.worker_pids().into_iter().flatten().collect();
    assert_eq!(pids.len(), 2);
    let handles: Vec<_> =
        (0..6).map(|i| pool.submit(TestTask::Sleep { ms: 20, value: i })).collect();
    drop(pool);
    let values: Vec<u64> = handles.into_iter().map(|h| h.result().unwrap()).collect();
    assert_eq!(values, [0, 1, 2, 3, 4, 5]);
    assert_all_reaped(&pids);
}

#[test]
fn terminate_kills_running_work_and_answers_every_pending_task() {
    let pool = pool(1);
    let pid = pool.worker_pids()[0].unwrap();
    let handles: Vec<_> =
        (0..3).map(|i| pool.submit(TestTask::Sleep { ms: 60_000, value: i })).collect();
    let started = Instant::now();
    pool.terminate();
    assert!(started.elapsed() < Duration::from_secs(10));
    for handle in handles {
        assert_eq!(handle.result(), Err(TaskError::Terminated));
    }
    assert_all_reaped(&[pid]);
}

#[test]
fn large_frames_cross_intact_and_are_counted() {
    let pool = pool(1);
    let blob = vec![0xA5_u8; 3 * 1024 * 1024];
    assert_eq!(pool.submit(TestTask::Blob(blob)).result(), Ok(3 * 1024 * 1024));
    assert!(pool.stats().bytes_sent > 3 * 1024 * 1024);
}

#[test]
fn bad_configurations_are_errors_not_panics() {
    let missing =
        ProcessPool::<TestTask, u64>::builder("/nonexistent/worker").workers(1).start();
    assert!(missing.unwrap_err().to_string().contains("/nonexistent/worker"));
    let zero = ProcessPool::<TestTask, u64>::builder(WORKER).workers(0).start();
    assert_eq!(zero.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    for spin in [Duration::ZERO, Duration::from_nanos(1), Duration::from_micros(999)] {
        let spinning =
            ProcessPool::<TestTask, u64>::builder(WORKER).idle_check(spin).start();
        assert_eq!(spinning.unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    }
}

#[test]
fn a_worker_run_by_hand_explains_itself_and_exits_2() {
    let out = std::process::Command::new(WORKER)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("process-pool worker"));
}

/// How a random task should end.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Value(u64),
    Panic,
    Abort,
    Exit,
    Hang,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        6 => any::<u64>().prop_map(Kind::Value),
        2 => Just(Kind::Panic),
        1 => Just(Kind::Abort),
        1 => Just(Kind::Exit),
        1 => Just(Kind::Hang),
    ]
}

fn task_for(kind: Kind) -> TestTask {
    match kind {
        Kind::Value(v) => TestTask::Echo(v),
        Kind::Panic => TestTask::Panic("planned".into()),
        Kind::Abort => TestTask::Abort,
        Kind::Exit => TestTask::Exit(3),
        Kind::Hang => TestTask::Sleep { ms: 60_000, value: 0 },
    }
}

fn fits(kind: Kind, outcome: &Result<u64, TaskError>) -> bool {
    match (kind, outcome) {
        (Kind::Value(v), Ok(got)) => v == *got,
        (Kind::Panic, Err(TaskError::Panicked { message, .. })) => {
            message.starts_with("planned")
        }
        (Kind::Abort, Err(TaskError::WorkerDied { status, .. })) => {
            status.contains("SIGABRT")
        }
        (Kind::Exit, Err(TaskError::WorkerDied { status, .. })) => {
            status.contains("exit status: 3")
        }
        (Kind::Hang, Err(TaskError::TimedOut { status, .. })) => {
            status.contains("SIGKILL")
        }
        _ => false,
    }
}

proptest! {
    // Each case starts real processes and may wait out timeouts: few cases.
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn every_task_yields_exactly_one_outcome_of_the_right_kind(
        kinds in prop::collection::vec(kind(), 1..12),
    ) {
        let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
            .workers(2)
            .task_timeout(Duration::from_millis(250))
            .start()
            .unwrap();
        let handles: Vec<_> = kinds.iter().map(|&kind| pool.submit(task_for(kind))).collect();
        // `result` consumes each handle: one outcome per task, no more.
        let outcomes: Vec<_> = handles.into_iter().map(|h| h.result()).collect();
        prop_assert_eq!(outcomes.len(), kinds.len());
        for (&kind, outcome) in kinds.iter().zip(&outcomes) {
            prop_assert!(fits(kind, outcome), "{:?} ended as {:?}", kind, outcome);
        }
        let mut pids: Vec<u32> = pool.worker_pids().into_iter().flatten().collect();
        pids.extend(outcomes.iter().filter_map(|o| match o {
            Err(TaskError::WorkerDied { pid, .. } | TaskError::TimedOut { pid, .. }) => Some(*pid),
            _ => None,
        }));
        drop(pool);
        assert_all_reaped(&pids);
    }
}
