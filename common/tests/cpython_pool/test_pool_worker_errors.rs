//! `_TestPoolWorkerErrors`: errors a worker meets on the way back to the caller.

use super::*;

#[test]
fn test_async_error_callback() {
    let pool = ProcessPool::<TestTask, u64>::builder(WORKER)
        .workers(2)
        .start()
        .expect("pool starts");
    let seen: Seen = Arc::default();
    let res =
        pool.submit_with_callback(TestTask::Panic("KeyError".into()), recorder(&seen));
    assert!(
        matches!(res.result(), Err(TaskError::Panicked { message: m, .. }) if m.contains("KeyError"))
    );
    let seen = seen.lock().unwrap();
    assert!(
        matches!(&seen[..], [(Err(TaskError::Panicked { message: m, .. }), _)] if m.contains("KeyError"))
    );
    pool.shutdown();
}
