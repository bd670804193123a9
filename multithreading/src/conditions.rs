//! Section 8: condition variables — and the bug the notebook printed.
//!
//! Python: a producer appends to `data` inside `with condition:`, calls
//! `notify_all()`, and then sleeps 0.5 s **still inside the `with`**. The
//! consumer can only wake up once it re-takes the lock, so the saved output
//! is "Produced 0, 1, 2" and only then "Consumed 0, 1, 2": no overlap at all.
//!
//! Rust: [`Condvar`] + [`Mutex`]. [`Condvar::wait_while`] releases the lock
//! while sleeping, re-takes it on waking and re-checks the condition, which
//! also makes *spurious wake-ups* (the OS may wake a waiter with nothing to
//! do) harmless. [`run`] can sleep inside the lock (the notebook) or after
//! releasing it (the fix) — [`ProducerSleeps`] — and returns the order of
//! events.

use std::sync::{Condvar, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use crate::Config;

/// When the producer sleeps after producing an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProducerSleeps {
    /// The notebook: asleep with the lock still held.
    HoldingTheLock,
    /// New, the fix: the lock released first.
    AfterReleasing,
}

/// Runs the producer (items 0, 1, 2), which sleeps `sleep` after each item
/// as `sleeps` says, and the consumer; returns the printed events in order.
pub fn run(sleeps: ProducerSleeps, sleep: Duration) -> Vec<String> {
    let data = Mutex::new(Vec::<u32>::new());
    let condition = Condvar::new();
    let events = Mutex::new(Vec::new());
    let log = |line: String| {
        println!("{line}");
        events.lock().unwrap_or_else(PoisonError::into_inner).push(line);
    };
    thread::scope(|s| {
        s.spawn(|| {
            for i in 0..3 {
                let mut guard = data.lock().unwrap_or_else(PoisonError::into_inner);
                guard.push(i);
                log(format!("Produced: {i}"));
                condition.notify_all();
                match sleeps {
                    ProducerSleeps::HoldingTheLock => {
                        thread::sleep(sleep); // the notebook: asleep with the lock held
                        drop(guard);
                    }
                    ProducerSleeps::AfterReleasing => {
                        drop(guard); // New: let go first…
                        thread::sleep(sleep); // …then sleep, so the consumer can run
                    }
                }
            }
        });
        s.spawn(|| {
            loop {
                let guard = data.lock().unwrap_or_else(PoisonError::into_inner);
                // Bounded wait: if the producer died, give up instead of hanging.
                let (mut guard, timeout) = condition
                    .wait_timeout_while(guard, Duration::from_secs(10), |d| d.is_empty())
                    .unwrap_or_else(PoisonError::into_inner);
                if timeout.timed_out() {
                    log("Consumer gave up: nothing produced in 10 s".into());
                    return;
                }
                let item = guard.remove(0);
                drop(guard); // don't hold the lock while printing
                log(format!("Consumed: {item}"));
                if item == 2 {
                    break;
                }
            }
        });
    });
    events.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// Prints section 8.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let sleep = config.scale.sleep(0.5);
    println!("As in the notebook — the producer sleeps while holding the lock:");
    let held = run(ProducerSleeps::HoldingTheLock, sleep);
    println!("\nFixed — the producer releases the lock before sleeping:");
    let fixed = run(ProducerSleeps::AfterReleasing, sleep);
    let first_consumed = |events: &[String]| {
        events.iter().position(|e| e.starts_with("Consumed")).unwrap_or(0)
    };
    println!(
        "\nFirst consumption happened after {} of 3 productions with the lock held, after {}\n\
         once the lock is released: a sleeping lock-holder blocks everyone who needs the lock.",
        first_consumed(&held),
        first_consumed(&fixed)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consumed(events: &[String]) -> Vec<&str> {
        events.iter().filter_map(|e| e.strip_prefix("Consumed: ")).collect()
    }

    #[test]
    fn both_versions_consume_every_item_in_order() {
        for sleeps in [ProducerSleeps::HoldingTheLock, ProducerSleeps::AfterReleasing] {
            let events = run(sleeps, Duration::from_millis(1));
            assert_eq!(consumed(&events), ["0", "1", "2"], "{sleeps:?}");
            assert_eq!(events.iter().filter(|e| e.starts_with("Produced")).count(), 3);
        }
    }

    #[test]
    fn nothing_is_consumed_before_it_is_produced() {
        let events = run(ProducerSleeps::AfterReleasing, Duration::ZERO);
        for item in 0..3 {
            let produced =
                events.iter().position(|e| *e == format!("Produced: {item}")).unwrap();
            let consumed =
                events.iter().position(|e| *e == format!("Consumed: {item}")).unwrap();
            assert!(produced < consumed, "{events:?}");
        }
    }
}
