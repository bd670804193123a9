//! Section 8: the five synchronization primitives of the notebook, each
//! running, each beside its Rust equivalent.
//!
//! | Python | Rust | demo |
//! |---|---|---|
//! | `threading.Lock` | [`std::sync::Mutex<T>`] — the lock *owns* the data | [`lock_demo`] |
//! | `threading.Event` | [`common::sync::Event`] (Mutex + Condvar); often a channel or [`std::sync::Barrier`] instead | [`event_demo`] |
//! | `threading.Condition` | [`std::sync::Condvar`] paired with a `Mutex` | [`condition_demo`] |
//! | `threading.Semaphore` | none in std: [`common::sync::Semaphore`] (Mutex + Condvar), or a bounded channel | [`semaphore_demo`] |
//! | `queue.Queue` | [`crossbeam_channel`] (`bounded(n)` = `Queue(maxsize=n)`) | [`queue_demo`] |
//!
//! The big difference is the Lock: a Python `Lock` sits *beside* the data
//! and nothing stops you forgetting it; a Rust `Mutex<T>` *contains* the data
//! and the only way to reach it is through the guard `lock()` returns.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use common::sync::{Event, Semaphore};
use common::timeline::Timeline;
use common::timing::HumanDuration;

use crate::Config;

/// LOCK: 3 threads add 1000 each to a `Mutex<u64>`; returns the total
/// (always 3000).
pub fn lock_demo() -> u64 {
    let shared_resource = Mutex::new(0_u64);
    thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                for _ in 0..1000 {
                    // Python: `with lock: shared_resource += 1`
                    *shared_resource
                        .lock()
                        .expect("no thread panics while holding it") += 1;
                }
            });
        }
    });
    shared_resource.into_inner().expect("no thread panicked")
}

/// EVENT: `waiters` threads block on one [`Event`] until the main thread,
/// after `delay` of "setup", sets it. Returns how long each waiter waited.
pub fn event_demo(waiters: usize, delay: Duration) -> Vec<Duration> {
    let start_signal = Event::new();
    thread::scope(|s| {
        let handles: Vec<_> = (0..waiters)
            .map(|_| {
                s.spawn(|| {
                    let waiting_since = Instant::now();
                    // A timeout is the safety net: a lost set() would
                    // otherwise hang this thread forever.
                    let released = start_signal.wait_timeout(Duration::from_secs(10));
                    assert!(released, "the start signal never came");
                    waiting_since.elapsed()
                })
            })
            .collect();
        thread::sleep(delay); // the main thread's "setup work"
        start_signal.set(); // one call wakes every waiter
        handles
            .into_iter()
            .map(|h| h.join().expect("the event is set within 10 s"))
            .collect()
    })
}

/// CONDITION: a consumer waits on a [`Condvar`] until the producer has put
/// something in the shared `Vec`; returns the items in consumption order.
pub fn condition_demo(items: u32) -> Vec<u32> {
    let data = Mutex::new(Vec::<u32>::new());
    let changed = Condvar::new();
    thread::scope(|s| {
        s.spawn(|| {
            for item in 0..items {
                data.lock().unwrap_or_else(PoisonError::into_inner).push(item);
                changed.notify_one(); // Python: cond.notify()
            }
        });
        let consumer = s.spawn(|| {
            let mut consumed = Vec::new();
            while consumed.len() < items as usize {
                let guard = data.lock().unwrap_or_else(PoisonError::into_inner);
                // Python: `while not data: cond.wait()`. wait_while releases
                // the lock while asleep and re-checks on every wake-up.
                let mut guard = changed
                    .wait_while(guard, |d| d.is_empty())
                    .unwrap_or_else(PoisonError::into_inner);
                consumed.extend(guard.drain(..));
            }
            consumed
        });
        consumer.join().expect("the consumer does not panic")
    })
}

/// What the semaphore demo observed.
#[derive(Debug, Clone)]
pub struct SemaphoreRun {
    /// The most threads that were inside at once.
    pub peak: usize,
    /// How many threads got through.
    pub finished: usize,
    /// Who was inside when.
    pub timeline: Vec<common::timeline::Span>,
}

/// Who wants the semaphore's resource, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct SemaphoreLoad {
    /// Threads that want the resource.
    pub threads: usize,
    /// At most this many may hold it at once (`Semaphore(limit)`).
    pub limit: usize,
    /// How long each holds it.
    pub hold: Duration,
}

