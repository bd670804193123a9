//! Section 4: error handling — failures surface at `result()`, per task.
//!
//! ```python
//! def task_with_error(task_id):
//!     if task_id % 2 == 0:
//!         raise ValueError(f"Task {task_id} failed")
//!     return f"Task {task_id} completed"
//! futures = {executor.submit(task_with_error, i): i for i in range(5)}
//! for future in as_completed(futures):
//!     try:    print(f"Success: {future.result()}")
//!     except Exception as e:  print(f"Error: Task {futures[future]} - {e}")
//! ```
//!
//! Rust has two kinds of failure and both reach `result()`: an `Err` the
//! task returns (the usual way: [`ThreadPoolExecutor::try_submit`]) and a
//! panic (a bug), caught by the worker. Task 2 panics here; 0 and 4 return
//! errors. The workers survive both.

use crate::Config;
use crate::executor::{TaskError, TaskFuture, ThreadPoolExecutor, as_completed};

/// The notebook's task: even ids fail — id 2 by panicking.
pub fn task_with_error(task_id: u32) -> Result<String, String> {
    if task_id == 2 {
        panic!("Task {task_id} failed");
    }
    if task_id.is_multiple_of(2) {
        return Err(format!("Task {task_id} failed"));
    }
    Ok(format!("Task {task_id} completed"))
}

/// Runs tasks 0–4; returns `(id, outcome)` in completion order.
pub fn run(executor: &ThreadPoolExecutor) -> Vec<(u32, Result<String, TaskError>)> {
    let futures: Vec<TaskFuture<String>> =
        (0..5).map(|id| executor.try_submit(move || task_with_error(id))).collect();
    as_completed(futures).map(|(index, future)| (index as u32, future.result())).collect()
}

/// Section 4.
pub fn show(_config: &Config) -> anyhow::Result<()> {
    let executor = ThreadPoolExecutor::new(3)?;
    println!("(task 2's panic message on stderr comes from Rust's default panic hook)");
    for (id, outcome) in run(&executor) {
        match outcome {
            Ok(result) => println!("Success: {result}"),
            Err(err) => println!("Error: Task {id} - {err}"),
        }
    }
    let still = executor.submit(|| "the workers survived").result()?;
    println!("\nAfter two errors and a panic: {still}. (Order above: completion order.)");
    Ok(())
}
