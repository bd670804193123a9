//! How long a run will take, said before it starts — and refused when it
//! would take too long.
//!
//! Each method's time grows as a power of n, which sections 4 and 6 let you
//! see: the naive loop is quadratic (n multiplications of a number that grows
//! with n), the product tree about n^1.6 (Karatsuba and Toom-3 products),
//! the NTT about n^1.2 (n·log n products). [`MODELS`] states each method's
//! time at n = 1,000,000 on the machine the chapter was written on, and its
//! exponent. This machine's speed is measured once, before the run: a small
//! factorial ([`CALIBRATION_N`]! by the product tree, a few milliseconds) is
//! timed and compared with the model's figure for it, and every estimate is
//! scaled by that ratio. An estimate is a guide (within a factor of two or
//! so: other programs, the first NTT plans), not a promise.

use std::fmt;
use std::time::Duration;

use common::timing::{HumanDuration, time};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::methods::{Method, factorial, methods_for};

/// A method's time on the reference machine: `secs_at_million` seconds for
/// 1,000,000!, times (n / 1,000,000)^`exponent`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    /// The method.
    pub method: Method,
    /// Seconds for 1,000,000! (dev build, 2-core VM).
    pub secs_at_million: f64,
    /// How the time grows with n.
    pub exponent: f64,
}

/// The models, fitted on the chapter's own runs (`time-factorial N METHOD`,
/// dev build, 2-core VM, n from 25,000 to 12,000,000).
pub const MODELS: [Model; 5] = [
    Model { method: Method::Naive, secs_at_million: 100.0, exponent: 2.0 },
    Model { method: Method::Tree, secs_at_million: 1.6, exponent: 1.6 },
    Model { method: Method::ParallelTree, secs_at_million: 1.0, exponent: 1.6 },
    Model { method: Method::Primes, secs_at_million: 0.75, exponent: 1.5 },
    Model { method: Method::Ntt, secs_at_million: 0.3, exponent: 1.2 },
];

/// The factorial timed to measure this machine's speed (by the product tree:
/// one core, no NTT plans, about 13 ms on the reference machine).
pub const CALIBRATION_N: u64 = 50_000;

/// Runs estimated past this are refused unless `--allow-long` is given.
pub const LIMIT: Duration = Duration::from_secs(180);

/// Sections estimated past this say so before they start.
pub const ANNOUNCE: Duration = Duration::from_secs(3);

/// Work past this shows a progress bar (on a terminal).
pub const PROGRESS: Duration = Duration::from_secs(2);

/// Below this (by the models alone) nothing is measured or said.
const WORTH_CALIBRATING: Duration = Duration::from_secs(1);

/// The model's time for n! by `method` on the reference machine.
pub fn nominal(method: Method, n: u64) -> Duration {
    let model = MODELS.iter().find(|m| m.method == method).expect("a model per method");
    let secs = model.secs_at_million * (n.max(1) as f64 / 1e6).powf(model.exponent);
    Duration::from_secs_f64(secs.min(1e9))
}

/// This machine's speed against the reference machine, measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speed {
    /// How long [`CALIBRATION_N`]! by the product tree took here.
    pub measured: Duration,
    /// `measured` ÷ the model's figure for it: 2.0 means half as fast.
    pub factor: f64,
}

impl Speed {
    /// The speed from a calibration run that took `measured`.
    pub fn from_calibration(measured: Duration) -> Self {
        let expected = nominal(Method::Tree, CALIBRATION_N).as_secs_f64();
        let factor = (measured.as_secs_f64() / expected).clamp(0.05, 50.0);
        Self { measured, factor }
    }

    /// Times [`CALIBRATION_N`]! by the product tree, now.
    pub fn measure() -> Self {
        let (_, measured) = time(|| factorial(CALIBRATION_N, Method::Tree));
        Self::from_calibration(measured)
    }

    /// The estimate for work the models put at `nominal`.
    pub fn scale(self, nominal: Duration) -> Duration {
        Duration::from_secs_f64((nominal.as_secs_f64() * self.factor).min(1e9))
    }
}

/// The factorials a run computes by the models: the method and how many
/// runs' worth of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Work(pub Vec<(Method, f64)>);