/// SEMAPHORE: `threads` threads want a resource that takes at most `limit`
/// at a time; each holds it for `hold`.
pub fn semaphore_demo(load: SemaphoreLoad) -> SemaphoreRun {
    let SemaphoreLoad { threads, limit, hold } = load;
    let slots = Semaphore::new(limit);
    let inside = AtomicUsize::new(0);
    let peak = AtomicUsize::new(0);
    let timeline = Timeline::new();
    thread::scope(|s| {
        for i in 0..threads {
            let (slots, inside, peak, timeline) = (&slots, &inside, &peak, &timeline);
            s.spawn(move || {
                let _permit = slots.acquire(); // released when dropped
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                timeline.span(
                    format!("thread-{i}"),
                    format!("holds a permit ({limit} max)"),
                    || thread::sleep(hold),
                );
                inside.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    SemaphoreRun {
        peak: peak.into_inner(),
        finished: threads,
        timeline: timeline.spans(),
    }
}

/// QUEUE: a producer sends `items` through a bounded channel of capacity 2,
/// a consumer receives until the channel is closed; returns what it got.
pub fn queue_demo(items: u32) -> Vec<u32> {
    // Python: Queue(maxsize=2). A full queue blocks the producer: backpressure.
    let (sender, receiver) = crossbeam_channel::bounded(2);
    thread::scope(|s| {
        s.spawn(move || {
            for item in 0..items {
                sender.send(item).expect("the consumer outlives the producer");
            }
            // `sender` is dropped here: that closes the channel, which is what
            // ends the consumer's loop — no sentinel value needed.
        });
        s.spawn(move || receiver.iter().collect())
            .join()
            .expect("the consumer does not panic")
    })
}

/// Prints section 8.
pub fn show(config: &Config) -> anyhow::Result<()> {
    println!("8.1 LOCK (Mutex) — one thread at a time in the critical section");
    println!("   3 threads × 1000 increments of a Mutex<u64> → {}", lock_demo());

    let delay = config.scale.pick(Duration::from_millis(50), Duration::from_millis(5));
    println!("\n8.2 EVENT — one thread signals, others wait");
    let waits = event_demo(3, delay);
    for (i, waited) in waits.iter().enumerate() {
        println!("   waiter {i} released after {}", HumanDuration(*waited));
    }
    println!(
        "   (All {} woke from one set(). To start threads together, Barrier; to",
        waits.len()
    );
    println!("    hand over data with the signal, a channel.)");

    println!(
        "\n8.3 CONDITION (Condvar) — wait until the shared data satisfies a condition"
    );
    println!("   consumer received {:?} through Mutex<Vec> + Condvar", condition_demo(5));

    println!(
        "\n8.4 SEMAPHORE — at most N threads use a resource (std has none; common::sync has one)"
    );
    let load = SemaphoreLoad {
        threads: 6,
        limit: 3,
        hold: config.scale.pick(Duration::from_millis(40), Duration::from_millis(4)),
    };
    let run = semaphore_demo(load);
    println!(
        "   {} threads, Semaphore({}): peak inside at once = {} (never above {})",
        load.threads, load.limit, run.peak, load.limit
    );
    println!("{}", common::timeline::render(&run.timeline, 48));

    println!("8.5 QUEUE (crossbeam channel) — thread-safe message passing");
    println!(
        "   consumer received {:?}; the loop ended when the producer dropped its sender",
        queue_demo(5)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_total_is_exact() {
        assert_eq!(lock_demo(), 3000);
    }

    #[test]
    fn event_releases_every_waiter() {
        assert_eq!(event_demo(4, Duration::ZERO).len(), 4);
    }

    #[test]
    fn condition_delivers_every_item_in_order() {
        assert_eq!(condition_demo(50), (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn semaphore_caps_concurrency_and_lets_everyone_through() {
        let load = SemaphoreLoad { threads: 8, limit: 3, hold: Duration::from_millis(2) };
        let run = semaphore_demo(load);
        assert!((1..=3).contains(&run.peak), "peak {}", run.peak);
        assert_eq!(run.finished, 8);
        assert_eq!(run.timeline.len(), 8);
    }

    #[test]
    fn queue_delivers_every_item_once_in_order() {
        assert_eq!(queue_demo(100), (0..100).collect::<Vec<_>>());
    }
}
