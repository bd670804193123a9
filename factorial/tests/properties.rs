//! Properties that must hold for every n, not just the ones we thought of.

use std::str::FromStr;

use factorial::digits::{digit_count, to_decimal};
use factorial::methods::{Method, factorial};
use factorial::primes::legendre;
use num_bigint::BigUint;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

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
    assert_eq!(digit_count(n, &tree), to_decimal(&tree).len() as u64);
}
