//! One multiplication on every core: huge products by number-theoretic
//! transform (NTT).
//!
//! *A library, not a lesson:* §4 (`huge.rs`, the NTT method) and §7
//! (`one_product.rs`) use it; read it after those.
//!
//! num-bigint multiplies with schoolbook, Karatsuba and Toom-3: a product of
//! two n-limb numbers costs about n^1.46 limb operations, on one thread. A
//! transform costs n·log n, and — this chapter's point — splits into pieces
//! that run on different cores:
//!
//! ```text
//!   a, b ──mod p₀──▶ fwd(a), fwd(b) ──▶ pointwise ──▶ inv ──▶ r₀ ─┐
//!        ──mod p₁──▶ fwd(a), fwd(b) ──▶ pointwise ──▶ inv ──▶ r₁ ─┼─▶ CRT + carries ──▶ a·b
//!        ──mod p₂──▶ fwd(a), fwd(b) ──▶ pointwise ──▶ inv ──▶ r₂ ─┘   (in blocks, in parallel,
//!   (six forward transforms, three inverse ones: all independent           then a carry fix-up)
//!    within their column, so rayon spreads them over the cores)
//! ```
//!
//! **How it works.** A number is a polynomial in 2⁶⁴: its `u64` limbs are the
//! coefficients. The product's limbs are the *convolution* of the two limb
//! sequences, before carries. A transform of length N turns convolution into
//! N independent pointwise products; the inverse transform brings the
//! convolution back. The transforms here are *negacyclic* (they compute the
//! product modulo X^N + 1), so both inputs are zero-padded to N ≥ la + lb
//! limbs: nothing wraps around.
//!
//! **Why three primes.** An NTT computes modulo a prime p, but a coefficient
//! of the convolution is a sum of up to min(la, lb) products of two 64-bit
//! limbs: up to 2^(128 + log₂ N) — far more than one 62-bit prime holds. So
//! the convolution is computed modulo three primes and recombined by the
//! Chinese remainder theorem (Garner's form). The bound, stated once:
//!
//! ```text
//!   every coefficient < min(la, lb) · 2¹²⁸ ≤ 2^(127 + log₂ N) ≤ 2¹⁵⁸  (N ≤ 2³¹)
//!   p₀ · p₁ · p₂ > 2¹⁸⁵                                       → exact, 27 bits to spare
//! ```
//!
//! Each prime is k·2³² + 1 (so a 2N-th root of unity exists for every N up
//! to 2³¹) and below 2⁶² (tfhe-ntt's fast reduction path). Operands beyond
//! [`MAX_POINTS`] fall back to num-bigint: slow, but never a wrong product.
//!
//! **Squaring** transforms its operand once per prime, not twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use num_bigint::BigUint;
use rayon::prelude::*;
use tfhe_ntt::prime64::{Plan, Twiddles};

/// The three primes, largest first: p = k·2³² + 1, just below 2⁶².
pub const PRIMES: [u64; 3] = [P0, P1, P2];
const P0: u64 = 0x3fff_ffee_0000_0001;
const P1: u64 = 0x3fff_ffb4_0000_0001;
const P2: u64 = 0x3fff_ffa0_0000_0001;

/// The longest transform the primes allow: 2N must divide p − 1 = k·2³².
pub const MAX_POINTS: usize = 1 << 31;

/// The transform length for a product of `la`- and `lb`-limb numbers: the
/// next power of two ≥ la + lb (tfhe-ntt needs at least 16), or `None`
/// beyond [`MAX_POINTS`], where the three primes could no longer hold a
/// coefficient.
///
/// ```
/// use factorial::ntt::{transform_points, MAX_POINTS};
/// assert_eq!(transform_points(3, 4), Some(16));
/// assert_eq!(transform_points(1000, 1000), Some(2048));
/// assert_eq!(transform_points(MAX_POINTS / 2, MAX_POINTS / 2), Some(MAX_POINTS));
/// assert_eq!(transform_points(MAX_POINTS / 2, MAX_POINTS / 2 + 1), None);
/// ```
pub fn transform_points(la: usize, lb: usize) -> Option<usize> {
    let limbs = la.checked_add(lb)?;
    let points = limbs.checked_next_power_of_two()?.max(16);
    (points <= MAX_POINTS).then_some(points)
}

