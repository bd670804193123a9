//! Section 5: events — workers wait for a start signal from main.
//!
//! Python: `start_event = threading.Event()`, workers call
//! `start_event.wait()`, main sleeps 2 s and calls `start_event.set()`.
//! Rust: [`common::sync::Event`], a flag in a `Mutex` with a `Condvar` to
//! wait on — read its source (`common/src/sync.rs`): it is twenty lines and
//! the pattern behind every "wait until…" primitive.
//!
//! When to use something else:
//! * to start N threads *together*, [`std::sync::Barrier`] (everyone waits
//!   for everyone, no "main" needed);
//! * to send data with the signal, or to signal once and be done, a channel:
//!   a message is the signal, and dropping the sender wakes every receiver.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use common::sync::Event;
use common::timing::HumanDuration;

use crate::{Config, join};

/// The start-signal demo: who waits, and for what.
#[derive(Debug, Clone, Copy)]
pub struct StartSignal {
    /// Worker threads waiting for the signal.
    pub workers: usize,
    /// How long the main thread sets up before it signals.
    pub setup: Duration,
    /// How long each worker works once released.
    pub work: Duration,
}

/// Runs `workers` workers that wait for one start signal, which main sets
/// after `setup`; each then works for `work`. Returns how long each waited.
pub fn start_signal(demo: StartSignal) -> anyhow::Result<Vec<Duration>> {
    let StartSignal { workers, setup, work } = demo;
    // Arc: plain (non-scoped) threads need shared ownership of the event.
    let start_event = Arc::new(Event::new());
    let handles = (0..workers)
        .map(|i| {
            let start_event = Arc::clone(&start_event);
            thread::Builder::new().name(format!("Worker-{i}")).spawn(move || {
                let name = format!("Worker-{i}");
                println!("[{name}] Waiting for start signal...");
                let waiting = Instant::now();
                // Always bound a wait on someone else: a lost set() must not
                // hang the program (Python's `wait(timeout)`).
                if !start_event.wait_timeout(Duration::from_secs(10)) {
                    println!("[{name}] gave up: no start signal in 10 s");
                    return Duration::MAX;
                }
                let waited = waiting.elapsed();
                println!("[{name}] Event triggered! Starting work...");
                thread::sleep(work);
                println!("[{name}] Work complete");
                waited
            })
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    thread::sleep(setup);
    println!("\n>>> Triggering event...\n");
    start_event.set();
    handles.into_iter().map(join).collect()
}

/// The `Barrier` alternative: `threads` threads that all wait for each
/// other, then go. Returns (threads that passed, threads told they lead).
pub fn barrier_start(threads: usize) -> (usize, usize) {
    let barrier = Barrier::new(threads);
    thread::scope(|s| {
        let handles: Vec<_> =
            (0..threads).map(|_| s.spawn(|| barrier.wait().is_leader())).collect();
        let results: Vec<bool> = handles
            .into_iter()
            .map(|h| h.join().expect("waiting on a barrier cannot panic"))
            .collect();
        (results.len(), results.iter().filter(|leader| **leader).count())
    })
}

/// Prints section 5.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let waits = start_signal(StartSignal {
        workers: 3,
        setup: config.scale.sleep(2.0),
        work: config.scale.sleep(1.0),
    })?;
    println!("\nAll workers finished! Each waited about the main thread's setup time:");
    for (i, waited) in waits.iter().enumerate() {
        println!("  Worker-{i}: {}", HumanDuration(*waited));
    }
    let (passed, leaders) = barrier_start(4);
    println!(
        "\nSame start, no main thread: a Barrier(4) — {passed} threads passed together and\n\
         {leaders} was told it is the \"leader\" (useful for one-time setup)."
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_worker_is_released_by_one_set() {
        let demo =
            StartSignal { workers: 4, setup: Duration::ZERO, work: Duration::ZERO };
        let waits = start_signal(demo).unwrap();
        assert_eq!(waits.len(), 4);
        assert!(
            waits.iter().all(|w| *w < Duration::from_secs(10)),
            "no worker timed out"
        );
    }

    #[test]
    fn barrier_lets_everyone_through() {
        assert_eq!(barrier_start(5), (5, 1));
    }
}
