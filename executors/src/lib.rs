//! # Chapter 247 — Thread pool and process pool executors
//!
//! ## What this teaches
//!
//! A pool keeps a fixed set of workers alive and feeds them tasks, so each
//! task costs a queue hand-off instead of a thread or process start. A
//! *future* is the ticket for one task's result. This chapter **builds** the
//! thread-pool executor ([`executor`]) — a queue, N threads, futures with
//! `result`, `result_timeout`, `cancel`, `as_completed` — then wraps the
//! process pool from `common` in the same API ([`process_executor`]), and
//! sets rayon, the production tool, beside both.
//!
//! ## The Python original
//!
//! `26_Process_And_Threads/247_Thread_Pool_Executor_And_Process_Pool.ipynb`
//! (seven sections, only the first ever executed) and two lecture scripts:
//!
//! ```python
//! with ThreadPoolExecutor(max_workers=3) as executor:
//!     results = executor.map(print_number, numbers)
//! for result in results:
//!     print(result)
//! ```
//!
//! Sections 8–10 measure the module README's tips instead of stating them.
//!
//! ## Where Rust differs
//!
//! * **No GIL**: the thread pool runs CPU-bound tasks in parallel too; the
//!   process pool is for isolation, not speed.
//! * **`with` is `Drop`**: leaving the scope joins every worker.
//! * **A thread cannot be killed**, in Rust or Python. Rust makes you choose
//!   between cooperative cancellation ([`executor::CancelToken`]) and a
//!   process you *can* kill (section 5).
//!
//! ## Run it
//!
//! ```text
//! cargo run -p executors              # all eleven sections
//! cargo run -p executors -- timeouts  # one, by name or number
//! RUST_LOG=debug cargo run -p executors -- batch   # task logs with thread names
//! ```
//!
//! Notebook sleeps are divided by [`SCALE`] (2 s → 200 ms), and by 5 more
//! with `--quick`.
//!
//! ## Map of this crate
//!
//! | section | module |
//! |---|---|
//! | 0. The lecture scripts | [`lecture`] |
//! | 1. `map`, 2. `submit` + `as_completed` | [`basics`] |
//! | 3. ProcessPoolExecutor | [`process_demo`] |
//! | 4. Error handling | [`errors`] |
//! | 5. Timeouts and cancellation | [`timeouts`] |
//! | 6. Executor comparison | [`comparison`] |
//! | 7. Batch processing | [`batch`] |
//! | 8. How many workers? | [`sweep`] |
//! | 9. Bounded queues vs a thread per task | [`backpressure`] |
//! | 10. rayon | [`rayon_tour`] |
//! | the executor itself | [`executor`], [`process_executor`] |
//! | worker-process tasks | [`jobs`] |

use std::path::PathBuf;
use std::time::Duration;

use common::sections::Section;

pub mod backpressure;
pub mod basics;
pub mod batch;
pub mod comparison;
pub mod errors;
pub mod executor;
pub mod jobs;
pub mod lecture;
pub mod process_demo;
pub mod process_executor;
pub mod rayon_tour;
pub mod sweep;
pub mod timeouts;

/// Notebook sleeps are divided by this (2 s → 200 ms).
pub const SCALE: u32 = 10;

/// The sections, in order.
pub const SECTIONS: &[Section] = &[
    Section {
        number: 0,
        name: "lecture",
        title: "The lecture scripts: map on threads and processes",
    },
    Section { number: 1, name: "map", title: "ThreadPoolExecutor" },
    Section { number: 2, name: "submit", title: "ThreadPoolExecutor - submit" },
    Section { number: 3, name: "process-pool", title: "ProcessPoolExecutor" },
    Section { number: 4, name: "errors", title: "Error handling" },
    Section { number: 5, name: "timeouts", title: "Timeout handling" },
    Section { number: 6, name: "comparison", title: "Executor comparison" },
    Section { number: 7, name: "batch", title: "Batch processing" },
    Section {
        number: 8,
        name: "workers",
        title: "How many workers? (the README's tips, measured)",
    },
    Section {
        number: 9,
        name: "backpressure",
        title: "Bounded queue vs a thread per task",
    },
    Section { number: 10, name: "rayon", title: "rayon, the production thread pool" },
];

/// Settings for one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Shrink sleeps and workloads (for tests).
    pub quick: bool,
    /// The binary process-pool workers run (`current_exe()` in `main`,
    /// `env!("CARGO_BIN_EXE_executors")` in tests).
    pub worker_exe: PathBuf,
}

impl Config {
    /// A notebook sleep of `seconds`, divided by [`SCALE`] (and by 5 more
    /// with `--quick`).
    pub fn sleep(&self, seconds: f64) -> Duration {
        let quick = if self.quick { 5.0 } else { 1.0 };
        Duration::from_secs_f64(seconds / (f64::from(SCALE) * quick))
    }

    /// `n`, or a tenth of it with `--quick`.
    pub fn size(&self, n: u64) -> u64 {
        if self.quick { n / 10 } else { n }
    }

    /// Arguments that make this binary serve the process pool `kind`.
    pub fn pool_args(kind: &str) -> [&str; 3] {
        [jobs::WORKER_ARG, "pool", kind]
    }
}

/// Runs one section: its banner, then its lesson.
pub fn run_section(section: &Section, config: &Config) -> anyhow::Result<()> {
    println!("{}", common::report::banner(section.number, section.title));
    match section.number {
        0 => lecture::show(config),
        1 => basics::show_map(config),
        2 => basics::show_submit(config),
        3 => process_demo::show(config),
        4 => errors::show(config),
        5 => timeouts::show(config),
        6 => comparison::show(config),
        7 => batch::show(config),
        8 => sweep::show(config),
        9 => backpressure::show(config),
        10 => rayon_tour::show(config),
        other => anyhow::bail!("section {other} does not exist"),
    }
}