/// Grows each prime's twiddle table to serve transforms of up to `points`
/// points (rounded up to a power of two), now and in one step, instead of
/// length by length as longer products arrive (each growth allocates the
/// whole table again and copies the old one in). For a caller that knows its
/// longest product — a factorial does, from its primes' exponents. Beyond
/// [`MAX_POINTS`] it does nothing: such products fall back to num-bigint.
pub fn reserve(points: usize) {
    if let Some(points) =
        points.checked_next_power_of_two().filter(|&p| (16..=MAX_POINTS).contains(&p))
    {
        // One table per prime, each on whichever core is free.
        PRIMES.par_iter().for_each(|&prime| {
            plan(points, prime);
        });
    }
}

/// Builds, outside the cache, the twiddle tables (one per prime) that
/// transforms of `points` points read: what the first product of that length
/// costs a process in planning. For timing it apart (section 7); products
/// use the cached tables. `None` beyond [`MAX_POINTS`] or below 16 points.
pub fn build_tables(points: usize) -> Option<Vec<Twiddles>> {
    if !(16..=MAX_POINTS).contains(&points) {
        return None;
    }
    PRIMES.iter().map(|&prime| Twiddles::try_new(points, prime)).collect()
}

/// `a · b` by NTT, its pieces spread over rayon's threads. Equal to
/// `a * b` for every input (beyond [`MAX_POINTS`] it *is* `a * b`).
pub fn mul(a: &BigUint, b: &BigUint) -> BigUint {
    let (a_limbs, b_limbs) = (limbs(a), limbs(b));
    if a_limbs == 0 || b_limbs == 0 {
        return BigUint::default();
    }
    let Some(points) = transform_points(a_limbs, b_limbs) else {
        return a * b;
    };
    let residues = convolutions(a, Some(b), points);
    finish(residues, a_limbs + b_limbs)
}

/// `a²` by NTT: one forward transform per prime instead of two.
pub fn square(a: &BigUint) -> BigUint {
    let a_limbs = limbs(a);
    if a_limbs == 0 {
        return BigUint::default();
    }
    let Some(points) = transform_points(a_limbs, a_limbs) else {
        return a * a;
    };
    let residues = convolutions(a, None, points);
    finish(residues, 2 * a_limbs)
}

/// How many `u64` limbs `value` has.
fn limbs(value: &BigUint) -> usize {
    value.iter_u64_digits().len()
}

/// The product from its residues, `limbs` limbs long; the residues' buffers
/// and the limbs' go back to the pool.
fn finish(residues: [Vec<u64>; 3], limbs: usize) -> BigUint {
    let product = recombine(&residues, limbs);
    residues.into_iter().for_each(give_buffer);
    let number = from_limb_slice(&product);
    give_buffer(product);
    number
}

/// The convolution of `a` and `b` (of `a` with itself when `b` is `None`)
/// modulo each prime, one prime per rayon task (and the two forward
/// transforms of a prime as two more).
fn convolutions(a: &BigUint, b: Option<&BigUint>, points: usize) -> [Vec<u64>; 3] {
    per_prime(|prime| {
        let (mut fa, fb) = match b {
            Some(b) => {
                let (fa, fb) = rayon::join(
                    || forward(prime, a, points),
                    || forward(prime, b, points),
                );
                (fa, Some(fb))
            }
            None => (forward(prime, a, points), None),
        };
        pointwise_inverse(prime, &mut fa, fb.as_deref());
        if let Some(fb) = fb {
            give_buffer(fb);
        }
        fa
    })
}

/// `work(i)` for each prime index, as three rayon tasks.
fn per_prime(work: impl Fn(usize) -> Vec<u64> + Sync) -> [Vec<u64>; 3] {
    let mut residues: [Vec<u64>; 3] = Default::default();
    residues.par_iter_mut().enumerate().for_each(|(prime, out)| *out = work(prime));
    residues
}

/// The forward transform of `value`'s limbs (zero-padded to `points`) modulo
/// prime number `prime`. The limbs are read where num-bigint keeps them, not
/// copied out first.
fn forward(prime: usize, value: &BigUint, points: usize) -> Vec<u64> {
    // A constant divisor per prime: `limb % P` compiles to a multiplication,
    // not a division instruction.
    fn load<const P: u64>(value: &BigUint, buffer: &mut Vec<u64>) {
        buffer.extend(value.iter_u64_digits().map(|limb| limb % P));
    }
    let mut buffer = take_buffer(points);
    match prime {
        0 => load::<P0>(value, &mut buffer),
        1 => load::<P1>(value, &mut buffer),
        _ => load::<P2>(value, &mut buffer),
    }
    buffer.resize(points, 0);
    plan(points, PRIMES[prime]).fwd(&mut buffer);
    buffer
}

