//! CPython's own tests for `concurrent.futures`, translated: each Rust test
//! carries the name of the CPython test method it translates, inside a
//! module named after its CPython test class.
//!
//! Source: `/usr/lib/python3.11/test/test_concurrent_futures.py` from
//! Debian's `libpython3.11-testsuite` 3.11.2-6+deb12u9 (CPython 3.11.2).
//!
//! Translated here: 17 tests. 12 pass as in CPython (thread names with
//! and without a prefix, the process executor's `chunksize` check,
//! `shutdown(cancel_futures=True)` on both executors, and the thread
//! executor's run of `ExecutorTest`, 7 of its 9); 2 are ignored with the
//! reason (`test_submit_keyword`, `test_free_reference`); 3 assert the Rust
//! behaviour beside a difference documented in the chapter README
//! (`test_threads_terminate` and `test_idle_thread_reuse`: workers start
//! with the executor; `test_killed_child`: a killed worker is replaced, the
//! executor is not broken). Plus one deterministic companion of
//! `test_cancel_futures`, which pins the rule the CPython test relies on.
//! The rest of CPython's file is not translated in this file.

use std::collections::HashSet;
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use executors::executor::{TaskError, TaskFuture, ThreadPoolExecutor};
use executors::process_executor::ProcessPoolExecutor;

const EXE: &str = env!("CARGO_BIN_EXE_executors");

/// The names of the `workers` threads of `executor`: one task per worker,
/// each held at a barrier until all are running, so each runs on its own
/// thread.
fn thread_names(executor: &ThreadPoolExecutor, workers: usize) -> Vec<String> {
    let barrier = Arc::new(Barrier::new(workers));
    let futures: Vec<TaskFuture<String>> = (0..workers)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            executor.submit(move || {
                barrier.wait();
                thread::current().name().unwrap_or("unnamed").to_string()
            })
        })
        .collect();
    futures.into_iter().map(|f| f.result().unwrap()).collect()
}

/// `name` is `{prefix}_{i}` with `i` below `workers`; returns `prefix`.
fn split_name(name: &str, workers: usize) -> &str {
    let (prefix, index) = name.rsplit_once('_').unwrap_or_else(|| panic!("{name}: no _"));
    let index: usize = index.parse().unwrap_or_else(|_| panic!("{name}: no index"));
    assert!(index < workers, "{name}: index out of range");
    prefix
}

mod thread_pool_shutdown_test {
    use super::*;

    #[test]
    fn test_thread_names_assigned() {
        let executor = ThreadPoolExecutor::builder()
            .max_workers(5)
            .thread_name_prefix("SpecialPool")
            .build()
            .unwrap();
        let names = thread_names(&executor, 5);
        for name in &names {
            assert_eq!(split_name(name, 5), "SpecialPool", "{name}");
        }
        assert_eq!(names.iter().collect::<HashSet<_>>().len(), 5, "{names:?}");
    }

    #[test]
    fn test_thread_names_default() {
        // CPython's regex: `ThreadPoolExecutor-\d+_[0-4]$`; and "unique when
        // no thread_name_prefix was supplied": two executors, no shared name.
        let first = ThreadPoolExecutor::new(5).unwrap();
        let second = ThreadPoolExecutor::new(5).unwrap();
        let (a, b) = (thread_names(&first, 5), thread_names(&second, 5));
        for name in a.iter().chain(&b) {
            let prefix = split_name(name, 5);
            let number = prefix
                .strip_prefix("ThreadPoolExecutor-")
                .unwrap_or_else(|| panic!("{name}: not ThreadPoolExecutor-<n>_<i>"));
            assert!(number.parse::<usize>().is_ok(), "{name}");
        }
        let all: HashSet<&String> = a.iter().chain(&b).collect();
        assert_eq!(all.len(), 10, "thread names shared between executors: {a:?} {b:?}");
    }

    /// Pinned beside a documented difference (workers start eagerly): CPython
    /// starts a thread per submit while none is idle and expects 3 threads
    /// after 3 blocked tasks; here all 5 started with the executor.
    #[test]
    fn test_threads_terminate() {
        let executor = ThreadPoolExecutor::new(5).unwrap();
        let gate = Arc::new(Barrier::new(4));
        let futures: Vec<TaskFuture<()>> = (0..3)
            .map(|_| {
                let gate = Arc::clone(&gate);
                executor.submit(move || {
                    gate.wait();
                })
            })
            .collect();
        assert_eq!(executor.max_workers(), 5, "CPython: 3");
        gate.wait(); // the three tasks are running; release them
        executor.shutdown(false);
        assert!(futures.iter().all(TaskFuture::is_done));
    }

