//! The executor's guarantees. Events are ordered with channels (gates),
//! never with sleeps; the only timings are wide upper bounds.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded};
use executors::executor::{
    Queued, TaskError, TaskFuture, ThreadPoolExecutor, as_completed,
};
use proptest::prelude::*;

/// A gate a task waits at until the test opens it (or 30 s pass, so a bug
/// fails the test instead of hanging it).
fn gate() -> (Sender<()>, Receiver<()>) {
    bounded(1)
}

fn wait_at(gate: &Receiver<()>) -> bool {
    gate.recv_timeout(Duration::from_secs(30)).is_ok()
}

/// Submits a task that occupies a worker of `executor` until `gate` opens,
/// and returns its future once the task is running. Its result: whether
/// the gate opened in time.
fn hold_a_worker(executor: &ThreadPoolExecutor, gate: Receiver<()>) -> TaskFuture<bool> {
    let (started_tx, started) = bounded(1);
    let running = executor.submit(move || {
        started_tx.send(()).unwrap();
        wait_at(&gate)
    });
    started.recv_timeout(Duration::from_secs(30)).unwrap();
    running
}

#[test]
fn map_yields_results_in_input_order() {
    let executor = ThreadPoolExecutor::new(4).unwrap();
    // Earlier items sleep longer, so they finish later.
    let results: Vec<u64> = executor
        .map(
            |i: u64| {
                std::thread::sleep(Duration::from_millis((8 - i) * 5));
                i * 10
            },
            0..8,
        )
        .map(Result::unwrap)
        .collect();
    assert_eq!(results, [0, 10, 20, 30, 40, 50, 60, 70]);
}

#[test]
fn cancel_succeeds_only_before_the_task_starts() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let (open, gate) = gate();
    let running = hold_a_worker(&executor, gate);
    let queued = executor.submit(|| "never runs");
    let after = executor.submit(|| "runs after the cancelled one");

    assert!(!running.cancel(), "a running task cannot be cancelled");
    assert!(queued.cancel(), "a queued task can");
    // CPython's test_cancel: cancel() on a cancelled future is True again.
    assert!(queued.cancel(), "still cancelled");
    assert_eq!(format!("{queued:?}"), r#"TaskFuture { state: "cancelled" }"#);
    open.send(()).unwrap();
    assert_eq!(running.result(), Ok(true));
    assert_eq!(queued.result(), Err(TaskError::Cancelled));
    assert_eq!(after.result(), Ok("runs after the cancelled one"));
}

#[test]
fn result_timeout_returns_in_time_and_the_task_still_finishes() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let (open, gate) = gate();
    let future = executor.submit(move || wait_at(&gate));
    let started = Instant::now();
    assert_eq!(
        future.result_timeout(Duration::from_millis(50)),
        Err(TaskError::NotReady(Duration::from_millis(50)))
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!future.is_done());
    open.send(()).unwrap();
    assert_eq!(future.result_timeout(Duration::from_secs(30)), Ok(true));
}

#[test]
fn a_timeout_of_duration_max_waits_for_the_result_instead_of_panicking() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let (open, gate) = gate();
    let future = executor.submit(move || wait_at(&gate));
    open.send(()).unwrap();
    assert_eq!(future.result_timeout(Duration::MAX), Ok(true));
}

#[test]
fn panics_and_errors_surface_at_result_and_workers_survive() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let panicked = executor.submit(|| -> u32 { panic!("boom {}", 7) });
    let failed = executor.try_submit(|| Err::<u32, _>("bad input"));
    let fine = executor.submit(|| 5_u32);
    assert_eq!(panicked.result(), Err(TaskError::Panicked("boom 7".into())));
    assert_eq!(failed.result(), Err(TaskError::Failed("bad input".into())));
    assert_eq!(fine.result(), Ok(5));
}

#[test]
fn jobs_run_concurrently_no_lock_is_held_while_a_job_runs() {
    // Each task waits for the other's message. If a worker held the queue's
    // lock while running its job (the Rust Book's `while let` trap), the
    // second task could not start and the first would time out.
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let (to_b, from_a) = bounded::<()>(1);
    let (to_a, from_b) = bounded::<()>(1);
    let patience = Duration::from_secs(10);
    let a = executor.submit(move || {
        to_b.send(()).unwrap();
        from_b.recv_timeout(patience).is_ok()
    });
    let b = executor.submit(move || {
        to_a.send(()).unwrap();
        from_a.recv_timeout(patience).is_ok()
    });
    assert_eq!((a.result(), b.result()), (Ok(true), Ok(true)));
}

