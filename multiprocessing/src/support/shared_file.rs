//! Support for section 3 ([`crate::shared_memory`]): a small file mapped
//! into every process, and the atomics inside it.
//!
//! Machinery, not the lesson: the lesson uses [`SharedFile::create`] in the
//! parent, [`open_mapping`] in each child, and [`Shared`]'s fields (the
//! lock and the value). The file is created in the temp directory with
//! mode 0600 and removed on drop, and mapped with `memmap2`.
//!
//! Layout of the 4 KiB mapping (page-aligned, so every field is aligned):
//!
//! | offset | type | what |
//! |---|---|---|
//! | 0 | `AtomicU32` | the lock: 0 = free, otherwise the holder's PID |
//! | 8 | `AtomicI64` | the value |
//! | 16 | `AtomicU32` | children ready at the start line |
//! | 20 | `AtomicU32` | the starting gun: 1 = go |

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use anyhow::Context;
use memmap2::MmapRaw;

const MAP_LEN: usize = 4096;
const LOCK_OFFSET: usize = 0;
const VALUE_OFFSET: usize = 8;
const READY_OFFSET: usize = 16;
const GO_OFFSET: usize = 20;
/// How long a child waits at the start line before going anyway (the
/// parent may have died).
const START_LINE_PATIENCE: Duration = Duration::from_secs(10);

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
    /// The cross-process lock: 0 = free, otherwise the holder's PID.
    pub lock: &'map AtomicU32,
    /// The shared value.
    pub value: &'map AtomicI64,
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

    /// A child's start line: report ready, then wait for the gun. Without
    /// it, each child would start ~1 ms after the previous one (the cost of
    /// a spawn) and a short loop could finish before the next one starts:
    /// no overlap, no race to see.
    pub fn start_line(&self) {
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
}
