use super::*;

/// `self.executor` of CPython's process mixins: 5 workers.
fn executor() -> ProcessPoolExecutor<Call, u64> {
    ProcessPoolExecutor::new(EXE, PYTHON_CALLS, 5).unwrap()
}

#[test]
fn test_submit() {
    let executor = executor();
    assert_eq!(executor.submit(Call::Pow(2, 8)).result(), Ok(256));
    executor.shutdown(Queued::Run);
}

#[test]
#[ignore = "keyword arguments: a process task is a value, whatever it holds is its arguments"]
fn test_submit_keyword() {}

#[test]
fn test_map() {
    let executor = executor();
    let powers: Vec<u64> = executor
        .map(|i: u32| Call::Pow(u64::from(i), i), 0..10)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(powers, (0..10).map(|i: u32| u64::from(i).pow(i)).collect::<Vec<_>>());
    executor.shutdown(Queued::Run);
}

/// `divmod(1, 0)` in a worker: its panic is the third item's error;
/// the process executor's `map` collects every item, so the fourth is
/// there too (CPython's iterator raises at the third).
#[test]
fn test_map_exception() {
    let executor = executor();
    let results = executor.map(|d: u64| Call::Div(1, d), [2, 3, 0, 5]);
    assert_eq!(results[..2], [Ok(0), Ok(0)]);
    assert!(
        matches!(&results[2], Err(TaskError::Process(PoolError::Panicked { message, .. })) if message.contains("divide by zero")),
        "{:?}",
        results[2]
    );
    assert_eq!(results[3], Ok(0));
    executor.shutdown(Queued::Run);
}