#[test]
fn drop_joins_every_worker_before_returning() {
    static EXITED: AtomicUsize = AtomicUsize::new(0);
    struct CountsExit;
    impl Drop for CountsExit {
        fn drop(&mut self) {
            EXITED.fetch_add(1, Ordering::SeqCst);
        }
    }
    thread_local! {
        static ON_EXIT: RefCell<Option<CountsExit>> = const { RefCell::new(None) };
    }
    let workers = 4;
    let executor = ThreadPoolExecutor::new(workers).unwrap();
    // A barrier of 4 forces each of the 4 workers to take one task, and each
    // task leaves a guard that counts when its thread exits.
    let barrier = Arc::new(Barrier::new(workers));
    for _ in 0..workers {
        let barrier = Arc::clone(&barrier);
        executor.submit(move || {
            ON_EXIT.with(|slot| *slot.borrow_mut() = Some(CountsExit));
            barrier.wait();
        });
    }
    drop(executor);
    assert_eq!(
        EXITED.load(Ordering::SeqCst),
        workers,
        "every worker exited before drop returned"
    );
}

#[test]
fn shutdown_with_cancel_pending_cancels_exactly_the_queued_tasks() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let (open, gate) = gate();
    let running = hold_a_worker(&executor, gate);
    let queued: Vec<_> = (0..3).map(|i| executor.submit(move || i)).collect();
    // shutdown(Queued::Cancel) cancels the queue, then joins the worker — which waits
    // at the gate. So a second thread opens the gate, but only once it sees
    // all three queued futures cancelled (an event, not a delay).
    let cancelled = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !queued.iter().all(|f| f.is_done()) {
                std::thread::yield_now();
            }
            open.send(()).unwrap();
        });
        executor.shutdown(Queued::Cancel)
    });
    assert_eq!(cancelled, 3);
    assert_eq!(running.result(), Ok(true));
    for future in queued {
        assert_eq!(future.result(), Err(TaskError::Cancelled));
    }
}

#[test]
fn as_completed_yields_in_completion_order_each_future_once() {
    let executor = ThreadPoolExecutor::new(3).unwrap();
    let gates: Vec<_> = (0..3).map(|_| gate()).collect();
    let futures: Vec<_> = gates
        .iter()
        .enumerate()
        .map(|(i, (_, gate))| {
            let gate = gate.clone();
            executor.submit(move || {
                wait_at(&gate);
                i
            })
        })
        .collect();
    let mut completed = as_completed(futures);
    for index in [2, 0, 1] {
        gates[index].0.send(()).unwrap();
        let (got, future) = completed.next().unwrap();
        assert_eq!((got, future.result()), (index, Ok(index)));
    }
    assert!(completed.next().is_none());
}

#[test]
fn a_bounded_queue_makes_submit_wait() {
    let executor =
        ThreadPoolExecutor::builder().max_workers(1).queue_capacity(1).build().unwrap();
    let (open, gate) = gate();
    let _running = hold_a_worker(&executor, gate);
    let _queued = executor.submit(|| true); // fills the queue
    let (submitted_tx, submitted) = bounded(1);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let third = executor.submit(|| true);
            submitted_tx.send(()).unwrap();
            assert_eq!(third.result(), Ok(true));
        });
        // While the worker is held at the gate and the queue is full, the
        // third submit must block: no message for a good while. (Were the
        // queue unbounded, it would arrive within microseconds.)
        assert!(submitted.recv_timeout(Duration::from_millis(200)).is_err());
        open.send(()).unwrap();
        // Once the worker drains the queue, it goes through.
        submitted.recv_timeout(Duration::from_secs(30)).unwrap();
    });
}

