//! # Chapter 244 — What are processes and threads?
//!
//! ## What this teaches
//!
//! A **program** is a file of instructions; a **process** is a running
//! instance of it, with its own memory (code, data, heap, a stack per thread)
//! that no other process can touch; a **thread** is one line of execution
//! inside a process, with its own stack and registers, sharing everything
//! else with its siblings. Running several things at once means choosing
//! between threads (cheap, shared memory, so races are possible) and
//! processes (isolated, costlier to start and to talk to).
//!
//! Two words the notebook uses without defining:
//!
//! * **Concurrency** — several tasks *in progress* at once, taking turns,
//!   possibly on a single core (one waits on I/O while another runs).
//! * **Parallelism** — several tasks *executing* at the same instant, on
//!   several cores.
//!
//! Section 3 shows both on one timeline.
//!
//! ## The Python original
//!
//! `26_Process_And_Threads/244_What_is_Process_And_Threads.ipynb`, nine
//! sections, plus the theory lecture behind it (program / process / thread).
//! Section 7 in Python:
//!
//! ```python
//! def unsafe_increment():
//!     global counter
//!     for _ in range(100000):
//!         counter += 1        # read, add, write: three steps, not one
//!
//! threads = [threading.Thread(target=unsafe_increment) for _ in range(5)]
//! ```
//!
//! ## Where Rust differs
//!
//! * **No GIL.** Rust threads run Rust code truly in parallel, so threads
//!   speed up CPU-bound work too (section 6), and the Python advice "threads
//!   for I/O, processes for CPU" does not carry over (section 9).
//! * **Races are compile errors.** The Python counter above does not compile
//!   in Rust (see [`race`]); to share a counter you must choose a `Mutex` or
//!   an atomic, and the type system checks that you did.
//! * **Processes** are started by re-running this very binary with a hidden
//!   worker argument ([`common::worker`], [`worker`]), the Rust equivalent of
//!   Python's `spawn` start method.
//!
//! ## Run it
//!
//! ```text
//! cargo run -p what_is_process_and_threads            # all nine sections
//! cargo run -p what_is_process_and_threads -- gil     # one section, by name
//! cargo run -p what_is_process_and_threads -- 7       # … or by number
//! cargo run -p what_is_process_and_threads -- --help  # the list
//! ```
//!
//! The notebook's 2-second sleeps are divided by 10 (200 ms, [`Config::scale`])
//! so the whole run takes a few seconds.
//!
//! ## What to watch in the output
//!
//! Thread and process lines interleave differently on every run; pids and
//! times change. What never changes: the sums, the safe counters (exactly
//! 500000), and that the unsafe counter never *exceeds* 500000.
//!
//! ## Map of this crate
//!
//! | section | module |
//! |---|---|
//! | 1. Introduction to concurrency, 4. Threading basics | [`tasks`] |
//! | 2. Processes vs threads (+ the lecture's theory) | [`anatomy`] |
//! | 3. The GIL, measured | [`gil`] |
//! | 5. Multiprocessing basics (+ spawn overhead) | [`processes`] |
//! | 6. CPU-bound vs I/O-bound | [`workloads`] |
//! | 7. Race conditions | [`race`] |
//! | 8. Synchronization primitives | [`primitives`] |
//! | 9. Summary, Rust edition | [`summary`] |
//! | the worker processes of section 5 | [`worker`] |
//! | the machinery behind sections 3 and 5 (the simulated GIL's fair lock and what its numbers mean; children, spawn cost) | [`support`] |

use std::cell::Cell;
use std::path::PathBuf;
use std::time::Duration;

use common::chapter::RunArgs;
use common::scale::Scale;
use common::sections::Section;

pub mod anatomy;
pub mod gil;
pub mod primitives;
pub mod processes;
pub mod race;
pub mod summary;
pub mod support;
pub mod tasks;
pub mod worker;
pub mod workloads;

/// The sections, in notebook order. Each names the lesson it runs;
/// [`common::sections::run`] prints the banners.
pub const SECTIONS: &[Section<Config>] = &[
    Section {
        number: 1,
        name: "sequential",
        title: "Sequential execution",
        run: tasks::show_sequential,
    },
    Section {
        number: 2,
        name: "processes-vs-threads",
        title: "Processes vs threads",
        run: anatomy::show,
    },
    Section {
        number: 3,
        name: "gil",
        title: "Global Interpreter Lock (GIL), measured",
        run: gil::show,
    },
    Section {
        number: 4,
        name: "threading",
        title: "Threading example",
        run: tasks::show_threads,
    },
    Section {
        number: 5,
        name: "multiprocessing",
        title: "Multiprocessing example",
        run: processes::show,
    },
    Section {
        number: 6,
        name: "cpu-vs-io",
        title: "CPU-bound vs I/O-bound tasks",
        run: workloads::show,
    },
    Section {
        number: 7,
        name: "race",
        title: "Thread safety & race conditions",
        run: race::show,
    },
    Section {
        number: 8,
        name: "primitives",
        title: "Synchronization primitives",
        run: primitives::show,
    },
    Section {
        number: 9,
        name: "summary",
        title: "Summary: when to use what (Rust edition)",
        run: summary::show,
    },
];

/// How this chapter scales the notebook's sleeps: divided by 10, and by
/// 10 more with `--quick`.
pub const SCALE: Scale = Scale::divide_sleeps_by(10).quick_divides_by(10);

/// Settings for one run of the chapter.
#[derive(Debug, Clone)]
pub struct Config {
    /// The notebook's sleeps divided by 10 (2 s → 200 ms), and by 10 more
    /// with `--quick`; loop counts smaller with `--quick`.
    pub scale: Scale,
    /// The executable to start as a worker process: this binary in `main`,
    /// `env!("CARGO_BIN_EXE_…")` in integration tests (never
    /// `current_exe()` there: in a test that is the test harness).
    pub worker_exe: PathBuf,
    /// What section 1 leaves for section 4: its measured sequential time,
    /// which section 4 compares itself with, as the notebook does with
    /// `sequential_time`.
    pub sequential_time: Cell<Option<Duration>>,
}

impl Config {
    /// The settings for a run, from its command line (`--quick` or not),
    /// whose workers run `worker_exe`.
    pub fn from_args(args: &RunArgs, worker_exe: PathBuf) -> Self {
        Self {
            scale: SCALE.quick(args.sections.quick),
            worker_exe,
            sequential_time: Cell::new(None),
        }
    }
}