impl Work {
    /// The model's time for all of it, on the reference machine.
    pub fn nominal(&self, n: u64) -> Duration {
        self.0.iter().map(|&(method, runs)| nominal(method, n).mul_f64(runs)).sum()
    }
}

/// Section 4's work: each method once, then the fastest prime-exponent method
/// once more for its phase-by-phase profile.
pub fn huge_work(n: u64, method: Option<Method>) -> Work {
    let methods = methods_for(n, method);
    let mut work: Vec<(Method, f64)> = methods.iter().map(|&m| (m, 1.0)).collect();
    if let Some(profiled) =
        [Method::Ntt, Method::Primes].into_iter().find(|m| methods.contains(m))
    {
        work.push((profiled, 1.0));
    }
    Work(work)
}

/// Section 6's work: one parallel method on pools of 1, 2, … threads; a
/// pool with fewer threads than cores takes about cores ÷ threads as long.
pub fn speedup_work(method: Option<Method>, cores: usize) -> Work {
    let method = method.filter(|m| m.is_parallel()).unwrap_or(Method::Primes);
    let runs: f64 = thread_counts(cores)
        .into_iter()
        .map(|threads| cores as f64 / threads.min(cores) as f64)
        .sum();
    Work(vec![(method, runs)])
}

/// What a run's sections will compute: `sections` are the numbers of the
/// sections that run.
pub fn run_work(sections: &[u32], method: Option<Method>, n: u64, cores: usize) -> Work {
    let mut work = Vec::new();
    if sections.contains(&4) {
        work.extend(huge_work(n, method).0);
    }
    if sections.contains(&6) {
        work.extend(speedup_work(method, cores).0);
    }
    Work(work)
}

/// The estimate for a run, or `None` when the models put it under a second
/// (then nothing is measured: there is nothing to warn about).
pub fn estimate(work: &Work, n: u64) -> Option<(Duration, Speed)> {
    let nominal = work.nominal(n);
    (nominal >= WORTH_CALIBRATING).then(|| {
        let speed = Speed::measure();
        (speed.scale(nominal), speed)
    })
}

/// Why a run is refused, with what would run instead: one line.
pub fn refusal(
    estimate: Duration,
    speed: Speed,
    n: u64,
    sections: &[u32],
    cores: usize,
) -> String {
    let ntt = speed.scale(run_work(sections, Some(Method::Ntt), n, cores).nominal(n));
    let faster = if ntt <= LIMIT {
        format!("--method ntt (about {}), ", Rough(ntt))
    } else {
        String::new()
    };
    format!(
        "--n {n} would take about {} here (the models scaled by {CALIBRATION_N}! timed just \
         now: {}), past the {} this program runs without asking; try {faster}a smaller --n, \
         or add --allow-long to run it anyway",
        Rough(estimate),
        HumanDuration(speed.measured),
        Rough(LIMIT)
    )
}

/// The line a section prints before long work.
pub fn announcement(estimate: Duration, speed: Speed) -> String {
    format!(
        "This will take about {} (estimated from {CALIBRATION_N}! timed just now: {}).",
        Rough(estimate),
        HumanDuration(speed.measured)
    )
}

/// A progress bar for work estimated at `estimate`: drawn on stderr only
/// when stdout is a terminal and the work passes [`PROGRESS`]; hidden
/// otherwise (piped output and tests stay clean).
pub fn progress_bar(len: u64, estimate: Option<Duration>) -> ProgressBar {
    use std::io::IsTerminal;
    let long = estimate.is_some_and(|e| e >= PROGRESS);
    let target = if long && std::io::stdout().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    let about = estimate.map_or(String::new(), |e| format!(" of about {}", Rough(e)));
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {{msg}} [{{bar:20}}] {{pos}}/{{len}} {{elapsed}}{about}"
        ))
        .expect("a valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// A duration rounded for an estimate: "4 s", "40 s", "3 min", "4.0 h".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rough(pub Duration);

impl fmt::Display for Rough {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs_f64();
        if secs < 90.0 {
            write!(f, "{:.0} s", secs.max(1.0))
        } else if secs < 5400.0 {
            write!(f, "{:.0} min", secs / 60.0)
        } else {
            write!(f, "{:.1} h", secs / 3600.0)
        }
    }
}

