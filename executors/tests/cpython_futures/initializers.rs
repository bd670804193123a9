//! CPython's initializer mixins (`InitializerMixin`, `FailingInitializerMixin`),
//! on both executors.

use super::*;

/// `InitializerMixin` on the thread executor: two workers, each runs
/// `init('initialized')` before its first task. CPython's global becomes a
/// thread-local here, so each worker's own run is checked.
mod thread_pool_initializer_test {
    use std::cell::Cell;

    use super::*;

    thread_local! {
        static INITIALIZER_STATUS: Cell<&'static str> = const { Cell::new("uninitialized") };
    }

    #[test]
    fn test_initializer() {
        let executor = ThreadPoolExecutor::builder()
            .max_workers(2)
            .initializer(|| INITIALIZER_STATUS.with(|status| status.set("initialized")))
            .build()
            .unwrap();
        let futures: Vec<TaskFuture<&'static str>> = (0..2)
            .map(|_| executor.submit(|| INITIALIZER_STATUS.with(Cell::get)))
            .collect();
        for future in futures {
            assert_eq!(future.result(), Ok("initialized"));
        }
    }
}

/// `FailingInitializerMixin` on the thread executor. Pinned beside the
/// README's third difference: CPython raises `BrokenThreadPool` at
/// `submit` once the executor is broken; here the future carries
/// `TaskError::Broken`, as it carries every outcome. (CPython also checks
/// the initializer's error is logged; here it goes to `tracing`, which the
/// test does not capture.)
mod thread_pool_failing_initializer_test {
    use super::*;

    #[test]
    fn test_initializer() {
        let executor = ThreadPoolExecutor::builder()
            .max_workers(2)
            .initializer(|| {
                thread::sleep(Duration::from_millis(10)); // "let some futures be scheduled"
                panic!("error in initializer");
            })
            .build()
            .unwrap();
        let future = executor.submit(|| "initialized");
        assert!(matches!(future.result(), Err(TaskError::Broken(_))));
        let later = executor.submit(|| "initialized");
        let err = later.result().unwrap_err();
        assert!(
            matches!(&err, TaskError::Broken(m) if m.contains("error in initializer")),
            "{err}"
        );
    }
}

/// `InitializerMixin` on the process executor: two workers, each runs
/// `init('initialized')` (here `Init(1)`) before its first task.
mod process_pool_initializer_test {
    use super::*;

    #[test]
    fn test_initializer() {
        let pool =
            PYTHON_CALLS.pool(EXE).workers(2).initializer(Call::Init(1)).start().unwrap();
        let executor = ProcessPoolExecutor::from_pool(pool).unwrap();
        let futures: Vec<TaskFuture<u64>> =
            (0..2).map(|_| executor.submit(Call::Status)).collect();
        for future in futures {
            assert_eq!(future.result(), Ok(1), "initialized");
        }
        executor.shutdown(Queued::Run);
    }
}

/// `FailingInitializerMixin` on the process executor. Pinned beside a
/// difference: the workers' initializer runs when the pool starts, so a
/// failing one fails the construction (an `InitFailed` error naming the
/// cause) instead of breaking the executor at its first task.
mod process_pool_failing_initializer_test {
    use super::*;

    #[test]
    fn test_initializer() {
        let err = PYTHON_CALLS
            .pool(EXE)
            .workers(2)
            .initializer(Call::SleepThenRaise(10, "error in initializer".into()))
            .start()
            .unwrap_err();
        assert!(err.to_string().contains("error in initializer"), "{err}");
    }
}