/// How a random task ends.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Value(u32),
    Panic,
    Error,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_submitted_task_resolves_exactly_once(
        kinds in prop::collection::vec(
            prop_oneof![any::<u32>().prop_map(Kind::Value), Just(Kind::Panic), Just(Kind::Error)],
            0..40,
        ),
        workers in 1_usize..6,
    ) {
        let executor = ThreadPoolExecutor::new(workers).unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        let futures: Vec<_> = kinds.iter().map(|&kind| {
            let runs = Arc::clone(&runs);
            executor.try_submit(move || {
                runs.fetch_add(1, Ordering::SeqCst);
                match kind {
                    Kind::Value(v) => Ok(v),
                    Kind::Panic => panic!("planned"),
                    Kind::Error => Err("planned error"),
                }
            })
        }).collect();
        let outcomes: Vec<_> = futures.into_iter().map(|f| f.result()).collect();
        drop(executor);
        prop_assert_eq!(runs.load(Ordering::SeqCst), kinds.len(), "each task ran once");
        for (kind, outcome) in kinds.iter().zip(&outcomes) {
            let fits = match (kind, outcome) {
                (Kind::Value(v), Ok(got)) => v == got,
                (Kind::Panic, Err(TaskError::Panicked(m))) => m == "planned",
                (Kind::Error, Err(TaskError::Failed(m))) => m == "planned error",
                _ => false,
            };
            prop_assert!(fits, "{:?} ended as {:?}", kind, outcome);
        }
    }
}

// The rest of concurrent.futures: wait, callbacks, exception, deadlines,
// initializers. (Their outcomes against CPython's are in tests/semantics.rs.)

use executors::executor::{ReturnWhen, as_completed_within, wait};

#[test]
fn wait_on_nothing_returns_at_once_and_all_completed_waits_for_all() {
    let none: [executors::executor::TaskFuture<u8>; 0] = [];
    let found = wait(&none, None, ReturnWhen::FirstCompleted);
    assert!(found.done.is_empty() && found.pending.is_empty());

    let executor = ThreadPoolExecutor::new(3).unwrap();
    let futures: Vec<_> = (0..6_u64)
        .map(|i| executor.submit(move || std::thread::sleep(Duration::from_millis(i))))
        .collect();
    let found = wait(&futures, None, ReturnWhen::AllCompleted);
    assert_eq!(found.done, (0..6).collect::<Vec<_>>());
    assert!(found.pending.is_empty());
}

#[test]
fn every_callback_runs_exactly_once_even_when_added_while_the_task_completes() {
    // Callbacks added from another thread race the completion: each must run
    // once — at once if it lost the race, in the worker if it won.
    let executor = ThreadPoolExecutor::new(4).unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let futures: Vec<_> = (0..300).map(|i| executor.submit(move || i)).collect();
    std::thread::scope(|scope| {
        for chunk in futures.chunks(75) {
            let ran = Arc::clone(&ran);
            scope.spawn(move || {
                for future in chunk {
                    for _ in 0..2 {
                        let ran = Arc::clone(&ran);
                        future.on_done(move |outcome| {
                            assert!(outcome.is_ok());
                            ran.fetch_add(1, Ordering::SeqCst);
                        });
                    }
                }
            });
        }
    });
    for future in futures {
        future.result().unwrap();
    }
    assert_eq!(ran.load(Ordering::SeqCst), 600);
}

#[test]
fn a_callback_sees_the_outcome_and_one_added_after_the_result_is_taken_sees_taken() {
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let (sender, receiver) = bounded(4);
    let future = executor.try_submit(|| Err::<u8, _>("bad input"));
    let on_failure = sender.clone();
    future.on_done(move |outcome| on_failure.send(outcome.clone()).unwrap());
    assert_eq!(
        future.result_timeout(Duration::from_secs(30)),
        Err(TaskError::Failed("bad input".into()))
    );
    assert_eq!(receiver.recv().unwrap(), Err(TaskError::Failed("bad input".into())));
    future.on_done(move |outcome| sender.send(outcome.clone()).unwrap());
    assert_eq!(receiver.recv().unwrap(), Err(TaskError::Taken));
}

#[test]
fn dropping_a_map_iterator_early_cancels_what_has_not_started() {
    // One worker; every task after the first waits at a second gate, so at
    // most one of them (the one the worker took) has started at the drop.
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let (open_first, first) = gate();
    let (open_rest, rest) = gate();
    let counted = Arc::clone(&ran);
    let mut results = executor.map(
        move |i: u32| {
            counted.fetch_add(1, Ordering::SeqCst);
            wait_at(if i == 0 { &first } else { &rest });
            i
        },
        0..10,
    );
    open_first.send(()).unwrap();
    assert_eq!(results.next(), Some(Ok(0)));
    drop(results);
    open_rest.send(()).unwrap();
    executor.shutdown(Queued::Run);
    let ran = ran.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&ran),
        "{ran} tasks ran; the 8 never started were cancelled"
    );
}