/// Thread counts to try: 1, 2, 4, … up to the cores, and one count beyond
/// them (to show that more threads than cores do not help).
pub fn thread_counts(cores: usize) -> Vec<usize> {
    let mut counts = vec![1];
    while *counts.last().expect("non-empty") < cores {
        let next = (counts.last().expect("non-empty") * 2).min(cores);
        counts.push(next);
    }
    counts.push(cores * 2);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_estimate_grows_with_n() {
        for model in MODELS {
            let mut last = Duration::ZERO;
            for n in [1_000, 10_000, 100_000, 1_000_000, 5_000_000, 12_000_000] {
                let t = nominal(model.method, n);
                assert!(
                    t > last,
                    "{}: {n}! in {t:?}, not more than {last:?}",
                    model.method
                );
                last = t;
            }
        }
    }

    #[test]
    fn the_methods_order_as_their_algorithms_do_for_large_n() {
        for n in [1_000_000, 4_000_000, 12_000_000] {
            let times: Vec<Duration> =
                Method::ALL.iter().map(|&m| nominal(m, n)).collect();
            // Method::ALL is slowest first.
            assert!(times.windows(2).all(|w| w[0] > w[1]), "{n}: {times:?}");
        }
        // The naive loop is hours at the size limit; the NTT is seconds.
        assert!(nominal(Method::Naive, 12_000_000) > Duration::from_secs(3600));
        assert!(nominal(Method::Ntt, 12_000_000) < Duration::from_secs(30));
    }

    #[test]
    fn a_slower_machine_scales_every_estimate() {
        let reference = nominal(Method::Tree, CALIBRATION_N);
        let same = Speed::from_calibration(reference);
        assert!((same.factor - 1.0).abs() < 1e-9);
        let half = Speed::from_calibration(reference * 2);
        let work = huge_work(2_000_000, None);
        let (a, b) =
            (same.scale(work.nominal(2_000_000)), half.scale(work.nominal(2_000_000)));
        assert!((b.as_secs_f64() / a.as_secs_f64() - 2.0).abs() < 1e-6, "{a:?} {b:?}");
    }

    #[test]
    fn a_run_s_work_is_the_sections_that_run() {
        let n = 12_000_000;
        let huge = run_work(&[4], None, n, 2).nominal(n);
        let speedup = run_work(&[6], None, n, 2).nominal(n);
        assert_eq!(
            run_work(&[1, 2, 3, 4, 5, 6, 7], None, n, 2).nominal(n),
            huge + speedup
        );
        assert_eq!(run_work(&[3], None, n, 2).nominal(n), Duration::ZERO);
        // Above its limit the naive loop runs only when asked for.
        assert!(!huge_work(n, None).0.iter().any(|&(m, _)| m == Method::Naive));
        assert!(run_work(&[4], Some(Method::Naive), n, 2).nominal(n) > LIMIT);
        // Section 6 on 2 cores: 1 thread (twice as long), 2 and 4 threads.
        assert_eq!(speedup_work(None, 2), Work(vec![(Method::Primes, 4.0)]));
    }

    #[test]
    fn the_refusal_and_the_announcement_give_the_estimate_and_its_source() {
        let speed = Speed::from_calibration(Duration::from_millis(26));
        let n = 12_000_000;
        let work = run_work(&[4], Some(Method::Naive), n, 2);
        let estimate = speed.scale(work.nominal(n));
        let line = refusal(estimate, speed, n, &[4], 2);
        assert!(!line.contains('\n'), "{line}");
        for part in [
            "--n 12000000 would take about ",
            " h here",
            "26.0 ms",
            "--method ntt (about ",
        ] {
            assert!(line.contains(part), "{part:?} missing: {line}");
        }
        let said = announcement(Duration::from_secs(42), speed);
        assert_eq!(
            said,
            "This will take about 42 s (estimated from 50000! timed just now: 26.0 ms)."
        );
    }

    #[test]
    fn rough_durations_read_as_estimates() {
        assert_eq!(Rough(Duration::from_millis(4_270)).to_string(), "4 s");
        assert_eq!(Rough(Duration::from_millis(300)).to_string(), "1 s");
        assert_eq!(Rough(Duration::from_secs(42)).to_string(), "42 s");
        assert_eq!(Rough(Duration::from_secs(180)).to_string(), "3 min");
        assert_eq!(Rough(Duration::from_secs(14_400)).to_string(), "4.0 h");
    }
}
