//! CPython's own tests for `concurrent.futures`, translated: each Rust test
//! carries the name of the CPython test method it translates, inside a
//! module named after its CPython test class.
//!
//! Source: `/usr/lib/python3.11/test/test_concurrent_futures.py` from
//! Debian's `libpython3.11-testsuite` 3.11.2-6+deb12u9 (CPython 3.11.2).
//!
//! Translated here: every test method of the file, once per executor kind
//! CPython runs it on (its fork, forkserver and spawn runs are one here:
//! every worker process is this binary started anew) — 123 tests.
//!
//! * 72 pass as in CPython: shutdown with tasks queued, a scope's end
//!   standing for a `with` block or the interpreter's exit, thread names,
//!   `cancel_futures`, `ExecutorTest`, `wait`, `as_completed`,
//!   `FutureTests` (a future CPython settles with `set_result` is a task
//!   held by a gate the test opens), the initializers, `chunksize`,
//!   `max_tasks_per_child`, and the deadlock tests whose error CPython
//!   also reports per task (a task or result that fails to encode, a
//!   raising task).
//! * 29 assert the Rust behaviour beside a difference documented in the
//!   chapter README: workers start with the executor
//!   (`test_threads_terminate`, `test_idle_thread_reuse`,
//!   `test_processes_terminate`, `test_idle_process_reuse_one` and
//!   `_multiple`); a dead worker is replaced and only its task fails, where
//!   CPython breaks the executor (`test_killed_child`, 9 deadlock tests); a
//!   cancelled future is done at once in `wait` (`test_first_completed`,
//!   `test_first_exception_some_already_complete`, on both executors);
//!   `shutdown` always waits (`test_hang_gh83386`, `test_shutdown_no_wait`
//!   on both, `test_cancel_futures_wait_false`); a broken initializer fails
//!   the future, or the construction, rather than `submit`; a worker's panic
//!   arrives with its file and line, not a Python traceback
//!   (`test_traceback`); the `Debug` text and the timeout's message
//!   (`test_repr`, `test_correct_timeout_exception_msg` on both).
//! * 22 are ignored with the reason: keyword arguments, garbage collection
//!   and weak references, the same future passed twice, a second
//!   `set_result`, a submit after `shutdown(self)` (which does not
//!   compile), a bare fork, start methods, Windows, an exit in the
//!   caller's own process, and the one CPython skips itself.
//!
//! Plus one deterministic companion of `test_cancel_futures`, which pins
//! the rule the CPython test relies on.

use std::collections::HashSet;
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use common::pool::TaskError as PoolError;
use common::sync::Event;
use executors::executor::{
    Queued, ReturnWhen, TaskError, TaskFuture, ThreadPoolExecutor, Waited, as_completed,
    as_completed_within, wait,
};
use executors::process_executor::ProcessPoolExecutor;
use executors::support::python_calls::{Call, Then, Trap, TrapTask, Trapped};
use executors::worker::{PYTHON_CALLS, TRAPS};

use crate::shared;

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

mod thread_pool_shutdown_test;

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

mod process_pool_shutdown_test;

mod thread_pool_executor_test;

mod process_pool_executor_test;

/// How long a gated task waits for its gate before giving up: a bound, so
/// that a regression fails instead of hanging. Nothing waits for it to
/// pass.
const LIMIT: Duration = Duration::from_secs(10);

/// A task held until `gate` is set (CPython's `time.sleep(1.5)` and
/// `time.sleep(3)` tasks, made independent of time): it returns `value`.
fn gated(
    executor: &ThreadPoolExecutor,
    gate: &Arc<Event>,
    value: u64,
) -> TaskFuture<u64> {
    let gate = Arc::clone(gate);
    executor.submit(move || {
        gate.wait_timeout(LIMIT);
        value
    })
}

/// CPython's module-level futures in every state (`PENDING_FUTURE`,
/// `RUNNING_FUTURE`, `CANCELLED_FUTURE`, `CANCELLED_AND_NOTIFIED_FUTURE`),
/// built the only way a `TaskFuture` gets a state: from an executor. Its
/// one worker is held by the running task until `States` is dropped, so
/// tasks queued behind it stay pending. CPython's two cancelled states are
/// one here (the README's first difference).
struct States {
    executor: Option<ThreadPoolExecutor>,
    release: Arc<Event>,
}

impl States {
    /// The states, and `RUNNING_FUTURE`: running when this returns.
    fn new() -> (Self, TaskFuture<u64>) {
        let executor = ThreadPoolExecutor::new(1).unwrap();
        let (release, started) = (Arc::new(Event::new()), Arc::new(Event::new()));
        let running = {
            let (release, started) = (Arc::clone(&release), Arc::clone(&started));
            executor.submit(move || {
                started.set();
                release.wait_timeout(LIMIT);
                0
            })
        };
        assert!(started.wait_timeout(LIMIT), "the running task never started");
        (Self { executor: Some(executor), release }, running)
    }

