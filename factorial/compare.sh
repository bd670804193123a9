#!/usr/bin/env bash
# Rust and CPython side by side, on the same machine, same n.
#
#   factorial/compare.sh 1000000          # n! : Rust (primes, all cores) vs math.factorial
#   factorial/compare.sh 1000000 --str    # … and the decimal string
#   factorial/compare.sh lecture          # the lecture script, whole process, best of 5
#
# Builds the release binaries first. Prints only what it measured.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p factorial --bins
RUST=target/release
ratio() { python3 -c "print(f'{$1 / $2:.1f}')"; }

if [[ "${1:-}" == "lecture" ]]; then
    wall() { # best wall time of 5 runs of a command, in seconds
        local best=1000000000000
        for _ in 1 2 3 4 5; do
            local start end
            start=$(date +%s%N)
            "$@" >/dev/null
            end=$(date +%s%N)
            best=$(( (end - start) < best ? (end - start) : best ))
        done
        python3 -c "print(f'{$best / 1e9:.6f}')"
    }
    py=$(wall python3 factorial/python/factorial_multi_processing.py)
    rs=$(wall "$RUST/lecture")
    echo "lecture script, whole process (best of 5): python ${py} s, rust ${rs} s"
    echo "ratio: python / rust = $(ratio "$py" "$rs")"
    exit 0
fi

n="${1:?usage: compare.sh N [--str] | lecture}"
shift
rust_out=$("$RUST/time-factorial" "$n" primes "$@")
py_out=$(python3 factorial/python/math_factorial_timing.py "$n" "$@")
echo "$rust_out"
echo "$py_out"
rs=$(echo "$rust_out" | awk '/ in /{print $(NF-1); exit}')
py=$(echo "$py_out" | awk '/ in /{print $(NF-1); exit}')
echo "n! ratio: python / rust = $(ratio "$py" "$rs")"
if [[ "${1:-}" == "--str" ]]; then
    rs=$(echo "$rust_out" | awk '/to_decimal/{print $(NF-1)}')
    py=$(echo "$py_out" | awk '/str\(\)/{print $(NF-1)}')
    echo "decimal string ratio: python / rust = $(ratio "$py" "$rs")"
fi
