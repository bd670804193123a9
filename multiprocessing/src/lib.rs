//! # Chapter 246 — Multiprocessing
//!
//! ## What this teaches
//!
//! A process is a program running in its own address space. Several
//! processes run in parallel on several cores, share *nothing* by default,
//! and must be given every byte they exchange: through a pipe (a queue),
//! through memory mapped into both of them, or as arguments and results
//! shipped by a pool. In exchange, a crash in one cannot corrupt another.
//!
//! ## The Python original
//!
//! `26_Process_And_Threads/246_Multiprocessing_With_Python.ipynb` (seven
//! sections, of which only two ever ran: the rest were stored as markdown or
//! hung in Windows Jupyter) and the lecture script `multi_processing.py`:
//!
//! ```python
//! p1 = multiprocessing.Process(target=square_numbers)
//! p2 = multiprocessing.Process(target=cube_numbers)
//! t = time.time(); p1.start(); p2.start(); p1.join(); p2.join()
//! print(time.time() - t)          # ≈ 7.5 s, the longer of 5 s and 7.5 s
//! ```
//!
//! Here every section runs, on Linux, for real.
//!
//! ## Where Rust differs
//!
//! * **No `fork` of a running interpreter.** A child is this same binary
//!   re-run with a hidden argument ([`worker::WORKER_ARG`]), which is what
//!   Python's `spawn` start method does. Functions cannot be pickled by
//!   name, so a task is plain data — a serde enum such as [`jobs::IntJob`] —
//!   and the worker's `match` is the dispatch table.
//! * **No GIL, so threads already use every core.** Python needs processes
//!   for CPU-bound work; Rust does not (sections 4 and 7 measure both). In
//!   Rust you choose processes for *isolation*: a crash, an `abort`, a hang,
//!   or memory corruption in foreign code stays in the child (sections 8–9).
//! * **The pool is ours to read.** [`common::pool::ProcessPool`] is a
//!   Python `Pool` in about a thousand commented lines, with the faults
//!   handled: a task that panics, aborts, is killed or hangs past its
//!   timeout gets exactly one error, naming the exit status or signal; the
//!   worker is reaped and replaced.
//!
//! ## Run it
//!
//! ```text
//! cargo run -p multiprocessing                    # all ten sections
//! cargo run -p multiprocessing -- shared-memory   # one, by name…
//! cargo run -p multiprocessing -- 5               # …or by number
//! RUST_LOG=debug cargo run -p multiprocessing -- 9  # see workers start and get reaped
//! ```
//!
//! Sleeps are the notebook's divided by [`SCALE`] (2 s → 200 ms), and by 5
//! more with `--quick`.
//!
//! ## What to watch in the output
//!
//! PIDs, the order of interleaved lines and the times change on every run.
//! What never changes: the shared value is exactly 30, the atomic counter
//! exactly its target, the squares `[1, 4, 9, 16, 25]`, and every sum of
//! squares `333333283333335000000`.
//!
//! ## Map of this crate
//!
//! | section | module |
//! |---|---|
//! | 0. The lecture script | [`lecture`] |
//! | 1. Multiprocessing basics | [`basics`] |
//! | 2. Inter-process communication | [`ipc`] |
//! | 3. Shared memory | [`shared_memory`] |
//! | 4. CPU-bound speedup | [`cpu_bound`] |
//! | 5. Process pool, 6. Pool with initializer | [`pool_basics`] |
//! | 7. Threading vs multiprocessing (+ the cost of IPC) | [`versus`] |
//! | 8. Crash isolation (beyond the notebook) | [`isolation`] |
//! | 9. Timeouts and exit statuses (beyond the notebook) | [`timeouts`] |
//! | the tasks pool workers run | [`jobs`] |
//! | child processes: start, reap | [`worker`], [`children`] |

use std::path::PathBuf;
use std::time::Duration;

use common::sections::Section;

pub mod basics;
pub mod children;
pub mod cpu_bound;
pub mod ipc;
pub mod isolation;
pub mod jobs;
pub mod lecture;
pub mod pool_basics;
pub mod shared_memory;
pub mod timeouts;
pub mod versus;
pub mod worker;

/// The notebook's sleeps are divided by this (2 s → 200 ms, 0.5 s → 50 ms).
pub const SCALE: u32 = 10;

/// The sections, in order: the lecture, the notebook's seven, then Rust's.
pub const SECTIONS: &[Section] = &[
    Section {
        number: 0,
        name: "lecture",
        title: "The lecture script: squares and cubes",
    },
    Section { number: 1, name: "basics", title: "Multiprocessing basics" },
    Section { number: 2, name: "ipc", title: "Inter-process communication" },
    Section { number: 3, name: "shared-memory", title: "Shared memory" },
    Section { number: 4, name: "cpu-bound", title: "CPU-bound performance" },
    Section { number: 5, name: "pool", title: "Process pool" },
    Section { number: 6, name: "initializer", title: "Pool with initializer" },
    Section {
        number: 7,
        name: "threads-vs-processes",
        title: "Threading vs multiprocessing",
    },
    Section {
        number: 8,
        name: "crash-isolation",
        title: "Crash isolation (beyond the notebook)",
    },
    Section {
        number: 9,
        name: "timeouts",
        title: "Timeouts and exit statuses (beyond the notebook)",
    },
];

/// Settings for one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Shrink sleeps and workloads (for tests).
    pub quick: bool,
    /// The binary every child process runs: `current_exe()` in `main`,
    /// `env!("CARGO_BIN_EXE_multiprocessing")` in integration tests (inside a
    /// test, `current_exe()` is the test harness).
    pub worker_exe: PathBuf,
}

impl Config {
    /// A notebook sleep of `seconds`, divided by [`SCALE`] (and by 5 more
    /// with `--quick`).
    pub fn sleep(&self, seconds: f64) -> Duration {
        let quick = if self.quick { 5.0 } else { 1.0 };
        Duration::from_secs_f64(seconds / (f64::from(SCALE) * quick))
    }

    /// The notebook's workload size `n`, or a tenth of it with `--quick`.
    pub fn size(&self, n: u64) -> u64 {
        if self.quick { n / 10 } else { n }
    }
}

/// Runs one section: its banner, then its lesson.
pub fn run_section(section: &Section, config: &Config) -> anyhow::Result<()> {
    println!("{}", common::report::banner(section.number, section.title));
    match section.number {
        0 => lecture::show(config),
        1 => basics::show(config),
        2 => ipc::show(config),
        3 => shared_memory::show(config),
        4 => cpu_bound::show(config),
        5 => pool_basics::show_pool(config),
        6 => pool_basics::show_initializer(config),
        7 => versus::show(config),
        8 => isolation::show(config),
        9 => timeouts::show(config),
        other => anyhow::bail!("section {other} does not exist"),
    }
}