    /// CPython's test, with 10 ms sleeps instead of 100 ms.
    #[test]
    fn test_cancel_futures() {
        let executor = ThreadPoolExecutor::new(5).unwrap();
        let futures: Vec<TaskFuture<()>> = (0..50)
            .map(|_| executor.submit(|| thread::sleep(Duration::from_millis(10))))
            .collect();
        executor.shutdown(true);
        check_cancel_futures(&futures);
    }

    /// Not a CPython test: the rule `test_cancel_futures` relies on, made
    /// deterministic. The one worker is idle (still in its initializer, not
    /// running a task) when `shutdown(true)` is called, so the first queued
    /// task is its to take and runs; the other nine are cancelled. The
    /// initializer is released by the first cancellation, so nothing here
    /// depends on timing.
    #[test]
    fn test_cancel_futures_leaves_a_task_to_each_idle_worker() {
        let (release, released) = mpsc::channel::<()>();
        let released = Mutex::new(released);
        let executor = ThreadPoolExecutor::builder()
            .max_workers(1)
            .initializer(move || {
                let released = released.lock().unwrap();
                // Bounded so that a regression fails instead of hanging.
                let _ = released.recv_timeout(Duration::from_secs(10));
            })
            .build()
            .unwrap();
        let futures: Vec<TaskFuture<u32>> =
            (0..10).map(|i| executor.submit(move || i)).collect();
        let release = Mutex::new(Some(release));
        for future in &futures {
            let release = release.lock().unwrap().clone();
            future.on_done(move |outcome| {
                if matches!(outcome, Err(TaskError::Cancelled))
                    && let Some(release) = release
                {
                    let _ = release.send(());
                }
            });
        }
        drop(release);
        assert_eq!(executor.shutdown(true), 9);
        let outcomes: Vec<Result<u32, TaskError>> =
            futures.into_iter().map(TaskFuture::result).collect();
        assert_eq!(outcomes[0], Ok(0));
        assert!(
            outcomes[1..].iter().all(|o| *o == Err(TaskError::Cancelled)),
            "{outcomes:?}"
        );
    }
}

/// CPython's assertions after `shutdown(cancel_futures=True)`: more than 20
/// of the 50 cancelled, at least one not cancelled, and every one not
/// cancelled done without an error.
fn check_cancel_futures<T: std::fmt::Debug>(futures: &[TaskFuture<T>]) {
    let cancelled = futures.iter().filter(|f| f.is_cancelled()).count();
    assert!(cancelled > 20, "only {cancelled} of 50 cancelled");
    let others: Vec<&TaskFuture<T>> =
        futures.iter().filter(|f| !f.is_cancelled()).collect();
    assert!(!others.is_empty(), "all 50 cancelled: an idle worker was left nothing");
    for future in others {
        assert!(future.is_done());
        assert_eq!(future.error(Some(Duration::ZERO)), Ok(None));
    }
}

mod process_pool_shutdown_test {
    use super::*;

    /// CPython's test, with 10 ms sleeps instead of 100 ms.
    #[test]
    fn test_cancel_futures() {
        let executor: ProcessPoolExecutor<u64, u64> =
            ProcessPoolExecutor::new(EXE, executors::worker::SLOW, 5).unwrap();
        let futures: Vec<TaskFuture<u64>> =
            (0..50).map(|_| executor.submit(10)).collect();
        executor.shutdown(true);
        check_cancel_futures(&futures);
    }
}

/// `ExecutorTest`, run by CPython on each executor; here on the thread
/// executor (`ThreadPoolExecutorTest`).
mod thread_pool_executor_test {
    use super::*;

    #[test]
    fn test_submit() {
        let executor = ThreadPoolExecutor::new(5).unwrap();
        assert_eq!(executor.submit(|| 2_u64.pow(8)).result(), Ok(256));
    }

    #[test]
    #[ignore = "keyword arguments: a Rust task is a closure, whatever it captures is its arguments"]
    fn test_submit_keyword() {}

    /// CPython's second half passes `chunksize=3`, which the thread
    /// executor ignores in CPython too; here it has no such argument.
    #[test]
    fn test_map() {
        let executor = ThreadPoolExecutor::new(5).unwrap();
        let powers: Vec<u64> = executor
            .map(|i: u32| u64::from(i).pow(i), 0..10)
            .map(Result::unwrap)
            .collect();
        assert_eq!(powers, (0..10).map(|i: u32| u64::from(i).pow(i)).collect::<Vec<_>>());
    }

