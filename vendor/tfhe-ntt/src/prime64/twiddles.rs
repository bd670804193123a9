//! Twiddle tables shared by the plans of every length (an addition to the
//! published crate: see the README).
//!
//! A negacyclic plan of length n uses, in bit-reversed order, the powers of
//! ψₙ, a primitive 2n-th root of unity: `twid[i] = ψₙ^bitrev(i)` (and the
//! powers of ψₙ⁻¹ for the inverse). The roots are found by repeated square
//! roots of −1 ([`find_primitive_root64`]), so ψₙ = ψ₂ₙ² and the table of
//! length n is the first half of the table of length 2n:
//!
//! ```text
//!   twid₂ₙ[i]     = twidₙ[i]            (i < n)
//!   twid₂ₙ[n + i] = ψ₂ₙ · twidₙ[i]       (bitrev₂ₙ(n + i) = 2·bitrevₙ(i) + 1)
//! ```
//!
//! One table of the largest length therefore serves every shorter plan, and
//! it is built in index order with one Shoup multiplication per entry —
//! instead of the published `Plan::try_new`'s two 128-bit divisions per entry
//! written in bit-reversed (cache-hostile) order, for every length anew.

use super::BarrettInit64;
use crate::{fastdiv::Div64, prime::exp_mod64, roots::find_primitive_root64};
use aligned_vec::{avec, ABox};

/// The twiddle factors (and their Shoup companions) of every negacyclic
/// transform length up to [`Twiddles::len`], for one prime below 2⁶³.
#[derive(Clone)]
pub struct Twiddles {
    pub(super) p: u64,
    /// The Shoup companions are ⌊w·2^bits / p⌋ (52 on the IFMA path, else 64).
    pub(super) bits: u32,
    /// ψ, the primitive 2·len-th root of unity the table was built from.
    root: u64,
    pub(super) twid: ABox<[u64]>,
    pub(super) twid_shoup: ABox<[u64]>,
    pub(super) inv_twid: ABox<[u64]>,
    pub(super) inv_twid_shoup: ABox<[u64]>,
}

impl core::fmt::Debug for Twiddles {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Twiddles")
            .field("len", &self.len())
            .field("modulus", &self.p)
            .finish()
    }
}

impl Twiddles {
    /// The table for every length up to `max_size` (a power of two ≥ 16) modulo
    /// `modulus`, or `None` where [`super::Plan::try_new`] would refuse the pair or
    /// would not use Shoup twiddles (moduli ≥ 2⁶³).
    pub fn try_new(max_size: usize, modulus: u64) -> Option<Self> {
        let bits = shoup_bits(max_size, modulus)?;
        let table = Self {
            p: modulus,
            bits,
            root: modulus - 1, // ψ₁ = −1: the table of length 1 is [1]
            twid: avec![1u64; 1].into_boxed_slice(),
            twid_shoup: avec![shoup(1, modulus, bits); 1].into_boxed_slice(),
            inv_twid: avec![1u64; usize::from(stores_inverse(modulus))].into_boxed_slice(),
            inv_twid_shoup: avec![shoup(1, modulus, bits); usize::from(stores_inverse(modulus))]
                .into_boxed_slice(),
        };
        Some(table.grow_from(max_size))
    }

    /// This table grown to `size` entries (a power of two ≥ its length, within
    /// what the prime allows): the first `len()` entries are copied, the rest
    /// computed. `None` if the prime has no 2·size-th root of unity.
    pub fn grown(&self, size: usize) -> Option<Self> {
        shoup_bits(size, self.p).filter(|&bits| bits == self.bits && size >= self.len())?;
        Some(self.grow_from(size))
    }

    /// The tables of one length for a modulus ≥ 2⁶³ (no Shoup companions, and
    /// no growing: the published code path, kept for those moduli).
    pub(super) fn without_shoup(p: u64, bits: u32, twid: ABox<[u64]>, inv_twid: ABox<[u64]>) -> Self {
        Self {
            p,
            bits,
            root: 0,
            twid,
            twid_shoup: avec![].into_boxed_slice(),
            inv_twid,
            inv_twid_shoup: avec![].into_boxed_slice(),
        }
    }

    /// The longest transform this table serves.
    #[inline]
    pub fn len(&self) -> usize {
        self.twid.len()
    }

    /// Always false: a table serves at least the length-1 transform.
    #[inline]
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The prime the table is for.
    #[inline]
    pub fn modulus(&self) -> u64 {
        self.p
    }