#[test]
fn as_completed_within_yields_the_finished_then_one_timeout_and_keeps_the_rest() {
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let (open, gate) = gate();
    let futures =
        vec![executor.submit(|| 1), executor.submit(move || u8::from(wait_at(&gate)))];
    // The quick task is done before the 50 ms clock starts, so a busy
    // machine that is slow to run it cannot turn it into the timeout.
    assert_eq!(futures[0].error(Some(Duration::from_secs(30))), Ok(None));
    let mut iter = as_completed_within(futures, Duration::from_millis(50));
    assert!(matches!(iter.next(), Some(Ok((0, _)))));
    assert_eq!(
        iter.next().map(|r| r.err()),
        Some(Some(TaskError::NotReady(Duration::from_millis(50))))
    );
    assert!(iter.next().is_none(), "the iteration ends after the timeout");
    let rest = iter.remaining();
    assert_eq!(rest.len(), 1);
    open.send(()).unwrap();
    let (index, future) = rest.into_iter().next().unwrap();
    assert_eq!((index, future.result()), (1, Ok(1)));
}

#[test]
fn the_initializer_runs_once_in_every_worker_before_any_task() {
    let inits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&inits);
    let executor = ThreadPoolExecutor::builder()
        .max_workers(3)
        .initializer(move || {
            counted.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    let observed = Arc::clone(&inits);
    // Whatever worker runs a task has run the initializer first.
    let seen: Vec<usize> = executor
        .map(move |_| observed.load(Ordering::SeqCst), 0..30)
        .map(Result::unwrap)
        .collect();
    assert!(seen.iter().all(|&n| n >= 1), "{seen:?}");
    executor.shutdown(Queued::Run);
    assert_eq!(inits.load(Ordering::SeqCst), 3);
}

#[test]
fn a_panicking_initializer_breaks_the_executor_and_nothing_runs() {
    let ran = Arc::new(AtomicUsize::new(0));
    let executor = ThreadPoolExecutor::builder()
        .max_workers(2)
        .initializer(|| panic!("no database"))
        .build()
        .unwrap();
    let futures: Vec<_> = (0..5)
        .map(|_| {
            let ran = Arc::clone(&ran);
            executor.submit(move || ran.fetch_add(1, Ordering::SeqCst))
        })
        .collect();
    for future in futures {
        let outcome = future.result();
        assert!(
            matches!(&outcome, Err(TaskError::Broken(why)) if why.contains("no database")),
            "{outcome:?}"
        );
    }
    assert!(matches!(executor.submit(|| 1).result(), Err(TaskError::Broken(_))));
    executor.shutdown(Queued::Run);
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

#[test]
fn a_map_never_iterated_runs_every_task_and_one_dropped_midway_cancels_the_rest() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // CPython's test_map_submits_without_iteration: `executor.map(f, xs)`
    // whose iterator is never used still runs every task.
    let executor = ThreadPoolExecutor::new(2).unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&ran);
    drop(executor.map(move |_| counter.fetch_add(1, Ordering::SeqCst), 0..10));
    drop(executor); // joins the workers after the queue drains
    assert_eq!(ran.load(Ordering::SeqCst), 10);

    // Once iteration has begun, dropping the iterator cancels what has not
    // started: with one worker held at a gate, the queued tasks never run.
    let executor = ThreadPoolExecutor::new(1).unwrap();
    let (open, gate) = gate();
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&ran);
    let gate = std::sync::Mutex::new(Some(gate));
    let mut results = executor.map(
        move |i: usize| {
            if i == 1 {
                let gate = gate.lock().unwrap().take().expect("task 1 runs once");
                wait_at(&gate);
            }
            counter.fetch_add(1, Ordering::SeqCst)
        },
        0..10,
    );
    assert!(results.next().is_some_and(|r| r.is_ok()));
    // Task 1 may be waiting at the gate or still queued; either way tasks
    // 2..10 have not started when the iterator is dropped.
    drop(results);
    open.send(()).ok();
    drop(executor);
    assert!(ran.load(Ordering::SeqCst) <= 2, "{} tasks ran", ran.load(Ordering::SeqCst));
}
