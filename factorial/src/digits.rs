//! Decimal digits of huge numbers: how many (without printing them), and the
//! full string (fast, in parallel).
//!
//! *A library, not a lesson:* §3, §4 and §5 print digits with it.
//!
//! A `BigUint` is stored in binary; every decimal digit must be *computed*.
//! Converting with `to_string` repeatedly divides by a power of ten; for
//! 1,000,000! (5.5 million digits) that is seconds. So:
//!
//! * **Counting digits** needs no conversion: log₁₀(n!) = ln Γ(n+1) / ln 10,
//!   from Stirling's series, gives the count unless the value sits within a
//!   hair of a power of ten — then one exact comparison decides.
//! * **The full string** is built by divide and conquer: split the number
//!   by 10^(m) into a high and a low half, convert the halves *in parallel*
//!   into their own parts of the output buffer, recurse. The powers of ten
//!   are squared up by NTT, and each level's divisions are multiplications
//!   ([`crate::division`]): the reciprocal of each power is computed once
//!   (all levels in parallel), then every division at that level costs two
//!   products.
//!
//! Python 3.11 refuses to convert an int of more than 4300 digits to a
//! string (`sys.set_int_max_str_digits`) because CPython's conversion is
//! quadratic and a long number in an HTTP request could stall a server. Rust
//! has no such limit: the program decides what it converts, and this one
//! does it in subquadratic time.

use num_bigint::BigUint;

use rayon::prelude::*;

use crate::bigmath;
use crate::division::Divisor;

/// ln(n!), from Stirling's series (exact summation for small n).
///
/// ```
/// let ln = factorial::digits::ln_factorial(10);
/// assert!((ln - 3_628_800_f64.ln()).abs() < 1e-12);
/// ```
pub fn ln_factorial(n: u64) -> f64 {
    if n < 256 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    // ln n! = n ln n − n + ½ ln(2πn) + 1/(12n) − 1/(360n³) + 1/(1260n⁵) − …
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x.powi(3))
        + 1.0 / (1260.0 * x.powi(5))
}

/// log₁₀(n!), so n! has ⌊log₁₀(n!)⌋ + 1 digits.
pub fn log10_factorial(n: u64) -> f64 {
    ln_factorial(n) / std::f64::consts::LN_10
}

/// The estimated number of decimal digits of n!, before computing it.
pub fn estimated_digits(n: u64) -> f64 {
    log10_factorial(n).floor() + 1.0
}

/// The estimated size of n! in memory, in bytes.
pub fn estimated_bytes(n: u64) -> f64 {
    ln_factorial(n) / std::f64::consts::LN_2 / 8.0
}

/// How close (in log₁₀) to a power of ten the estimate may come before an
/// exact comparison is made. f64 keeps ~16 significant digits, so for
/// log₁₀(n!) up to ~10⁸ the absolute error is far below this.
const BOUNDARY_MARGIN: f64 = 1e-6;

/// The exact number of decimal digits of `value`, which must be n!.
///
/// The Stirling estimate decides unless it lands within 10⁻⁶
/// of an integer (n! just above or below a power of ten); then one exact
/// comparison with 10^k settles it.
pub fn digit_count(n: u64, value: &BigUint) -> u64 {
    let log = log10_factorial(n);
    let nearest = log.round();
    if (log - nearest).abs() > BOUNDARY_MARGIN {
        return log.floor() as u64 + 1;
    }
    // value ≥ 10^k has k + 1 digits; below, k.
    let k = nearest as u64;
    let power = BigUint::from(10_u8).pow(u32::try_from(k).expect("a sane exponent"));
    if *value >= power { k + 1 } else { k }
}

/// Below this many bits, `to_string` is used directly.
const SMALL_BITS: u64 = 1 << 15;

/// Digits per leaf of the divide-and-conquer conversion. Powers of ten
/// 10^(LEAF·2^i) are precomputed by repeated squaring.
const LEAF_DIGITS: u64 = 4096;

