//! Five ways to compute n!, from the notebook's loop to one that uses every
//! core — each checked against the others.
//!
//! *A library, not a lesson:* §4 (`huge.rs`) and §6 (`scaling.rs`) run
//! these methods, §1 (`notebook.rs`) the notebook's loop.
//!
//! | method | idea | cost |
//! |---|---|---|
//! | [`Method::Naive`] | the notebook's loop: `result *= i` | n multiplications of a huge number by a small one: O(n²) |
//! | [`Method::Tree`] | a balanced product tree | similar-sized products, where Karatsuba/Toom-3 pay off |
//! | [`Method::ParallelTree`] | the tree, halves on different cores (`rayon::join`), top products split | the tree ÷ (almost) the cores |
//! | [`Method::Primes`] | n! = 2^e₂ · ∏ p^eₚ, exponents by Legendre's formula, grouped by bit, then squared up | fewer, better-balanced multiplications; the powers of 2 are a shift |
//! | [`Method::Ntt`] | the same, every large product by number-theoretic transform ([`crate::ntt`]) | n·log n per product instead of n^1.46, and each product on every core |

use std::fmt;
use std::time::{Duration, Instant};

use num_bigint::BigUint;

use crate::bigmath::{
    self, pack, par_mul, product_ntt, product_parallel, product_serial,
};
use crate::ntt;
use crate::primes::{legendre, odd_primes_up_to};

/// Errors of the notebook's `factorial(n)` and of the CLI's `--n`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FactorialError {
    /// n < 0 (Python: `ValueError("Factorial not defined for negative numbers")`).
    #[error("Factorial not defined for negative numbers (got {0})")]
    Negative(i64),
    /// n! would be too large to compute here (checked before starting).
    #[error(
        "{n}! would have about {digits:.0} digits ({mib:.1} MiB); this program stops at \
         {limit_mib} MiB. Try --n 1000000 (a few seconds)"
    )]
    TooLarge {
        /// The n asked for.
        n: u64,
        /// Estimated decimal digits of n!.
        digits: f64,
        /// Estimated size in memory.
        mib: f64,
        /// The limit.
        limit_mib: u64,
    },
}

/// A way to compute n!.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Method {
    /// The notebook's loop (slow: for small n only).
    Naive,
    /// A balanced product tree, on one thread.
    Tree,
    /// The product tree on every core.
    #[value(name = "tree-parallel")]
    ParallelTree,
    /// Prime exponents (Legendre), grouped, squared up, on every core.
    Primes,
    /// The same prime exponents, every large product by number-theoretic
    /// transform (one multiplication on every core).
    Ntt,
}

impl Method {
    /// All methods, slowest first.
    pub const ALL: [Method; 5] =
        [Method::Naive, Method::Tree, Method::ParallelTree, Method::Primes, Method::Ntt];

    /// The largest n the naive loop is run for (it is quadratic: 200 000!
    /// takes it seconds where the others need milliseconds).
    pub const NAIVE_LIMIT: u64 = 100_000;

    /// Whether this method uses more than one core.
    pub fn is_parallel(self) -> bool {
        matches!(self, Method::ParallelTree | Method::Primes | Method::Ntt)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Naive => "naive loop",
            Method::Tree => "product tree",
            Method::ParallelTree => "product tree, parallel",
            Method::Primes => "prime exponents, parallel",
            Method::Ntt => "prime exponents, NTT",
        })
    }
}

/// n! by `method`. The parallel methods use the current rayon pool (all
/// cores, or the pool you `install` them in).
pub fn factorial(n: u64, method: Method) -> BigUint {
    match method {
        Method::Naive => naive(n),
        Method::Tree => product_serial(&pack(2..=n)),
        Method::ParallelTree => product_parallel(&pack(2..=n)),
        Method::Primes => by_prime_exponents(n),
        Method::Ntt => by_prime_exponents_ntt(n),
    }
}