    /// This table doubled until it has `size` entries (`size` a power of two
    /// ≥ its length, with a 2·size-th root of unity modulo p: checked by the
    /// callers). The new arrays start with a copy of this table's.
    fn grow_from(&self, size: usize) -> Self {
        let n = self.len();
        if size <= n {
            return self.clone();
        }
        let (p, bits) = (self.p, self.bits);
        let p_div = Div64::new(p);
        // ψ for the largest length, then the root of each doubling by squaring
        // down: roots[k] is the primitive (2·n·2^(k+1))-th root.
        let top = find_primitive_root64(p_div, 2 * size as u64).expect("checked by shoup_bits");
        let doublings = (size / n).trailing_zeros() as usize;
        let mut roots = [0u64; 64];
        roots[doublings - 1] = top;
        for k in (0..doublings - 1).rev() {
            roots[k] = exp_mod64(p_div, roots[k + 1], 2);
        }
        // The chain of square roots is deterministic, so the new roots square
        // down to the one this table was built from.
        assert_eq!(
            exp_mod64(p_div, roots[0], 2),
            self.root,
            "roots of unity from one chain"
        );

        let mut twid = avec![0u64; size].into_boxed_slice();
        let mut twid_shoup = avec![0u64; size].into_boxed_slice();
        twid[..n].copy_from_slice(&self.twid);
        twid_shoup[..n].copy_from_slice(&self.twid_shoup);
        // The inverse tables only where the IFMA kernels may read them; the
        // others read the forward table backwards (`InverseTwiddles::mirrored`).
        let inverse_len = if stores_inverse(p) { size } else { 0 };
        let mut inv_twid = avec![0u64; inverse_len].into_boxed_slice();
        let mut inv_twid_shoup = avec![0u64; inverse_len].into_boxed_slice();
        if inverse_len > 0 {
            inv_twid[..n].copy_from_slice(&self.inv_twid);
            inv_twid_shoup[..n].copy_from_slice(&self.inv_twid_shoup);
        }

        let mut len = n;
        for &root in &roots[..doublings] {
            extend(p, bits, root, &mut twid[..2 * len], &mut twid_shoup[..2 * len]);
            if inverse_len > 0 {
                // ψ⁻¹ = ψ^(4·len − 1): ψ is a primitive 4·len-th root here.
                let inv_root = exp_mod64(p_div, root, 4 * len as u64 - 1);
                extend(p, bits, inv_root, &mut inv_twid[..2 * len], &mut inv_twid_shoup[..2 * len]);
            }
            len *= 2;
        }
        Self {
            p,
            bits,
            root: top,
            twid,
            twid_shoup,
            inv_twid,
            inv_twid_shoup,
        }
    }
}

/// The inverse transform's twiddles: a table of their own, or — an addition
/// to the published crate — the forward table read backwards.
///
/// The inverse transform of stage block [M, 2M) uses ψ^−bitrev(j); with
/// bitrev(M + i) = (N/2M)·(1 + 2·bitrev_M(i)) and ψ^N = −1, that is
/// `−twid[3M − 1 − j]`: the same block read backwards, negated. Its Shoup
/// quotient follows without a division: for 0 < w < p,
/// ⌊(p − w)·2⁶⁴/p⌋ = 2⁶⁴ − 1 − ⌊w·2⁶⁴/p⌋, the bitwise complement (64-bit
/// quotients only: the IFMA kernels' 52-bit ones keep their own table).
#[derive(Clone, Copy)]
pub(crate) struct InverseTwiddles<'a> {
    twid: &'a [u64],
    twid_shoup: &'a [u64],
    /// `Some(p)`: `twid` is the forward table, read mirrored modulo p.
    mirrored_mod: Option<u64>,
}

impl<'a> InverseTwiddles<'a> {
    /// The published layout: `inv_twid[j]` is the inverse twiddle `j`.
    pub(crate) fn stored(inv_twid: &'a [u64], inv_twid_shoup: &'a [u64]) -> Self {
        Self { twid: inv_twid, twid_shoup: inv_twid_shoup, mirrored_mod: None }
    }

    /// The inverse twiddles of the forward `twid`, `twid_shoup` (64-bit Shoup
    /// quotients) modulo `p`.
    pub(crate) fn mirrored(p: u64, twid: &'a [u64], twid_shoup: &'a [u64]) -> Self {
        Self { twid, twid_shoup, mirrored_mod: Some(p) }
    }

    /// Where index `j` of the inverse table is in the forward one.
    #[inline(always)]
    fn mirror(j: usize) -> usize {
        let block = 1usize << j.ilog2();
        3 * block - 1 - j
    }

