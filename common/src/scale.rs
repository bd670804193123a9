//! The notebook's values, scaled for this run.
//!
//! The notebooks sleep for seconds to stand in for work (`time.sleep(2)`) and
//! loop over sizes chosen for a patient reader. A chapter divides every
//! sleep by one factor so a full run takes seconds, not minutes, and
//! `--quick` (what the tests use) shrinks sleeps and sizes again. One value,
//! [`Scale`], carries the rule, so every lesson says `scale.sleep(2.0)` for
//! "the notebook's 2 seconds" and the chapter's README states the factor
//! once.
//!
//! ```
//! use std::time::Duration;
//! use common::scale::Scale;
//!
//! let chapter = Scale::divide_sleeps_by(10).quick_divides_by(5);
//!
//! let full = chapter.quick(false);
//! assert_eq!(full.sleep(2.0), Duration::from_millis(200));
//! assert_eq!(full.size(1_000_000), 1_000_000);
//!
//! let quick = chapter.quick(true);
//! assert_eq!(quick.sleep(2.0), Duration::from_millis(40));
//! assert_eq!(quick.divisor(), 50);
//! assert_eq!(quick.size(1_000_000), 100_000);
//! assert_eq!(quick.pick(20_000, 2_000), 2_000);
//! ```

use std::time::Duration;

/// How this run shrinks the notebook's sleeps and sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// Every notebook sleep is divided by this (10: 2 s → 200 ms).
    sleep_divisor: u32,
    /// …and by this much more under `--quick`.
    quick_divisor: u32,
    /// Whether this is a `--quick` run.
    quick: bool,
}

/// Sizes shrink by this under `--quick` (a tenth of the notebook's `n`).
pub const QUICK_SIZE_DIVISOR: u64 = 10;

impl Scale {
    /// Every notebook sleep divided by `divisor` (at least 1): a full run,
    /// whose sleeps `--quick` does not shrink further until
    /// [`quick_divides_by`](Self::quick_divides_by) says by how much.
    pub const fn divide_sleeps_by(divisor: u32) -> Self {
        assert!(divisor >= 1, "divisors are at least 1");
        Self { sleep_divisor: divisor, quick_divisor: 1, quick: false }
    }

    /// …and by `divisor` (at least 1) more under `--quick`.
    pub const fn quick_divides_by(self, divisor: u32) -> Self {
        assert!(divisor >= 1, "divisors are at least 1");
        Self { quick_divisor: divisor, ..self }
    }

    /// This scale for a `--quick` run (`true`) or a full one (`false`).
    pub const fn quick(self, quick: bool) -> Self {
        Self { quick, ..self }
    }

    /// Whether this is a `--quick` run.
    pub fn is_quick(&self) -> bool {
        self.quick
    }

    /// What every notebook sleep is divided by in this run (10, or 50 with
    /// `--quick` and a quick divisor of 5), to print beside scaled sleeps.
    pub fn divisor(&self) -> u32 {
        self.sleep_divisor * if self.quick { self.quick_divisor } else { 1 }
    }

    /// The notebook's sleep of `seconds`, for this run.
    pub fn sleep(&self, seconds: f64) -> Duration {
        Duration::from_secs_f64(seconds / f64::from(self.divisor()))
    }

    /// The notebook's workload size `n`, for this run: `n`, or
    /// `n / `[`QUICK_SIZE_DIVISOR`] under `--quick`.
    pub fn size(&self, n: u64) -> u64 {
        if self.quick { n / QUICK_SIZE_DIVISOR } else { n }
    }

    /// `full` in a normal run, `quick` under `--quick` — for values that do
    /// not shrink by a rule (a task count, a worker count).
    pub fn pick<T>(&self, full: T, quick: T) -> T {
        if self.quick { quick } else { full }
    }
}
