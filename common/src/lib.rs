//! # common — the small toolbox every chapter shares
//!
//! There is no central type here. Each module is one concern that two or more
//! chapters need, kept small so that a reader can open it beside the chapter
//! that uses it:
//!
//! | module | what it gives a chapter | Python it stands in for |
//! |---|---|---|
//! | [`timing`] | [`time`](timing::time) a closure, a [`Stopwatch`](timing::Stopwatch), human durations and `5.0×` speedups | `time.time()` before and after, `:.2f` |
//! | [`report`] | the notebook's `"=" * 50` banners, aligned tables, a serial-vs-concurrent [`Comparison`](report::Comparison) | the `print` calls in every cell |
//! | [`timeline`] | record who ran what when, from any thread or process, and draw it as an ASCII Gantt chart | — (Python has no such view; it is how you *see* interleaving vs parallelism) |
//! | [`log`] | one idempotent [`init`](log::init): elapsed time, pid and thread name on every log line | `logging.basicConfig(format=…)` |
//! | [`pool`] | worker counts for CPU-bound and I/O-bound work; [`ProcessPool`](pool::ProcessPool), a pool of worker processes | `os.cpu_count()`, `multiprocessing.Pool` |
//! | [`sync`] | [`Event`](sync::Event) and [`Semaphore`](sync::Semaphore), which std leaves out | `threading.Event`, `threading.Semaphore` |
//! | [`chapter`] | a chapter binary's whole `main` ([`Chapter`](chapter::Chapter)) and the [`Settings`](chapter::Settings) most chapters need | the `if __name__ == "__main__":` block |
//! | [`sections`] | a chapter's numbered sections: one table that names each lesson, chosen from the command line and [`run`](sections::run) | running one notebook cell |
//! | [`scale`] | [`Scale`](scale::Scale): the notebook's sleeps and sizes, shrunk for this run (and more under `--quick`) | `time.sleep(2)` |
//! | [`worker`] | a chapter binary re-run as its own worker process: the hidden argument, the command, the dispatch | the `spawn` start method |
//! | [`child`] | [`ChildGuard`](child::ChildGuard): a child process killed and reaped on drop | `multiprocessing`'s reaping of its children |
//! | [`procfs`] | this process's thread count and resident memory, and their peaks while a closure runs | `threading.active_count()` |
//! | [`affinity`] | pin a thread to one CPU (and what it starts inherits it), to measure wake-ups on one core or across two | `os.sched_setaffinity` |
//! | [`verdict`] | judgements from numbers: [`compare`](verdict::compare) two times with one stated tie band, plurals, and [`Contention`](verdict::Contention): why a run could not show parallelism (one CPU, others busy) | — (the sentence a notebook prints beside its timing) |
//! | [`readout`] | read back what a chapter printed (durations, ratios, verdict words), so its tests check each sentence against its numbers | — |
//! | [`work`] | the CPU-bound sum of squares several notebooks time | `sum(i**2 for i in range(n))` |
//!
//! Functions here never print on their own: they return values and strings,
//! and each chapter's `main` decides what the learner sees.
#![deny(missing_docs)]

pub mod affinity;
pub mod chapter;
pub mod child;
pub mod log;
pub mod pool;
pub mod procfs;
pub mod readout;
pub mod report;
pub mod scale;
pub mod sections;
pub mod stdout;
pub mod sync;
pub mod timeline;
pub mod timing;
pub mod verdict;
pub mod work;
pub mod worker;
