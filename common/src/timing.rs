//! Measuring wall-clock time, and printing it the same way in every chapter.
//!
//! Python's notebooks do `start = time.time()` … `time.time() - start` and print
//! with `:.2f`. Here [`time`] does both halves at once and hands back the value
//! *and* the [`Duration`], so a demo can check its result and show its cost
//! from one call. [`Instant`] is monotonic (never jumps when the wall clock is
//! adjusted), which is what `time.perf_counter()` is in Python.

use std::fmt;
use std::time::{Duration, Instant};

/// Runs `f` once and returns its value together with how long it took.
///
/// ```
/// let (sum, took) = common::timing::time(|| (1..=10u64).sum::<u64>());
/// assert_eq!(sum, 55);
/// assert!(took < std::time::Duration::from_secs(1));
/// ```
pub fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

/// Runs `f` `runs` times (at least once) and returns the last value with the
/// **shortest** time.
///
/// On a shared machine a run can only be slowed down by outside noise (other
/// processes, a busy neighbour VM), never sped up, so the minimum is the best
/// estimate of what the code itself costs. Benchmarks proper (criterion) do
/// this with statistics; demos use this.
///
/// ```
/// let (v, best) = common::timing::best_of(3, || 6 * 7);
/// assert_eq!(v, 42);
/// assert!(best < std::time::Duration::from_secs(1));
/// ```
pub fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (T, Duration) {
    let (mut value, mut best) = time(&mut f);
    for _ in 1..runs {
        let (v, took) = time(&mut f);
        value = v;
        best = best.min(took);
    }
    (value, best)
}

/// A stopwatch: started on creation, read as often as you like.
///
/// ```
/// use common::timing::Stopwatch;
/// let watch = Stopwatch::start();
/// std::thread::sleep(std::time::Duration::from_millis(5));
/// assert!(watch.elapsed() >= std::time::Duration::from_millis(5));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch {
    started: Instant,
}

impl Stopwatch {
    /// Starts a new stopwatch now.
    pub fn start() -> Self {
        Self { started: Instant::now() }
    }

    /// The instant the stopwatch was started (useful as a timeline origin).
    pub fn started_at(&self) -> Instant {
        self.started
    }

    /// Time since [`Stopwatch::start`].
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// How many times faster `fast` is than `baseline` (`baseline / fast`).
///
/// Returns `f64::INFINITY` when `fast` is zero, so a caller never divides by
/// zero on a very quick run.
///
/// ```
/// use std::time::Duration;
/// let s = common::timing::speedup(Duration::from_secs(6), Duration::from_secs(2));
/// assert_eq!(s, 3.0);
/// ```
pub fn speedup(baseline: Duration, fast: Duration) -> f64 {
    if fast.is_zero() {
        return f64::INFINITY;
    }
    baseline.as_secs_f64() / fast.as_secs_f64()
}

/// Formats a duration with a unit a human reads at a glance:
/// `850 ns`, `12.3 µs`, `4.56 ms`, `1.23 s`, `2 m 05 s`.
///
/// Three significant figures are enough to compare runs; more would only show
/// noise.
///
/// ```
/// use std::time::Duration;
/// use common::timing::HumanDuration;
/// assert_eq!(HumanDuration(Duration::from_millis(1234)).to_string(), "1.23 s");
/// assert_eq!(HumanDuration(Duration::from_micros(4560)).to_string(), "4.56 ms");
/// assert_eq!(HumanDuration(Duration::from_nanos(12_300)).to_string(), "12.3 µs");
/// assert_eq!(HumanDuration(Duration::from_nanos(850)).to_string(), "850 ns");
/// assert_eq!(HumanDuration(Duration::from_secs(125)).to_string(), "2 m 05 s");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        let text = if nanos < 1_000 {
            format!("{nanos} ns")
        } else if nanos < 1_000_000 {
            format!("{} µs", three_figures(nanos as f64 / 1e3))
        } else if nanos < 1_000_000_000 {
            format!("{} ms", three_figures(nanos as f64 / 1e6))
        } else if nanos < 60_000_000_000 {
            format!("{} s", three_figures(nanos as f64 / 1e9))
        } else {
            let secs = self.0.as_secs();
            format!("{} m {:02} s", secs / 60, secs % 60)
        };
        // `pad` honours width and alignment, so tables can right-align it.
        f.pad(&text)
    }
}

/// Formats a speedup factor the way the notebooks print it: `5.0×`.
///
/// ```
/// use common::timing::Speedup;
/// assert_eq!(Speedup(4.96).to_string(), "5.0×");
/// assert_eq!(Speedup(f64::INFINITY).to_string(), "∞×");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speedup(pub f64);

impl fmt::Display for Speedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = if self.0.is_finite() {
            format!("{:.1}×", self.0)
        } else {
            "∞×".to_string()
        };
        f.pad(&text)
    }
}

/// Rounds to three significant figures for values in `[1, 1000)`.
fn three_figures(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_duration_boundaries() {
        let h = |d| HumanDuration(d).to_string();
        assert_eq!(h(Duration::ZERO), "0 ns");
        assert_eq!(h(Duration::from_nanos(999)), "999 ns");
        assert_eq!(h(Duration::from_nanos(1_000)), "1.00 µs");
        assert_eq!(h(Duration::from_micros(999)), "999 µs");
        assert_eq!(h(Duration::from_millis(200)), "200 ms");
        assert_eq!(h(Duration::from_secs(6)), "6.00 s");
        assert_eq!(h(Duration::from_secs(59)), "59.0 s");
        assert_eq!(h(Duration::from_secs(60)), "1 m 00 s");
    }

    #[test]
    fn padding_is_honoured_for_tables() {
        assert_eq!(format!("{:>8}", HumanDuration(Duration::from_millis(5))), " 5.00 ms");
        assert_eq!(format!("{:>6}", Speedup(2.0)), "  2.0×");
    }

    #[test]
    fn speedup_handles_zero() {
        assert!(speedup(Duration::from_secs(1), Duration::ZERO).is_infinite());
        assert_eq!(speedup(Duration::from_secs(1), Duration::from_secs(4)), 0.25);
    }
}
