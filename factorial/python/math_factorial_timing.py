"""Times CPython's math.factorial(n) (and, with --str, its decimal string),
for comparison with `factorial/compare.sh` / `cargo run --release -p factorial
--bin time-factorial`.

Run: python3 factorial/python/math_factorial_timing.py N [--str]
Prints: python math.factorial N! DIGITS digits in SECONDS s
"""

import math
import sys
import time


def main():
    n = int(sys.argv[1])
    want_str = "--str" in sys.argv[2:]
    runs = 3 if n <= 200_000 else 1  # 1,000,000! takes CPython ~11 s
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        value = math.factorial(n)
        best = min(best, time.perf_counter() - start)
    digits = len(str(value)) if n < 20_000 else None
    print(f"python math.factorial {n}! in {best:.6f} s")
    if want_str:
        sys.set_int_max_str_digits(0)
        start = time.perf_counter()
        text = str(value)
        took = time.perf_counter() - start
        print(f"python str() {len(text)} digits in {took:.6f} s")
    elif digits is not None:
        print(f"({digits} digits)")


if __name__ == "__main__":
    main()
