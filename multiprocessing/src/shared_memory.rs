//! Section 3: shared memory between processes.
//!
//! ```python
//! def modify_value(val, lock):
//!     with lock:
//!         val.value += 10
//!         print(f"Modified value: {val.value}")
//!         time.sleep(0.5)
//!
//! shared_value = multiprocessing.Value('i', 0)
//! lock = multiprocessing.Lock()
//! # 3 processes → Final value: 30
//! ```
//!
//! `multiprocessing.Value` is a few bytes of memory mapped into every
//! process, plus a lock that also lives there. Here it is the same thing in
//! plain sight: a small file in the temp directory, mapped by the parent and
//! by each child ([`crate::support::shared_file`] makes it, removes it, and
//! lays out the lock, the value and a start line in it).
//!
//! Every access goes through an atomic type, even "unsynchronised" ones:
//! another process may write at any moment, and a plain `&mut i64` to such
//! memory would be undefined behaviour. The racy variant below still loses
//! updates — not because of a data race in the language sense, but because
//! `load` then `store` is two steps, exactly like Python's `+=`.

use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::thread;
use std::time::Duration;

use anyhow::{Context, bail};
use common::report::Table;
use common::timeline::Timeline;
use common::timing::{HumanDuration, time};
use common::verdict::plural;

use crate::Config;
use crate::children::{run_together, worker_command};
use crate::support::shared_file::{Shared, SharedFile, open_mapping};

/// How the children update the shared value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The notebook: under the cross-process lock, `+= 10`, print, sleep.
    Locked,
    /// `fetch_add(1)` in a loop: one indivisible step, no lock needed.
    Atomic,
    /// `load`, then `store(v + 1)`: two steps, updates get lost.
    Racy,
}

impl Mode {
    /// The name used on the worker command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Locked => "locked",
            Mode::Atomic => "atomic",
            Mode::Racy => "racy",
        }
    }
}

impl FromStr for Mode {
    type Err = anyhow::Error;
    fn from_str(text: &str) -> anyhow::Result<Self> {
        match text {
            "locked" => Ok(Mode::Locked),
            "atomic" => Ok(Mode::Atomic),
            "racy" => Ok(Mode::Racy),
            other => bail!("unknown mode {other:?}"),
        }
    }
}

/// What the children do with the shared memory: the notebook's `with
/// lock:`, and the two lock-free updates.
impl Shared<'_> {
    /// Runs `f` holding the cross-process lock (Python's `with lock:`).
    ///
    /// A spin lock with back-off: try to swap 0 for our PID; if someone
    /// holds it, sleep a little and retry. `multiprocessing.Lock` is a POSIX
    /// semaphore, which sleeps in the kernel instead; a spin lock is enough
    /// for a lesson, but a real program would use a futex-based lock or an
    /// OS semaphore — and a spin lock whose holder dies is never released.
    pub fn with_lock<T>(&self, f: impl FnOnce(&AtomicI64) -> T) -> T {
        let me = std::process::id();
        while self
            .lock
            .compare_exchange(0, me, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            thread::sleep(Duration::from_micros(200));
        }
        // Released even if `f` panics.
        struct Release<'a>(&'a AtomicU32);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                self.0.store(0, Ordering::Release);
            }
        }
        let _release = Release(self.lock);
        f(self.value)
    }

    /// One child's share of the work, in `mode`.
    pub fn run(&self, mode: Mode, increments: u64, pause: Duration) {
        self.start_line();
        match mode {
            Mode::Locked => self.with_lock(|value| {
                // Relaxed is enough inside the lock: acquiring and releasing
                // it orders these accesses between processes.
                let new = value.load(Ordering::Relaxed) + 10;
                value.store(new, Ordering::Relaxed);
                println!("Modified value: {new}");
                thread::sleep(pause);
            }),
            Mode::Atomic => {
                for _ in 0..increments {
                    self.value.fetch_add(1, Ordering::Relaxed);
                }
            }
            Mode::Racy => {
                let yield_every = (increments / YIELDS).max(1);
                for i in 0..increments {
                    // Two separate steps: another process can store in between.
                    let seen = self.value.load(Ordering::Relaxed);
                    // On one core that happens only when this process's time
                    // slice ends right here, which is rare; YIELDS times in
                    // the loop, the CPU is given away at this point on
                    // purpose, as a slice end would, so the race shows on any
                    // machine. (Not more often: with other programs busy,
                    // each yield can wait a whole time slice.)
                    if i % yield_every == yield_every - 1 {
                        thread::yield_now();
                    }
                    self.value.store(seen + 1, Ordering::Relaxed);
                }
            }
        }
    }
}