/// `transformed` ← inverse(transformed · other), the pointwise product also
/// dividing by N; `other` is `transformed` itself when `None` (a square).
fn pointwise_inverse(prime: usize, transformed: &mut [u64], other: Option<&[u64]>) {
    let plan = plan(transformed.len(), PRIMES[prime]);
    match other {
        Some(other) => plan.mul_assign_normalize(transformed, other),
        None => {
            // The kernel takes the two factors as two slices, so each block
            // is squared against a copy of itself: a block-sized copy, not a
            // second transform-sized buffer (three of them, one per prime, in
            // the largest squaring of a factorial). Blocks are whole SIMD
            // vectors: N ≥ 16 is a power of two, so each is 1024 or all of N.
            let mut copy = [0_u64; 1024];
            for block in transformed.chunks_mut(copy.len()) {
                let copy = &mut copy[..block.len()];
                copy.copy_from_slice(block);
                plan.mul_assign_normalize(block, copy);
            }
        }
    }
    plan.inv(transformed);
}

/// Transform buffers that finished products gave back, for the next ones.
///
/// Every product needs up to seven buffers: two transforms per prime for a
/// product (one for a square), and its limbs before they become a number.
/// Freshly allocated, each is a new mapping whose pages the kernel must
/// fault in and zero, and freeing it unmaps it — which, with threads on other
/// cores, makes the kernel interrupt them to flush their address caches. A fresh process
/// paid more for that than for the transforms (`perf`, README). Kept here,
/// a buffer is reused at once. The pool holds at most [`POOL_BUFFERS`], and a
/// request longer than all of them frees them: lengths grow product by
/// product, so a shorter buffer would only be kept, never used.
static POOL: Mutex<Vec<Vec<u64>>> = Mutex::new(Vec::new());
const POOL_BUFFERS: usize = 12;

/// An empty buffer with room for `points` words.
fn take_buffer(points: usize) -> Vec<u64> {
    let mut pool = POOL.lock().unwrap_or_else(PoisonError::into_inner);
    let fitting = pool
        .iter()
        .enumerate()
        .filter(|(_, buffer)| buffer.capacity() >= points)
        .min_by_key(|(_, buffer)| buffer.capacity())
        .map(|(index, _)| index);
    match fitting {
        Some(index) => {
            let mut buffer = pool.swap_remove(index);
            buffer.clear();
            buffer
        }
        None => {
            let shorter = std::mem::take(&mut *pool);
            drop(pool); // freed outside the lock
            drop(shorter);
            Vec::with_capacity(points)
        }
    }
}

/// Gives a buffer back to the pool (or frees it, if the pool is full).
fn give_buffer(buffer: Vec<u64>) {
    let mut pool = POOL.lock().unwrap_or_else(PoisonError::into_inner);
    if pool.len() < POOL_BUFFERS {
        pool.push(buffer);
    }
}

/// A number transformed once and multiplied many times: the divisor and
/// its reciprocal at one level of the decimal conversion, which divide
/// every number of that level. Each product then costs one forward and one
/// inverse transform per prime instead of three transforms.
#[derive(Debug, Clone)]
pub struct Prepared {
    limbs: usize,
    /// The most limbs the other factor may have.
    other_limbs: usize,
    transforms: [Vec<u64>; 3],
}

impl Prepared {
    /// `value`, ready to multiply numbers of up to `other_limbs` limbs;
    /// `None` if such a product is beyond [`MAX_POINTS`].
    pub fn new(value: &BigUint, other_limbs: usize) -> Option<Self> {
        let value_limbs = limbs(value);
        let points = transform_points(value_limbs.max(1), other_limbs.max(1))?;
        let transforms = per_prime(|prime| forward(prime, value, points));
        Some(Self { limbs: value_limbs, other_limbs, transforms })
    }

