//! Section 14: a timeout on every wait that depends on someone else.
//!
//! The module README: "Always set timeouts" and "Avoid ignoring timeouts
//! (infinite hangs)". Every blocking call in std and crossbeam has a bounded
//! twin:
//!
//! | blocks forever | bounded |
//! |---|---|
//! | `receiver.recv()` | `recv_timeout(d)` → `Err(Timeout)` or `Err(Disconnected)` |
//! | `condvar.wait_while(g, f)` | `wait_timeout_while(g, d, f)` → `.timed_out()` |
//! | `mutex.lock()` | `try_lock()` in a loop with a deadline (section 12) |
//! | `handle.join()` | no `join_timeout`: have the thread send on a channel when done and `recv_timeout` that, or poll `is_finished()` |

use std::sync::{Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use common::timing::HumanDuration;
use common::verdict::plural;
use crossbeam_channel::{RecvTimeoutError, bounded};

use crate::Config;

/// Waits for a reply that takes `reply_after`, checking every `poll`.
/// Returns the timeouts seen before the reply, and the reply.
pub fn recv_with_timeout(reply_after: Duration, poll: Duration) -> (u32, Option<String>) {
    let (reply_sender, reply_receiver) = bounded(1);
    thread::scope(|s| {
        s.spawn(move || {
            thread::sleep(reply_after);
            // The receiver may have given up already; that is not an error here.
            let _ = reply_sender.send("the reply".to_string());
        });
        let mut timeouts = 0;
        loop {
            match reply_receiver.recv_timeout(poll) {
                Ok(reply) => return (timeouts, Some(reply)),
                Err(RecvTimeoutError::Timeout) => timeouts += 1, // still waiting; could give up here
                Err(RecvTimeoutError::Disconnected) => return (timeouts, None),
            }
        }
    })
}

/// Waits on a condition nobody will ever make true; returns whether the
/// wait timed out (it always does) and how long it took.
pub fn condvar_timeout(limit: Duration) -> (bool, Duration) {
    let ready = Mutex::new(false);
    let changed = Condvar::new();
    let start = Instant::now();
    let guard = ready.lock().unwrap_or_else(PoisonError::into_inner);
    let (_guard, result) = changed
        .wait_timeout_while(guard, limit, |ready| !*ready)
        .unwrap_or_else(PoisonError::into_inner);
    (result.timed_out(), start.elapsed())
}

/// "join with a timeout": the worker reports completion on a channel.
/// Returns `Some(result)` if it finished within `limit`.
pub fn join_within(work: Duration, limit: Duration) -> Option<u64> {
    let (done_sender, done_receiver) = bounded(1);
    let handle = thread::spawn(move || {
        thread::sleep(work);
        let _ = done_sender.send(42_u64); // the waiter may have stopped listening
    });
    let outcome = done_receiver.recv_timeout(limit).ok();
    // We still join — after the worker finishes — so no thread is leaked.
    // (A thread cannot be killed; a slow one must be *told* to stop, section 7.)
    handle.join().expect("the worker only sleeps and sends");
    outcome
}

/// What a join with a deadline got, in words.
fn joined(outcome: Option<u64>) -> String {
    outcome.map_or_else(|| "nothing: the deadline passed".to_string(), |n| format!("{n}"))
}

/// Prints section 14.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let unit = config.scale.sleep(0.5);
    let (timeouts, reply) = recv_with_timeout(unit * 4, unit);
    println!(
        "recv_timeout({}): timed out {} while the reply was on its way, then got {}",
        HumanDuration(unit),
        plural(timeouts, "time"),
        reply.map_or_else(|| "nothing".to_string(), |r| format!("\"{r}\""))
    );
    let (timed_out, took) = condvar_timeout(unit);
    println!(
        "wait_timeout_while on a condition nobody sets: timed_out = {timed_out} after {}",
        HumanDuration(took)
    );
    println!(
        "join with a deadline: fast worker → {}",
        joined(join_within(Duration::ZERO, unit))
    );
    println!(
        "                      slow worker → {} (and it was still joined afterwards)",
        joined(join_within(unit * 2, unit))
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recv_timeout_eventually_gets_the_reply() {
        let (_, reply) =
            recv_with_timeout(Duration::from_millis(20), Duration::from_millis(5));
        assert_eq!(reply.as_deref(), Some("the reply"));
    }

    #[test]
    fn condvar_wait_is_bounded() {
        let (timed_out, took) = condvar_timeout(Duration::from_millis(10));
        assert!(timed_out);
        assert!(took >= Duration::from_millis(10));
    }

    #[test]
    fn join_within_reports_fast_and_slow_workers() {
        assert_eq!(join_within(Duration::ZERO, Duration::from_secs(10)), Some(42));
        assert_eq!(
            join_within(Duration::from_millis(200), Duration::from_millis(1)),
            None
        );
    }
}