/// The decimal string of `value`, by divide and conquer with the halves in
/// parallel (rayon). Equal to `value.to_string()`, but subquadratic and
/// multi-core.
///
/// ```
/// use num_bigint::BigUint;
/// let x = BigUint::from(7_u8).pow(100_000);
/// assert_eq!(factorial::digits::to_decimal(&x), x.to_string());
/// ```
pub fn to_decimal(value: &BigUint) -> String {
    if value.bits() < SMALL_BITS {
        return value.to_string();
    }
    // powers[i] = 10^(LEAF·2^i), up to the first whose square exceeds value.
    let mut powers = vec![BigUint::from(10_u8).pow(LEAF_DIGITS as u32)];
    while powers.last().expect("non-empty").bits() * 2 <= value.bits() + 1 {
        let next = bigmath::square(powers.last().expect("non-empty"));
        powers.push(next);
    }
    // Each level's divisor with its reciprocal: independent, so in parallel.
    let divisors: Vec<Divisor> = powers.into_par_iter().map(Divisor::new).collect();
    // value < 10^(LEAF·2^(top+1)): the last power's square exceeds it; write
    // into a buffer that wide, then strip the leading zeros.
    let top = divisors.len() - 1;
    let width = (LEAF_DIGITS << (top + 1)) as usize;
    let mut buffer = vec![b'0'; width];
    write_digits(value, &divisors, top, &mut buffer);
    let first = buffer.iter().position(|&b| b != b'0').unwrap_or(width - 1);
    String::from_utf8(buffer.split_off(first)).expect("ASCII digits")
}

/// Writes `value` (< 10^(LEAF·2^(level+1))) zero-padded into `out`, which is
/// exactly LEAF·2^(level+1) bytes long.
fn write_digits(value: &BigUint, divisors: &[Divisor], level: usize, out: &mut [u8]) {
    if level == 0 || value.bits() < SMALL_BITS {
        let text = value.to_string();
        let start = out.len() - text.len();
        out[start..].copy_from_slice(text.as_bytes());
        return;
    }
    // value = high · 10^(LEAF·2^level) + low, both < 10^(LEAF·2^level).
    let (high, low) = divisors[level].div_rem(value);
    let (out_high, out_low) = out.split_at_mut(out.len() / 2);
    let parallel = value.bits() > 1 << 20;
    if parallel {
        rayon::join(
            || write_digits(&high, divisors, level - 1, out_high),
            || write_digits(&low, divisors, level - 1, out_low),
        );
    } else {
        write_digits(&high, divisors, level - 1, out_high);
        write_digits(&low, divisors, level - 1, out_low);
    }
}

/// The first `k` digits of a number with `digits` digits.
pub fn leading_digits(value: &BigUint, digits: u64, k: u64) -> String {
    if digits <= k {
        return value.to_string();
    }
    let scale = BigUint::from(10_u8).pow(u32::try_from(digits - k).expect("sane"));
    (value / scale).to_string()
}

/// The last `k` digits (zero-padded).
pub fn trailing_digits(value: &BigUint, k: u32) -> String {
    let text = (value % BigUint::from(10_u8).pow(k)).to_string();
    format!("{text:0>width$}", width = k as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::methods::{Method, factorial};

    #[test]
    fn the_estimate_is_exact_for_the_lecture_numbers_and_many_more() {
        for n in (0..3000).chain([5000, 6000, 7000, 8000, 10_000, 65_537]) {
            let value = factorial(n, Method::Tree);
            let exact = value.to_string().len() as u64;
            assert_eq!(digit_count(n, &value), exact, "{n}!");
        }
    }

    #[test]
    fn decimal_conversion_matches_to_string() {
        for n in [0, 1, 25, 3_000, 9_000, 30_000] {
            let value = factorial(n, Method::Tree);
            assert_eq!(to_decimal(&value), value.to_string(), "{n}!");
        }
        // A power of ten, and one below it: the padding at the boundaries.
        let ten = BigUint::from(10_u8).pow(50_000);
        assert_eq!(to_decimal(&ten), ten.to_string());
        let nines = &ten - 1_u8;
        assert_eq!(to_decimal(&nines), nines.to_string());
    }

    #[test]
    fn leading_and_trailing_digits() {
        let value = factorial(5000, Method::Tree);
        assert_eq!(leading_digits(&value, 16_326, 12), "422857792660");
        assert_eq!(trailing_digits(&value, 12), "000000000000");
        assert_eq!(trailing_digits(&BigUint::from(42_u8), 5), "00042");
    }
}
