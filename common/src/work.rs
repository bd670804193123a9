//! CPU-bound workloads that several chapters run, so that their timings
//! measure the same loop.

use std::hint::black_box;

/// Σ i² for i in 0..n — the notebooks' `cpu_bound_task(n)` /
/// `cpu_intensive(n)`. For n = 10⁷ the answer, 333333283333335000000, does
/// not fit in a `u64` (max ≈ 1.8·10¹⁹), so the sum is a `u128`; Python's
/// ints grow without asking.
///
/// `black_box` hides each `i` from the optimiser: without it LLVM replaces
/// the whole loop by the closed formula (measured: 10⁷ terms in 120 ns), and
/// there would be nothing left to parallelise.
///
/// ```
/// assert_eq!(common::work::sum_of_squares(4), 0 + 1 + 4 + 9);
/// ```
#[inline(never)]
pub fn sum_of_squares(n: u64) -> u128 {
    let mut total: u128 = 0;
    for i in 0..n {
        let i = u128::from(black_box(i));
        total += i * i;
    }
    total
}

/// The closed form of [`sum_of_squares`], (n−1)·n·(2n−1)/6, to check results.
///
/// ```
/// use common::work::{sum_of_squares, sum_of_squares_formula};
/// assert_eq!(sum_of_squares_formula(10_000_000), 333_333_283_333_335_000_000);
/// assert_eq!(sum_of_squares_formula(1_000), sum_of_squares(1_000));
/// ```
pub fn sum_of_squares_formula(n: u64) -> u128 {
    if n == 0 {
        return 0;
    }
    let n = u128::from(n);
    (n - 1) * n * (2 * n - 1) / 6
}
