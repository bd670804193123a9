//! `_TestPoolWorkerErrors`, continued: a result the caller cannot decode.

use super::*;

/// Pinned beside CPython, which cannot pickle a lambda result in the
/// worker (`MaybeEncodingError`, keeping the exception and the value):
/// a worker's `u64` result always encodes, so here the failure is on
/// the other side, a result the caller cannot decode. As in CPython,
/// twenty in a row: each one an error naming the type (postcard keeps
/// no message of the `Deserialize` impl's), seen by the error callback
/// too, and the pool keeps its workers.
#[test]
fn test_unpickleable_result() {
    let pool = ProcessPool::<TestTask, Undecodable>::builder(WORKER)
        .workers(2)
        .start()
        .expect("pool starts");
    let before = pool.worker_pids();
    for _ in 0..20 {
        let seen: Arc<Mutex<Option<String>>> = Arc::default();
        let errback = {
            let seen = Arc::clone(&seen);
            move |outcome: &Result<Undecodable, TaskError>| {
                if let Err(err) = outcome {
                    *seen.lock().unwrap() = Some(err.to_string());
                }
            }
        };
        let res = pool.submit_with_callback(TestTask::Echo(42), errback);
        let err = res.result().unwrap_err();
        let named =
            "the result: a `integration::cpython_pool::Undecodable` could not be decoded";
        assert!(matches!(&err, TaskError::Codec(m) if m.starts_with(named)), "{err}");
        let wrapped = seen.lock().unwrap().clone().expect("the error callback ran");
        assert_eq!(wrapped, err.to_string());
    }
    assert_eq!(pool.worker_pids(), before, "a decoding error cost a worker");
    pool.shutdown();
}