    /// The inverse twiddles `j, j + 1, …` of one stage block, with their
    /// quotients.
    #[inline(always)]
    pub(crate) fn starting_at(self, j: usize) -> impl Iterator<Item = (u64, u64)> + 'a {
        let Self { twid, twid_shoup, mirrored_mod } = self;
        let top = Self::mirror(j);
        (0..).map(move |i: usize| match mirrored_mod {
            None => (twid[j + i], twid_shoup[j + i]),
            Some(p) => {
                let k = top.wrapping_sub(i);
                (p - twid[k], !twid_shoup[k])
            }
        })
    }

    /// The inverse twiddles `j, j + 1, …` of one stage block, `N` at a time.
    #[inline(always)]
    pub(crate) fn arrays<const N: usize>(
        self,
        j: usize,
    ) -> impl Iterator<Item = ([u64; N], [u64; N])> + 'a {
        let Self { twid, twid_shoup, mirrored_mod } = self;
        let top = Self::mirror(j);
        (0..).map(move |chunk: usize| match mirrored_mod {
            None => {
                let low = j + chunk * N;
                (
                    twid[low..low + N].try_into().unwrap(),
                    twid_shoup[low..low + N].try_into().unwrap(),
                )
            }
            Some(p) => {
                let high = (top + 1).wrapping_sub(chunk * N);
                let mut w: [u64; N] = twid[high.wrapping_sub(N)..high].try_into().unwrap();
                let mut w_shoup: [u64; N] =
                    twid_shoup[high.wrapping_sub(N)..high].try_into().unwrap();
                w.reverse();
                w_shoup.reverse();
                (w.map(|w| p - w), w_shoup.map(|q| !q))
            }
        })
    }
}

/// Fills the second half of `table` from its first half: `table[h + i] =
/// root · table[i]`, with the Shoup companions beside.
fn extend(p: u64, bits: u32, root: u64, table: &mut [u64], companions: &mut [u64]) {
    let half = table.len() / 2;
    let root_shoup = shoup(root, p, 64);
    let (low, high) = table.split_at_mut(half);
    for ((w, high), companion) in low.iter().zip(high).zip(&mut companions[half..]) {
        *high = mul_shoup(*w, root, root_shoup, p);
        *companion = shoup(*high, p, bits);
    }
}

/// `a · w mod p` for `w < p < 2⁶³`, `w_shoup = ⌊w·2⁶⁴/p⌋`.
#[inline]
fn mul_shoup(a: u64, w: u64, w_shoup: u64, p: u64) -> u64 {
    let q = ((a as u128 * w_shoup as u128) >> 64) as u64;
    let r = a.wrapping_mul(w).wrapping_sub(q.wrapping_mul(p));
    if r >= p {
        r - p
    } else {
        r
    }
}

/// ⌊w·2^bits / p⌋ for `w < p < 2⁶³`, `bits ≤ 64`, without a division: with
/// m = ⌊(2¹²⁸ − 1)/p⌋, ⌊w·m / 2⁶⁴⌋ is the 64-bit quotient or one less, and
/// ⌊⌊x/p⌋ / 2^k⌋ = ⌊x / (p·2^k)⌋ gives the shorter ones.
#[inline]
fn shoup(w: u64, p: u64, bits: u32) -> u64 {
    let m = u128::MAX / p as u128;
    let (m_high, m_low) = ((m >> 64) as u64, m as u64);
    let mut q = w
        .wrapping_mul(m_high)
        .wrapping_add(((w as u128 * m_low as u128) >> 64) as u64);
    let mut r = ((w as u128) << 64).wrapping_sub(q as u128 * p as u128);
    while r >= p as u128 {
        q += 1;
        r -= p as u128;
    }
    q >> (64 - bits)
}

/// Whether the inverse twiddles of `p` are stored: below 2⁵¹, where the
/// IFMA kernels (which read a table of their own) may run. Above it the
/// 62- and 63-bit kernels read the forward table backwards ([`InverseTwiddles::mirrored`]),
/// which needs 64-bit quotients — what every modulus up there gets.
pub(super) fn stores_inverse(p: u64) -> bool {
    p < 1 << 51
}

