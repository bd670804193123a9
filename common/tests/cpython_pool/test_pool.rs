//! CPython's class `_TestPool`, method by method (with two tests of its
//! own, each marked "Not a CPython test").

use super::*;

#[test]
fn test_map_handle_iterable_exception() {
    let pool = pool();
    assert!(says_when(|| pool.map(sqr, exception_throwing_generator(1, -1))));
    // "again, make sure it's reentrant"
    assert!(says_when(|| pool.map(sqr, exception_throwing_generator(1, -1))));
    assert!(says_when(|| pool.map(sqr, exception_throwing_generator(10, 3))));
    // Beyond CPython's assertions, what makes them hold: the input is read
    // whole before anything is submitted, so the three failed maps ran
    // nothing.
    assert_eq!(submitted(&pool), 0);
    // `SpecialIterable`: an iterator whose every `next` raises.
    assert!(says_when(
        || pool.map(sqr, std::iter::from_fn(|| -> Option<i64> { panic!("{SAY_WHEN}") }))
    ));
    assert_eq!(pool.map(sqr, 0..3), [Ok(0), Ok(1), Ok(4)]);
}

#[test]
fn test_map_chunksize() {
    let pool = pool();
    assert!(pool.map(sqr, std::iter::empty()).is_empty());
}

#[test]
fn test_imap() {
    let pool = pool();
    let squares: Vec<u64> = pool.imap(sqr, 0..10).map(Result::unwrap).collect();
    assert_eq!(squares, (0..10).map(|i| i * i).collect::<Vec<u64>>());
    let mut it = pool.imap(sqr, 0..10);
    for i in 0..10 {
        assert_eq!(it.next(), Some(Ok(i * i)));
    }
    assert_eq!(it.next(), None);
    let mut it = pool.imap(sqr, 0..1000);
    for i in 0..1000 {
        assert_eq!(it.next(), Some(Ok(i * i)));
    }
    assert_eq!(it.next(), None);
}

#[test]
fn test_imap_handle_iterable_exception() {
    let pool = pool();
    let mut it = pool.imap(sqr, exception_throwing_generator(1, -1));
    assert!(says_when(|| it.next()));
    // "again, make sure it's reentrant"
    let mut it = pool.imap(sqr, exception_throwing_generator(1, -1));
    assert!(says_when(|| it.next()));

    let mut it = pool.imap(sqr, exception_throwing_generator(10, 3));
    for i in 0..3 {
        assert_eq!(it.next(), Some(Ok(i * i)));
    }
    assert!(says_when(|| it.next()));
    // Not in CPython's test: after the failure the input is not pulled
    // again, and the iterator is over.
    assert_eq!(it.next(), None);

    // CPython's chunked variants (chunksize 2 and 4) fail at the start of
    // the failing chunk; with one task per item the failure is at item 7.
    let mut it = pool.imap(sqr, exception_throwing_generator(20, 7));
    for i in 0..7 {
        assert_eq!(it.next(), Some(Ok(i * i)));
    }
    assert!(says_when(|| it.next()));
}

#[test]
fn test_imap_unordered() {
    let pool = pool();
    let mut squares: Vec<u64> =
        pool.imap_unordered(sqr, 0..10).map(Result::unwrap).collect();
    squares.sort_unstable();
    assert_eq!(squares, (0..10).map(|i| i * i).collect::<Vec<u64>>());
    let mut squares: Vec<u64> =
        pool.imap_unordered(sqr, 0..1000).map(Result::unwrap).collect();
    squares.sort_unstable();
    assert_eq!(squares, (0..1000).map(|i| i * i).collect::<Vec<u64>>());
}

/// Not a CPython test: what "unordered" means — a slow first task does not
/// hold back the ones after it. Two workers; the first task sleeps 10 s, a
/// wide margin for an echo on the other worker to come back first (which
/// echo depends on how the pool spreads them); the pool is then
/// terminated, so the test does not wait for the sleep.
#[test]
fn imap_unordered_yields_in_completion_order() {
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(2)
        .start()
        .expect("pool starts");
    let tasks = [
        TestTask::Sleep { ms: 10_000, value: 0 },
        TestTask::Echo(1),
        TestTask::Echo(2),
        TestTask::Echo(3),
    ];
    let first = pool.imap_unordered(|task| task, tasks).next();
    assert!(matches!(first, Some(Ok(1..=3))), "{first:?}");
    pool.terminate();
}