#[test]
#[ignore = "the process executor's map takes no timeout here; a deadline on process futures \
            is TaskFuture::result_timeout (test_result_with_timeout, and the process \
            WaitTests' test_timeout)"]
fn test_map_timeout() {}

#[test]
fn test_shutdown_race_issue12456() {
    let executor = executor();
    let results = executor.map(|_| Call::Pow(2, 8), 0..6);
    executor.shutdown(Queued::Run);
    assert_eq!(results, vec![Ok(256); 6]);
}

#[test]
#[ignore = "weak references: a process task is encoded and sent; the caller keeps no copy, \
            which ownership already guarantees"]
fn test_no_stale_references() {}

#[test]
fn test_max_workers_negative() {
    let err = ProcessPoolExecutor::new(EXE, PYTHON_CALLS, 0).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
#[ignore = "garbage collection: each result is moved to the caller"]
fn test_free_reference() {}

#[test]
#[ignore = "Windows only in CPython (a limit of 61 processes)"]
fn test_max_workers_too_large() {}

/// CPython attaches the worker's traceback, down to the raising line;
/// a worker's panic arrives with its message, the file and line that
/// panicked, and the worker's PID.
#[test]
fn test_traceback() {
    let executor = executor();
    let err =
        executor.submit(Call::Raise("RuntimeError(123)".into())).result().unwrap_err();
    let TaskError::Process(PoolError::Panicked { message, pid }) = &err else {
        panic!("{err:?}")
    };
    assert!(message.starts_with("RuntimeError(123) (at "), "{message}");
    assert!(message.contains("python_calls.rs:"), "{message}");
    assert!(executor.pids().contains(pid));
    executor.shutdown(Queued::Run);
}

#[test]
#[ignore = "garbage collection in the worker through a Manager: a task is dropped by the \
            worker once it has run, which ownership already guarantees"]
fn test_ressources_gced_in_workers() {}

/// 75 tasks on 5 processes, none finishing before the others start:
/// still 5 processes.
#[test]
fn test_saturation() {
    let executor = executor();
    let futures: Vec<TaskFuture<u64>> =
        (0..15 * 5).map(|_| executor.submit(Call::Sleep(10))).collect();
    assert_eq!(executor.pids().len(), 5);
    for future in futures {
        assert_eq!(future.result(), Ok(0));
    }
    assert_eq!(executor.pids().len(), 5);
    executor.shutdown(Queued::Run);
}

/// Pinned beside the first design difference (workers start with the
/// executor): CPython expects 1 process after three tasks in a row;
/// here the 5 started with it.
#[test]
fn test_idle_process_reuse_one() {
    let executor = executor();
    assert_eq!(executor.submit(Call::Mul(21, 2)).result(), Ok(42));
    assert_eq!(executor.submit(Call::Mul(6, 7)).result(), Ok(42));
    assert_eq!(executor.submit(Call::Mul(3, 14)).result(), Ok(42));
    assert_eq!(executor.pids().len(), 5, "CPython: 1");
    executor.shutdown(Queued::Run);
}

/// Pinned beside the same difference: CPython expects at most 3.
#[test]
fn test_idle_process_reuse_multiple() {
    let executor = executor();
    assert_eq!(executor.submit(Call::Mul(12, 7)).result(), Ok(84));
    let _a = executor.submit(Call::Mul(33, 25));
    assert_eq!(executor.submit(Call::Mul(25, 26)).result(), Ok(650));
    let _b = executor.submit(Call::Mul(18, 29));
    assert_eq!(executor.submit(Call::Mul(1, 2)).result(), Ok(2));
    let _c = executor.submit(Call::Mul(0, 9));
    assert_eq!(executor.pids().len(), 5, "CPython: at most 3");
    executor.shutdown(Queued::Run);
}

/// One worker retiring after 3 tasks: the first three see one PID, the
/// fourth a new one, and there is still one worker.
#[test]
fn test_max_tasks_per_child() {
    let pool = PYTHON_CALLS.pool(EXE).workers(1).max_tasks_per_worker(3).start().unwrap();
    let executor = ProcessPoolExecutor::from_pool(pool).unwrap();
    let original = executor.submit(Call::Pid).result().unwrap();
    assert_eq!(executor.submit(Call::Pid).result(), Ok(original));
    assert_eq!(executor.pids().len(), 1);
    assert_eq!(executor.submit(Call::Pid).result(), Ok(original));
    let new = executor.submit(Call::Pid).result().unwrap();
    assert_ne!(new, original);
    assert_eq!(executor.pids().len(), 1);
    executor.shutdown(Queued::Run);
}

#[test]
#[ignore = "start methods: every worker here is this binary started anew (exec), which is \
            CPython's spawn; there is no fork or forkserver to default away from"]
fn test_max_tasks_per_child_defaults_to_spawn_context() {}

/// Three workers that retire after one task each, shut down with six
/// tasks queued: every task still runs.
#[test]
fn test_max_tasks_early_shutdown() {
    let pool = PYTHON_CALLS.pool(EXE).workers(3).max_tasks_per_worker(1).start().unwrap();
    let executor = ProcessPoolExecutor::from_pool(pool).unwrap();
    let futures: Vec<TaskFuture<u64>> =
        (0..6).map(|i| executor.submit(Call::Mul(i, i))).collect();
    executor.shutdown(Queued::Run);
    for (i, future) in (0..6).zip(futures) {
        assert_eq!(future.result(), Ok(i * i));
    }
}

/// Pinned beside a documented difference (redelivery, not
/// `BrokenProcessPool`): CPython kills a worker under a running task,
/// then expects that task and every later submit to fail with
/// `BrokenProcessPool`. Here the pool replaces the worker: the task
/// fails if the kill caught it running (`WorkerDied`) or succeeds if it
/// had not reached the worker yet (it is sent again), and the executor
/// keeps working.
#[test]
fn test_killed_child() {
    let executor: ProcessPoolExecutor<u64, u64> =
        ProcessPoolExecutor::new(EXE, executors::worker::SLOW, 2).unwrap();
    let future = executor.submit(300);
    let pid = executor.pids()[0];
    let status =
        std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
    assert!(status.unwrap().success());
    let outcome = future.result();
    assert!(matches!(outcome, Ok(300) | Err(TaskError::Process(_))), "{outcome:?}");
    assert_eq!(executor.submit(8).result(), Ok(8), "CPython: BrokenProcessPool");
    executor.shutdown(Queued::Run);
}

/// CPython maps `pow` over two ranges; here a chunk of numbers is
/// squared. A chunksize below 1 is an error before anything runs
/// (CPython: `ValueError`; here an `InvalidInput` error value).
#[test]
fn test_map_chunksize() {
    let executor: ProcessPoolExecutor<Vec<u64>, Vec<u64>> =
        ProcessPoolExecutor::new(EXE, executors::worker::SQUARE_CHUNKS, 2).unwrap();
    let reference: Vec<u64> = (0..40).map(|n| n * n).collect();
    for chunksize in [6, 50, 40] {
        let squares = shared::squares_in_chunks(&executor, 40, chunksize);
        assert_eq!(squares, reference, "chunksize {chunksize}");
    }
    let err = executor.map_chunked(0..40, 0).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(err.to_string(), "chunksize must be at least 1");
    executor.shutdown(Queued::Run);
}
