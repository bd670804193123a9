use super::*;

/// `self.executor` of CPython's process mixins: 5 workers.
fn executor() -> ProcessPoolExecutor<Call, u64> {
    ProcessPoolExecutor::new(EXE, PYTHON_CALLS, 5).unwrap()
}

/// Every one of `pids` has exited and been reaped.
fn assert_reaped(pids: &[u32]) {
    for &pid in pids {
        assert!(common::procfs::has_exited(pid), "worker {pid} still there");
    }
}

/// `count` tasks of CPython's `time.sleep(0.1)` (10 ms here) submitted to
/// `executor`.
fn submit_sleeps(
    executor: &ProcessPoolExecutor<Call, u64>,
    count: usize,
) -> Vec<TaskFuture<u64>> {
    (0..count).map(|_| executor.submit(Call::Sleep(10))).collect()
}

/// `abs(x)` submitted to `executor` for each `x` in `-5..5`.
fn submit_abs(executor: &ProcessPoolExecutor<Call, u64>) -> Vec<TaskFuture<u64>> {
    (-5..5).map(|x| executor.submit(Call::Abs(x))).collect()
}

/// The results of `submit_abs`'s futures are `abs(x)` for `x` in `-5..5`.
fn assert_absolutes(futures: Vec<TaskFuture<u64>>) {
    let absolutes: Vec<u64> = futures.into_iter().map(|f| f.result().unwrap()).collect();
    assert_eq!(absolutes, [5, 4, 3, 2, 1, 0, 1, 2, 3, 4]);
}

#[test]
#[ignore = "submit after shutdown: `shutdown(self)` consumes the executor, so the call \
            does not compile"]
fn test_run_after_shutdown() {}

/// The end of the executor's scope stands for the interpreter's exit:
/// dropping it waits for the queued task.
#[test]
fn test_interpreter_shutdown() {
    let future = {
        let executor = executor();
        executor.submit(Call::Sleep(10))
    };
    assert!(future.is_done());
    assert_eq!(future.result(), Ok(0));
}

#[test]
#[ignore = "no atexit in Rust, and a submit after `shutdown(self)` does not compile"]
fn test_submit_after_interpreter_shutdown() {}

#[test]
fn test_hang_issue12364() {
    let executor = executor();
    let futures = submit_sleeps(&executor, 50);
    executor.shutdown(Queued::Run);
    for future in futures {
        assert_eq!(future.result(), Ok(0));
    }
}

#[test]
#[ignore = "CPython skips it for the process executor too (it hangs there, gh-83386); and \
            there is no shutdown(wait=False) here"]
fn test_hang_gh83386() {}

/// Pinned beside the first design difference: CPython spawns 3
/// processes for 3 blocked tasks; here all 5 started with the executor.
#[test]
fn test_processes_terminate() {
    let executor = executor();
    let futures = submit_sleeps(&executor, 3);
    let pids = executor.pids();
    assert_eq!(pids.len(), 5, "CPython: 3");
    executor.shutdown(Queued::Run);
    assert!(futures.iter().all(TaskFuture::is_done));
    assert_reaped(&pids);
}

#[test]
fn test_context_manager_shutdown() {
    let pids = {
        let executor = executor();
        let absolutes = executor.map(Call::Abs, -5..5);
        assert_eq!(absolutes, [5, 4, 3, 2, 1, 0, 1, 2, 3, 4].map(Ok));
        executor.pids()
    };
    assert_reaped(&pids);
}

/// The futures outlive the executor: dropping it waits for them and
/// reaps every worker.
#[test]
fn test_del_shutdown() {
    let executor = executor();
    let futures = submit_abs(&executor);
    let pids = executor.pids();
    drop(executor);
    assert_reaped(&pids);
    assert_absolutes(futures);
}

/// Pinned beside the third design difference (`shutdown` always
/// waits): the results and the reaped workers CPython checks after
/// `shutdown(wait=False)` are there when `shutdown` returns.
#[test]
fn test_shutdown_no_wait() {
    let executor = executor();
    let futures = submit_abs(&executor);
    let pids = executor.pids();
    executor.shutdown(Queued::Run);
    assert_reaped(&pids);
    assert_absolutes(futures);
}

/// CPython's test, with 10 ms sleeps instead of 100 ms.
#[test]
fn test_cancel_futures() {
    let executor: ProcessPoolExecutor<u64, u64> =
        ProcessPoolExecutor::new(EXE, executors::worker::SLOW, 5).unwrap();
    let futures: Vec<TaskFuture<u64>> = (0..50).map(|_| executor.submit(10)).collect();
    executor.shutdown(Queued::Cancel);
    check_cancel_futures(&futures);
}
