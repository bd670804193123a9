//! The process pool executor, with real worker processes.

use std::path::Path;
use std::time::{Duration, Instant};

use executors::executor::{Queued, TaskError, as_completed};
use executors::process_executor::ProcessPoolExecutor;

use crate::shared;

const EXE: &str = env!("CARGO_BIN_EXE_executors");

#[test]
fn map_returns_the_lecture_squares_in_order() {
    let executor: ProcessPoolExecutor<(i64, u64), String> =
        ProcessPoolExecutor::new(EXE, executors::worker::SQUARES, 3).unwrap();
    let numbers = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 2, 3, 12, 14];
    let results: Vec<String> =
        executor.map(|n| (n, 0), numbers).into_iter().map(Result::unwrap).collect();
    let expected: Vec<String> =
        numbers.iter().map(|n| format!("Square: {}", n * n)).collect();
    assert_eq!(results, expected);
    assert_eq!(executor.pids().len(), 3);
    executor.shutdown(Queued::Run);
}

#[test]
fn futures_from_processes_work_with_as_completed() {
    let executor: ProcessPoolExecutor<u64, u64> =
        ProcessPoolExecutor::new(EXE, executors::worker::SLOW, 2).unwrap();
    let futures: Vec<_> = [30, 1, 10].into_iter().map(|ms| executor.submit(ms)).collect();
    let mut seen: Vec<u64> =
        as_completed(futures).map(|(_, f)| f.result().unwrap()).collect();
    seen.sort_unstable();
    assert_eq!(seen, [1, 10, 30]);
}

#[test]
fn terminate_kills_running_work_and_reaps_the_workers() {
    let executor: ProcessPoolExecutor<u64, u64> =
        ProcessPoolExecutor::new(EXE, executors::worker::SLOW, 1).unwrap();
    let pids = executor.pids();
    let hour = executor.submit(3_600_000);
    let queued = executor.submit(1);
    while !hour.is_running() {
        std::thread::yield_now();
    }
    let started = Instant::now();
    executor.terminate();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(matches!(hour.result(), Err(TaskError::Process(_))));
    assert!(queued.result().is_err(), "queued work does not run after terminate");
    for pid in pids {
        assert!(!Path::new(&format!("/proc/{pid}")).exists(), "worker {pid} left behind");
    }
}

#[test]
fn map_chunked_returns_one_result_per_item_in_order_with_one_task_per_chunk() {
    let executor: ProcessPoolExecutor<Vec<u64>, Vec<u64>> =
        ProcessPoolExecutor::new(EXE, executors::worker::SQUARE_CHUNKS, 2).unwrap();
    for chunksize in [1, 3, 4, 10, 50] {
        let squares = shared::squares_in_chunks(&executor, 23, chunksize);
        assert_eq!(
            squares,
            (0..23).map(|n| n * n).collect::<Vec<_>>(),
            "chunksize {chunksize}"
        );
    }
    assert!(executor.map_chunked(std::iter::empty(), 4).unwrap().is_empty());
    executor.shutdown(Queued::Run);
}
