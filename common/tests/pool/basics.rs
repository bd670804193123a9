//! What a pool does when nothing goes wrong, and the faults it answers
//! per task: order, laziness, the initializer, retirement, a panic, an
//! abort or an exit, a timeout.

use super::*;

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