    /// `PENDING_FUTURE`: queued behind the running task.
    fn pending(&self) -> TaskFuture<u64> {
        self.executor.as_ref().expect("alive").submit(|| 7)
    }

    /// `CANCELLED_FUTURE` (and `CANCELLED_AND_NOTIFIED_FUTURE`).
    fn cancelled(&self) -> TaskFuture<u64> {
        let future = self.pending();
        assert!(future.cancel());
        future
    }
}

impl Drop for States {
    fn drop(&mut self) {
        self.release.set();
        if let Some(executor) = self.executor.take() {
            executor.shutdown(Queued::Cancel);
        }
    }
}

/// `SUCCESSFUL_FUTURE`: finished, returned 42.
fn successful() -> TaskFuture<u64> {
    TaskFuture::ready(Ok(42))
}

/// `EXCEPTION_FUTURE`: finished, raised `OSError`.
fn exception() -> TaskFuture<u64> {
    TaskFuture::ready(Err(TaskError::Failed("OSError".into())))
}

/// `test_free_reference_yielded_future`. CPython builds bare futures
/// whatever executor the class runs with; here they are gated thread tasks,
/// the same for both runs. CPython checks with weak references that
/// `as_completed` keeps no yielded future alive; here each yielded future
/// is moved to the caller, so the test checks the rest of its course: with
/// a zero timeout, the two finished futures, then the timeout with the
/// eight pending ones handed back; then each pending one as it is
/// completed.
fn free_reference_yielded_future() {
    let executor = ThreadPoolExecutor::new(8).unwrap();
    let (states, _running) = States::new();
    let gates: Vec<Arc<Event>> = (0..8).map(|_| Arc::new(Event::new())).collect();
    let mut futures: Vec<TaskFuture<u64>> =
        gates.iter().map(|gate| gated(&executor, gate, 7)).collect();
    futures.push(states.cancelled());
    futures.push(TaskFuture::ready(Ok(42)));

    let mut within = as_completed_within(futures, Duration::ZERO);
    let first: HashSet<usize> =
        within.by_ref().map_while(Result::ok).map(|(i, _)| i).collect();
    assert_eq!(first, HashSet::from([8, 9]));
    let rest: Vec<TaskFuture<u64>> =
        within.remaining().into_iter().map(|(_, future)| future).collect();
    assert_eq!(rest.len(), 8);

    gates[0].set();
    let mut completed = as_completed(rest);
    for (count, (index, future)) in completed.by_ref().enumerate() {
        assert_eq!(future.result(), Ok(7));
        assert!(index < 8);
        if let Some(next) = gates.get(count + 1) {
            next.set();
        }
    }
    assert!(completed.remaining().is_empty());
}

/// `test_correct_timeout_exception_msg`, on futures in fixed states (no
/// executor of the class's own, in CPython either). CPython's message is "2 (of 4) futures unfinished"; here the timeout
/// is `TaskError::NotReady` and the two unfinished futures are handed
/// back by `remaining()`.
fn correct_timeout_exception_msg() {
    let (states, running) = States::new();
    let futures = vec![states.cancelled(), states.pending(), running, successful()];
    let mut within = as_completed_within(futures, Duration::ZERO);
    let mut yielded = 0;
    let err = loop {
        match within.next().expect("a timeout before the end") {
            Ok(_) => yielded += 1,
            Err(err) => break err,
        }
    };
    assert_eq!(yielded, 2);
    assert!(matches!(err, TaskError::NotReady(_)), "{err:?}");
    assert!(err.to_string().starts_with("no result within"), "{err}");
    let unfinished: Vec<usize> = within.remaining().into_iter().map(|(i, _)| i).collect();
    assert_eq!(unfinished, [1, 2], "CPython: 2 (of 4) futures unfinished");
}

/// What CPython's `WaitTests` and `AsCompletedTests` need of "the
/// executor" of each run: a quick task, a task that fails, one that stays
/// pending for the whole test, and an end that leaves nothing running.
trait Subject {
    /// `mul(x, y)`.
    fn mul(&self, x: u64, y: u64) -> TaskFuture<u64>;
    /// `divmod(x, 0)`: a task that fails (a division by zero panics).
    fn divide_by_zero(&self, x: u64) -> TaskFuture<u64>;
    /// `sleep_and_raise`, without the sleep: a task that fails at once.
    fn raising(&self) -> TaskFuture<u64>;
    /// `time.sleep(1.5)`: a task still pending when the test looks.
    fn pending(&self) -> TaskFuture<u64>;
    /// The end of the test: every task finishes or is stopped.
    fn end(self);
}