    /// `value · other`, `other` at most `other_limbs` limbs long.
    ///
    /// # Panics
    /// If `other` is longer than the `other_limbs` this was prepared for.
    pub fn mul(&self, other: &BigUint) -> BigUint {
        let other_limbs = limbs(other);
        assert!(other_limbs <= self.other_limbs, "prepared for shorter factors");
        if other_limbs == 0 || self.limbs == 0 {
            return BigUint::default();
        }
        let points = self.transforms[0].len();
        let residues = per_prime(|prime| {
            let mut product = forward(prime, other, points);
            pointwise_inverse(prime, &mut product, Some(&self.transforms[prime]));
            product
        });
        finish(residues, self.limbs + other_limbs)
    }
}

/// The plan of one transform length for one prime.
///
/// A plan's twiddle factors — powers of a 2N-th root of unity, in the
/// transform's bit-reversed order — for length N are the first N entries of
/// those for length 2N, so each prime keeps *one* table, of the longest
/// length asked for so far, and every plan reads a prefix of it. When a
/// longer length arrives the table is grown (the old entries copied, the new
/// ones computed: one multiplication each) and the shorter plans are dropped
/// from the cache, to be remade on demand — which costs a few modular
/// exponentiations, not a table. (The published tfhe-ntt builds a table per
/// plan, two 128-bit divisions per entry: about 15 forward transforms'
/// worth of time, for every length and prime, and memory for every length
/// at once. `vendor/tfhe-ntt/README.md` has the change.)
fn plan(points: usize, prime: u64) -> Arc<Plan> {
    with_prime_plans(prime, |state| {
        if let Some(plan) = state.plans.get(&points) {
            return Arc::clone(plan);
        }
        const UNREACHABLE: &str = "each prime has a 2N-th root of unity for N ≤ 2³¹";
        let twiddles = match &state.twiddles {
            Some(table) if table.len() >= points => Arc::clone(table),
            // Built under the lock: another thread wanting this prime's plans
            // waits for the table it would otherwise build again.
            Some(table) => Arc::new(table.grown(points).expect(UNREACHABLE)),
            None => Arc::new(Twiddles::try_new(points, prime).expect(UNREACHABLE)),
        };
        if !state.twiddles.as_ref().is_some_and(|old| Arc::ptr_eq(old, &twiddles)) {
            // The cached plans read the old table; remade from the new one on
            // demand, they let it go (plans in use keep it until they finish).
            state.plans.clear();
            state.twiddles = Some(Arc::clone(&twiddles));
        }
        let plan = Arc::new(Plan::try_new_shared(points, twiddles).expect(UNREACHABLE));
        state.plans.insert(points, Arc::clone(&plan));
        plan
    })
}

/// One prime's twiddle table and the plans that read it.
#[derive(Default)]
struct PrimePlans {
    twiddles: Option<Arc<Twiddles>>,
    plans: HashMap<usize, Arc<Plan>>,
}

/// `work` on `prime`'s plans, under their lock.
fn with_prime_plans<T>(prime: u64, work: impl FnOnce(&mut PrimePlans) -> T) -> T {
    static PLANS: OnceLock<[Mutex<PrimePlans>; 3]> = OnceLock::new();
    let index = PRIMES.iter().position(|&p| p == prime).expect("one of the three primes");
    let all = PLANS.get_or_init(Default::default);
    // Poisoning cannot leave a half-built entry: every field is replaced
    // whole, after the work that could panic.
    work(&mut all[index].lock().unwrap_or_else(PoisonError::into_inner))
}

/// Coefficients per block of the parallel CRT-and-carry pass.
const BLOCK: usize = 1 << 14;

