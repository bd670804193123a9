use super::*;

/// What the tasks "printed", for the test to read afterwards.
type Printed = Arc<Mutex<Vec<&'static str>>>;

/// CPython's `sleep_and_print(t, "apple")`, with 10 ms instead of 1 s.
fn sleep_and_print(executor: &ThreadPoolExecutor, printed: &Printed) -> TaskFuture<()> {
    let printed = Arc::clone(printed);
    executor.submit(move || {
        thread::sleep(Duration::from_millis(10));
        printed.lock().unwrap().push("apple");
    })
}

/// `count` tasks of CPython's `time.sleep(0.1)` (10 ms here) submitted to
/// `executor`.
fn submit_sleeps(executor: &ThreadPoolExecutor, count: usize) -> Vec<TaskFuture<()>> {
    (0..count)
        .map(|_| executor.submit(|| thread::sleep(Duration::from_millis(10))))
        .collect()
}

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
    executor.shutdown(Queued::Run);
    assert!(futures.iter().all(TaskFuture::is_done));
}

/// CPython's test, with 10 ms sleeps instead of 100 ms.
#[test]
fn test_cancel_futures() {
    let executor = ThreadPoolExecutor::new(5).unwrap();
    let futures = submit_sleeps(&executor, 50);
    executor.shutdown(Queued::Cancel);
    check_cancel_futures(&futures);
}

/// Not a CPython test: the rule `test_cancel_futures` relies on, made
/// deterministic. The one worker is idle (still in its initializer, not
/// running a task) when `shutdown(Queued::Cancel)` is called, so the first queued
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
    assert_eq!(executor.shutdown(Queued::Cancel), 9);
    let outcomes: Vec<Result<u32, TaskError>> =
        futures.into_iter().map(TaskFuture::result).collect();
    assert_eq!(outcomes[0], Ok(0));
    assert!(
        outcomes[1..].iter().all(|o| *o == Err(TaskError::Cancelled)),
        "{outcomes:?}"
    );
}

#[test]
#[ignore = "submit after shutdown: `shutdown(self)` consumes the executor, so the call \
            CPython expects to raise RuntimeError does not compile"]
fn test_run_after_shutdown() {}

/// CPython runs a script that submits a 1 s task and exits: the
/// interpreter's exit waits for it ("apple" is printed). Here the end of
/// the executor's scope is the exit: dropping it waits for the queued
/// task (10 ms).
#[test]
fn test_interpreter_shutdown() {
    let printed = Printed::default();
    {
        let executor = ThreadPoolExecutor::new(5).unwrap();
        drop(sleep_and_print(&executor, &printed));
    }
    assert_eq!(*printed.lock().unwrap(), ["apple"]);
}

#[test]
#[ignore = "no atexit in Rust, and a submit after `shutdown(self)` does not compile"]
fn test_submit_after_interpreter_shutdown() {}

/// 50 tasks of 100 ms in CPython (10 ms here), then `shutdown`: it
/// returns, and every result is there.
#[test]
fn test_hang_issue12364() {
    let executor = ThreadPoolExecutor::new(5).unwrap();
    let futures = submit_sleeps(&executor, 50);
    executor.shutdown(Queued::Run);
    for future in futures {
        assert_eq!(future.result(), Ok(()));
    }
}

/// Pinned beside a difference: CPython's `shutdown(wait=False)` returns
/// at once and the interpreter's exit still runs the task. `shutdown`
/// here always waits (a worker thread is never left running past its
/// executor), so the task has run when it returns.
#[test]
fn test_hang_gh83386() {
    let executor = ThreadPoolExecutor::new(3).unwrap();
    let printed = Printed::default();
    let future = sleep_and_print(&executor, &printed);
    executor.shutdown(Queued::Run);
    assert!(future.is_done());
    assert_eq!(*printed.lock().unwrap(), ["apple"]);
}

/// `with ThreadPoolExecutor(5) as e:` is a scope: the executor is
/// dropped, and its threads joined, at its end.
#[test]
fn test_context_manager_shutdown() {
    {
        let executor = ThreadPoolExecutor::new(5).unwrap();
        let absolutes: Vec<i32> =
            executor.map(|x: i32| x.abs(), -5..5).map(Result::unwrap).collect();
        assert_eq!(absolutes, [5, 4, 3, 2, 1, 0, 1, 2, 3, 4]);
    }
}

/// The map's results outlive the executor: dropping it waits for every
/// task, so each result is there afterwards.
#[test]
fn test_del_shutdown() {
    let executor = ThreadPoolExecutor::new(5).unwrap();
    let results = executor.map(|x: i32| x.abs(), -5..5);
    drop(executor);
    let absolutes: Vec<i32> = results.map(Result::unwrap).collect();
    assert_eq!(absolutes, [5, 4, 3, 2, 1, 0, 1, 2, 3, 4]);
}

/// Pinned beside the same difference as `test_hang_gh83386`: there is
/// no `wait=False`; CPython's assertion — every result computed before
/// the threads ended — holds.
#[test]
fn test_shutdown_no_wait() {
    let executor = ThreadPoolExecutor::new(5).unwrap();
    let results = executor.map(|x: i32| x.abs(), -5..5);
    executor.shutdown(Queued::Run);
    let absolutes: Vec<i32> = results.map(Result::unwrap).collect();
    assert_eq!(absolutes, [5, 4, 3, 2, 1, 0, 1, 2, 3, 4]);
}

/// `shutdown(wait=False, cancel_futures=True)` right after one submit:
/// the task is not cancelled — an idle worker is left its task — and
/// "apple" is printed. (`wait=False` as in `test_hang_gh83386`.)
#[test]
fn test_cancel_futures_wait_false() {
    let executor = ThreadPoolExecutor::builder().build().unwrap();
    let printed = Printed::default();
    let future = sleep_and_print(&executor, &printed);
    assert_eq!(executor.shutdown(Queued::Cancel), 0, "nothing cancelled");
    assert_eq!(future.result(), Ok(()));
    assert_eq!(*printed.lock().unwrap(), ["apple"]);
}
