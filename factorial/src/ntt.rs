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

/// Asks the C allocator (glibc's malloc, on Linux) to give every block of
/// 1 MiB or more back to the operating system the moment it is freed.
///
/// By default glibc raises that threshold as a program frees big blocks, up
/// to 32 MiB, and keeps the smaller blocks it later reuses in its heap, where
/// a freed block stays resident. A huge factorial frees hundreds of
/// megabytes of 2–24 MiB numbers and transform buffers on its way, so its peak
/// resident memory at 10⁷! stood about 60 MiB above the most it ever had
/// allocated at once. With the threshold fixed, the two agree; the time did
/// not change (the transform buffers, the blocks reused most, are kept in
/// this module's own pool). A process-wide setting, so the programs call it
/// once at their start; elsewhere than glibc it does nothing.
pub fn return_big_blocks_promptly() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a malloc parameter; any value is accepted
    // or refused with a return code, and no memory is touched.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
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
    let (long, short) = if a_limbs >= b_limbs { (a, b) } else { (b, a) };
    if let Some(piece_points) = piece_points(limbs(short), points) {
        return mul_in_pieces(long, short, piece_points);
    }
    let residues = convolutions(a, Some(b), points);
    finish(residues, a_limbs + b_limbs)
}

/// From this transform length up, a very unbalanced product is done piece
/// by piece ([`mul_in_pieces`]). Below it the buffers are small and the
/// pieces gained nothing measurable (tried down to 2¹⁵ points).
const PIECES_FROM_POINTS: usize = 1 << 18;

/// The transform length for multiplying the longer factor piece by piece by
/// a factor of `short_limbs` limbs, or `None` if one transform of `points`
/// is better: each piece gets at least three times the short factor's
/// limbs, and the pieces' transforms must be at most a quarter of `points`.
fn piece_points(short_limbs: usize, points: usize) -> Option<usize> {
    let piece_points = transform_points(short_limbs, 3 * short_limbs)?;
    (points >= PIECES_FROM_POINTS && piece_points * 4 <= points).then_some(piece_points)
}

