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
//! Sleeps are the notebook's divided by 10 ([`Config::scale`]) and the
//! lecture's by 20 ([`lecture::lecture_sleep`]).
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
//! | the daemon demo's child process | [`worker`] |

use common::scale::Scale;
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
pub mod worker;

/// Settings for one run: the notebook's sleeps divided by 10 (0.5 s →
/// 50 ms) and by 10 more with `--quick`; this binary, for the daemon demo's
/// child process.
pub type Config = common::chapter::Settings;

/// How this chapter scales the notebook's sleeps: divided by 10, and by
/// 10 more with `--quick`.
pub const SCALE: Scale = Scale::divide_sleeps_by(10).quick_divides_by(10);

/// The sections, in order: the lecture, the notebook's nine, then Rust's.
/// Each names the lesson it runs; [`common::sections::run`] prints the
/// banners.
pub const SECTIONS: &[Section<Config>] = &[
    Section {
        number: 0,
        name: "lecture",
        title: "The lecture script: numbers and letters",
        run: lecture::show,
    },
    Section {
        number: 1,
        name: "basics",
        title: "Basic threading",
        run: basics::show_basic,
    },
    Section {
        number: 2,
        name: "custom-thread",
        title: "Custom thread class",
        run: basics::show_custom,
    },
    Section {
        number: 3,
        name: "shared-data",
        title: "Thread-safe data sharing",
        run: shared_data::show,
    },
    Section {
        number: 4,
        name: "producer-consumer",
        title: "Producer-consumer pattern",
        run: producer_consumer::show,
    },
    Section { number: 5, name: "events", title: "Threading events", run: events::show },
    Section {
        number: 6,
        name: "thread-local",
        title: "Thread-local storage",
        run: locals::show,
    },
    Section { number: 7, name: "daemon", title: "Daemon threads", run: daemon::show },
    Section {
        number: 8,
        name: "conditions",
        title: "Condition variables",
        run: conditions::show,
    },
    Section {
        number: 9,
        name: "performance",
        title: "Threading performance",
        run: performance::show,
    },
    Section {
        number: 10,
        name: "scoped",
        title: "Scoped threads (beyond the notebook)",
        run: scoped::show,
    },
    Section {
        number: 11,
        name: "choosing",
        title: "Mutex vs RwLock vs atomics",
        run: choosing::show,
    },
    Section {
        number: 12,
        name: "deadlock",
        title: "Deadlock: detect, then prevent",
        run: deadlock::show,
    },
    Section {
        number: 13,
        name: "panics",
        title: "Panics in threads and lock poisoning",
        run: panics::show,
    },
    Section {
        number: 14,
        name: "timeouts",
        title: "Timeouts on every wait",
        run: timeouts::show,
    },
    Section {
        number: 15,
        name: "logging",
        title: "Logging from threads",
        run: logging::show,
    },
    Section {
        number: 16,
        name: "race",
        title: "The race, model-checked",
        run: counter::show,
    },
];

/// Joins a thread, turning a panic into an error that names the thread —
/// never `let _ = handle.join()`, which would swallow it.
pub fn join<T>(handle: std::thread::JoinHandle<T>) -> anyhow::Result<T> {
    let name = handle.thread().name().unwrap_or("unnamed").to_string();
    handle.join().map_err(|payload| {
        anyhow::anyhow!("thread {name} panicked: {}", panics::message(&*payload))
    })
}
