//! Judgements from numbers: the one place a chapter turns two measurements
//! into a sentence ("faster", "a tie", "slower"), and the one place that says
//! *why* a run could not show an effect (one CPU, other programs busy).
//!
//! A chapter never prints a fixed sentence about a measurement: the same
//! code runs on a quiet 8-core laptop, on a 2-core VM with a browser
//! compiling in the background, and under `taskset -c 0`. So every verdict
//! is computed here from the numbers of the same run, with the thresholds
//! stated once:
//!
//! * two times within [`TIE_BAND`] of each other (ratio between 1/1.15 and
//!   1.15) are **a tie**: run-to-run noise on a shared machine is that large;
//! * past it, the faster one is **faster**, by the printed factor.
//!
//! [`Contention`] measures, over the same interval as the work, how many CPUs
//! this process could use and how much of them *other* processes took
//! (from `/proc/stat` and `/proc/self/stat`), so a chapter can say "no
//! parallel speedup here: this process may use only 1 CPU" instead of
//! printing a sentence its own numbers contradict.
//!
//! ```
//! use std::time::Duration;
//! use common::verdict::{Verdict, compare};
//!
//! let ms = Duration::from_millis;
//! assert_eq!(compare(ms(200), ms(100)).verdict, Verdict::Faster);
//! assert_eq!(compare(ms(200), ms(190)).verdict, Verdict::Tie);
//! assert_eq!(compare(ms(100), ms(200)).verdict, Verdict::Slower);
//! assert_eq!(compare(ms(200), ms(100)).to_string(), "2.0× faster");
//! ```

use std::fmt;
use std::time::{Duration, Instant};

use crate::timing::Speedup;

/// Ratios within this factor of 1 are a tie: `1/1.15 ≤ ratio ≤ 1.15`.
pub const TIE_BAND: f64 = 1.15;

/// How a candidate's time compares with a baseline's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The candidate took less than `1/TIE_BAND` of the baseline's time.
    Faster,
    /// Within [`TIE_BAND`] either way.
    Tie,
    /// The candidate took more than `TIE_BAND` times the baseline's time.
    Slower,
}

impl Verdict {
    /// The verdict for a speedup `ratio` (baseline time / candidate time).
    pub fn of_ratio(ratio: f64) -> Self {
        if ratio > TIE_BAND {
            Verdict::Faster
        } else if ratio < 1.0 / TIE_BAND {
            Verdict::Slower
        } else {
            Verdict::Tie
        }
    }

    /// The word a sentence uses: `faster`, `a tie`, `slower`.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Faster => "faster",
            Verdict::Tie => "a tie",
            Verdict::Slower => "slower",
        }
    }
}

/// A candidate measured against a baseline: the speedup and its verdict.
///
/// `Display` gives `2.0× faster`, `1.05×, a tie`, `0.50×: slower`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// Baseline time / candidate time (`> 1`: the candidate was quicker).
    pub ratio: f64,
    /// What the ratio means, with [`TIE_BAND`].
    pub verdict: Verdict,
}

/// Compares `candidate` with `baseline` (both measured in the same run).
pub fn compare(baseline: Duration, candidate: Duration) -> Comparison {
    ratio(crate::timing::speedup(baseline, candidate))
}

/// The [`Comparison`] for a ratio computed elsewhere (baseline / candidate).
pub fn ratio(ratio: f64) -> Comparison {
    Comparison { ratio, verdict: Verdict::of_ratio(ratio) }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.verdict {
            Verdict::Faster => write!(f, "{} faster", Speedup(self.ratio)),
            Verdict::Tie => write!(f, "{:.2}×, a tie", self.ratio),
            Verdict::Slower => write!(f, "{:.2}×: slower", self.ratio),
        }
    }
}

/// `count` and the noun, singular or plural: `1 link`, `2 links`, `0 links`.
///
/// ```
/// assert_eq!(common::verdict::plural(1_u32, "link"), "1 link");
/// assert_eq!(common::verdict::plural(3_u64, "update"), "3 updates");
/// ```
pub fn plural(count: impl Into<u128>, noun: &str) -> String {
    let count = count.into();
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

/// What this process had to run on while some work ran: the CPUs it may
/// use, and how much of them other processes took meanwhile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contention {
    /// CPUs this thread may run on (its affinity: `taskset`, a container).
    pub cpus_allowed: usize,
    /// CPUs' worth of time that *other* processes used on those CPUs during
    /// the interval (0.0 on a quiet machine; 1.0: one whole core busy).
    pub others_busy: f64,
}

impl Contention {
    /// CPUs' worth of time left for this process: allowed minus others'.
    pub fn cpus_free(&self) -> f64 {
        (self.cpus_allowed as f64 - self.others_busy).max(0.0)
    }

    /// Whether a parallel speedup of `workers` threads could show at all:
    /// at least 1.5 CPUs free and at least 2 workers.
    pub fn can_show_parallelism(&self, workers: usize) -> bool {
        workers >= 2 && self.cpus_free() >= 1.5
    }

    /// Why a parallel speedup may not show in this run, in one clause a
    /// learner reads ("this process may use only 1 CPU"), or `None` when
    /// nothing stood in its way.
    pub fn obstacle(&self) -> Option<String> {
        if self.cpus_allowed <= 1 {
            Some("this process may use only 1 CPU, so threads take turns on it".into())
        } else if self.cpus_free() < 1.5 {
            Some(format!(
                "other programs kept {:.1} of this process's {} CPUs busy meanwhile",
                self.others_busy, self.cpus_allowed
            ))
        } else {
            None
        }
    }
}