/// `long · short`, `long` cut into pieces that each fit, with `short`, in a
/// transform of `piece_points` points: `short` is transformed once per
/// prime, each piece once, and each piece's product is added into the
/// result at the piece's place. This is how a ladder step x²·Pₖ, x² about
/// 20 times longer than Pₖ, avoids padding Pₖ to x²'s length. At 10⁷!'s
/// last step, for each prime, P₀ is transformed once, each of four pieces
/// of x² once, and each piece's product back: nine transforms of 2²⁰
/// points, where one transform of everything takes three of 2²² (each
/// more than four times as long) and six buffers of 32 MiB alive at once.
/// Two pieces are in flight: three primes each, six tasks for two cores.
///
/// # Panics
/// If `piece_points` is not a power of two of at least 16, or leaves no
/// room for a piece beside `short` (it must exceed `short`'s limbs).
pub fn mul_in_pieces(long: &BigUint, short: &BigUint, piece_points: usize) -> BigUint {
    let (long_limbs, short_limbs) = (limbs(long), limbs(short));
    assert!(
        piece_points.is_power_of_two() && (16..=MAX_POINTS).contains(&piece_points),
        "a transform length is a power of two from 16 to MAX_POINTS"
    );
    assert!(piece_points > short_limbs, "no room for a piece beside the short factor");
    if long_limbs == 0 || short_limbs == 0 {
        return BigUint::default();
    }
    let piece_limbs = piece_points - short_limbs;
    let short_transforms = per_prime(|prime| forward(prime, short, piece_points));
    let piece_product = |piece: usize| {
        per_prime(|prime| {
            let limbs =
                long.iter_u64_digits().skip(piece * piece_limbs).take(piece_limbs);
            let mut product = forward_limbs(prime, limbs, piece_points);
            pointwise_inverse(prime, &mut product, Some(&short_transforms[prime]));
            product
        })
    };
    let mut digits = vec![0_u32; 2 * (long_limbs + short_limbs)];
    // A piece's product has its limbs plus the short factor's, at the
    // piece's place. Pieces are added in order, so each addition's carry
    // stays inside its own span (the partial sum so far fits there).
    let mut add_piece = |piece: usize, residues: [Vec<u64>; 3]| {
        let start = piece * piece_limbs;
        let span = (long_limbs - start).min(piece_limbs) + short_limbs;
        add_recombined(&residues, &mut digits[2 * start..2 * (start + span)]);
        residues.into_iter().for_each(give_buffer);
    };
    let pieces = long_limbs.div_ceil(piece_limbs);
    // Two pieces at a time: three primes each, six tasks for two cores.
    for first in (0..pieces).step_by(2) {
        let (residues, next) = rayon::join(
            || piece_product(first),
            || (first + 1 < pieces).then(|| piece_product(first + 1)),
        );
        add_piece(first, residues);
        if let Some(residues) = next {
            add_piece(first + 1, residues);
        }
    }
    short_transforms.into_iter().for_each(give_buffer);
    BigUint::new(digits)
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
/// go back to the pool. The limbs are written straight into the vector of
/// 32-bit digits the `BigUint` keeps, so the product is never copied.
fn finish(residues: [Vec<u64>; 3], limbs: usize) -> BigUint {
    let mut digits = vec![0_u32; 2 * limbs];
    add_recombined(&residues, &mut digits);
    residues.into_iter().for_each(give_buffer);
    BigUint::new(digits)
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
    forward_limbs(prime, value.iter_u64_digits(), points)
}

/// The forward transform of `limbs` (at most `points` of them, zero-padded
/// to `points`) modulo prime number `prime`.
fn forward_limbs(
    prime: usize,
    limbs: impl Iterator<Item = u64>,
    points: usize,
) -> Vec<u64> {
    // A constant divisor per prime: `limb % P` compiles to a multiplication,
    // not a division instruction.
    fn load<const P: u64>(limbs: impl Iterator<Item = u64>, buffer: &mut Vec<u64>) {
        buffer.extend(limbs.map(|limb| limb % P));
    }
    let mut buffer = take_buffer(points);
    match prime {
        0 => load::<P0>(limbs, &mut buffer),
        1 => load::<P1>(limbs, &mut buffer),
        _ => load::<P2>(limbs, &mut buffer),
    }
    debug_assert!(buffer.len() <= points, "more limbs than points");
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
/// Every product needs up to six buffers: two transforms per prime for a
/// product (one for a square).
/// Freshly allocated, each is a new mapping whose pages the kernel must
/// fault in and zero, and freeing it unmaps it — which, with threads on other
/// cores, makes the kernel interrupt them to flush their address caches. A fresh process
/// paid more for that than for the transforms (`perf`, README). Kept here,
/// a buffer is reused at once. The pool holds at most [`POOL_BUFFERS`]. A
/// request longer than all of them frees them: lengths grow product by
/// product, so a shorter buffer would only be kept, never used. And a
/// request for less than half of a big buffer ([`BIG_BUFFER`] words or more)
/// frees that one: a product done in pieces after a long squaring must not
/// keep the squaring's buffers resident beside its own.
static POOL: Mutex<Vec<Vec<u64>>> = Mutex::new(Vec::new());
const POOL_BUFFERS: usize = 12;
const BIG_BUFFER: usize = 1 << 21;

/// An empty buffer with room for `points` words.
fn take_buffer(points: usize) -> Vec<u64> {
    let mut pool = POOL.lock().unwrap_or_else(PoisonError::into_inner);
    let oversized = |buffer: &Vec<u64>| {
        buffer.capacity() >= BIG_BUFFER && buffer.capacity() > 2 * points
    };
    let mut freed: Vec<Vec<u64>> = Vec::new();
    if pool.iter().any(oversized) {
        let (big, keep) = std::mem::take(&mut *pool).into_iter().partition(oversized);
        *pool = keep;
        freed = big;
    }
    let fitting = pool
        .iter()
        .enumerate()
        .filter(|(_, buffer)| buffer.capacity() >= points)
        .min_by_key(|(_, buffer)| buffer.capacity())
        .map(|(index, _)| index);
    let buffer = match fitting {
        Some(index) => {
            let mut buffer = pool.swap_remove(index);
            buffer.clear();
            buffer
        }
        None => {
            freed.append(&mut pool);
            Vec::with_capacity(points)
        }
    };
    drop(pool);
    drop(freed); // freed outside the lock
    buffer
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

/// Adds the number whose convolution the three residue sequences hold into
/// `digits` (32-bit digits, low half of each limb first, as num-bigint
/// keeps them): each coefficient by CRT, then carries. Blocks of
/// coefficients run in parallel, each from a carry of zero; a short
/// sequential pass then adds each block's outgoing carry into the next
/// block (it rarely travels more than two limbs).
///
/// # Panics
/// If the sum does not fit in `digits`.
fn add_recombined(residues: &[Vec<u64>; 3], digits: &mut [u32]) {
    let carries: Vec<u128> = digits
        .par_chunks_mut(2 * BLOCK)
        .enumerate()
        .map(|(block, chunk)| {
            let start = block * BLOCK;
            let mut carry: u128 = 0;
            for (offset, limb) in chunk.chunks_exact_mut(2).enumerate() {
                let k = start + offset;
                let (low, high) = crt(residues[0][k], residues[1][k], residues[2][k]);
                // coefficient + limb + carry, a 192-bit sum: one limb stays,
                // the rest goes on.
                let (low, overflow1) = low.overflowing_add(carry);
                let (sum, overflow2) = low.overflowing_add(u128::from(get_limb(limb)));
                let high = high + u64::from(overflow1) + u64::from(overflow2);
                set_limb(limb, sum as u64);
                carry = (sum >> 64) | (u128::from(high) << 64);
            }
            carry
        })
        .collect();
    // The fix-up: block i's outgoing carry belongs at the start of block i+1.
    let mut incoming: u128 = 0;
    for (chunk, outgoing) in digits.chunks_mut(2 * BLOCK).zip(carries) {
        let mut carry = incoming;
        for limb in chunk.chunks_exact_mut(2) {
            if carry == 0 {
                break;
            }
            let (sum, overflow) = get_limb(limb).overflowing_add(carry as u64);
            set_limb(limb, sum);
            carry = (carry >> 64) + u128::from(overflow);
        }
        incoming = outgoing + carry;
    }
    assert_eq!(incoming, 0, "the sum fits in its digits");
}

/// Reads a 64-bit limb from two 32-bit digits, low half first.
fn get_limb(digits: &[u32]) -> u64 {
    u64::from(digits[0]) | u64::from(digits[1]) << 32
}

/// Writes a 64-bit limb as two 32-bit digits, low half first.
fn set_limb(digits: &mut [u32], limb: u64) {
    digits[0] = limb as u32;
    digits[1] = (limb >> 32) as u32;
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

    /// Which products go in pieces: only long transforms, only when the
    /// short factor's transform is at most a quarter as long.
    #[test]
    fn only_long_and_very_unbalanced_products_go_in_pieces() {
        // 10⁷!'s last step: x² of 3,095,485 limbs times P₀ of 156,202.
        assert_eq!(piece_points(156_202, 1 << 22), Some(1 << 20));
        // Below PIECES_FROM_POINTS: one transform, however unbalanced.
        assert_eq!(piece_points(10, PIECES_FROM_POINTS / 2), None);
        assert_eq!(piece_points(10, PIECES_FROM_POINTS), Some(64));
        // Balanced enough: the pieces would be as long as the whole.
        assert_eq!(piece_points(200_000, 1 << 20), None);
        assert_eq!(piece_points(65_536, 1 << 20), Some(1 << 18));
        assert_eq!(piece_points(65_537, 1 << 20), None);
    }

    /// A product long enough to go in pieces through [`mul`], as a
    /// factorial's ladder step does: exact, and the same as one transform.
    #[test]
    fn a_long_unbalanced_product_goes_in_pieces_and_is_exact() {
        let mut rng = fastrand::Rng::with_seed(3);
        let long = BigUint::new((0..2 * 200_000).map(|_| rng.u32(..)).collect());
        let short = BigUint::new((0..2 * 9_000).map(|_| rng.u32(..)).collect());
        let points = transform_points(200_000, 9_000).unwrap();
        assert!(piece_points(9_000, points).is_some(), "this product goes in pieces");
        let expected = &long * &short;
        assert_eq!(mul(&long, &short), expected);
        assert_eq!(mul(&short, &long), expected, "either order");
        let whole = finish(convolutions(&long, Some(&short), points), 209_000);
        assert_eq!(whole, expected, "one transform of everything");
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
