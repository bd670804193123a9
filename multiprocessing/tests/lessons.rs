//! The chapter's invariants, checked through its library with real child
//! processes (the chapter binary, as Cargo built it, is every worker).

use std::path::PathBuf;
use std::time::Duration;

use common::pool::TaskError;
use multiprocessing::jobs::{FaultJob, sum_of_squares_formula};
use multiprocessing::shared_memory::{self, Mode};
use multiprocessing::{Config, cpu_bound, isolation, pool_basics, timeouts};

fn config() -> Config {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_multiprocessing"));
    Config::new(multiprocessing::SCALE.quick(true), exe)
}

#[test]
fn the_locked_shared_value_ends_at_exactly_30() {
    let (value, _) = shared_memory::run(&config(), Mode::Locked, 3, 0).unwrap();
    assert_eq!(value, 30);
}

#[test]
fn the_atomic_shared_counter_loses_nothing_across_processes() {
    let (value, _) = shared_memory::run(&config(), Mode::Atomic, 3, 200_000).unwrap();
    assert_eq!(value, 600_000);
}

#[test]
fn the_racy_shared_counter_never_gains() {
    // Whether updates are lost depends on the scheduler; that the total
    // never exceeds the increments made does not.
    let (value, _) = shared_memory::run(&config(), Mode::Racy, 3, 200_000).unwrap();
    assert!((1..=600_000).contains(&value), "{value}");
}

#[test]
fn four_processes_compute_the_notebook_sums_exactly() {
    let pool = cpu_bound::sums_pool(&config(), 4).unwrap();
    let sums = cpu_bound::on_processes(&pool, 10_000_000).unwrap();
    assert_eq!(sums, vec![333_333_283_333_335_000_000_u128; 4]);
    assert_eq!(cpu_bound::on_threads(10_000_000), sums);
    assert_eq!(sum_of_squares_formula(10_000_000), sums[0]);
}

#[test]
fn the_pool_gives_the_notebook_values() {
    let results = pool_basics::pool_results(&config()).unwrap();
    assert_eq!(results.squares, [1, 4, 9, 16, 25]);
    assert_eq!(results.cubes, [1, 8, 27, 64, 125]);
    assert_eq!(results.ten_squared, 100);
}

#[test]
fn the_initializer_pool_uses_two_distinct_workers() {
    let (results, pids) = pool_basics::initializer_results(&config()).unwrap();
    assert_eq!(results, [0, 2, 4, 6, 8]);
    assert_eq!(pids.len(), 2);
    assert_ne!(pids[0], pids[1]);
}

#[test]
fn a_crashing_batch_reports_each_failure_and_keeps_every_other_result() {
    let (outcomes, started) = isolation::run_batch(&config()).unwrap();
    let batch = isolation::mixed_batch();
    assert_eq!(outcomes.len(), batch.len(), "one outcome per task");
    for (job, outcome) in batch.iter().zip(&outcomes) {
        match (job, outcome) {
            (FaultJob::Value(v), Ok(got)) => assert_eq!(v, got),
            (FaultJob::Panic(_), Err(TaskError::Panicked { message, .. })) => {
                assert!(message.contains("bad input: -1"));
            }
            (FaultJob::Abort, Err(TaskError::WorkerDied { status, .. })) => {
                assert!(status.contains("SIGABRT"));
            }
            (FaultJob::Exit(3), Err(TaskError::WorkerDied { status, .. })) => {
                assert!(status.contains("exit status: 3"));
            }
            other => panic!("unexpected pairing {other:?}"),
        }
    }
    assert_eq!(started, 4, "two workers plus two replacements");
}

#[test]
fn a_hung_child_is_killed_and_reaped_and_exit_codes_are_reported() {
    let hung =
        timeouts::run_with_deadline(&config(), &["hang"], Duration::from_millis(100))
            .unwrap();
    assert!(hung.killed && hung.reaped);
    assert_eq!(timeouts::python_exitcode(hung.status), Some(-9));

    let exited =
        timeouts::run_with_deadline(&config(), &["exit", "3"], Duration::from_secs(30))
            .unwrap();
    assert!(!exited.killed && exited.reaped);
    assert_eq!(exited.status.code(), Some(3));
}

#[test]
fn ipc_passes_every_item_through_the_pipe() {
    // The section's two roles, connected by a pipe as `ipc::show` connects
    // them, with the consumer's output captured: every item arrives, once,
    // in order.
    use std::process::Stdio;
    let config = config();
    let (queue_out, queue_in) = std::io::pipe().unwrap();
    let mut producer =
        multiprocessing::children::worker_command(&config, &["producer", "5", "0"]);
    producer.stdout(Stdio::from(queue_in)).stderr(Stdio::null());
    let mut consumer =
        multiprocessing::children::worker_command(&config, &["consumer", "5", "0"]);
    consumer.stdin(Stdio::from(queue_out)).stdout(Stdio::piped());
    let producer =
        multiprocessing::children::ChildGuard::spawn("producer", &mut producer).unwrap();
    let mut consumer = consumer.spawn().unwrap();
    drop(consumer.stdin.take());
    let output = consumer.wait_with_output().unwrap();
    assert!(producer.wait().unwrap().success());
    assert!(output.status.success());
    let lines: Vec<String> =
        String::from_utf8(output.stdout).unwrap().lines().map(String::from).collect();
    let expected: Vec<String> = (0..5).map(|i| format!("Consumed: Item-{i}")).collect();
    assert_eq!(lines, expected);
}

#[test]
fn the_round_trip_measures_every_placement_and_restores_this_thread_s_cpus() {
    use multiprocessing::support::round_trip::{self, Placement};
    let cpus = common::affinity::allowed_cpus().unwrap();
    let trip = round_trip::round_trip(&config(), 20).unwrap();
    let placements: Vec<Placement> =
        trip.one_at_a_time.iter().map(|t| t.placement).collect();
    // Where threads may not be pinned (a sandbox), one unpinned measurement.
    let pinnable = common::affinity::Pinned::to(cpus[0]).is_ok();
    match (pinnable, cpus.len()) {
        (false, _) => assert_eq!(placements, [Placement::Unpinned]),
        (true, 1) => assert_eq!(placements, [Placement::SameCore]),
        (true, _) => {
            assert_eq!(placements, [Placement::SameCore, Placement::AcrossCores])
        }
    }
    for trips in &trip.one_at_a_time {
        // Measured, not timed against a bound: each figure exists.
        assert!(
            !trips.floor.is_zero() && !trips.apply.is_zero() && !trips.queued.is_zero()
        );
    }
    // Request and reply of a trivial task: a few bytes each, headers included.
    assert!((8..64).contains(&trip.bytes_per_task), "{}", trip.bytes_per_task);
    // The measurement pinned this thread and must have let it go again.
    assert_eq!(common::affinity::allowed_cpus().unwrap(), cpus);
}