/// The notebook's loop, with its check for negative input.
///
/// ```
/// use factorial::methods::{FactorialError, factorial_checked};
/// assert_eq!(factorial_checked(5).unwrap(), 120_u32.into());
/// assert_eq!(factorial_checked(-1), Err(FactorialError::Negative(-1)));
/// ```
pub fn factorial_checked(n: i64) -> Result<BigUint, FactorialError> {
    let n = u64::try_from(n).map_err(|_| FactorialError::Negative(n))?;
    Ok(naive(n))
}

/// `result = 1; for i in 2..=n: result *= i` — one big × small product per
/// step.
pub fn naive(n: u64) -> BigUint {
    let mut result = BigUint::from(1_u8);
    for i in 2..=n {
        result *= i;
    }
    result
}

/// n! from its prime factorisation.
///
/// Legendre: the exponent of a prime p in n! is ⌊n/p⌋ + ⌊n/p²⌋ + …. Write
/// each odd prime's exponent in binary; let Pₖ be the product of the odd
/// primes whose exponent has bit k set. Then
///
/// ```text
/// n! = 2^e₂ · (…((P_top)² · P_top-1)² · … · P₁)² · P₀
/// ```
///
/// The Pₖ are independent (computed in parallel), the squarings and the
/// products near the end are split over cores, and the power of two is a
/// shift. For 10!: e₂ = 8, 3⁴·5²·7¹ → P₂ = 3, P₁ = 5, P₀ = 7:
/// ((3)²·5)²·7 = 14175, and 14175 · 2⁸ = 3628800.
pub fn by_prime_exponents(n: u64) -> BigUint {
    by_prime_exponents_profiled(n, Multiplier::KaratsubaSplit).0
}

/// [`by_prime_exponents`] with every large product by NTT.
pub fn by_prime_exponents_ntt(n: u64) -> BigUint {
    by_prime_exponents_profiled(n, Multiplier::Ntt).0
}

/// How the prime-exponent method does its big multiplications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiplier {
    /// num-bigint's, the largest split Karatsuba-style over the cores
    /// ([`par_mul`]); x²·P as x·(x·P), as num-bigint has no squaring.
    KaratsubaSplit,
    /// Number-theoretic transforms above a threshold ([`bigmath::mul`]);
    /// x²·P as square(x)·P, a squaring being one transform fewer.
    Ntt,
}

impl Multiplier {
    fn product(self, words: &[u64]) -> BigUint {
        match self {
            Multiplier::KaratsubaSplit => product_parallel(words),
            Multiplier::Ntt => product_ntt(words),
        }
    }

    /// x²·p, one step of the ladder. It takes `x` rather than borrowing
    /// it, so `x` is freed as soon as it is no longer needed: at 10⁷! that is
    /// 13 MiB less during the last multiplication.
    fn square_times(self, x: BigUint, p: &BigUint) -> BigUint {
        match self {
            // num-bigint has no special squaring, and the small-by-large
            // product x·P is cheaper than the large-by-large x²·P it replaces.
            Multiplier::KaratsubaSplit => par_mul(&x, &par_mul(&x, p)),
            Multiplier::Ntt => {
                let square = bigmath::square(&x);
                drop(x);
                bigmath::mul(&square, p)
            }
        }
    }
}

