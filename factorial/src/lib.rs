//! # Chapter 249 — Factorials: `Pool.map`, then one huge factorial on every core
//!
//! ## What this teaches
//!
//! Two different kinds of parallelism. **Many independent tasks** (four
//! factorials) spread over workers: Python's `Pool.map`, here rayon's
//! `par_iter` or a process pool — results in input order, nothing shared.
//! **One big task** (1,000,000!) gets nothing from that: it must be split
//! *inside* — a product tree whose halves run on different cores, and big
//! multiplications cut into independent pieces. That second lesson is the
//! one the notebook never reaches.
//!
//! ## The Python original
//!
//! `26_Process_And_Threads/249_Factorial_Usecase_With_MultiProcessing.ipynb`
//! (one executed section, one stored as markdown, 33 empty cells) and the
//! lecture script `factorial_multi_processing.py`:
//!
//! ```python
//! numbers = [5000, 6000, 700, 8000]
//! with multiprocessing.Pool() as pool:
//!     results = pool.map(computer_factorial, numbers)
//! ```
//!
//! Sections 5 and 6 are what the module's SUMMARY promises and no notebook
//! contains: batches with error handling, and a speedup analysis.
//!
//! ## Where Rust differs
//!
//! * **Threads are enough.** With no GIL, `par_iter` gives `Pool.map`'s
//!   parallelism without processes, pickling, or copying results back
//!   (section 3 measures the processes' cost anyway).
//! * **Big integers are a library.** `num_bigint::BigUint` instead of
//!   Python's built-in int; the algorithms on top ([`bigmath`],
//!   [`methods`]) are ours to read, and parallel.
//! * **No 4300-digit limit** on printing an int ([`digits`]).
//!
//! ## Run it
//!
//! ```text
//! cargo run -p factorial                        # all seven sections
//! cargo run -p factorial -- huge --n 2000000    # one section, a bigger n
//! cargo run -p factorial -- huge --method tree  # one method
//! cargo run -p factorial -- lecture --print-digits
//! cargo run --release -p factorial --bin lecture   # the lecture script alone
//! ```
//!
//! ## What to watch in the output
//!
//! Which worker computes which number changes every run; the results, their
//! digit counts and trailing zeros never do (5000! has 16326 digits and 1249
//! trailing zeros). In section 4, every method gives the same number, and the
//! parallel ones take a fraction of the time.
//!
//! ## Map of this crate
//!
//! | section | module |
//! |---|---|
//! | 1. The factorial function, 2. Sequential processing | [`notebook`] |
//! | 3. The lecture script: rayon, processes, sequential | [`lecture`] |
//! | 4. One huge factorial on every core | [`huge`], [`methods`], [`bigmath`], [`primes`] |
//! | 5. Batch processing and error handling | [`batch`] |
//! | 6. Speedup analysis | [`scaling`] |
//! | 7. One multiplication on every core | [`one_product`], [`ntt`] |
//! | digit counts and fast decimal strings | [`digits`], [`division`] |
//! | `--n` and the other options, and their checks | [`cli`] |
//! | how long a run will take | [`estimate`] |
//! | the pool workers | [`worker`] |
//! | the machinery behind section 3 (timing the three ways without printing) | [`support`] |

use std::path::PathBuf;

use common::chapter::RunArgs;
use common::scale::Scale;
use common::sections::Section;

pub mod batch;
pub mod bigmath;
pub mod cli;
pub mod digits;
pub mod division;
pub mod estimate;
pub mod huge;
pub mod lecture;
pub mod methods;
pub mod notebook;
pub mod ntt;
pub mod one_product;
pub mod primes;
pub mod scaling;
pub mod support;
pub mod worker;

use methods::Method;

/// The sections, in order. Each names the lesson it runs;
/// [`common::sections::run`] prints the banners.
pub const SECTIONS: &[Section<Config>] = &[
    Section {
        number: 1,
        name: "function",
        title: "Factorial calculation",
        run: notebook::show_factorial,
    },
    Section {
        number: 2,
        name: "sequential",
        title: "Sequential processing",
        run: notebook::show_heavy,
    },
    Section {
        number: 3,
        name: "lecture",
        title: "The lecture script: Pool.map of factorials",
        run: lecture::show,
    },
    Section {
        number: 4,
        name: "huge",
        title: "One huge factorial on every core",
        run: huge::show,
    },
    Section {
        number: 5,
        name: "batch",
        title: "Batch processing and error handling",
        run: batch::show,
    },
    Section { number: 6, name: "speedup", title: "Speedup analysis", run: scaling::show },
    Section {
        number: 7,
        name: "one-product",
        title: "One multiplication on every core",
        run: one_product::show,
    },
];

/// The n of sections 4 and 6 when `--n` is not given.
pub const DEFAULT_N: u64 = 1_000_000;
/// … and with `--quick`.
pub const QUICK_N: u64 = 100_000;

/// Settings for one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// Smaller workloads with `--quick` (for tests). No sleeps here: the
    /// notebook's work is real.
    pub scale: Scale,
    /// n for sections 4 and 6.
    pub n: u64,
    /// Worker threads / processes.
    pub workers: usize,
    /// Only this method in sections 4 and 6.
    pub method: Option<Method>,
    /// Print the full decimal numbers.
    pub print_digits: bool,
    /// This machine's speed, measured before a run the models put past a
    /// second ([`estimate`]); sections 4 and 6 announce long work with it.
    pub speed: Option<estimate::Speed>,
    /// The binary every pool worker runs (`current_exe()` in `main`,
    /// `env!("CARGO_BIN_EXE_factorial")` in tests).
    pub worker_exe: PathBuf,
}

impl Config {
    /// The run's settings from its command line, checked before anything
    /// is printed ([`cli::Options::check`]), with the run's time estimated
    /// ([`cli::Options::plan`]): a run estimated past a few minutes is
    /// refused here. Pool workers run `worker_exe`.
    pub fn from_args(
        args: &RunArgs<cli::Options>,
        worker_exe: PathBuf,
    ) -> Result<Self, clap::Error> {
        let (options, quick) = (&args.options, args.sections.quick);
        options.check(&args.sections)?;
        let speed = options.plan(&args.sections)?;
        Ok(Self {
            scale: Scale::divide_sleeps_by(1).quick(quick),
            n: options.n(quick),
            workers: options.workers(),
            method: options.method,
            print_digits: options.print_digits,
            speed,
            worker_exe,
        })
    }

    /// The step before the first section: rayon's global pool sized to
    /// `workers`, with named threads (so "Computing factorial of …" lines
    /// say who computed); and freed big blocks returned to the operating
    /// system at once ([`ntt::return_big_blocks_promptly`]).
    pub fn start_rayon(self) -> anyhow::Result<Self> {
        ntt::return_big_blocks_promptly();
        let sized = rayon::ThreadPoolBuilder::new()
            .num_threads(self.workers)
            .thread_name(|i| format!("rayon-{i}"))
            .build_global();
        if let Err(err) = sized {
            // Only if a global pool already exists (a second call): use it.
            tracing::debug!(%err, "rayon's global pool was already built");
        }
        Ok(self)
    }
}
