//! Division by multiplication: Newton's reciprocal, then Barrett's
//! quotient — so a division costs a few fast multiplications.
//!
//! num-bigint divides by schoolbook long division: quadratic. The decimal
//! conversion divides huge numbers by huge powers of ten, and that was most
//! of its time. Here a divisor d of s bits is prepared once:
//!
//! 1. **Reciprocal** R ≈ 2^2s / d by Newton's iteration for 1/d,
//!    r ← 2r − d·r², which doubles the correct bits at each step: R is built
//!    from the reciprocal of d's top half (recursively) and one Newton step.
//!    It may be a few units off ([`reciprocal`] says how far); that costs
//!    nothing below, where every quotient is checked.
//! 2. **Quotient** of any x < d² (Barrett): q = ⌊⌊x / 2^(s−1)⌋ · R / 2^(s+1)⌋
//!    is within a few units of the true quotient, so x − q·d needs a few
//!    additions or subtractions of d to become the remainder. Cost: two
//!    multiplications — and d and R are transformed once for all of them
//!    ([`Prepared`]).

use num_bigint::BigUint;
use num_integer::Integer;

use crate::bigmath::{self, NTT_THRESHOLD_LIMBS};
use crate::ntt::Prepared;

/// Below this many bits in the divisor, num-bigint's long division is
/// faster than preparing transforms.
pub const BARRETT_BITS: u64 = 2 * NTT_THRESHOLD_LIMBS * 64;

/// The most R = [`reciprocal`]`(d)` may differ from ⌊2^2s / d⌋: at most
/// this many below, or one above. (Measured by the tests: never more than 2
/// below on thousands of random divisors.)
pub const RECIPROCAL_SLACK: u32 = 4;

/// ≈ ⌊2^2s / d⌋ for a divisor d of s bits (d > 0), by Newton's iteration:
/// within [`RECIPROCAL_SLACK`] below, or one above.
///
/// ```
/// use num_bigint::BigUint;
/// let d = BigUint::from(10_u8).pow(60_000);
/// let exact = (BigUint::from(1_u8) << (2 * d.bits())) / &d;
/// let r = factorial::division::reciprocal(&d);
/// assert!(&r + 4_u8 >= exact && r <= &exact + 1_u8);
/// ```
pub fn reciprocal(d: &BigUint) -> BigUint {
    assert!(d.bits() > 0, "the reciprocal of zero");
    let s = d.bits();
    if s < BARRETT_BITS {
        return (BigUint::from(1_u8) << (2 * s)) / d;
    }
    // From the reciprocal of d's top h bits, r₀ = rₕ·2^(s−h) ≈ 2^2s / d with
    // about h correct bits; one Newton step makes it about 2h ≥ s:
    //   r₁ = 2·r₀ − ⌊d·r₀² / 2^2s⌋ = rₕ·2^(s−h+1) − ⌊d·rₕ² / 2^2h⌋.
    // (Computed on rₕ, not on r₀: r₀'s low zero limbs would double the
    // transforms' length for nothing.)
    let h = s / 2 + 1;
    let top = d >> (s - h);
    let r_h = reciprocal(&top);
    let correction = bigmath::mul(d, &bigmath::square(&r_h)) >> (2 * h);
    let doubled = r_h << (s - h + 1);
    if correction > doubled {
        // Only if the half-size reciprocal were far off; never seen, and
        // long division is always right.
        return (BigUint::from(1_u8) << (2 * s)) / d;
    }
    doubled - correction
}

/// A divisor prepared for many divisions of numbers below its square.
#[derive(Debug, Clone)]
pub struct Divisor {
    divisor: BigUint,
    bits: u64,
    /// For large divisors: d and ⌊2^2s / d⌋, transformed once.
    barrett: Option<(Prepared, Prepared)>,
}

