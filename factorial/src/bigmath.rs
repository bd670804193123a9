//! Big-integer building blocks: products of many small numbers, and
//! multiplications split across cores.
//!
//! *A library, not a lesson:* the methods (`methods.rs`, §4 and §6) and
//! §7 (`one_product.rs`) multiply with it.
//!
//! num-bigint multiplies with schoolbook, Karatsuba and Toom-3 — all on one
//! thread. Two ideas make a factorial fast on top of it:
//!
//! 1. **Balance the products.** `((2·3)·4)·5…` multiplies a huge number by a
//!    tiny one n times: O(n²) digit operations. A product *tree* multiplies
//!    numbers of similar size, where Karatsuba/Toom pay off.
//! 2. **Split the big multiplications.** The last few products of a tree are
//!    the most expensive, and a tree's two halves can only run in parallel
//!    until the very top. So the top multiplications themselves are split
//!    Karatsuba-style into three independent half-size products, which rayon
//!    runs on different cores ([`par_mul`], [`par_square`]).
//! 3. **Or change the algorithm.** Above [`NTT_THRESHOLD_LIMBS`], a
//!    number-theoretic transform ([`crate::ntt`]) multiplies in n·log n and
//!    splits into independent transforms: [`mul`] and [`square`] pick it.

use num_bigint::BigUint;

/// Below this many bits, a multiplication runs on one thread: splitting it
/// would cost more in shifting and task hand-off than it saves.
pub const PAR_MUL_BITS: u64 = 1 << 18;

/// How many levels a parallel multiplication splits (3 products per level:
/// 3 tasks at depth 1, 9 at depth 2 — enough to keep 2–8 cores busy).
pub const PAR_MUL_DEPTH: u32 = 2;

/// Multiplies small factors into machine words first: `[2, 3, 4, …]` becomes
/// `[2·3·4·…·k, …]`, each word as full as it gets without overflowing. Fewer,
/// larger leaves mean fewer big-integer allocations.
pub fn pack(factors: impl IntoIterator<Item = u64>) -> Vec<u64> {
    let mut words = Vec::new();
    let mut word: u64 = 1;
    for factor in factors {
        match word.checked_mul(factor) {
            Some(product) => word = product,
            None => {
                words.push(word);
                word = factor;
            }
        }
    }
    if word != 1 || words.is_empty() {
        words.push(word);
    }
    words
}

/// The product of `words`, as a balanced tree on one thread: halves are
/// multiplied recursively, then together.
pub fn product_serial(words: &[u64]) -> BigUint {
    match split_product(words) {
        Ok(leaf) => leaf,
        Err((left, right)) => product_serial(left) * product_serial(right),
    }
}

/// The same tree as [`product_serial`] on every core: while the halves are
/// large enough to be worth it they run on different cores (rayon's `join`),
/// and the big multiplications near the root are split with [`par_mul`].
pub fn product_parallel(words: &[u64]) -> BigUint {
    product_tree(words, par_mul)
}

/// The same parallel tree, its big multiplications by [`mul`] (the NTT
/// above [`NTT_THRESHOLD_LIMBS`]).
pub fn product_ntt(words: &[u64]) -> BigUint {
    product_tree(words, mul)
}

/// The parallel tree, with `multiply` for the products of large halves.
fn product_tree(words: &[u64], multiply: fn(&BigUint, &BigUint) -> BigUint) -> BigUint {
    match split_product(words) {
        Ok(leaf) => leaf,
        // Splitting a tree over threads pays off only for large halves.
        Err((left, right)) if words.len() >= 512 => {
            let (a, b) = rayon::join(
                || product_tree(left, multiply),
                || product_tree(right, multiply),
            );
            multiply(&a, &b)
        }
        Err((left, right)) => product_serial(left) * product_serial(right),
    }
}

/// Below this many 64-bit limbs in the smaller operand, num-bigint's
/// Karatsuba/Toom multiplies faster than a transform. Section 7 measures
/// the crossover (`cargo run --release -p factorial -- 7`): on this 2-core
/// machine the NTT took 1.6× num-bigint's time at 200 limbs, 0.9× at 400,
/// 0.5× at 800.
pub const NTT_THRESHOLD_LIMBS: u64 = 400;

/// `a × b`: by NTT ([`crate::ntt::mul`]) when both are large, else
/// num-bigint's own.
pub fn mul(a: &BigUint, b: &BigUint) -> BigUint {
    if a.bits().min(b.bits()) >= NTT_THRESHOLD_LIMBS * 64 {
        crate::ntt::mul(a, b)
    } else {
        a * b
    }
}

/// `a²`: by NTT ([`crate::ntt::square`]) when large, else num-bigint's.
pub fn square(a: &BigUint) -> BigUint {
    if a.bits() >= NTT_THRESHOLD_LIMBS * 64 { crate::ntt::square(a) } else { a * a }
}