/// Recombines the three residue sequences into `limbs` limbs: each
/// coefficient by CRT, then carries. Blocks of coefficients run in
/// parallel, each from a carry of zero; a short sequential pass then adds
/// each block's outgoing carry into the next block (it rarely travels more
/// than two limbs).
fn recombine(residues: &[Vec<u64>; 3], limbs: usize) -> Vec<u64> {
    // Every limb is written below; a pooled buffer saves faulting in fresh pages.
    let mut out = take_buffer(limbs);
    out.resize(limbs, 0);
    let carries: Vec<u128> = out
        .par_chunks_mut(BLOCK)
        .enumerate()
        .map(|(block, chunk)| {
            let start = block * BLOCK;
            let mut carry: u128 = 0;
            for (offset, limb) in chunk.iter_mut().enumerate() {
                let k = start + offset;
                let (low, high) = crt(residues[0][k], residues[1][k], residues[2][k]);
                // coefficient + carry, a 192-bit sum: one limb out, the rest on.
                let (sum, overflow) = low.overflowing_add(carry);
                let high = high + u64::from(overflow);
                *limb = sum as u64;
                carry = (sum >> 64) | (u128::from(high) << 64);
            }
            carry
        })
        .collect();
    // The fix-up: block i's outgoing carry belongs at the start of block i+1.
    let mut incoming: u128 = 0;
    for (chunk, outgoing) in out.chunks_mut(BLOCK).zip(carries) {
        let mut carry = incoming;
        for limb in chunk.iter_mut() {
            if carry == 0 {
                break;
            }
            let (sum, overflow) = limb.overflowing_add(carry as u64);
            *limb = sum;
            carry = (carry >> 64) + u128::from(overflow);
        }
        incoming = outgoing + carry;
    }
    assert_eq!(incoming, 0, "a product of la- and lb-limb numbers fits in la + lb limbs");
    out
}

/// `x mod p` for x < 2p.
fn reduce_once(x: u64, p: u64) -> u64 {
    if x >= p { x - p } else { x }
}

/// `a · w mod p` for a constant `w < p` (Shoup's method: `w_shoup` =
/// ⌊w·2⁶⁴/p⌋ turns the division into a multiplication).
fn mul_mod(a: u64, w: u64, w_shoup: u64, p: u64) -> u64 {
    let quotient = ((u128::from(a) * u128::from(w_shoup)) >> 64) as u64;
    reduce_once(a.wrapping_mul(w).wrapping_sub(quotient.wrapping_mul(p)), p)
}

const fn pow_mod(base: u64, mut exponent: u64, p: u64) -> u64 {
    let (mut result, mut base) = (1_u128, base as u128 % p as u128);
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = result * base % p as u128;
        }
        base = base * base % p as u128;
        exponent >>= 1;
    }
    result as u64
}

const fn shoup(w: u64, p: u64) -> u64 {
    (((w as u128) << 64) / p as u128) as u64
}

// Garner's constants (inverses by Fermat: x^(p−2) = x⁻¹ mod p).
const INV_P0_MOD_P1: u64 = pow_mod(P0 % P1, P1 - 2, P1);
const INV_P0_MOD_P1_SHOUP: u64 = shoup(INV_P0_MOD_P1, P1);
const P0_MOD_P2: u64 = P0 % P2;
const P0_MOD_P2_SHOUP: u64 = shoup(P0_MOD_P2, P2);
const INV_P0P1_MOD_P2: u64 =
    pow_mod(((P0 % P2) as u128 * (P1 % P2) as u128 % P2 as u128) as u64, P2 - 2, P2);
const INV_P0P1_MOD_P2_SHOUP: u64 = shoup(INV_P0P1_MOD_P2, P2);
const P0P1: u128 = P0 as u128 * P1 as u128;

/// The coefficient x < p₀p₁p₂ with the residues `r0`, `r1`, `r2`, as a
/// 192-bit `(low 128 bits, high 64 bits)`:
/// x = r₀ + p₀·t₁ + p₀p₁·t₂ with t₁ < p₁, t₂ < p₂.
fn crt(r0: u64, r1: u64, r2: u64) -> (u128, u64) {
    // r₀ < p₀ < 2p₁ < 2p₂, so one subtraction reduces it mod p₁ or p₂.
    let t1 = mul_mod(
        reduce_once(r1 + P1 - reduce_once(r0, P1), P1),
        INV_P0_MOD_P1,
        INV_P0_MOD_P1_SHOUP,
        P1,
    );
    let partial = reduce_once(
        reduce_once(r0, P2) + mul_mod(t1, P0_MOD_P2, P0_MOD_P2_SHOUP, P2),
        P2,
    );
    let t2 = mul_mod(
        reduce_once(r2 + P2 - partial, P2),
        INV_P0P1_MOD_P2,
        INV_P0P1_MOD_P2_SHOUP,
        P2,
    );
    let low = u128::from(r0) + u128::from(P0) * u128::from(t1); // < 2¹²⁵
    let (p0p1_low, p0p1_high) = (P0P1 as u64, (P0P1 >> 64) as u64);
    let (low, carry1) = low.overflowing_add(u128::from(p0p1_low) * u128::from(t2));
    let upper = u128::from(p0p1_high) * u128::from(t2); // counts from bit 64
    let (low, carry2) = low.overflowing_add(upper << 64);
    let high = (upper >> 64) as u64 + u64::from(carry1) + u64::from(carry2);
    (low, high)
}

