//! The chapter's own options, and their checks: bad input is one line and
//! a non-zero exit, never a panic. [`crate::Config::from_args`] runs the
//! checks and builds the run's settings from them.

use clap::ValueEnum;
use common::sections::SectionArgs;

use crate::digits::{estimated_bytes, estimated_digits};
use crate::estimate;
use crate::methods::{FactorialError, Method};

/// Factorial's options, beside the section and `--quick` every chapter
/// takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Options {
    /// n for sections 4 and 6 [default: 1000000, or 100000 with --quick]
    #[arg(long, value_parser = parse_n, allow_hyphen_values = true)]
    pub n: Option<u64>,
    /// Worker threads and processes [default: one per core]
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub workers: Option<u16>,
    /// Only this method in sections 4 and 6 [default: all]
    #[arg(long, value_enum)]
    pub method: Option<Method>,
    /// Print the full decimal numbers (section 3: the lecture's output)
    #[arg(long)]
    pub print_digits: bool,
    /// Run even when sections 4 and 6 are estimated past 3 minutes
    #[arg(long)]
    pub allow_long: bool,
}

/// Sections that use `--n`, `--method` (huge, speedup).
pub const N_SECTIONS: [u32; 2] = [4, 6];
/// Sections that use `--print-digits` (lecture, huge).
pub const PRINT_DIGITS_SECTIONS: [u32; 2] = [3, 4];
/// Sections that use `--workers`: every one with a pool or rayon (section 6
/// builds its own pools of 1, 2, … threads; section 1 runs on one thread).
pub const WORKERS_SECTIONS: [u32; 5] = [2, 3, 4, 5, 7];
/// The number of the speedup section, which times a parallel method only.
const SPEEDUP: u32 = 6;

impl Options {
    /// Checks that every option given is used by a section that runs (of
    /// those `sections` chose), and that section 6 is asked for a method it
    /// can time on many threads. Each failure is one clap error naming the
    /// option.
    pub fn check(&self, sections: &SectionArgs) -> Result<(), clap::Error> {
        use common::sections::option_used_by;
        if self.n.is_some() {
            option_used_by(sections, crate::SECTIONS, "--n", &N_SECTIONS)?;
        }
        if let Some(method) = self.method {
            option_used_by(sections, crate::SECTIONS, "--method", &N_SECTIONS)?;
            let chosen = sections.chosen(crate::SECTIONS)?;
            if !method.is_parallel() && chosen.iter().any(|s| s.number == SPEEDUP) {
                let value = method.to_possible_value().expect("no skipped methods");
                return Err(clap::Error::raw(
                    clap::error::ErrorKind::ArgumentConflict,
                    format!(
                        "--method {} runs on one thread, and section 6 (speedup) times a \
                         method on 1, 2, … threads: choose tree-parallel, primes or ntt, or \
                         run section 4 alone (huge --method {0})\n",
                        value.get_name()
                    ),
                ));
            }
        }
        if self.print_digits {
            option_used_by(
                sections,
                crate::SECTIONS,
                "--print-digits",
                &PRINT_DIGITS_SECTIONS,
            )?;
        }
        if self.workers.is_some() {
            option_used_by(sections, crate::SECTIONS, "--workers", &WORKERS_SECTIONS)?;
        }
        if self.allow_long {
            option_used_by(sections, crate::SECTIONS, "--allow-long", &N_SECTIONS)?;
        }
        Ok(())
    }

    /// Estimates the run's time before it starts ([`crate::estimate`]): the
    /// machine's measured speed when the run is long enough to measure it,
    /// or a one-line refusal with the estimate and what to try instead when
    /// it passes [`estimate::LIMIT`] without `--allow-long`.
    pub fn plan(
        &self,
        sections: &SectionArgs,
    ) -> Result<Option<estimate::Speed>, clap::Error> {
        let n = self.n(sections.quick);
        let sections: Vec<u32> =
            sections.chosen(crate::SECTIONS)?.iter().map(|s| s.number).collect();
        let cores = common::pool::cpu_workers();
        let work = estimate::run_work(&sections, self.method, n, cores);
        let Some((total, speed)) = estimate::estimate(&work, n) else {
            return Ok(None);
        };
        if total > estimate::LIMIT && !self.allow_long {
            return Err(clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("{}\n", estimate::refusal(total, speed, n, &sections, cores)),
            ));
        }
        Ok(Some(speed))
    }

    /// n for sections 4 and 6: `--n`, or the default of a `quick` run or a
    /// full one.
    pub fn n(&self, quick: bool) -> u64 {
        self.n.unwrap_or(if quick { crate::QUICK_N } else { crate::DEFAULT_N })
    }

    /// Worker threads and processes: `--workers`, or one per core.
    pub fn workers(&self) -> usize {
        self.workers.map_or_else(common::pool::cpu_workers, usize::from)
    }
}

/// The largest result this program agrees to compute, in MiB. 10,000,000!
/// is about 26 MiB; much beyond, num-bigint (no FFT multiplication) would
/// take minutes to hours.
pub const LIMIT_MIB: u64 = 32;

/// Parses `--n`: a whole number ≥ 0 whose factorial fits under
/// [`LIMIT_MIB`], estimated before anything is computed.
///
/// ```
/// use factorial::cli::parse_n;
/// assert_eq!(parse_n("1000"), Ok(1000));
/// assert!(parse_n("-5").unwrap_err().contains("negative"));
/// assert!(parse_n("ten").unwrap_err().contains("whole number"));
/// assert!(parse_n("100000000").unwrap_err().contains("MiB"));
/// ```
pub fn parse_n(text: &str) -> Result<u64, String> {
    let n: i128 = text
        .trim()
        .parse()
        .map_err(|_| format!("--n must be a whole number, not {text:?}"))?;
    let n = i64::try_from(n).map_err(|_| format!("--n {text} is out of range"))?;
    let n = u64::try_from(n).map_err(|_| FactorialError::Negative(n).to_string())?;
    let mib = estimated_bytes(n) / (1024.0 * 1024.0);
    if mib > LIMIT_MIB as f64 {
        let err = FactorialError::TooLarge {
            n,
            digits: estimated_digits(n),
            mib,
            limit_mib: LIMIT_MIB,
        };
        return Err(err.to_string());
    }
    Ok(n)
}