#[test]
fn test_imap_unordered_handle_iterable_exception() {
    let pool = pool();
    let mut it = pool.imap_unordered(sqr, exception_throwing_generator(1, -1));
    assert!(says_when(|| it.next()));
    // "again, make sure it's reentrant"
    let mut it = pool.imap_unordered(sqr, exception_throwing_generator(1, -1));
    assert!(says_when(|| it.next()));

    // CPython: every value before the error is one of the expected squares.
    // Here, more exactly: the three results before the failing item, in
    // some order, then the failure.
    let mut it = pool.imap_unordered(sqr, exception_throwing_generator(10, 3));
    let mut values: Vec<u64> = (0..3).map(|_| it.next().unwrap().unwrap()).collect();
    values.sort_unstable();
    assert_eq!(values, [0, 1, 4]);
    assert!(says_when(|| it.next()));
    assert!(it.next().is_none());

    let mut it = pool.imap_unordered(sqr, exception_throwing_generator(20, 7));
    let mut values: Vec<u64> = (0..7).map(|_| it.next().unwrap().unwrap()).collect();
    values.sort_unstable();
    assert_eq!(values, (0..7).map(|i| i * i).collect::<Vec<u64>>());
    assert!(says_when(|| it.next()));
}

/// CPython maps `int` over `['1']`, then over `['a']`, with `map_async`;
/// this pool has no `map_async`, so each one-item map is one
/// `submit_with_callback` (one closure for `callback` and
/// `error_callback`). Beyond CPython's assertions: the callback has run
/// by the time `result()` returns, in a pool thread, not the caller's.
#[test]
fn test_map_async_callbacks() {
    let pool = pool();
    let seen: Seen = Arc::default();
    let value = pool.submit_with_callback(TestTask::Echo(1), recorder(&seen)).result();
    assert_eq!(value, Ok(1));
    assert_eq!(*seen.lock().unwrap(), [(Ok(1), false)]);
    let failed = pool
        .submit_with_callback(TestTask::Panic("invalid literal".into()), recorder(&seen))
        .result();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(
        matches!(&seen[1], (Err(TaskError::Panicked { message: m, .. }), false) if m.contains("invalid literal"))
    );
    assert_eq!(seen[1].0, failed);
}

/// Not a CPython test: a task refused before it is queued (over the frame
/// limit) calls its callback in the caller's thread, at once.
#[test]
fn a_refused_task_calls_its_callback_in_the_calling_thread() {
    let pool = pool();
    let seen: Seen = Arc::default();
    let blob = TestTask::Blob(vec![0; 257 * 1024 * 1024]);
    let res = pool.submit_with_callback(blob, recorder(&seen));
    assert!(matches!(&seen.lock().unwrap()[..], [(Err(TaskError::Codec(_)), true)]));
    assert!(matches!(res.result(), Err(TaskError::Codec(_))));
}

/// CPython's class `A`, whose `__reduce__` raises: a task whose `Serialize`
/// fails.
#[derive(Debug)]
struct A;

impl serde::Serialize for A {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("cannot pickle"))
    }
}

/// "failure to pickle should not cause a hang": every item fails at once,
/// and the error names the type and keeps the cause (CPython: the
/// `RuntimeError('cannot pickle')` itself).
#[test]
fn test_map_unplicklable() {
    let pool =
        ProcessPool::<A, u64>::builder(WORKER).workers(4).start().expect("pool starts");
    let results = pool.map(|a| a, std::iter::repeat_with(|| A).take(10));
    assert_eq!(results.len(), 10);
    for result in results {
        let Err(TaskError::Codec(message)) = result else { panic!("{result:?}") };
        assert!(
            message.contains("cpython_pool::test_pool::A`")
                && message.contains("cannot pickle"),
            "{message}"
        );
    }
}