/// The Shoup width [`super::Plan::try_new`] would choose for `(size, modulus)`,
/// or `None` if it would refuse the pair or not use Shoup twiddles.
fn shoup_bits(size: usize, modulus: u64) -> Option<u32> {
    if size < 16
        || !size.is_power_of_two()
        || modulus >= 1 << 63
        || !crate::prime::is_prime64(modulus)
        || find_primitive_root64(Div64::new(modulus), 2 * size as u64).is_none()
    {
        return None;
    }
    Some(BarrettInit64::for_plan(modulus).bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shoup_matches_the_division() {
        for p in [17u64, 97, (1 << 50) - 27, 0x3fff_ffee_0000_0001, (1 << 63) - 25] {
            for w in [0, 1, 2, p / 3, p / 2, p - 2, p - 1] {
                for bits in [52, 64] {
                    let want = (((w as u128) << bits) / p as u128) as u64;
                    assert_eq!(shoup(w, p, bits), want, "w={w} p={p} bits={bits}");
                }
            }
        }
    }

    /// Every table, built at once or grown from a shorter one, equals what the
    /// published builder writes for that length.
    #[test]
    fn tables_equal_the_published_builder() {
        let primes = [
            (1u64 << 50) - 27 * (1 << 17) + 1,
            crate::prime::largest_prime_in_arithmetic_progression64(1 << 16, 1, 0, 1 << 62)
                .unwrap(),
            crate::prime::largest_prime_in_arithmetic_progression64(1 << 16, 1, 0, 1 << 63)
                .unwrap(),
            0x3fff_ffee_0000_0001,
        ];
        for p in primes {
            let Some(small) = Twiddles::try_new(16, p) else {
                continue;
            };
            for log_n in 4..=13 {
                let n = 1usize << log_n;
                let bits = small.bits;
                let (mut twid, mut twid_shoup) = (vec![0; n], vec![0; n]);
                let (mut inv_twid, mut inv_twid_shoup) = (vec![0; n], vec![0; n]);
                super::super::init_negacyclic_twiddles_shoup(
                    p,
                    n,
                    bits,
                    &mut twid,
                    &mut twid_shoup,
                    &mut inv_twid,
                    &mut inv_twid_shoup,
                );
                for table in [Twiddles::try_new(n, p).unwrap(), small.grown(n).unwrap()] {
                    assert_eq!(&*table.twid, &twid[..], "p={p} n={n}");
                    assert_eq!(&*table.twid_shoup, &twid_shoup[..], "p={p} n={n}");
                    if stores_inverse(p) {
                        assert_eq!(&*table.inv_twid, &inv_twid[..], "p={p} n={n}");
                        assert_eq!(&*table.inv_twid_shoup, &inv_twid_shoup[..], "p={p} n={n}");
                    } else {
                        assert!(table.inv_twid.is_empty() && table.inv_twid_shoup.is_empty());
                    }
                }
                // Read backwards, the forward table gives the published
                // inverse table, entry by entry and eight at a time (64-bit
                // quotients: the mirror's complement rule is for those).
                if bits == 64 {
                    let mirrored = InverseTwiddles::mirrored(p, &twid, &twid_shoup);
                    let mut block = 1;
                    while block < n {
                        let from_mirror: Vec<(u64, u64)> =
                            mirrored.starting_at(block).take(block).collect();
                        let published: Vec<(u64, u64)> = (block..2 * block)
                            .map(|j| (inv_twid[j], inv_twid_shoup[j]))
                            .collect();
                        assert_eq!(from_mirror, published, "p={p} n={n} block {block}");
                        if block >= 8 {
                            let eights: Vec<(u64, u64)> = mirrored
                                .arrays::<8>(block)
                                .take(block / 8)
                                .flat_map(|(w, q)| w.into_iter().zip(q))
                                .collect();
                            assert_eq!(eights, published, "p={p} n={n} block {block}, by 8");
                        }
                        block *= 2;
                    }
                }
            }
        }
    }

    /// Transforms longer than the published tests' 1024 points recurse depth
    /// first before their breadth-first leaves; through a plan (the runtime's
    /// SIMD kernel), with the inverse read from the mirrored forward table,
    /// a product still equals the schoolbook negacyclic convolution.
    #[test]
    fn long_products_through_the_mirrored_inverse_equal_the_schoolbook_ones() {
        use crate::prime64::{tests::random_lhs_rhs_with_negacyclic_convolution, Plan};
        let p = 0x3fff_ffee_0000_0001; // one of chapter 249's primes
        let table = alloc::sync::Arc::new(Twiddles::try_new(1 << 13, p).unwrap());
        for n in [1 << 11, 1 << 13] {
            let plan = Plan::try_new_shared(n, alloc::sync::Arc::clone(&table)).unwrap();
            let (mut lhs, mut rhs, convolution) = random_lhs_rhs_with_negacyclic_convolution(n, p);
            plan.fwd(&mut lhs);
            plan.fwd(&mut rhs);
            plan.mul_assign_normalize(&mut lhs, &rhs);
            plan.inv(&mut lhs);
            assert_eq!(lhs, convolution, "n = {n}");
        }
    }
}
