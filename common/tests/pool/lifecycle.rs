//! A pool's life: `result_timeout`, `Drop`, `terminate`, large frames, bad
//! configurations, and a worker binary run by hand.

use super::*;

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