/// The squares of `0..n`, as `map` returns them.
fn squares(n: u64) -> Vec<Result<u64, TaskError>> {
    (0..n).map(|i| Ok(i * i)).collect()
}

/// `apply(sqr, (5,))`, then `apply(sqr, (), {'x': 3})`: a Rust task has no
/// keyword arguments, so the second is the same call with 3.
#[test]
fn test_apply() {
    let pool = pool();
    assert_eq!(pool.apply(sqr(5)), Ok(25));
    assert_eq!(pool.apply(sqr(3)), Ok(9));
}

/// The second map passes `chunksize=20` in CPython; each item is one task
/// here.
#[test]
fn test_map() {
    let pool = pool();
    assert_eq!(pool.map(sqr, 0..10), squares(10));
    assert_eq!(pool.map(sqr, 0..100), squares(100));
}

/// CPython's `mul(x, y)` over pairs: a task of two numbers, multiplied in
/// the worker.
fn mul((x, y): (u64, u64)) -> TestTask {
    TestTask::Mul(x, y)
}

/// `(0, n-1), (1, n-2), …`, CPython's `zip(range(n), range(n - 1, -1, -1))`.
fn pairs(n: u64) -> Vec<(u64, u64)> {
    (0..n).zip((0..n).rev()).collect()
}

/// Their products, as `itertools.starmap(mul, tuples)` computes them.
fn products(tuples: &[(u64, u64)]) -> Vec<Result<u64, TaskError>> {
    tuples.iter().map(|&(x, y)| Ok(x * y)).collect()
}

/// `starmap` is `map` over tuples: the task is made from the tuple.
#[test]
fn test_starmap() {
    let pool = pool();
    for n in [10, 100] {
        let tuples = pairs(n);
        let expected = products(&tuples);
        assert_eq!(pool.map(mul, tuples), expected);
    }
}

/// `starmap_async(...).get()`: every task submitted at once, the results
/// taken in order.
#[test]
fn test_starmap_async() {
    let pool = pool();
    let tuples = pairs(100);
    let expected = products(&tuples);
    let handles: Vec<_> = tuples.into_iter().map(|pair| pool.submit(mul(pair))).collect();
    let results: Vec<_> = handles.into_iter().map(|handle| handle.result()).collect();
    assert_eq!(results, expected);
}

#[test]
fn test_map_async() {
    let pool = pool();
    let handles: Vec<_> = (0..10).map(|i| pool.submit(sqr(i))).collect();
    let results: Vec<_> = handles.into_iter().map(|handle| handle.result()).collect();
    assert_eq!(results, squares(10));
}

/// CPython's `TIMEOUT1`: how long `sqr(7, wait)` sleeps.
const TIMEOUT1: Duration = Duration::from_millis(100);

/// `apply_async(sqr, (7, TIMEOUT1))`: `get()` waits for the sleeping task.
/// CPython checks the wait is about `TIMEOUT1`; a wait cannot be shorter
/// than the sleep, and that lower bound is what is checked here (an upper
/// bound would fail on a busy machine).
#[test]
fn test_async() {
    let pool = pool();
    let started = Instant::now();
    let res = pool.submit(TestTask::Sleep { ms: TIMEOUT1.as_millis() as u64, value: 49 });
    assert_eq!(res.result(), Ok(49));
    assert!(started.elapsed() >= TIMEOUT1);
}

/// `get(timeout=TIMEOUT2)` on a task that sleeps a second longer: a
/// timeout, after at least `TIMEOUT2`; the task goes on (the pool is
/// terminated rather than waiting for it).
#[test]
fn test_async_timeout() {
    const TIMEOUT2: Duration = Duration::from_millis(100);
    let pool = pool();
    let res = pool.submit(TestTask::Sleep { ms: 1100, value: 36 });
    let started = Instant::now();
    assert_eq!(res.result_timeout(TIMEOUT2), Err(TaskError::NotReady(TIMEOUT2)));
    assert!(started.elapsed() >= TIMEOUT2);
    pool.terminate();
    assert_eq!(res.result(), Err(TaskError::Terminated));
}

