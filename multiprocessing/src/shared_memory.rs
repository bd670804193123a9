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
//! plain sight: a small file in the temp directory (mode 0600, removed
//! afterwards), mapped with `memmap2` by the parent and by each child.
//!
//! Layout of the 4 KiB mapping (page-aligned, so every field is aligned):
//!
//! | offset | type | what |
//! |---|---|---|
//! | 0 | `AtomicU32` | the lock: 0 = free, otherwise the holder's PID |
//! | 8 | `AtomicI64` | the value |
//! | 16 | `AtomicU32` | children ready at the start line |
//! | 20 | `AtomicU32` | the starting gun: 1 = go |
//!
//! Every access goes through an atomic type, even "unsynchronised" ones:
//! another process may write at any moment, and a plain `&mut i64` to such
//! memory would be undefined behaviour. The racy variant below still loses
//! updates — not because of a data race in the language sense, but because
//! `load` then `store` is two steps, exactly like Python's `+=`.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use anyhow::{Context, bail};
use common::report::Table;
use common::timeline::Timeline;
use common::timing::{HumanDuration, time};
use common::verdict::plural;
use memmap2::MmapRaw;

use crate::Config;
use crate::children::{run_together, worker_command};

const MAP_LEN: usize = 4096;
const LOCK_OFFSET: usize = 0;
const VALUE_OFFSET: usize = 8;
const READY_OFFSET: usize = 16;
const GO_OFFSET: usize = 20;
/// How long a child waits at the start line before going anyway (the
/// parent may have died).
const START_LINE_PATIENCE: Duration = Duration::from_secs(10);

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

/// A shared-memory file: created private (0600) and unique, removed on drop.
#[derive(Debug)]
pub struct SharedFile {
    path: PathBuf,
    map: MmapRaw,
}

impl SharedFile {
    /// Creates a zeroed 4 KiB file in the temp directory and maps it.
    pub fn create() -> anyhow::Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "multiprocessing-shared-{}-{}.bin",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        // create_new: never reuse (or follow a symlink planted at) an
        // existing path; mode 0600: no other user can read or write it.
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        // From here on `Self` owns the path, so an error below still removes it.
        let map = match map_file(&file, &path) {
            Ok(map) => map,
            Err(err) => {
                let _ = std::fs::remove_file(&path);
                return Err(err);
            }
        };
        Ok(Self { path, map })
    }

    /// Where the file is (the children open it by this path).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The shared view of the mapping.
    pub fn view(&self) -> Shared<'_> {
        Shared::new(&self.map)
    }
}

impl Drop for SharedFile {
    fn drop(&mut self) {
        // Unlinking while mapped is fine on Unix: the memory stays valid
        // until the last mapping goes away.
        let _ = std::fs::remove_file(&self.path);
    }
}

fn map_file(file: &File, path: &Path) -> anyhow::Result<MmapRaw> {
    file.set_len(MAP_LEN as u64)?; // a mapping must not extend past the file
    // A *raw* mapping: memory other processes write to at any moment must
    // never be seen through a `&[u8]` or `&mut [u8]` (Rust assumes those do
    // not change behind its back). `MmapRaw` hands out only a raw pointer,
    // which `Shared` turns into atomics.
    MmapRaw::map_raw(file).with_context(|| format!("mapping {}", path.display()))
}

/// Opens and maps a file made by [`SharedFile::create`] (in a child).
pub fn open_mapping(path: &Path) -> anyhow::Result<MmapRaw> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    map_file(&file, path)
}

/// The lock and the value inside a mapping, as atomics.
#[derive(Debug, Clone, Copy)]
pub struct Shared<'map> {
    lock: &'map AtomicU32,
    value: &'map AtomicI64,
    ready: &'map AtomicU32,
    go: &'map AtomicU32,
}

impl<'map> Shared<'map> {
    /// Views a mapping of at least 4 KiB.
    pub fn new(map: &'map MmapRaw) -> Self {
        assert!(map.len() >= MAP_LEN, "mapping too small");
        let base = map.as_mut_ptr();
        // SAFETY: `base` comes from the mapping itself (read + write, not
        // derived from a shared reference), which is page-aligned and
        // MAP_LEN bytes long, so every pointer is in bounds and aligned for
        // its type; the memory stays mapped for 'map (the borrow of `map`);
        // every process touches these bytes only through atomics, so
        // concurrent access is not a data race.
        unsafe {
            Self {
                lock: AtomicU32::from_ptr(base.add(LOCK_OFFSET).cast()),
                value: AtomicI64::from_ptr(base.add(VALUE_OFFSET).cast()),
                ready: AtomicU32::from_ptr(base.add(READY_OFFSET).cast()),
                go: AtomicU32::from_ptr(base.add(GO_OFFSET).cast()),
            }
        }
    }

    /// The current value.
    pub fn value(&self) -> i64 {
        self.value.load(Ordering::SeqCst)
    }

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

    /// A child's start line: report ready, then wait for the gun. Without
    /// it, each child would start ~1 ms after the previous one (the cost of
    /// a spawn) and a short loop could finish before the next one starts:
    /// no overlap, no race to see.
    fn start_line(&self) {
        self.ready.fetch_add(1, Ordering::SeqCst);
        let since = std::time::Instant::now();
        while self.go.load(Ordering::SeqCst) == 0 && since.elapsed() < START_LINE_PATIENCE
        {
            thread::yield_now();
        }
    }

    /// The parent's side of the start line: once `children` are ready (or
    /// after 10 s), fire the gun.
    pub fn release_when_ready(&self, children: u32) {
        let since = std::time::Instant::now();
        while self.ready.load(Ordering::SeqCst) < children
            && since.elapsed() < START_LINE_PATIENCE
        {
            thread::sleep(Duration::from_micros(100));
        }
        self.go.store(1, Ordering::SeqCst);
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
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_shared_file_is_private_zeroed_and_removed_on_drop() {
        let file = SharedFile::create().unwrap();
        let path = file.path().to_path_buf();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only the owner may read or write it");
        assert_eq!(file.view().value(), 0);
        drop(file);
        assert!(!path.exists(), "removed on drop");
    }

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