/// The thread executor's run: the pending task waits for a gate the end
/// opens.
struct Threads {
    executor: ThreadPoolExecutor,
    gate: Arc<Event>,
}

impl Threads {
    fn new() -> Self {
        Self {
            executor: ThreadPoolExecutor::new(5).unwrap(),
            gate: Arc::new(Event::new()),
        }
    }
}

impl Subject for Threads {
    fn mul(&self, x: u64, y: u64) -> TaskFuture<u64> {
        self.executor.submit(move || x * y)
    }
    fn divide_by_zero(&self, x: u64) -> TaskFuture<u64> {
        let zero = std::hint::black_box(0_u64);
        self.executor.submit(move || x / zero)
    }
    fn raising(&self) -> TaskFuture<u64> {
        self.executor.try_submit(|| Err::<u64, _>("this is an exception"))
    }
    fn pending(&self) -> TaskFuture<u64> {
        gated(&self.executor, &self.gate, 0)
    }
    fn end(self) {
        self.gate.set();
        self.executor.shutdown(Queued::Run);
    }
}

/// The process executor's run (CPython's spawn, fork and forkserver runs
/// are one here: every worker is this binary started anew): the pending
/// task sleeps a minute, and the end terminates it.
struct Processes(ProcessPoolExecutor<Call, u64>);

impl Processes {
    fn new() -> Self {
        Self(ProcessPoolExecutor::new(EXE, PYTHON_CALLS, 5).unwrap())
    }
}

impl Subject for Processes {
    fn mul(&self, x: u64, y: u64) -> TaskFuture<u64> {
        self.0.submit(Call::Mul(x, y))
    }
    fn divide_by_zero(&self, x: u64) -> TaskFuture<u64> {
        self.0.submit(Call::Div(x, 0))
    }
    fn raising(&self) -> TaskFuture<u64> {
        self.0.submit(Call::Raise("this is an exception".into()))
    }
    fn pending(&self) -> TaskFuture<u64> {
        self.0.submit(Call::Sleep(60_000))
    }
    fn end(self) {
        self.0.terminate();
    }
}

mod wait_tests;

mod as_completed_tests;

/// One `#[test]` per name, each calling the function of that name in
/// `$tests` with a fresh `$subject`.
macro_rules! tests_calling {
    ($subject:expr, $tests:ident: $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $tests::$name($subject);
            }
        )*
    };
}

/// The runs of `WaitTests` and `AsCompletedTests` CPython makes: on the
/// thread executor (`ThreadPoolWaitTests`, with one method of its own) and
/// on the process executor. Each test calls the function of its name in
/// `wait_tests` or `as_completed_tests` with a fresh subject.
macro_rules! wait_and_as_completed_runs {
    ($module:ident, $subject:expr) => {
        mod $module {
            use super::*;

            tests_calling!($subject, wait_tests:
                test_first_completed, test_first_completed_some_already_completed,
                test_first_exception, test_first_exception_some_already_complete,
                test_first_exception_one_already_failed, test_all_completed, test_timeout);
            tests_calling!($subject, as_completed_tests: test_no_timeout, test_zero_timeout);

            #[test]
            #[ignore = "a TaskFuture has one owner: the same future cannot be passed to wait \
                        twice, so the duplicate this test guards against cannot be written"]
            fn test_20369() {}

            #[test]
            #[ignore = "a TaskFuture has one owner: as_completed cannot be given the same \
                        future three times"]
            fn test_duplicate_futures() {}

            #[test]
            fn test_free_reference_yielded_future() {
                free_reference_yielded_future();
            }

            #[test]
            fn test_correct_timeout_exception_msg() {
                correct_timeout_exception_msg();
            }
        }
    };
}

wait_and_as_completed_runs!(thread_pool_wait_and_as_completed_tests, Threads::new());
wait_and_as_completed_runs!(process_pool_wait_and_as_completed_tests, Processes::new());

/// `ThreadPoolWaitTests`' own method.
mod thread_pool_wait_tests {
    use super::*;

    /// 100 tasks blocked on one event, released together while `wait`
    /// registers with them (CPython's issue 14406, a lost wake-up).
    #[test]
    fn test_pending_calls_race() {
        let executor = ThreadPoolExecutor::new(5).unwrap();
        let event = Arc::new(Event::new());
        let futures: Vec<TaskFuture<u64>> =
            (0..100).map(|_| gated(&executor, &event, 1)).collect();
        event.set();
        let waited = wait(&futures, None, ReturnWhen::AllCompleted);
        assert_eq!(waited.done.len(), 100);
    }
}

mod future_tests;

mod executor_deadlock_test;
mod initializers;
