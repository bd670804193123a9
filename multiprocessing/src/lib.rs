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
//!   re-run with a hidden argument ([`common::worker`]), which is what
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
//! Sleeps are the notebook's divided by 10 (2 s → 200 ms), and by 5 more with
//! `--quick` ([`Config::scale`]).
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
//! | the machinery behind §3 and §7 (the mapped file, the round-trip harness) | [`support`] |

use common::scale::Scale;
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
pub mod support;
pub mod timeouts;
pub mod versus;
pub mod worker;

/// Settings for one run: the notebook's sleeps divided by 10 (2 s →
/// 200 ms) and by 5 more with `--quick`, sizes a tenth with `--quick`; the
/// binary every child process runs.
pub type Config = common::chapter::Settings;

/// How this chapter scales the notebook's sleeps: divided by 10, and by
/// 5 more with `--quick`.
pub const SCALE: Scale = Scale::divide_sleeps_by(10).quick_divides_by(5);

/// The sections, in order: the lecture, the notebook's seven, then Rust's.
/// Each names the lesson it runs; [`common::sections::run`] prints the
/// banners.
pub const SECTIONS: &[Section<Config>] = &[
    Section {
        number: 0,
        name: "lecture",
        title: "The lecture script: squares and cubes",
        run: lecture::show,
    },
    Section {
        number: 1,
        name: "basics",
        title: "Multiprocessing basics",
        run: basics::show,
    },
    Section {
        number: 2,
        name: "ipc",
        title: "Inter-process communication",
        run: ipc::show,
    },
    Section {
        number: 3,
        name: "shared-memory",
        title: "Shared memory",
        run: shared_memory::show,
    },
    Section {
        number: 4,
        name: "cpu-bound",
        title: "CPU-bound performance",
        run: cpu_bound::show,
    },
    Section {
        number: 5,
        name: "pool",
        title: "Process pool",
        run: pool_basics::show_pool,
    },
    Section {
        number: 6,
        name: "initializer",
        title: "Pool with initializer",
        run: pool_basics::show_initializer,
    },
    Section {
        number: 7,
        name: "threads-vs-processes",
        title: "Threading vs multiprocessing",
        run: versus::show,
    },
    Section {
        number: 8,
        name: "crash-isolation",
        title: "Crash isolation (beyond the notebook)",
        run: isolation::show,
    },
    Section {
        number: 9,
        name: "timeouts",
        title: "Timeouts and exit statuses (beyond the notebook)",
        run: timeouts::show,
    },
];
