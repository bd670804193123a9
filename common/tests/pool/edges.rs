//! The edges an adversary found: an `apply` from a `Drop` during a panic,
//! a task queued beside another caller's `apply`, a child program's
//! stdin, `Duration::MAX`, a task over the frame limit, a hung initializer.

use super::*;

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
