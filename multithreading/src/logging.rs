//! Section 15: logging from threads — the module README's "integration with
//! logging".
//!
//! Python:
//!
//! ```python
//! for future in futures:
//!     try:
//!         logger.info(f"Task completed: {future.result()}")
//!     except Exception as e:
//!         logger.error(f"Task failed: {e}")
//! ```
//!
//! Rust: [`common::log::init`] (called by `main`) sets up `tracing` so every
//! line carries elapsed time, pid and **thread name**; workers just call
//! `tracing::info!`. Log lines go to stderr, so they never mix into a
//! program's real output on stdout.

use std::thread;

use crate::{Config, join};

/// Runs `tasks` tasks on named threads; task `i` fails when `i % 3 == 2`.
/// Each worker logs its own progress; the caller logs every outcome, as the
/// README's snippet does. Returns (completed, failed).
pub fn logged_tasks(tasks: u32) -> anyhow::Result<(u32, u32)> {
    let handles = (0..tasks)
        .map(|i| {
            thread::Builder::new().name(format!("worker-{i}")).spawn(move || {
                tracing::info!(task = i, "started");
                let outcome = if i % 3 == 2 {
                    Err(format!("task {i}: input rejected"))
                } else {
                    Ok(i * i)
                };
                // Detail for whoever is debugging: hidden at the default
                // level (info), shown with RUST_LOG=debug.
                tracing::debug!(task = i, ok = outcome.is_ok(), "finished");
                outcome
            })
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    let (mut completed, mut failed) = (0, 0);
    for handle in handles {
        match join(handle)? {
            Ok(result) => {
                tracing::info!("Task completed: {result}");
                completed += 1;
            }
            Err(e) => {
                tracing::error!("Task failed: {e}");
                failed += 1;
            }
        }
    }
    Ok((completed, failed))
}

/// Prints section 15.
pub fn show(_config: &Config) -> anyhow::Result<()> {
    println!("Six tasks on threads worker-0..5; their log lines go to stderr, each with");
    println!(
        "elapsed time, pid and thread name (RUST_LOG=warn hides them; RUST_LOG=debug adds\n\
         a `finished` line from each worker):"
    );
    let (completed, failed) = logged_tasks(6)?;
    println!("{completed} completed, {failed} failed — every outcome logged, none lost.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_is_counted_once() {
        assert_eq!(logged_tasks(9).unwrap(), (6, 3));
    }
}
