//! The command line's own checks: bad input is one line and a non-zero
//! exit, never a panic.

use crate::digits::{estimated_bytes, estimated_digits};
use crate::methods::FactorialError;

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