/// How many times a racy child yields the CPU between its load and its
/// store, spread evenly over its increments.
pub const YIELDS: u64 = 32;

/// The child's entry point: `shared <path> <mode> <increments> <pause µs>`.
pub fn child(
    path: &Path,
    mode: Mode,
    increments: u64,
    pause: Duration,
) -> anyhow::Result<()> {
    let map = open_mapping(path)?;
    // MAP_SHARED: every store is visible to the other processes at once;
    // no flush is needed (msync only matters for the file on disk).
    Shared::new(&map).run(mode, increments, pause);
    Ok(())
}

/// Runs `processes` children over one fresh shared file; returns the final
/// value and how long it took.
pub fn run(
    config: &Config,
    mode: Mode,
    processes: usize,
    increments: u64,
) -> anyhow::Result<(i64, Duration)> {
    let file = SharedFile::create()?;
    let path = file.path().to_str().context("temp path is not UTF-8")?.to_string();
    let pause = config.scale.sleep(0.5).as_micros().to_string();
    let increments = increments.to_string();
    let children = (0..processes)
        .map(|i| {
            let args = ["shared", &path, mode.as_str(), &increments, &pause];
            (format!("{}-{i}", mode.as_str()), worker_command(config, &args))
        })
        .collect();
    let view = file.view();
    let ready = u32::try_from(processes).context("too many processes")?;
    let (result, took) = time(|| {
        run_together(children, &Timeline::new(), || view.release_when_ready(ready))
    });
    result?;
    Ok((view.value(), took))
}

/// The notebook's `Value` + `Lock`, then an atomic and a racy counter.
pub fn show(config: &Config) -> anyhow::Result<()> {
    println!(
        "3 processes, one shared i64 in a memory-mapped file, one lock beside it:\n"
    );
    let (final_value, _) = run(config, Mode::Locked, 3, 0)?;
    println!("\nFinal value: {final_value}");
    anyhow::ensure!(final_value == 30, "expected 30, got {final_value}");

    let increments = config.scale.size(1_000_000);
    let expected = 3 * increments as i64;
    println!(
        "\nNow each of 3 processes adds 1, {increments} times, with no lock (expected {expected}).\n\
         They wait at a start line in the shared memory, so that they really overlap:\n"
    );
    let mut table = Table::new(["update", "final value", "lost updates", "time"]);
    table.left_align(0);
    let mut racy_lost = 0;
    for (label, mode) in
        [("fetch_add (atomic)", Mode::Atomic), ("load + store", Mode::Racy)]
    {
        let (got, took) = run(config, mode, 3, increments)?;
        table.row([
            label.to_string(),
            got.to_string(),
            (expected - got).to_string(),
            HumanDuration(took).to_string(),
        ]);
        if mode == Mode::Atomic {
            anyhow::ensure!(got == expected, "the atomic counter lost updates: {got}");
        } else {
            racy_lost = expected - got;
        }
    }
    println!("{table}");
    println!(
        "fetch_add is one indivisible instruction (lock xadd on x86), across processes as\n\
         across threads: exact every time. load + store is Python's `val.value += 1`\n\
         without the lock."
    );
    if racy_lost > 0 {
        println!(
            "This run lost {}: two processes read the same value,\n\
             both wrote value + 1, and one increment was gone. ({YIELDS} times per process the\n\
             loop yields the CPU between its read and its write, as the end of a time\n\
             slice would, so this shows on one core too; how many are lost varies.)",
            plural(racy_lost as u64, "update")
        );
    } else {
        println!(
            "This run lost none: the processes never interleaved between a read and its\n\
             write. That proves nothing — nothing prevents it."
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_serialises_updates_between_threads_too() {
        let file = SharedFile::create().unwrap();
        let view = file.view();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..1000 {
                        view.with_lock(|value| {
                            let seen = value.load(Ordering::Relaxed);
                            value.store(seen + 1, Ordering::Relaxed);
                        });
                    }
                });
            }
        });
        assert_eq!(view.value(), 4000);
    }
}
