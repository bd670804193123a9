//! Random tasks of every kind, each with exactly one outcome that fits it
//! (proptest).

use super::*;

/// How a random task should end.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Value(u64),
    Panic,
    Abort,
    Exit,
    Hang,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        6 => any::<u64>().prop_map(Kind::Value),
        2 => Just(Kind::Panic),
        1 => Just(Kind::Abort),
        1 => Just(Kind::Exit),
        1 => Just(Kind::Hang),
    ]
}

fn task_for(kind: Kind) -> TestTask {
    match kind {
        Kind::Value(v) => TestTask::Echo(v),
        Kind::Panic => TestTask::Panic("planned".into()),
        Kind::Abort => TestTask::Abort,
        Kind::Exit => TestTask::Exit(3),
        Kind::Hang => TestTask::Sleep { ms: 60_000, value: 0 },
    }
}

fn fits(kind: Kind, outcome: &Result<u64, TaskError>) -> bool {
    match (kind, outcome) {
        (Kind::Value(v), Ok(got)) => v == *got,
        (Kind::Panic, Err(TaskError::Panicked { message, .. })) => {
            message.starts_with("planned")
        }
        (Kind::Abort, Err(TaskError::WorkerDied { status, .. })) => {
            status.contains("SIGABRT")
        }
        (Kind::Exit, Err(TaskError::WorkerDied { status, .. })) => {
            status.contains("exit status: 3")
        }
        (Kind::Hang, Err(TaskError::TimedOut { status, .. })) => {
            status.contains("SIGKILL")
        }
        _ => false,
    }
}

proptest! {
    // Each case starts real processes and may wait out timeouts: few cases.
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn every_task_yields_exactly_one_outcome_of_the_right_kind(
        kinds in prop::collection::vec(kind(), 1..12),
    ) {
        let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
            .workers(2)
            .task_timeout(Duration::from_millis(250))
            .start()
            .unwrap();
        let handles: Vec<_> = kinds.iter().map(|&kind| pool.submit(task_for(kind))).collect();
        // `result` consumes each handle: one outcome per task, no more.
        let outcomes: Vec<_> = handles.into_iter().map(|h| h.result()).collect();
        prop_assert_eq!(outcomes.len(), kinds.len());
        for (&kind, outcome) in kinds.iter().zip(&outcomes) {
            prop_assert!(fits(kind, outcome), "{:?} ended as {:?}", kind, outcome);
        }
        let mut pids: Vec<u32> = pool.worker_pids().into_iter().flatten().collect();
        pids.extend(outcomes.iter().filter_map(|o| match o {
            Err(TaskError::WorkerDied { pid, .. } | TaskError::TimedOut { pid, .. }) => Some(*pid),
            _ => None,
        }));
        drop(pool);
        assert_all_reaped(&pids);
    }
}
