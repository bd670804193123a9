//! Properties that must hold for every n, not just the ones we thought of.

use std::str::FromStr;

use factorial::bigmath::NTT_THRESHOLD_LIMBS;
use factorial::digits::{digit_count, to_decimal};
use factorial::methods::{Method, factorial};
use factorial::ntt;
use factorial::primes::legendre;
use num_bigint::BigUint;
use proptest::prelude::*;

/// Operand lengths, in 64-bit limbs, where the NTT's edges are: zero, one
/// limb, tfhe-ntt's 16-point minimum, the threshold, and the sums that land
/// on, just under and just over a power-of-two transform length.
fn edge_limbs() -> impl Strategy<Value = usize> {
    let t = NTT_THRESHOLD_LIMBS as usize;
    prop_oneof![
        Just(0_usize),
        Just(1),
        Just(7),
        Just(8),
        Just(9),
        Just(t - 1),
        Just(t),
        Just(t + 1),
        Just(512),
        Just(1023),
        Just(1024),
        Just(1025),
        1_usize..3_000,
    ]
}

/// A number of `limbs` limbs: random, all ones (every carry at its
/// largest), or a lone top bit.
fn operand(limbs: usize) -> impl Strategy<Value = BigUint> {
    let words = 2 * limbs;
    prop_oneof![
        prop::collection::vec(any::<u32>(), words..=words).prop_map(BigUint::new),
        Just(BigUint::new(vec![u32::MAX; words])),
        Just(if limbs == 0 {
            BigUint::default()
        } else {
            BigUint::from(1_u8) << (64 * limbs - 1)
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn ntt_products_and_squares_equal_num_bigint_s(
        (a, b) in (edge_limbs(), edge_limbs()).prop_flat_map(|(la, lb)| (operand(la), operand(lb)))
    ) {
        prop_assert!(ntt::mul(&a, &b) == &a * &b, "{} × {} bits", a.bits(), b.bits());
        prop_assert!(ntt::square(&a) == &a * &a, "{} bits squared", a.bits());
    }

    #[test]
    fn very_unbalanced_ntt_products_are_exact(
        small in 1_usize..4,
        large in 2_000_usize..6_000,
        seed in any::<u64>(),
    ) {
        let mut rng = fastrand::Rng::with_seed(seed);
        let a = BigUint::new((0..2 * small).map(|_| rng.u32(..)).collect());
        let b = BigUint::new((0..2 * large).map(|_| rng.u32(..)).collect());
        prop_assert!(ntt::mul(&a, &b) == &a * &b);
    }

    /// Products in pieces, at every piece length that leaves room beside the
    /// short factor: the pieces' products overlap where they are added, and
    /// all-ones operands make every carry cross into the next piece.
    #[test]
    fn products_in_pieces_equal_num_bigint_s(
        (long, short) in (0_usize..6_000, 0_usize..700)
            .prop_flat_map(|(long, short)| (operand(long), operand(short))),
        extra_bits in 0_u32..4,
    ) {
        let short_limbs = short.iter_u64_digits().len();
        let piece_points = (short_limbs + 1).next_power_of_two().max(16) << extra_bits;
        prop_assert!(
            ntt::mul_in_pieces(&long, &short, piece_points) == &long * &short,
            "{} × {} bits in pieces of {} points", long.bits(), short.bits(), piece_points
        );
    }

    #[test]
    fn every_method_agrees_with_the_product_tree(n in 0_u64..6_000) {
        let tree = factorial(n, Method::Tree);
        for method in Method::ALL {
            prop_assert_eq!(&factorial(n, method), &tree, "{} at n = {}", method, n);
        }
    }

    #[test]
    fn digit_count_and_trailing_zeros_agree_with_the_decimal_string(n in 0_u64..20_000) {
        let value = factorial(n, Method::Primes);
        let text = to_decimal(&value);
        prop_assert_eq!(digit_count(n, &value), text.len() as u64);
        let zeros = text.bytes().rev().take_while(|&b| b == b'0').count() as u64;
        prop_assert_eq!(legendre(n, 5), zeros, "Legendre's formula for 5 at n = {}", n);
    }

    #[test]
    fn decimal_conversion_round_trips(words in prop::collection::vec(any::<u32>(), 0..6_000)) {
        let value = BigUint::new(words);
        let text = to_decimal(&value);
        prop_assert_eq!(&text, &value.to_string());
        prop_assert_eq!(BigUint::from_str(&text).unwrap(), value);
    }
}

#[test]
fn the_lecture_numbers_have_the_reference_digits_and_zeros() {
    for (n, digits, zeros) in [
        (5000, 16_326, 1249),
        (6000, 20_066, 1498),
        (700, 1690, 174),
        (8000, 27_753, 1998),
    ] {
        let value = factorial(n, Method::Primes);
        assert_eq!(digit_count(n, &value), digits, "{n}!");
        assert_eq!(value.to_string().len() as u64, digits, "{n}!");
        assert_eq!(legendre(n, 5), zeros, "{n}!");
    }
}

#[test]
fn a_big_factorial_agrees_across_the_fast_methods() {
    // Large enough for every parallel split to happen (PAR_MUL_BITS).
    let n = 150_000;
    let tree = factorial(n, Method::Tree);
    assert_eq!(factorial(n, Method::ParallelTree), tree);
    assert_eq!(factorial(n, Method::Primes), tree);
    assert_eq!(factorial(n, Method::Ntt), tree);
    assert_eq!(digit_count(n, &tree), to_decimal(&tree).len() as u64);
}

#[test]
fn the_decimal_string_by_division_free_levels_equals_num_bigint_s() {
    // 1.2 million bits: several levels of Barrett division by NTT, each
    // checked by num-bigint's own (quadratic) conversion.
    for n in [40_000, 77_777, 90_001] {
        let value = factorial(n, Method::Ntt);
        assert!(to_decimal(&value) == value.to_string(), "{n}!");
    }
}
