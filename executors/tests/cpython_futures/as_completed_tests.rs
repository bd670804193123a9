//! `AsCompletedTests`, once for any [`Subject`] (two of its methods use no
//! executor: [`free_reference_yielded_future`] and
//! [`correct_timeout_exception_msg`]).

use super::*;

pub(super) fn test_no_timeout(subject: impl Subject) {
    let (states, _running) = States::new();
    let futures = vec![
        states.cancelled(),
        exception(),
        successful(),
        subject.mul(2, 21),
        subject.mul(7, 6),
    ];
    let completed: HashSet<usize> = as_completed(futures).map(|(i, _)| i).collect();
    assert_eq!(completed, (0..5).collect());
    subject.end();
}

pub(super) fn test_zero_timeout(subject: impl Subject) {
    let (states, _running) = States::new();
    let futures = vec![states.cancelled(), exception(), successful(), subject.pending()];
    let mut completed = HashSet::new();
    let mut timed_out = false;
    for outcome in as_completed_within(futures, Duration::ZERO) {
        match outcome {
            Ok((index, _)) => {
                completed.insert(index);
            }
            Err(TaskError::NotReady(_)) => timed_out = true,
            Err(other) => panic!("{other}"),
        }
    }
    assert!(timed_out);
    assert_eq!(completed, HashSet::from([0, 1, 2]));
    subject.end();
}
