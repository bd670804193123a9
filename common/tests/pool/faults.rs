//! Workers that die: killed mid-task, killed or crashed while idle, timed
//! out during an initializer; and what the dying leaves behind (zombies,
//! programs a task started, a closed channel).

use super::*;

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
