//! The process lessons, driven through the library with the real binary as
//! the worker executable.

use std::path::Path;
use std::time::Duration;

use common::timeline::Timeline;
use what_is_process_and_threads::processes::{
    INCREMENTS, TASKS, isolation, run_task_processes,
};
use what_is_process_and_threads::support::children::run_children;
use what_is_process_and_threads::support::spawn_cost::spawn_cost;

fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_what_is_process_and_threads"))
}

#[test]
fn every_child_runs_in_its_own_process_and_is_reaped() {
    let timeline = Timeline::new();
    let mut seen = Vec::new();
    let (runs, _) = run_task_processes(
        exe(),
        &TASKS,
        Duration::from_millis(10),
        &timeline,
        |i, line| seen.push((i, line.to_string())),
    )
    .expect("children run");
    assert_eq!(runs.len(), 3);
    let mut pids: Vec<u32> = runs.iter().map(|r| r.pid).collect();
    assert!(!pids.contains(&std::process::id()), "a child has the parent's pid");
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 3, "each child has its own pid");
    for run in &runs {
        assert!(run.status.success());
        assert_eq!(run.lines.len(), 2, "Starting + Completed: {:?}", run.lines);
        assert!(
            run.lines[0].1.contains(&format!("pid {}", run.pid)),
            "the child reports its own pid"
        );
    }
    assert_eq!(seen.len(), 6, "every line is passed on as it arrives");
    assert_eq!(timeline.spans().len(), 3);
}

#[test]
fn a_childs_change_does_not_reach_the_parent_but_a_threads_does() {
    let iso = isolation(exe()).expect("isolation demo runs");
    assert_eq!(iso.before, 0);
    assert_eq!(iso.child_copy, INCREMENTS);
    assert_eq!(iso.after_child, 0);
    assert_eq!(iso.after_thread, INCREMENTS);
}

#[test]
fn failing_children_are_reported_not_hidden() {
    let runs = run_children(
        exe(),
        &[vec!["no-such-job".into()], vec!["noop".into()]],
        |_, _| (),
    )
    .expect("both start");
    assert!(!runs[0].status.success());
    assert!(runs[1].status.success(), "one failure does not affect the other child");
}

#[test]
fn a_missing_executable_is_an_error() {
    let err =
        run_children(Path::new("/nonexistent/worker"), &[vec!["noop".into()]], |_, _| ())
            .expect_err("cannot start");
    assert!(format!("{err:#}").contains("starting worker process"));
}

#[test]
fn spawn_cost_counts_what_it_spawned() {
    let cost = spawn_cost(exe(), 5, 3).expect("spawns");
    // Counted by what ran, not echoed from the arguments.
    assert_eq!((cost.threads, cost.processes), (5, 3));
    let distinct: std::collections::HashSet<u32> = cost.pids.iter().copied().collect();
    assert_eq!(distinct.len(), 3, "three different processes: {:?}", cost.pids);
    assert!(!distinct.contains(&std::process::id()));
    for pid in &cost.pids {
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "{pid} was reaped"
        );
    }
    assert!(cost.threads_time > Duration::ZERO && cost.processes_time > Duration::ZERO);
}
