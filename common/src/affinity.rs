//! Which CPUs a thread may run on: what `taskset` sets from the shell.
//!
//! A wake-up costs different amounts depending on *where* the woken thread
//! runs: on the waker's own core it is a context switch; on another core the
//! kernel must interrupt that core first. On a 2-core machine the scheduler
//! picks one or the other from run to run, so a latency measured without
//! pinning swings by 2× with no change to the code. Pinning both ends first
//! makes two measurements comparable.
//!
//! A thread's CPU set is inherited: by the threads it spawns and by the
//! processes it starts (through `fork` and `exec`). So "pin, start the
//! child, pin elsewhere" puts the child on one core and the caller on
//! another, without touching the child.
//!
//! Linux only (`sched_setaffinity(2)`), like the rest of this workspace.

use std::io;
use std::mem;

/// The CPUs the calling thread may run on, in increasing order (what
/// `taskset -p $$` shows, and what a container's cpuset allows).
///
/// ```
/// let cpus = common::affinity::allowed_cpus()?;
/// assert!(!cpus.is_empty());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn allowed_cpus() -> io::Result<Vec<usize>> {
    let set = current()?;
    // SAFETY: `CPU_ISSET` only reads the set, for an index below its size.
    Ok((0..libc::CPU_SETSIZE as usize)
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .collect())
}

/// The calling thread, pinned to one CPU until this guard drops; then it
/// may run where it could before.
#[must_use = "the thread is unpinned when the guard drops"]
pub struct Pinned {
    before: libc::cpu_set_t,
}

impl Pinned {
    /// Pins the calling thread to `cpu` (one of [`allowed_cpus`]).
    pub fn to(cpu: usize) -> io::Result<Self> {
        let before = current()?;
        set(&only(cpu)?)?;
        Ok(Self { before })
    }

    /// Moves the calling thread to `cpu`, keeping the guard's way back.
    pub fn move_to(&self, cpu: usize) -> io::Result<()> {
        set(&only(cpu)?)
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        if let Err(err) = set(&self.before) {
            tracing::warn!(%err, "could not restore this thread's CPU affinity");
        }
    }
}

fn only(cpu: usize) -> io::Result<libc::cpu_set_t> {
    if cpu >= libc::CPU_SETSIZE as usize {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("no CPU {cpu}")));
    }
    // SAFETY: an all-zero `cpu_set_t` is the empty set (it is a plain bit
    // array), and `CPU_SET` writes one bit below `CPU_SETSIZE`, checked above.
    let mut set: libc::cpu_set_t = unsafe { mem::zeroed() };
    unsafe { libc::CPU_SET(cpu, &mut set) };
    Ok(set)
}

/// The calling thread's CPU set.
fn current() -> io::Result<libc::cpu_set_t> {
    // SAFETY: as in `only`; the kernel fills at most `size_of` bytes.
    let mut set: libc::cpu_set_t = unsafe { mem::zeroed() };
    let done = unsafe { libc::sched_getaffinity(0, mem::size_of_val(&set), &mut set) };
    if done == 0 { Ok(set) } else { Err(io::Error::last_os_error()) }
}

/// Sets the calling thread's CPU set (pid 0 is the calling thread).
fn set(set: &libc::cpu_set_t) -> io::Result<()> {
    // SAFETY: the kernel reads `size_of` bytes of a valid set.
    let done = unsafe { libc::sched_setaffinity(0, mem::size_of_val(set), set) };
    if done == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_thread_runs_only_there_and_gets_its_cpus_back() {
        let before = allowed_cpus().unwrap();
        let last = *before.last().unwrap();
        std::thread::scope(|scope| {
            // In a thread of its own, so no other test shares the pinning.
            scope.spawn(|| {
                let pinned = Pinned::to(last).unwrap();
                assert_eq!(allowed_cpus().unwrap(), [last]);
                pinned.move_to(before[0]).unwrap();
                assert_eq!(allowed_cpus().unwrap(), [before[0]]);
                // A thread spawned now inherits the pinning.
                let inherited =
                    std::thread::spawn(|| allowed_cpus().unwrap()).join().unwrap();
                assert_eq!(inherited, [before[0]]);
                drop(pinned);
                assert_eq!(allowed_cpus().unwrap(), before);
            });
        });
    }

    #[test]
    fn a_cpu_out_of_range_is_an_error() {
        assert!(Pinned::to(libc::CPU_SETSIZE as usize).is_err());
    }
}
