//! `_TestPoolWorkerLifetime`: workers that retire after a number of tasks.

use super::*;

/// Polls `pool` until every worker slot has a live process, for at
/// most 5 s (CPython's `countdown`).
fn all_alive(pool: &ProcessPool<TestTask, u64>) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let pids: Option<Vec<u32>> = pool.worker_pids().into_iter().collect();
        match pids {
            Some(pids) => return pids,
            None if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
            None => panic!("a worker slot stayed empty: {:?}", pool.worker_pids()),
        }
    }
}

#[test]
fn test_pool_worker_lifetime() {
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(3)
        .max_tasks_per_worker(10)
        .start()
        .expect("pool starts");
    assert_eq!(pool.workers(), 3);
    let mut original = all_alive(&pool);
    let handles: Vec<_> = (0..100).map(|i| pool.submit(sqr(i))).collect();
    for (j, handle) in handles.into_iter().enumerate() {
        assert_eq!(handle.result(), Ok((j * j) as u64));
    }
    let mut last = all_alive(&pool);
    original.sort_unstable();
    last.sort_unstable();
    assert_ne!(original, last, "every worker ran at most 10 of the 100 tasks");
    assert!(pool.stats().retired >= 9, "{:?}", pool.stats());
    pool.shutdown();
}

/// Closing a pool whose workers retire after one task, before the
/// tasks are done, must not hang; every task still runs.
#[test]
fn test_pool_worker_lifetime_early_close() {
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(3)
        .max_tasks_per_worker(1)
        .start()
        .expect("pool starts");
    let handles: Vec<_> = (0..6_u64)
        .map(|i| pool.submit(TestTask::Sleep { ms: 300, value: i * i }))
        .collect();
    pool.shutdown();
    for (j, handle) in handles.into_iter().enumerate() {
        assert_eq!(handle.result(), Ok((j * j) as u64));
    }
}

/// CPython tries 0, -1, 0.5 and "12": only 0 is a `u64`.
#[test]
fn test_pool_maxtasksperchild_invalid() {
    let err = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(3)
        .max_tasks_per_worker(0)
        .start()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
#[ignore = "interpreter shutdown with a pool still referenced (bpo-38744): Rust has no \
            atexit handlers; a pool left in a static is never dropped, its workers exit \
            when the parent's socket closes (tests/chaos/ kills a parent)"]
fn test_worker_finalization_via_atexit_handler_of_multiprocessing() {}