    /// `divmod(1, 0)` raises `ZeroDivisionError`; Rust's integer division by
    /// zero panics, and the panic is that item's error.
    #[test]
    fn test_map_exception() {
        let executor = ThreadPoolExecutor::new(5).unwrap();
        let divisors = std::hint::black_box([2_u32, 3, 0, 5]);
        let mut i = executor.map(|d: u32| (1 / d, 1 % d), divisors);
        assert_eq!(i.next(), Some(Ok((0, 1))));
        assert_eq!(i.next(), Some(Ok((0, 1))));
        assert!(
            matches!(i.next(), Some(Err(TaskError::Panicked(m))) if m.contains("divide by zero"))
        );
    }

    /// CPython sleeps 0, 0 and 6 s under a 5 s timeout. Here the third task
    /// waits until the test releases it, after the timeout has been seen,
    /// so only the first two depend on time (300 ms for two empty tasks).
    #[test]
    fn test_map_timeout() {
        let executor = ThreadPoolExecutor::new(5).unwrap();
        let (release, released) = mpsc::channel::<()>();
        let released = Arc::new(Mutex::new(released));
        let task = move |hold: bool| {
            if hold {
                let _ = released.lock().unwrap().recv_timeout(Duration::from_secs(10));
            }
        };
        let mut results = Vec::new();
        let mut timed_out = false;
        for outcome in
            executor.map_within(task, [false, false, true], Duration::from_millis(300))
        {
            match outcome {
                Ok(value) => results.push(value),
                Err(TaskError::NotReady(_)) => timed_out = true,
                Err(other) => panic!("{other}"),
            }
        }
        release.send(()).unwrap();
        assert!(timed_out, "expected a timeout");
        assert_eq!(results, [(), ()]);
    }

    /// A `map` never iterated, then `shutdown`: it must not hang, and (as
    /// in CPython) every task runs.
    #[test]
    fn test_shutdown_race_issue12456() {
        let executor = ThreadPoolExecutor::new(5).unwrap();
        let ran = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&ran);
        let _never_iterated = executor.map(
            move |n: u32| {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                n.to_string()
            },
            [2; 6],
        );
        drop(_never_iterated);
        executor.shutdown(false);
        assert_eq!(ran.load(std::sync::atomic::Ordering::SeqCst), 6);
    }

    /// CPython checks with a weak reference that a discarded future does
    /// not keep the task's object alive; here, that the task's captures are
    /// dropped once it has run.
    #[test]
    fn test_no_stale_references() {
        let executor = ThreadPoolExecutor::new(5).unwrap();
        let my_object = Arc::new(());
        let held = Arc::clone(&my_object);
        drop(executor.submit(move || drop(held)));
        executor.shutdown(false);
        assert_eq!(Arc::strong_count(&my_object), 1);
    }

    /// CPython checks 0 and -1; a negative count is not a `usize`.
    #[test]
    fn test_max_workers_negative() {
        let err = ThreadPoolExecutor::new(0).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert_eq!(err.to_string(), "max_workers must be at least 1");
    }

    #[test]
    #[ignore = "garbage collection: each result is moved to the caller, the iterator keeps none"]
    fn test_free_reference() {}

    /// Pinned beside a documented difference (workers start eagerly): CPython
    /// reuses its one idle thread for three tasks in a row and expects 1
    /// thread; here the default executor started all of its workers.
    #[test]
    fn test_idle_thread_reuse() {
        let executor = ThreadPoolExecutor::builder().build().unwrap();
        assert_eq!(executor.submit(|| 21 * 2).result(), Ok(42));
        assert_eq!(executor.submit(|| 6 * 7).result(), Ok(42));
        assert_eq!(executor.submit(|| 3 * 14).result(), Ok(42));
        assert_eq!(executor.max_workers(), common::pool::io_workers(), "CPython: 1");
    }
}

mod process_pool_executor_test {
    use super::*;

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
        executor.shutdown(false);
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
            let squares: Vec<u64> = executor
                .map_chunked(0..40, chunksize)
                .unwrap()
                .into_iter()
                .map(Result::unwrap)
                .collect();
            assert_eq!(squares, reference, "chunksize {chunksize}");
        }
        let err = executor.map_chunked(0..40, 0).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert_eq!(err.to_string(), "chunksize must be at least 1");
        executor.shutdown(false);
    }
}
