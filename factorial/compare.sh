#!/usr/bin/env bash
# Rust, GMP and CPython side by side, on the same machine, same n, one run.
#
#   factorial/compare.sh 1000000            # n!: Rust (NTT, all cores) vs GMP vs math.factorial
#   factorial/compare.sh 1000000 --str      # … and the decimal string
#   factorial/compare.sh 10000000           # (CPython is skipped above 2,000,000: minutes)
#
# Ratios are Rust ÷ other: below 1.00, Rust took less time. CPython's
# str() is skipped above n = 300,000 (it is quadratic: 370 s for 1,000,000!).
#   factorial/compare.sh lecture            # the lecture script, whole process, best of 5
#
# GMP is reached through gmpy2 (pinned below), installed into target/gmp-venv
# on first use; without network or a wheel the GMP column says so and the
# rest still runs. Builds the release binaries first. Prints only what it
# measured: Rust's first run (which builds the NTT's plans) and the median of
# the next four; GMP's median of five; CPython's one run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p factorial --bins
RUST=target/release
GMPY2_VERSION=2.2.1
ratio() { python3 -c "print(f'{$1 / $2:.3g}')"; }
# "Rust ÷ other = 0.64" for Rust time $1 and the other's time $2.
vs() { echo "Rust ÷ $3 = $(ratio "$1" "$2")"; }

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
want_str="${1:-}"

gmp_python=""
if [[ ! -x target/gmp-venv/bin/python ]]; then
    python3 -m venv target/gmp-venv >/dev/null 2>&1 || true
fi
if target/gmp-venv/bin/python -c "import gmpy2" 2>/dev/null \
    || target/gmp-venv/bin/pip install -q "gmpy2==$GMPY2_VERSION" >/dev/null 2>&1; then
    gmp_python=target/gmp-venv/bin/python
fi

rust_out=$("$RUST/time-factorial" "$n" ntt $want_str --runs 5)
echo "$rust_out"
field() { echo "$1" | awk -v pat="$2" '$0 ~ pat {for (i = 1; i <= NF; i++) if ($i == "in") {print $(i + 1); exit}}'; }
rs_cold=$(field "$rust_out" "NTT $n! in .*first")
rs_warm=$(field "$rust_out" "NTT $n! in .*median")

if [[ -n "$gmp_python" ]]; then
    gmp_out=$("$gmp_python" factorial/python/gmp_factorial_timing.py "$n" $want_str)
    echo "$gmp_out"
    gmp=$(field "$gmp_out" "gmp fac")
    echo "n!: $(vs "$rs_warm" "$gmp" GMP) after Rust's first run; $(vs "$rs_cold" "$gmp" GMP) for the first run (plans included)"
else
    echo "(GMP skipped: gmpy2==$GMPY2_VERSION could not be installed — no network or no wheel)"
fi

if (( n <= 2000000 )); then
    py_str_flag=""
    if (( n <= 300000 )); then py_str_flag="$want_str"; fi
    py_out=$(python3 factorial/python/math_factorial_timing.py "$n" $py_str_flag)
    echo "$py_out"
    py=$(field "$py_out" "math.factorial")
    echo "n!: $(vs "$rs_warm" "$py" CPython)"
else
    echo "(CPython skipped above n = 2000000: math.factorial takes minutes there)"
fi

if [[ "$want_str" == "--str" ]]; then
    rs_str=$(field "$rust_out" "to_decimal .*median")
    if [[ -n "$gmp_python" ]]; then
        gmp_str=$(field "$gmp_out" "gmp str")
        echo "decimal string: $(vs "$rs_str" "$gmp_str" GMP)"
    fi
    if (( n <= 300000 )); then
        py_str=$(field "$py_out" "str\\(\\)")
        echo "decimal string: $(vs "$rs_str" "$py_str" CPython)"
    else
        echo "(CPython's str() skipped above n = 300000: quadratic, minutes)"
    fi
fi