/// Where the time of one computation went, phase by phase, in the order
/// the phases ran.
pub type Profile = Vec<(&'static str, Duration)>;

/// [`by_prime_exponents`], timing each phase: the module README's "profile
/// to identify bottlenecks", built in. (A sampling profiler such as `perf`
/// shows the same split without changing the code: see the README.)
pub fn by_prime_exponents_profiled(n: u64, multiplier: Multiplier) -> (BigUint, Profile) {
    let mut profile = Profile::new();
    let mut clock = Instant::now();
    let mut lap = |phase: &'static str, profile: &mut Profile| {
        let now = Instant::now();
        profile.push((phase, now - clock));
        clock = now;
    };
    if n < 2 {
        return (BigUint::from(1_u8), profile);
    }
    let primes = odd_primes_up_to(n);
    lap("sieve: the odd primes up to n", &mut profile);
    let exponents: Vec<u64> = primes.iter().map(|&p| legendre(n, p)).collect();
    lap("Legendre: each prime's exponent", &mut profile);
    if multiplier == Multiplier::Ntt {
        // The last product, x²·P₀, has about as many limbs as the odd part
        // (log₂ of it: Σ eₚ·log₂ p): its transform length is known before the
        // first multiplication, so the twiddle tables are built once, at that
        // length, and serve every shorter product on the way.
        let odd_bits: f64 = primes
            .iter()
            .zip(&exponents)
            .map(|(&p, &e)| e as f64 * (p as f64).log2())
            .sum();
        ntt::reserve((odd_bits / 64.0) as usize);
        lap("last product's size; its NTT tables", &mut profile);
    }
    let top_bit = exponents.first().map_or(0, |&e| 64 - e.leading_zeros());
    let groups: Vec<BigUint> = {
        use rayon::prelude::*;
        (0..top_bit)
            .into_par_iter()
            .map(|bit| {
                let members = primes
                    .iter()
                    .zip(&exponents)
                    .filter(|&(_, &e)| e >> bit & 1 == 1)
                    .map(|(&p, _)| p);
                multiplier.product(&pack(members))
            })
            .collect()
    };
    lap("the group products Pₖ, in parallel", &mut profile);
    // The primes and their exponents are in the groups now; at 10⁷! they
    // are 10 MiB the ladder does not need.
    drop((primes, exponents));
    let mut odd_part = BigUint::from(1_u8);
    let steps = groups.len();
    for (step, group) in groups.iter().rev().enumerate() {
        odd_part = multiplier.square_times(odd_part, group);
        if step + 2 == steps {
            lap("x ← x²·Pₖ, every step but the last", &mut profile);
        }
    }
    lap("x ← x²·P₀, the last step", &mut profile);
    let result = odd_part << legendre(n, 2);
    lap("the shift by 2^e₂", &mut profile);
    (result, profile)
}

/// The methods section 4 runs for `n`: the chosen one, or all of them (the
/// naive loop only up to [`Method::NAIVE_LIMIT`]).
pub fn methods_for(n: u64, chosen: Option<Method>) -> Vec<Method> {
    match chosen {
        Some(method) => vec![method],
        None => Method::ALL
            .into_iter()
            .filter(|&m| m != Method::Naive || n <= Method::NAIVE_LIMIT)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notebook_values() {
        for (n, expected) in [(0, 1_u64), (1, 1), (5, 120), (10, 3_628_800)] {
            for method in Method::ALL {
                assert_eq!(factorial(n, method), BigUint::from(expected), "{method} {n}");
            }
        }
        assert_eq!(
            factorial_checked(20).unwrap(),
            BigUint::from(2_432_902_008_176_640_000_u64)
        );
    }

    #[test]
    fn the_profile_names_every_phase_once_and_its_value_is_right() {
        for n in [2, 3, 10, 1000] {
            let (value, profile) = by_prime_exponents_profiled(n, Multiplier::Ntt);
            assert_eq!(value, factorial(n, Method::Tree), "{n}");
            let phases: Vec<&str> = profile.iter().map(|(phase, _)| *phase).collect();
            let mut unique = phases.clone();
            unique.dedup();
            assert_eq!(phases, unique, "a phase twice at {n}");
            assert_eq!(phases.first(), Some(&"sieve: the odd primes up to n"));
            assert_eq!(phases.last(), Some(&"the shift by 2^e₂"));
        }
    }

    #[test]
    fn every_method_agrees_up_to_a_few_thousand() {
        for n in [2, 3, 4, 7, 16, 17, 100, 1000, 2047, 2048, 4099] {
            let tree = factorial(n, Method::Tree);
            for method in Method::ALL {
                assert_eq!(factorial(n, method), tree, "{method} at {n}");
            }
        }
    }
}
