//! `ExecutorTest`, run by CPython on each executor; here on the thread
//! executor (`ThreadPoolExecutorTest`).

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
    let powers: Vec<u64> =
        executor.map(|i: u32| u64::from(i).pow(i), 0..10).map(Result::unwrap).collect();
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
    executor.shutdown(Queued::Run);
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
    executor.shutdown(Queued::Run);
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

/// A map never iterated still runs every task (CPython's issue 11777).
#[test]
fn test_map_submits_without_iteration() {
    let executor = ThreadPoolExecutor::new(5).unwrap();
    let finished = Arc::new(Mutex::new(Vec::new()));
    let record = {
        let finished = Arc::clone(&finished);
        move |n: u32| finished.lock().unwrap().push(n)
    };
    drop(executor.map(record, 0..10));
    executor.shutdown(Queued::Run);
    let mut finished = finished.lock().unwrap().clone();
    finished.sort_unstable();
    assert_eq!(finished, (0..10).collect::<Vec<u32>>());
}

/// CPython: `min(32, os.cpu_count() + 4)`. Here the CPUs are those this
/// process may use (`available_parallelism`, which honours
/// `taskset`), where CPython counts every CPU of the machine.
#[test]
fn test_default_workers() {
    let executor = ThreadPoolExecutor::builder().build().unwrap();
    let cpus = thread::available_parallelism().map_or(1, usize::from);
    assert_eq!(executor.max_workers(), (cpus + 4).min(32));
}

/// 60 tasks on 4 workers, each blocked until released: 4 threads ran
/// them all (CPython counts `executor._threads`; here the thread names
/// the tasks saw).
#[test]
fn test_saturation() {
    let executor = ThreadPoolExecutor::new(4).unwrap();
    let release = Arc::new(Event::new());
    let (started, starts) = mpsc::channel::<()>();
    let futures: Vec<TaskFuture<String>> = (0..15 * 4)
        .map(|_| {
            let (release, started) = (Arc::clone(&release), started.clone());
            executor.submit(move || {
                let _ = started.send(());
                release.wait_timeout(LIMIT);
                thread::current().name().unwrap_or("unnamed").to_string()
            })
        })
        .collect();
    // Every worker holds a task before any is released.
    for _ in 0..4 {
        starts.recv_timeout(LIMIT).expect("a worker took a task");
    }
    release.set();
    let names: HashSet<String> =
        futures.into_iter().map(|f| f.result().unwrap()).collect();
    assert_eq!(names.len(), 4, "{names:?}");
    executor.shutdown(Queued::Run);
}

#[test]
#[ignore = "fork without exec while a thread pool runs (bpo-45021): the process executors \
            here start their workers with exec, never a bare fork"]
fn test_hang_global_shutdown_lock() {}

/// A map with a zero timeout behind a busy worker: the timeout comes
/// first, and dropping the map cancels both of its tasks before they
/// start, so only the first task ever ran.
#[test]
fn test_executor_map_current_future_cancel() {
    let stop = Arc::new(Event::new());
    let log = Arc::new(Mutex::new(Vec::new()));
    let log_n_wait = {
        let (stop, log) = (Arc::clone(&stop), Arc::clone(&log));
        move |ident: &'static str| {
            log.lock().unwrap().push(format!("ident='{ident}' started"));
            stop.wait_timeout(LIMIT);
            log.lock().unwrap().push(format!("ident='{ident}' stopped"));
        }
    };
    let pool = ThreadPoolExecutor::new(1).unwrap();
    let first = {
        let log_n_wait = log_n_wait.clone();
        pool.submit(move || log_n_wait("first"))
    };
    {
        let mut results =
            pool.map_within(log_n_wait, ["second", "third"], Duration::ZERO);
        assert!(matches!(results.next(), Some(Err(TaskError::NotReady(_)))));
    }
    stop.set();
    assert_eq!(first.result(), Ok(()));
    pool.shutdown(Queued::Run);
    assert_eq!(*log.lock().unwrap(), ["ident='first' started", "ident='first' stopped"]);
}
