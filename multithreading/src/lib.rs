//! # Chapter 245 — Multithreading: threads and synchronization
//!
//! ## What this teaches
//!
//! How to start threads, hand them data, get results back, and make them
//! cooperate: locks, bounded queues, events, thread-local storage, condition
//! variables, "daemon" threads and how to stop them properly. Then what
//! Python never has to teach: borrowing across threads with scopes, picking
//! between `Mutex`, `RwLock` and atomics, detecting a deadlock instead of
//! hanging, panics that surface through `join`, and a race proved wrong by a
//! model checker.
//!
//! ## The Python original
//!
//! `26_Process_And_Threads/245_MultiThreading_Practical_Implementation.ipynb`
//! (sections 1–9) and the lecture script `multi_threading.py` (section 0):
//!
//! ```python
//! t1 = threading.Thread(target=print_numbers)
//! t2 = threading.Thread(target=print_letter)
//! t = time.time()
//! t1.start(); t2.start()
//! t1.join(); t2.join()
//! print(time.time() - t)      # ~10 s instead of ~20 s
//! ```
//!
//! ## Where Rust differs
//!
//! * A thread's closure must be `Send + 'static` (or scoped): what it uses is
//!   moved in, or borrowed from a scope the compiler proves outlives it.
//! * Shared mutable state must be wrapped (`Mutex`, `RwLock`, atomics); the
//!   lock owns the data, so it cannot be forgotten.
//! * There are no daemon threads to kill: a detached thread dies with the
//!   process, and the right way to stop one is to tell it (section 7).
//!
//! ## Run it
//!
//! ```text
//! cargo run -p multithreading              # every section, ~5 s
//! cargo run -p multithreading -- deadlock  # one section, by name or number
//! ```
//!
//! Sleeps are the notebook's divided by 10 ([`NOTEBOOK_SCALE`]) and the
//! lecture's by 20 ([`LECTURE_SCALE`]).
//!
//! ## What to watch in the output
//!
//! Line order changes between runs; totals never do (balance 1200, every item
//! consumed once, counters exact). Section 12 must report a deadlock and then
//! *continue*.
//!
//! ## Map of this crate
//!
//! | § | module |
//! |---|---|
//! | 0 lecture script | [`lecture`] |
//! | 1 creating threads, 2 custom thread "class" | [`basics`] |
//! | 3 thread-safe data sharing | [`shared_data`] |
//! | 4 producer–consumer | [`producer_consumer`] |
//! | 5 events | [`events`] |
//! | 6 thread-local storage | [`locals`] |
//! | 7 daemon threads | [`daemon`] |
//! | 8 condition variables | [`conditions`] |
//! | 9 performance comparison | [`performance`] |
//! | 10 scoped threads | [`scoped`] |
//! | 11 `Mutex` vs `RwLock` vs atomics | [`choosing`] |
//! | 12 deadlock | [`deadlock`] |
//! | 13 panics and poisoning | [`panics`] |
//! | 14 timeouts | [`timeouts`] |
//! | 15 logging | [`logging`] |
//! | 16 the race, model-checked | [`counter`] |

use std::path::PathBuf;
use std::time::Duration;

use common::sections::Section;

pub mod basics;
pub mod choosing;
pub mod conditions;
pub mod counter;
pub mod daemon;
pub mod deadlock;
pub mod events;
pub mod lecture;
pub mod locals;
pub mod logging;
pub mod panics;
pub mod performance;
pub mod producer_consumer;
pub mod scoped;
pub mod shared_data;
pub mod timeouts;

/// Notebook sleeps are divided by this (0.5 s → 50 ms).
pub const NOTEBOOK_SCALE: u32 = 10;
/// The lecture's 2-second sleeps are divided by this (2 s → 100 ms).
pub const LECTURE_SCALE: u32 = 20;

/// The sections, in order: the lecture, the notebook's nine, then Rust's.
pub const SECTIONS: &[Section] = &[
    Section {
        number: 0,
        name: "lecture",
        title: "The lecture script: numbers and letters",
    },
    Section { number: 1, name: "basics", title: "Basic threading" },
    Section { number: 2, name: "custom-thread", title: "Custom thread class" },
    Section { number: 3, name: "shared-data", title: "Thread-safe data sharing" },
    Section { number: 4, name: "producer-consumer", title: "Producer-consumer pattern" },
    Section { number: 5, name: "events", title: "Threading events" },
    Section { number: 6, name: "thread-local", title: "Thread-local storage" },
    Section { number: 7, name: "daemon", title: "Daemon threads" },
    Section { number: 8, name: "conditions", title: "Condition variables" },
    Section { number: 9, name: "performance", title: "Threading performance" },
    Section { number: 10, name: "scoped", title: "Scoped threads (beyond the notebook)" },
    Section { number: 11, name: "choosing", title: "Mutex vs RwLock vs atomics" },
    Section { number: 12, name: "deadlock", title: "Deadlock: detect, then prevent" },
    Section { number: 13, name: "panics", title: "Panics in threads and lock poisoning" },
    Section { number: 14, name: "timeouts", title: "Timeouts on every wait" },
    Section { number: 15, name: "logging", title: "Logging from threads" },
    Section { number: 16, name: "race", title: "The race, model-checked" },
];

/// Settings for one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Shrink sleeps and loop counts (for tests).
    pub quick: bool,
    /// This binary, for the daemon demo's child process (`current_exe()` in
    /// `main`, `env!("CARGO_BIN_EXE_multithreading")` in tests).
    pub worker_exe: PathBuf,
}

impl Config {
    /// A notebook sleep of `seconds`, scaled by [`NOTEBOOK_SCALE`] (and by 10
    /// more with `--quick`).
    pub fn notebook(&self, seconds: f64) -> Duration {
        self.scaled(seconds, NOTEBOOK_SCALE)
    }

    /// A lecture sleep of `seconds`, scaled by [`LECTURE_SCALE`].
    pub fn lecture(&self, seconds: f64) -> Duration {
        self.scaled(seconds, LECTURE_SCALE)
    }

    fn scaled(&self, seconds: f64, scale: u32) -> Duration {
        let quick = if self.quick { 10.0 } else { 1.0 };
        Duration::from_secs_f64(seconds / (f64::from(scale) * quick))
    }
}

/// Runs one section: its banner, then its lesson.
pub fn run_section(section: &Section, config: &Config) -> anyhow::Result<()> {
    println!("{}", common::report::banner(section.number, section.title));
    match section.number {
        0 => lecture::show(config)?,
        1 => basics::show_basic(config)?,
        2 => basics::show_custom(config)?,
        3 => shared_data::show(config)?,
        4 => producer_consumer::show(config)?,
        5 => events::show(config)?,
        6 => locals::show(config)?,
        7 => daemon::show(config)?,
        8 => conditions::show(config)?,
        9 => performance::show(config)?,
        10 => scoped::show(),
        11 => choosing::show(config),
        12 => deadlock::show(config),
        13 => panics::show(),
        14 => timeouts::show(config),
        15 => logging::show(config)?,
        16 => counter::show(config.quick),
        other => anyhow::bail!("section {other} does not exist"),
    }
    Ok(())
}

/// Joins a thread, turning a panic into an error that names the thread —
/// never `let _ = handle.join()`, which would swallow it.
pub fn join<T>(handle: std::thread::JoinHandle<T>) -> anyhow::Result<T> {
    let name = handle.thread().name().unwrap_or("unnamed").to_string();
    handle.join().map_err(|payload| {
        anyhow::anyhow!("thread {name} panicked: {}", panics::message(&*payload))
    })
}
