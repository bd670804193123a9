//! `WaitTests`, once for any [`Subject`]. Positions stand for the futures:
//! `wait` answers with indices into the slice it was given.

use super::*;

/// CPython's `wait(fs, timeout, return_when)`, then the end of `subject`:
/// nothing is left running, whatever the test then asserts of the answer.
fn wait_then_end(
    subject: impl Subject,
    futures: &[TaskFuture<u64>],
    timeout: Option<Duration>,
    return_when: ReturnWhen,
) -> Waited {
    let waited = wait(futures, timeout, return_when);
    subject.end();
    waited
}

/// Pinned beside the first documented difference: CPython does not
/// count `CANCELLED_FUTURE` (cancelled, not yet taken off a queue) as
/// done in `wait`, so only the quick task is; here a cancelled future
/// is done at once, and `wait` may return on it before the quick task
/// finishes.
pub(super) fn test_first_completed(subject: impl Subject) {
    let (states, _running) = States::new();
    let futures = [states.cancelled(), subject.mul(21, 2), subject.pending()];
    let waited = wait_then_end(subject, &futures, None, ReturnWhen::FirstCompleted);
    assert!(waited.done.contains(&0), "CPython: not done; {waited:?}");
    assert!(waited.pending.contains(&2), "{waited:?}");
}

pub(super) fn test_first_completed_some_already_completed(subject: impl Subject) {
    let (states, _running) = States::new();
    let futures = [states.cancelled(), successful(), subject.pending()];
    let waited = wait_then_end(subject, &futures, None, ReturnWhen::FirstCompleted);
    assert_eq!(waited, Waited { done: vec![0, 1], pending: vec![2] });
}

/// CPython's `sleep_and_raise(1.5)` becomes a task that fails, submitted
/// once the quick task is done (the test waits for that instead of
/// sleeping).
pub(super) fn test_first_exception(subject: impl Subject) {
    let quick = subject.mul(2, 21);
    assert_eq!(quick.error(None), Ok(None), "the quick task succeeded");
    let futures = [quick, subject.raising(), subject.pending()];
    let waited = wait_then_end(subject, &futures, None, ReturnWhen::FirstException);
    assert_eq!(waited, Waited { done: vec![0, 1], pending: vec![2] });
}

/// Pinned beside the first documented difference: CPython leaves
/// `CANCELLED_FUTURE` (index 1) in `pending`; here it is done.
pub(super) fn test_first_exception_some_already_complete(subject: impl Subject) {
    let (states, _running) = States::new();
    let futures = [
        successful(),
        states.cancelled(),
        states.cancelled(),
        subject.divide_by_zero(21),
        subject.pending(),
    ];
    let waited = wait_then_end(subject, &futures, None, ReturnWhen::FirstException);
    assert_eq!(
        waited,
        Waited { done: vec![0, 1, 2, 3], pending: vec![4] },
        "CPython: done [0, 2, 3], pending [1, 4]"
    );
}

pub(super) fn test_first_exception_one_already_failed(subject: impl Subject) {
    let futures = [exception(), subject.pending()];
    let waited = wait_then_end(subject, &futures, None, ReturnWhen::FirstException);
    assert_eq!(waited, Waited { done: vec![0], pending: vec![1] });
}

pub(super) fn test_all_completed(subject: impl Subject) {
    let (states, _running) = States::new();
    let futures = [
        successful(),
        states.cancelled(),
        exception(),
        subject.divide_by_zero(2),
        subject.mul(2, 21),
    ];
    let waited = wait_then_end(subject, &futures, None, ReturnWhen::AllCompleted);
    assert_eq!(waited, Waited { done: vec![0, 1, 2, 3, 4], pending: vec![] });
}

/// CPython waits 5 s for a quick task and a 6 s one. Here the quick
/// task is known to be done before `wait` starts, the slow one stays
/// pending, and the timeout is 50 ms: only the timeout itself is timed.
pub(super) fn test_timeout(subject: impl Subject) {
    let (states, _running) = States::new();
    let quick = subject.mul(6, 7);
    assert_eq!(quick.error(None), Ok(None));
    let futures =
        [states.cancelled(), exception(), successful(), quick, subject.pending()];
    let waited = wait_then_end(
        subject,
        &futures,
        Some(Duration::from_millis(50)),
        ReturnWhen::AllCompleted,
    );
    assert_eq!(waited, Waited { done: vec![0, 1, 2, 3], pending: vec![4] });
}