impl Divisor {
    /// Prepares `divisor` (> 0).
    pub fn new(divisor: BigUint) -> Self {
        let bits = divisor.bits();
        let barrett = (bits >= BARRETT_BITS).then(|| {
            let limbs = (bits as usize + 1).div_ceil(64);
            let r = reciprocal(&divisor);
            // Both products below multiply by a factor of at most s + 1 bits.
            let prepared_r = Prepared::new(&r, limbs).expect("within the NTT's reach");
            let prepared_d =
                Prepared::new(&divisor, limbs).expect("within the NTT's reach");
            (prepared_d, prepared_r)
        });
        Self { divisor, bits, barrett }
    }

    /// The divisor.
    pub fn value(&self) -> &BigUint {
        &self.divisor
    }

    /// `(x / d, x % d)` for x < d².
    pub fn div_rem(&self, x: &BigUint) -> (BigUint, BigUint) {
        let Some((d, r)) = &self.barrett else {
            return x.div_rem(&self.divisor);
        };
        debug_assert!(x.bits() <= 2 * self.bits, "x < d² is this division's contract");
        let s = self.bits;
        let mut quotient = r.mul(&(x >> (s - 1))) >> (s + 1);
        // Barrett's estimate is within 2 + RECIPROCAL_SLACK below, or 1
        // above (an R one too large): correct it in either direction.
        let mut product = d.mul(&quotient);
        let mut steps = 0;
        while product > *x {
            quotient -= 1_u8;
            product -= &self.divisor;
            steps += 1;
        }
        let mut remainder = x - product;
        while remainder >= self.divisor {
            remainder -= &self.divisor;
            quotient += 1_u8;
            steps += 1;
        }
        assert!(steps <= 3 + RECIPROCAL_SLACK, "Barrett's estimate was {steps} off");
        (quotient, remainder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random(rng: &mut fastrand::Rng, bits: u64) -> BigUint {
        let words = bits.div_ceil(32) as usize;
        let value = BigUint::new((0..words).map(|_| rng.u32(..)).collect());
        value >> (words as u64 * 32 - bits)
    }

    /// How far `reciprocal(d)` is from ⌊2^2s / d⌋: (below, above).
    fn reciprocal_error(d: &BigUint) -> (BigUint, BigUint) {
        let exact = (BigUint::from(1_u8) << (2 * d.bits())) / d;
        let r = reciprocal(d);
        if r <= exact {
            (exact - r, BigUint::default())
        } else {
            (BigUint::default(), r - exact)
        }
    }

    #[test]
    fn reciprocals_are_within_their_slack() {
        let mut rng = fastrand::Rng::with_seed(3);
        let slack = BigUint::from(RECIPROCAL_SLACK);
        let one = BigUint::from(1_u8);
        let mut divisors: Vec<BigUint> = Vec::new();
        for bits in [
            1,
            2,
            63,
            64,
            65,
            1000,
            BARRETT_BITS - 1,
            BARRETT_BITS,
            3 * BARRETT_BITS + 17,
        ] {
            for _ in 0..4 {
                divisors
                    .push(random(&mut rng, bits) | (BigUint::from(1_u8) << (bits - 1)));
            }
        }
        // The extremes of d for its length: a power of two and all ones.
        divisors.push(BigUint::from(1_u8) << (2 * BARRETT_BITS));
        divisors.push((BigUint::from(1_u8) << (2 * BARRETT_BITS)) - 1_u8);
        for d in &divisors {
            let (below, above) = reciprocal_error(d);
            assert!(below <= slack, "{} bits: {below} below", d.bits());
            assert!(above <= one, "{} bits: {above} above", d.bits());
        }
    }

    #[test]
    fn barrett_division_equals_long_division_below_the_square() {
        let mut rng = fastrand::Rng::with_seed(5);
        for bits in [100, BARRETT_BITS + 5, 2 * BARRETT_BITS] {
            let d = random(&mut rng, bits) | (BigUint::from(1_u8) << (bits - 1));
            let divisor = Divisor::new(d.clone());
            let square = &d * &d;
            for x in [
                BigUint::default(),
                d.clone() - 1_u8,
                d.clone(),
                &square - 1_u8,
                random(&mut rng, 2 * bits) % &square,
                random(&mut rng, bits + 3),
            ] {
                let expected = x.div_rem(&d);
                assert!(divisor.div_rem(&x) == expected, "{bits} bits");
            }
        }
    }
}
