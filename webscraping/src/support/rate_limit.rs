//! A library piece, used by section 3's rate limit ([`crate::robust`]): a
//! per-host limiter — at most N requests in flight, and a minimum interval
//! between two starts — the politeness a scraper owes a site. Copy it as
//! it is; the lesson shows it holding under six threads.

use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use common::sync::{Permit, Semaphore};

/// At most `concurrent` requests to a host at once, and at least `interval`
/// between two request starts.
#[derive(Debug)]
pub struct HostLimiter {
    slots: Semaphore,
    interval: Duration,
    next_start: Mutex<Instant>,
}

impl HostLimiter {
    /// A limiter for one host.
    pub fn new(concurrent: usize, interval: Duration) -> Self {
        Self {
            slots: Semaphore::new(concurrent),
            interval,
            next_start: Mutex::new(Instant::now()),
        }
    }

    /// Waits for a slot and for the next start time; the request may go
    /// while the returned permit lives. Also returns the scheduled start.
    pub fn acquire(&self) -> (Permit<'_>, Instant) {
        let permit = self.slots.acquire();
        let start = {
            let mut next = self.next_start.lock().unwrap_or_else(|p| p.into_inner());
            let start = (*next).max(Instant::now());
            *next = start + self.interval;
            start
        };
        thread::sleep(start.saturating_duration_since(Instant::now()));
        (permit, start)
    }
}
