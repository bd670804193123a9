//! This process's own figures, from Linux's `/proc/self/status`: how many
//! threads it has and how much memory is resident. std has no portable way
//! to ask (Python's `threading.active_count()` counts only threads Python
//! started); on other systems these return `None`.
//!
//! And the questions the chapters' tests ask about *other* processes: which
//! are still running under a tag ([`processes_with_env`]), and whether one
//! has really exited ([`has_exited`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// A snapshot of `/proc/self/status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Status {
    /// `Threads:` — every thread of this process, whoever started it.
    pub threads: u64,
    /// `VmRSS:` — resident memory, KiB.
    pub rss_kib: u64,
}

/// The current [`Status`], or `None` where `/proc` is not available.
///
/// ```
/// if let Some(status) = common::procfs::status() {
///     assert!(status.threads >= 1);
/// }
/// ```
pub fn status() -> Option<Status> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
    };
    Some(Status { threads: field("Threads:")?, rss_kib: field("VmRSS:")? })
}

/// Runs `f` while a sampler thread reads [`status`] every 2 ms, and returns
/// `f`'s value with the peak of each figure (the sampler itself excluded
/// from the thread count).
pub fn with_peaks<T>(f: impl FnOnce() -> T) -> (T, Status) {
    let stop = AtomicBool::new(false);
    let (threads, rss) = (AtomicU64::new(0), AtomicU64::new(0));
    let value = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::SeqCst) {
                if let Some(now) = status() {
                    threads.fetch_max(now.threads, Ordering::SeqCst);
                    rss.fetch_max(now.rss_kib, Ordering::SeqCst);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        // Stops the sampler however `f` ends: if it panics, the scope
        // would otherwise wait forever for a sampler that never stops,
        // instead of passing the panic on.
        struct StopOnDrop<'a>(&'a AtomicBool);
        impl Drop for StopOnDrop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let _stop = StopOnDrop(&stop);
        f()
    });
    let peak = Status {
        threads: threads.into_inner().saturating_sub(1),
        rss_kib: rss.into_inner(),
    };
    (value, peak)
}

/// The state letter of process `pid` (`R`, `S`, `Z`, …), or `None` if it
/// is gone (reaped) or `/proc` is not available.
pub fn state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The state follows the command name, which is in parentheses and may
    // itself contain spaces and parentheses: split at the last ") ".
    stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next())
}

/// Whether `pid` has exited: gone, or a zombie whose every thread has
/// exited. (A killed process's main thread can show `Z` while its other
/// threads are still on their way out, holding its files open.)
pub fn has_exited(pid: u32) -> bool {
    match state(pid) {
        None => true,
        Some('Z') => {
            std::fs::read_dir(format!("/proc/{pid}/task")).map_or(0, Iterator::count) <= 1
        }
        Some(_) => false,
    }
}

/// Running processes (zombies excluded) whose environment holds
/// `var=value`, whoever their parent is now. Tests start children with a
/// tag of their own in the environment and look for survivors this way:
/// tests run in parallel, and must not see each other's children.
pub fn processes_with_env(var: &str, value: &str) -> Vec<u32> {
    let needle = format!("{var}={value}");
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| {
            let environ =
                std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            environ.split(|&b| b == 0).any(|entry| entry == needle.as_bytes())
        })
        .filter(|&pid| state(pid).is_some_and(|s| s != 'Z'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tagged_child_is_found_while_it_runs_and_not_after_it_exits() {
        let tag = format!("procfs-test-{}", std::process::id());
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .env("PROCFS_TEST_TAG", &tag)
            .spawn()
            .expect("sleep runs");
        let pid = child.id();
        // The new program's environment shows in /proc once exec is done,
        // which can be a moment after spawn returns: poll for it.
        let started = std::time::Instant::now();
        while processes_with_env("PROCFS_TEST_TAG", &tag).is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "never saw the tagged child"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(processes_with_env("PROCFS_TEST_TAG", &tag), [pid]);
        assert!(state(pid).is_some());
        assert!(!has_exited(pid));
        child.kill().expect("kill");
        child.wait().expect("reap");
        assert!(processes_with_env("PROCFS_TEST_TAG", &tag).is_empty());
        assert!(has_exited(pid));
        assert_eq!(state(pid), None, "reaped: gone from /proc");
    }

    #[test]
    fn a_panic_in_the_closure_is_passed_on_not_a_hang() {
        let result = std::panic::catch_unwind(|| with_peaks(|| panic!("inside")));
        let payload = result.expect_err("the panic reaches the caller");
        assert_eq!(crate::pool::panic_message(payload.as_ref()), "inside");
    }

    #[test]
    fn peaks_see_threads_that_lived_only_inside_the_closure() {
        let Some(before) = status() else { return }; // not Linux
        let gate = std::sync::Barrier::new(5);
        let ((), peak) = with_peaks(|| {
            std::thread::scope(|scope| {
                for _ in 0..4 {
                    scope.spawn(|| {
                        gate.wait();
                        std::thread::sleep(Duration::from_millis(200));
                    });
                }
                gate.wait(); // all four are alive now
                std::thread::sleep(Duration::from_millis(200));
            });
        });
        // At least the four workers and this test's own thread, whatever
        // other tests' threads (running in this process) did meanwhile.
        assert!(peak.threads >= 5, "{before:?} → {peak:?}");
    }
}
