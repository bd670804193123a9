//! CPython's own `Pool` tests, translated: each Rust test carries the name
//! of the CPython test method it translates (class `_TestPool`).
//!
//! Source: `/usr/lib/python3.11/test/_test_multiprocessing.py` from
//! Debian's `libpython3.11-testsuite` 3.11.2-6+deb12u9 (CPython 3.11.2).
//!
//! Translated here: the 6 tests on `map`, `imap` and `imap_unordered`
//! and their failing inputs, and the 2 on callbacks (`_TestPool`'s
//! `test_map_async_callbacks`, `_TestPoolWorkerErrors`'
//! `test_async_error_callback`), and `test_map_unplicklable`: all 9
//! passing. CPython's `sqr` becomes a task
//! that echoes `x * x`; its `exception_throwing_generator` an iterator that
//! panics ("Somebody said when") where the generator raises `SayWhenError`:
//! a failing input is a panicking iterator in Rust. The `chunksize`
//! argument does not exist on this pool (each item is one task); the tests
//! that pass one are translated without it. The rest of the Pool tests are
//! not translated in this file.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::thread;

use common::pool::{ProcessPool, TaskError};

#[path = "../src/bin/pool-test-worker/tasks.rs"]
mod tasks;
use tasks::TestTask;

const WORKER: &str = env!("CARGO_BIN_EXE_pool-test-worker");
const SAY_WHEN: &str = "Somebody said when";

/// `cls.Pool(4)`.
fn pool() -> ProcessPool<TestTask, u64> {
    ProcessPool::builder(WORKER).workers(4).start().expect("pool starts")
}

fn sqr(x: i64) -> TestTask {
    let x = x.unsigned_abs();
    TestTask::Echo(x * x)
}

/// CPython's `exception_throwing_generator(total, when)`: `0..total`, but
/// it panics at `when` (at once when `when` is -1).
fn exception_throwing_generator(total: i64, when: i64) -> impl Iterator<Item = i64> {
    let first = if when == -1 { Some(()) } else { None };
    first
        .into_iter()
        .map(|()| -> i64 { panic!("{SAY_WHEN}") })
        .chain((0..total).map(move |i| if i == when { panic!("{SAY_WHEN}") } else { i }))
}

/// `assertRaises(SayWhenError, f)`: `f` panics with the generator's message.
fn says_when<T>(f: impl FnOnce() -> T) -> bool {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => false,
        Err(payload) => common::pool::panic_message(&*payload) == SAY_WHEN,
    }
}

/// How many tasks `pool` had accepted: the next task's id is one more.
fn submitted(pool: &ProcessPool<TestTask, u64>) -> u64 {
    pool.submit(TestTask::Echo(0)).id() - 1
}

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

/// What a callback saw: the outcome, and whether it ran in the test's own
/// thread.
type Seen = Arc<Mutex<Vec<(Result<u64, TaskError>, bool)>>>;

fn recorder(seen: &Seen) -> impl FnOnce(&Result<u64, TaskError>) + Send + 'static {
    let (seen, caller) = (Arc::clone(seen), thread::current().id());
    move |outcome| {
        let here = thread::current().id() == caller;
        seen.lock().unwrap().push((outcome.clone(), here));
    }
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

mod test_pool_worker_errors {
    use super::*;

    #[test]
    fn test_async_error_callback() {
        let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
            .workers(2)
            .start()
            .expect("pool starts");
        let seen: Seen = Arc::default();
        let res = pool
            .submit_with_callback(TestTask::Panic("KeyError".into()), recorder(&seen));
        assert!(
            matches!(res.result(), Err(TaskError::Panicked { message: m, .. }) if m.contains("KeyError"))
        );
        let seen = seen.lock().unwrap();
        assert!(
            matches!(&seen[..], [(Err(TaskError::Panicked { message: m, .. }), _)] if m.contains("KeyError"))
        );
        pool.shutdown();
    }
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
            message.contains("cpython_pool::A`") && message.contains("cannot pickle"),
            "{message}"
        );
    }
}