/// Measures [`Contention`] over an interval: [`start`](Self::start) before
/// the work, [`finish`](Self::finish) after.
#[derive(Debug)]
pub struct ContentionWatch {
    cpus: Vec<usize>,
    started: Instant,
    busy_ticks: u64,
    own_ticks: u64,
}

impl ContentionWatch {
    /// Starts watching the CPUs the calling thread may use.
    pub fn start() -> Self {
        let cpus = crate::affinity::allowed_cpus().unwrap_or_default();
        Self {
            busy_ticks: busy_ticks(&cpus),
            own_ticks: own_ticks(),
            cpus,
            started: Instant::now(),
        }
    }

    /// The contention since [`start`](Self::start). Where `/proc` cannot be
    /// read, `others_busy` is 0 (nothing is claimed that was not measured).
    pub fn finish(&self) -> Contention {
        let cpus_allowed = self.cpus.len().max(1);
        let elapsed = self.started.elapsed().as_secs_f64();
        let ticks = busy_ticks(&self.cpus).saturating_sub(self.busy_ticks);
        let own = own_ticks().saturating_sub(self.own_ticks);
        // Our own threads may also have run on CPUs outside the set (a
        // thread pinned elsewhere); counting all of ours against the set
        // only ever understates the others' share.
        let others = ticks.saturating_sub(own) as f64 / ticks_per_second();
        let others_busy = if elapsed > 0.0 {
            (others / elapsed).clamp(0.0, cpus_allowed as f64)
        } else {
            0.0
        };
        Contention { cpus_allowed, others_busy }
    }
}

/// Runs `work` and returns its value with the [`Contention`] it met.
pub fn watch<T>(work: impl FnOnce() -> T) -> (T, Contention) {
    let watch = ContentionWatch::start();
    let value = work();
    (value, watch.finish())
}

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf reads a configuration value; no memory is touched.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

/// Non-idle ticks of `cpus`, from `/proc/stat` (`cpuN user nice system idle
/// iowait irq softirq steal …`): everything but idle and iowait.
fn busy_ticks(cpus: &[usize]) -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else { return 0 };
    stat.lines()
        .filter_map(|line| {
            let mut fields = line.split_ascii_whitespace();
            let cpu: usize = fields.next()?.strip_prefix("cpu")?.parse().ok()?;
            cpus.contains(&cpu).then(|| {
                fields
                    .take(8)
                    .enumerate()
                    .filter(|(i, _)| *i != 3 && *i != 4)
                    .filter_map(|(_, value)| value.parse::<u64>().ok())
                    .sum::<u64>()
            })
        })
        .sum()
}

/// User + system ticks of this whole process (every thread), from
/// `/proc/self/stat`, plus those of children it has reaped.
fn own_ticks() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0 };
    // Fields after the parenthesised name: state is the 1st; utime, stime,
    // cutime, cstime the 12th to 15th.
    let Some((_, rest)) = stat.rsplit_once(") ") else { return 0 };
    rest.split(' ').skip(11).take(4).filter_map(|f| f.parse::<u64>().ok()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tie_band_is_symmetric_and_the_words_follow_the_ratio() {
        assert_eq!(Verdict::of_ratio(1.16), Verdict::Faster);
        assert_eq!(Verdict::of_ratio(1.14), Verdict::Tie);
        assert_eq!(Verdict::of_ratio(1.0 / 1.14), Verdict::Tie);
        assert_eq!(Verdict::of_ratio(1.0 / 1.16), Verdict::Slower);
        assert_eq!(ratio(1.05).to_string(), "1.05×, a tie");
        assert_eq!(ratio(0.5).to_string(), "0.50×: slower");
    }

    #[test]
    fn one_allowed_cpu_is_an_obstacle_to_parallelism() {
        let one = Contention { cpus_allowed: 1, others_busy: 0.0 };
        assert!(!one.can_show_parallelism(4));
        assert!(one.obstacle().unwrap().contains("only 1 CPU"));
        let busy = Contention { cpus_allowed: 2, others_busy: 1.2 };
        assert!(busy.obstacle().unwrap().contains("1.2 of this process's 2 CPUs"));
        let quiet = Contention { cpus_allowed: 2, others_busy: 0.1 };
        assert!(quiet.can_show_parallelism(2));
        assert_eq!(quiet.obstacle(), None);
    }

    #[test]
    fn a_busy_loop_in_another_process_shows_in_its_cpus_busy_time() {
        let cpus = crate::affinity::allowed_cpus().unwrap();
        // A spinning child on our first CPU (it inherits the pinning). The
        // raw busy ticks are checked, not `finish`: the other tests of this
        // binary run meanwhile, and `finish` subtracts their CPU time.
        let spinner = {
            let _pinned = crate::affinity::Pinned::to(cpus[0]).unwrap();
            crate::child::ChildGuard::spawn(
                "spinner",
                std::process::Command::new("sh").args(["-c", "while :; do :; done"]),
            )
            .unwrap()
        };
        let (before, started) = (busy_ticks(&[cpus[0]]), Instant::now());
        std::thread::sleep(Duration::from_millis(500));
        let busy = (busy_ticks(&[cpus[0]]) - before) as f64 / ticks_per_second();
        drop(spinner);
        let share = busy / started.elapsed().as_secs_f64();
        assert!(share > 0.5, "cpu {} was busy {share:.2} of the time", cpus[0]);
        let quiet = ContentionWatch::start().finish();
        assert!((0.0..=quiet.cpus_allowed as f64).contains(&quiet.others_busy));
    }
}
