//! This process's own figures, from Linux's `/proc/self/status`: how many
//! threads it has and how much memory is resident. std has no portable way
//! to ask (Python's `threading.active_count()` counts only threads Python
//! started); on other systems these return `None`.

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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(peak.threads >= before.threads + 4, "{before:?} → {peak:?}");
    }
}
