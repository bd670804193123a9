//! Primes and Legendre's formula.
//!
//! *A library, not a lesson:* the prime-exponent methods (§4, §6) and the
//! trailing-zero counts (§3, §5) use it.

/// The odd primes up to `n` (a sieve of Eratosthenes over odd numbers only:
/// `n / 2` bytes).
pub fn odd_primes_up_to(n: u64) -> Vec<u64> {
    if n < 3 {
        return Vec::new();
    }
    // composite[i] says whether 2i + 1 is composite.
    let len = usize::try_from(n.div_ceil(2)).expect("n fits in memory");
    let mut composite = vec![false; len];
    let mut i = 1;
    while (2 * i + 1) * (2 * i + 1) <= n as usize {
        if !composite[i] {
            let p = 2 * i + 1;
            // Odd multiples of p from p², stepping 2p (index step p).
            let mut j = (p * p) / 2;
            while j < len {
                composite[j] = true;
                j += p;
            }
        }
        i += 1;
    }
    (1..len).filter(|&i| !composite[i]).map(|i| 2 * i as u64 + 1).collect()
}

/// Legendre's formula: the exponent of the prime `p` in n!, that is
/// ⌊n/p⌋ + ⌊n/p²⌋ + ⌊n/p³⌋ + …
///
/// With p = 5 it counts the trailing zeros of n! (each zero needs a 2 and a
/// 5, and 2s are plentiful).
///
/// ```
/// use factorial::primes::legendre;
/// assert_eq!(legendre(10, 2), 8); // 10! = 2⁸ · 3⁴ · 5² · 7
/// assert_eq!(legendre(5000, 5), 1249); // trailing zeros of 5000!
/// ```
pub fn legendre(n: u64, p: u64) -> u64 {
    let mut exponent = 0;
    let mut m = n;
    while m >= p {
        m /= p;
        exponent += m;
    }
    exponent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sieve_finds_the_primes() {
        assert_eq!(odd_primes_up_to(30), [3, 5, 7, 11, 13, 17, 19, 23, 29]);
        assert_eq!(odd_primes_up_to(2), Vec::<u64>::new());
        assert_eq!(odd_primes_up_to(9), [3, 5, 7]);
        // π(10⁶) = 78498, minus the prime 2.
        assert_eq!(odd_primes_up_to(1_000_000).len(), 78_497);
    }

    #[test]
    fn legendre_counts_the_notebook_trailing_zeros() {
        for (n, zeros) in
            [(5000, 1249), (6000, 1498), (700, 174), (8000, 1998), (7000, 1749)]
        {
            assert_eq!(legendre(n, 5), zeros, "{n}!");
        }
    }
}