/// A `BigUint` from little-endian `u64` limbs.
pub fn from_limbs(limbs: Vec<u64>) -> BigUint {
    from_limb_slice(&limbs)
}

/// A `BigUint` from little-endian `u64` limbs, copied once. num-bigint
/// takes 32-bit digits; on a little-endian machine a `u64` slice already
/// *is* its 32-bit digits in order (low half first), so it is viewed as
/// one rather than converted into a second vector.
fn from_limb_slice(limbs: &[u64]) -> BigUint {
    if cfg!(target_endian = "little") {
        BigUint::from_slice(bytemuck::cast_slice(limbs))
    } else {
        BigUint::new(
            limbs.iter().flat_map(|&limb| [limb as u32, (limb >> 32) as u32]).collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_primes_hold_every_coefficient_of_the_longest_transform() {
        let product: BigUint = PRIMES.iter().map(|&p| BigUint::from(p)).product();
        let largest_coefficient_bits = 128 + u64::from(MAX_POINTS.trailing_zeros());
        assert!(
            product.bits() > largest_coefficient_bits + 20,
            "{} bits",
            product.bits()
        );
        for p in PRIMES {
            assert!(p < 1 << 62);
            assert_eq!((p - 1) % (2 * MAX_POINTS as u64), 0, "2N divides p − 1");
        }
    }

    #[test]
    fn crt_recovers_values_up_to_the_primes_product() {
        let product: BigUint = PRIMES.iter().map(|&p| BigUint::from(p)).product();
        let mut rng = fastrand::Rng::with_seed(7);
        let samples = (0..2000)
            .map(|_| {
                BigUint::new((0..6).map(|_| rng.u32(..)).collect::<Vec<_>>()) % &product
            })
            .chain([BigUint::default(), &product - 1_u8]);
        for x in samples {
            let residues = PRIMES.map(|p| (&x % p).iter_u64_digits().next().unwrap_or(0));
            let (low, high) = crt(residues[0], residues[1], residues[2]);
            let back = (BigUint::from(high) << 128) + BigUint::from(low);
            assert_eq!(back, x);
        }
    }

    /// Plans read prefixes of one table per prime that grows: shorter plans
    /// made after a growth, longer ones while shorter plans are cached, and
    /// both from several threads at once must all give exact products.
    #[test]
    fn plans_from_one_growing_table_give_exact_products_in_any_order() {
        let sizes = [2000, 9, 300, 9000, 60, 17000, 1200, 4];
        std::thread::scope(|scope| {
            for seed in 0..3 {
                scope.spawn(move || {
                    let mut rng = fastrand::Rng::with_seed(seed);
                    let mut order = sizes;
                    rng.shuffle(&mut order);
                    for limbs in order {
                        let a =
                            BigUint::new((0..2 * limbs).map(|_| rng.u32(..)).collect());
                        let b =
                            BigUint::new((0..2 * limbs).map(|_| rng.u32(..)).collect());
                        assert_eq!(mul(&a, &b), &a * &b, "{limbs} limbs, seed {seed}");
                        assert_eq!(
                            square(&a),
                            &a * &a,
                            "{limbs} limbs squared, seed {seed}"
                        );
                    }
                });
            }
        });
    }

    #[test]
    fn small_products_equal_num_bigint_s() {
        let mut rng = fastrand::Rng::with_seed(11);
        for (la, lb) in [(1, 1), (1, 7), (3, 3), (16, 1), (33, 31), (200, 5), (1000, 999)]
        {
            let a = BigUint::new((0..2 * la).map(|_| rng.u32(..)).collect());
            let b = BigUint::new((0..2 * lb).map(|_| rng.u32(..)).collect());
            assert_eq!(mul(&a, &b), &a * &b, "{la}×{lb} limbs");
            assert_eq!(square(&a), &a * &a, "{la} limbs squared");
        }
        let all_ones = BigUint::new(vec![u32::MAX; 4000]);
        assert_eq!(
            mul(&all_ones, &all_ones),
            &all_ones * &all_ones,
            "every carry at its largest"
        );
        assert_eq!(mul(&all_ones, &BigUint::default()), BigUint::default());
    }
}
