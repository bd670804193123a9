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
//! cargo run -p executors              # all twelve sections
//! cargo run -p executors -- timeouts  # one, by name or number
//! RUST_LOG=debug cargo run -p executors -- batch   # task logs with thread names
//! ```
//!
//! Notebook sleeps are divided by 10 (2 s → 200 ms, [`Config::scale`]), and by 5 more
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
//! | 11. The rest of `concurrent.futures`, against CPython | [`futures_tour`] (its scenarios: [`support::semantics`]) |
//! | the functions CPython's own tests hand to a process executor | [`support::python_calls`] |
//! | the executor itself | [`executor`], [`process_executor`] |
//! | worker-process tasks | [`jobs`], run by [`worker`] |

use common::scale::Scale;
use common::sections::Section;

pub mod backpressure;
pub mod basics;
pub mod batch;
pub mod comparison;
pub mod errors;
pub mod executor;
pub mod futures_tour;
pub mod jobs;
pub mod lecture;
pub mod process_demo;
pub mod process_executor;
pub mod rayon_tour;
pub mod support;
pub mod sweep;
pub mod timeouts;
pub mod worker;

/// Settings for one run: the notebook's sleeps divided by 10 (2 s →
/// 200 ms) and by 5 more with `--quick`, sizes a tenth with `--quick`; the
/// binary process-pool workers run.
pub type Config = common::chapter::Settings;

/// How this chapter scales the notebook's sleeps: divided by 10, and by
/// 5 more with `--quick`.
pub const SCALE: Scale = Scale::divide_sleeps_by(10).quick_divides_by(5);

/// The sections, in order. Each names the lesson it runs;
/// [`common::sections::run`] prints the banners.
pub const SECTIONS: &[Section<Config>] = &[
    Section {
        number: 0,
        name: "lecture",
        title: "The lecture scripts: map on threads and processes",
        run: lecture::show,
    },
    Section {
        number: 1,
        name: "map",
        title: "ThreadPoolExecutor",
        run: basics::show_map,
    },
    Section {
        number: 2,
        name: "submit",
        title: "ThreadPoolExecutor - submit",
        run: basics::show_submit,
    },
    Section {
        number: 3,
        name: "process-pool",
        title: "ProcessPoolExecutor",
        run: process_demo::show,
    },
    Section { number: 4, name: "errors", title: "Error handling", run: errors::show },
    Section {
        number: 5,
        name: "timeouts",
        title: "Timeout handling",
        run: timeouts::show,
    },
    Section {
        number: 6,
        name: "comparison",
        title: "Executor comparison",
        run: comparison::show,
    },
    Section { number: 7, name: "batch", title: "Batch processing", run: batch::show },
    Section {
        number: 8,
        name: "workers",
        title: "How many workers? (the README's tips, measured)",
        run: sweep::show,
    },
    Section {
        number: 9,
        name: "backpressure",
        title: "Bounded queue vs a thread per task",
        run: backpressure::show,
    },
    Section {
        number: 10,
        name: "rayon",
        title: "rayon, the production thread pool",
        run: rayon_tour::show,
    },
    Section {
        number: 11,
        name: "futures",
        title: "The rest of concurrent.futures (beyond the notebook)",
        run: futures_tour::show,
    },
];