/// `Pool(-1)` and `Pool(0)` raise `ValueError`: a negative count is not a
/// `usize`, and zero workers is an `InvalidInput` error from `start`.
#[test]
fn test_make_pool() {
    let err =
        ProcessPool::<TestTask, u64>::builder(WORKER).workers(0).start().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER).workers(3).start().unwrap();
    assert_eq!(pool.workers(), 3);
    pool.shutdown();
}

/// 10 000 tasks of 100 ms each (about four minutes on four workers), then
/// `terminate`: it returns at once (CPython: `join` within 2 s), and every
/// task has exactly one outcome — the few that finished their value, the
/// rest `Terminated`.
#[test]
fn test_terminate() {
    let pool = pool();
    let handles: Vec<_> =
        (0..10_000).map(|_| pool.submit(TestTask::Sleep { ms: 100, value: 1 })).collect();
    let started = Instant::now();
    pool.terminate();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    let mut finished = 0;
    for handle in handles {
        match handle.result() {
            Ok(1) => finished += 1,
            Err(TaskError::Terminated) => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(finished < 10_000, "terminate waited for every task");
}

#[test]
fn test_empty_iterable() {
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER).workers(1).start().unwrap();
    assert!(pool.map(sqr, std::iter::empty()).is_empty());
    assert_eq!(pool.imap(sqr, std::iter::empty()).count(), 0);
    assert_eq!(pool.imap_unordered(sqr, std::iter::empty()).count(), 0);
    pool.shutdown();
}

#[test]
#[ignore = "a pool used after its `with` block: `shutdown(self)` consumes the pool, so the \
            call CPython expects to raise does not compile"]
fn test_context() {}

/// CPython checks that the worker's traceback, down to the line that
/// raised, is attached to the exception. A Rust panic reaches the caller
/// as its message, the file and line that panicked in the worker, and the
/// worker's PID. And, as in CPython, a failing *input* is not a remote
/// error: it panics in the caller, unwrapped.
#[test]
fn test_traceback() {
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER).workers(1).start().unwrap();
    let err = pool.apply(TestTask::Panic("RuntimeError(123)".into())).unwrap_err();
    let TaskError::Panicked { message, pid } = &err else { panic!("{err:?}") };
    assert!(message.starts_with("RuntimeError(123) (at "), "{message}");
    assert!(message.contains("pool-test-worker/tasks.rs:"), "{message}");
    assert_eq!(Some(Some(*pid)), pool.worker_pids().first().copied());
    assert!(says_when(|| pool.map(sqr, exception_throwing_generator(1, -1))));
    pool.shutdown();
}

#[test]
fn test_wrapped_exception() {
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER).workers(1).start().unwrap();
    let err = pool.apply(TestTask::Panic("RuntimeError('foo')".into())).unwrap_err();
    assert!(
        matches!(&err, TaskError::Panicked { message, .. } if message.contains("foo"))
    );
    pool.shutdown();
}

/// Both tasks fail with a 1 MiB message (CPython's
/// `raise_large_valuerror`): `map` waits for both — each item has its own
/// outcome, there is no fail-fast — and the shutdown after it does not
/// hang on the large replies.
#[test]
fn test_map_no_failfast() {
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER).workers(2).start().unwrap();
    let large = "x".repeat(1024 * 1024);
    let results = pool.map(|_| TestTask::Panic(large.clone()), [0, 1]);
    assert_eq!(results.len(), 2);
    for result in results {
        assert!(
            matches!(&result, Err(TaskError::Panicked { message, .. }) if message.starts_with(&large)),
            "{:?}",
            result.map_err(|err| err.to_string().len())
        );
    }
    pool.shutdown();
}

#[test]
#[ignore = "weak references: a task is moved into the pool and encoded; nothing in the caller \
            keeps it, which ownership already guarantees"]
fn test_release_task_refs() {}

#[test]
#[ignore = "re-entering a closed pool's `with`: the pool is consumed by `shutdown(self)`, so \
            the second use does not compile"]
fn test_enter() {}

#[test]
#[ignore = "the ResourceWarning of an unclosed pool: a pool's Drop shuts it down and reaps \
            every worker (tests/pool/ checks), so there is nothing to warn about"]
fn test_resource_warning() {}