/// A leaf's product (`Ok`), or the two halves still to multiply (`Err`).
fn split_product(words: &[u64]) -> Result<BigUint, (&[u64], &[u64])> {
    match words {
        [] => Ok(BigUint::from(1_u8)),
        [one] => Ok(BigUint::from(*one)),
        // Leaves: a running product; the numbers are still small.
        _ if words.len() <= 16 => {
            Ok(words[1..].iter().fold(BigUint::from(words[0]), |acc, &w| acc * w))
        }
        _ => Err(words.split_at(words.len() / 2)),
    }
}

/// `a × b`, split over cores when both are large (see the module docs).
pub fn par_mul(a: &BigUint, b: &BigUint) -> BigUint {
    par_mul_depth(a, b, PAR_MUL_DEPTH)
}

/// `a²`, split over cores when `a` is large.
pub fn par_square(a: &BigUint) -> BigUint {
    par_square_depth(a, PAR_MUL_DEPTH)
}

/// Splits `x` at bit `at` into `(high, low)`: `x = high·2^at + low`.
fn split(x: &BigUint, at: u64) -> (BigUint, BigUint) {
    let high = x >> at;
    let low = x - (&high << at);
    (high, low)
}

fn par_mul_depth(a: &BigUint, b: &BigUint, depth: u32) -> BigUint {
    let (small, large) = if a.bits() <= b.bits() { (a, b) } else { (b, a) };
    if depth == 0 || small.bits() < PAR_MUL_BITS || rayon::current_num_threads() < 2 {
        return a * b;
    }
    if small.bits() * 2 < large.bits() {
        // Unbalanced: split only the large one. a·(h·2^s + l) = (a·h)·2^s + a·l
        let at = large.bits() / 2;
        let (high, low) = split(large, at);
        let (hi, lo) = rayon::join(
            || par_mul_depth(small, &high, depth - 1),
            || par_mul_depth(small, &low, depth - 1),
        );
        return (hi << at) + lo;
    }
    // Karatsuba: with a = a1·2^s + a0 and b = b1·2^s + b0,
    //   a·b = z2·2^2s + (z1 − z2 − z0)·2^s + z0
    // where z2 = a1·b1, z0 = a0·b0, z1 = (a1 + a0)(b1 + b0): three products
    // of half the size instead of four, and all three are independent.
    let at = large.bits() / 2;
    let (a1, a0) = split(a, at);
    let (b1, b0) = split(b, at);
    let ((z2, z0), z1) = rayon::join(
        || {
            rayon::join(
                || par_mul_depth(&a1, &b1, depth - 1),
                || par_mul_depth(&a0, &b0, depth - 1),
            )
        },
        || par_mul_depth(&(&a1 + &a0), &(&b1 + &b0), depth - 1),
    );
    let middle = z1 - &z2 - &z0;
    (z2 << (2 * at)) + (middle << at) + z0
}

fn par_square_depth(a: &BigUint, depth: u32) -> BigUint {
    if depth == 0 || a.bits() < PAR_MUL_BITS || rayon::current_num_threads() < 2 {
        return a * a;
    }
    // (h·2^s + l)² = h²·2^2s + ((h + l)² − h² − l²)·2^s + l²: three
    // independent half-size squarings.
    let at = a.bits() / 2;
    let (high, low) = split(a, at);
    let ((hh, ll), sum) = rayon::join(
        || {
            rayon::join(
                || par_square_depth(&high, depth - 1),
                || par_square_depth(&low, depth - 1),
            )
        },
        || par_square_depth(&(&high + &low), depth - 1),
    );
    let middle = sum - &hh - &ll;
    (hh << (2 * at)) + (middle << at) + ll
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(seed: u64, bits: u64) -> BigUint {
        // A deterministic pseudo-random number of about `bits` bits.
        let mut rng = fastrand::Rng::with_seed(seed);
        BigUint::new((0..bits.div_ceil(32)).map(|_| rng.u32(..)).collect())
    }

    #[test]
    fn pack_multiplies_into_full_words_without_overflow() {
        let words = pack(2..=100);
        let direct: BigUint = (2..=100_u64).map(BigUint::from).product();
        assert_eq!(words.iter().map(|&w| BigUint::from(w)).product::<BigUint>(), direct);
        assert!(words.len() < 20, "{} words for 99 factors", words.len());
        assert_eq!(pack(std::iter::empty()), [1]);
    }

    #[test]
    fn product_is_the_same_sequential_and_parallel() {
        let words = pack(1..=5_000);
        assert_eq!(product_serial(&words), product_parallel(&words));
    }

    #[test]
    fn parallel_multiplication_agrees_with_num_bigint() {
        for (seed, a_bits, b_bits) in
            [(1, 300_000, 300_000), (2, 1_000_000, 280_000), (3, 280_000, 2_000_000)]
        {
            let (a, b) = (big(seed, a_bits), big(seed + 10, b_bits));
            assert_eq!(par_mul(&a, &b), &a * &b, "seed {seed}");
        }
        let a = big(7, 700_000);
        assert_eq!(par_square(&a), &a * &a);
    }
}
