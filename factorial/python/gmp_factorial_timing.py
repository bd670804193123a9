"""Times GMP's n! and its decimal string through gmpy2 (GMP's own
`mpz_fac_ui` and `mpz_get_str`, one core), for `factorial/compare.sh`.

Run: python3 factorial/python/gmp_factorial_timing.py N [--str] [--runs K]
Prints: gmp fac N! in SECONDS s      (the median of K runs, 5 by default)
        gmp str() DIGITS digits in SECONDS s
"""

import statistics
import sys
import time

import gmpy2


def median_time(work, runs):
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    n = int(sys.argv[1])
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    took, value = median_time(lambda: gmpy2.fac(n), runs)
    print(f"gmp fac {n}! in {took:.6f} s")
    if "--str" in sys.argv[2:]:
        took, text = median_time(lambda: value.digits(10), runs)
        print(f"gmp str() {len(text)} digits in {took:.6f} s")


if __name__ == "__main__":
    main()
