//! `apply`: one task from the caller's thread, on an idle worker, with
//! every outcome; a worker killed while idle; every worker busy; a pool
//! being killed.

use super::*;

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
