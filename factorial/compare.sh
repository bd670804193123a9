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
# rest still runs. malachite (malachite-nz, pinned below: the pure-Rust bignum
# library a Rust user would reach for) is built on first use as a throwaway
# crate under target/malachite-bench, outside the workspace, so it never
# enters `cargo test --workspace`. Builds the release binaries first. Prints
# only what it measured: each library's first run in a fresh process and the
# median of the next four (GMP: median of five; CPython: one run), and the
# peak resident memory of one n! in a fresh process (GMP's and malachite's
# less their program's own baseline: Python with gmpy2 imported, or the
# bench binary computing 1!).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p factorial --bins
RUST=target/release
GMPY2_VERSION=2.2.1
MALACHITE_VERSION=0.14.0
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

# The peak resident set (KiB) of a command run to its end, in a fresh
# process: getrusage's ru_maxrss of the one child.
peak_kib() {
    python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}

malachite=""
malachite_dir=target/malachite-bench
if [[ ! -x "$malachite_dir/target/release/malachite-bench" ]]; then
    mkdir -p "$malachite_dir/src"
    cat > "$malachite_dir/Cargo.toml" <<TOML
[package]
name = "malachite-bench"
version = "0.1.0"
edition = "2024"
publish = false

# Not a member of the chapters' workspace: built only by compare.sh.
[workspace]

[dependencies]
malachite-base = "=$MALACHITE_VERSION"
malachite-nz = "=$MALACHITE_VERSION"
TOML
    cat > "$malachite_dir/src/main.rs" <<'RUST'
//! n! by malachite, one core: the first run in this process, then the
//! median of K more. `malachite-bench N K`
use malachite_base::num::arithmetic::traits::Factorial;
use malachite_base::num::logic::traits::SignificantBits;
use malachite_nz::natural::Natural;
use std::time::Instant;
fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|a| a.parse().ok()).expect("usage: malachite-bench N K");
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    let time = || { let start = Instant::now(); let f = Natural::factorial(n); (start.elapsed().as_secs_f64(), f) };
    let (first, value) = time();
    println!("malachite fac {n}! in {first:.6} s (first run, {} bits)", value.significant_bits());
    if runs > 0 {
        let mut times: Vec<f64> = (0..runs).map(|_| time().0).collect();
        times.sort_by(f64::total_cmp);
        println!("malachite fac {n}! in {:.6} s (median of {runs} more)", times[runs / 2]);
    }
}
RUST
    (cd "$malachite_dir" && cargo build --release -q >/dev/null 2>&1) || true
fi
if [[ -x "$malachite_dir/target/release/malachite-bench" ]]; then
    malachite="$malachite_dir/target/release/malachite-bench"
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

if [[ -n "$malachite" ]]; then
    mal_out=$("$malachite" "$n" 4)
    echo "$mal_out"
    mal_cold=$(field "$mal_out" "first run")
    mal_warm=$(field "$mal_out" "median")
    echo "n!: $(vs "$rs_cold" "$mal_cold" malachite) first runs; $(vs "$rs_warm" "$mal_warm" malachite) after them"
else
    echo "(malachite skipped: malachite-nz $MALACHITE_VERSION could not be built — no network?)"
fi

# Memory: one n! in a fresh process each, less what the same program needs
# to compute 1! (Rust's runtime and threads; Python with gmpy2 imported).
net_kib() { echo $(( $(peak_kib "$@" "$n") - $(peak_kib "$@" 1) )); }
# Below 1 MiB the difference of two peaks is within their noise (it can even
# come out negative), so it is printed as that.
mib() { python3 -c "k = $1; print(f'{k / 1024:.1f} MiB' if k >= 1024 else 'under 1 MiB')"; }
rs_kib=$(net_kib "$RUST/time-factorial")
line="peak memory of one $n! (each less its program's own): Rust $(mib "$rs_kib")"
if [[ -n "$gmp_python" ]]; then
    gmp_kib=$(net_kib "$gmp_python" -c "import sys, gmpy2; gmpy2.fac(int(sys.argv[1]))")
    line+=", GMP $(mib "$gmp_kib")"
    if (( gmp_kib >= 1024 )); then
        line+=" (Rust ÷ GMP = $(ratio "$rs_kib" "$gmp_kib"))"
    fi
fi
if [[ -n "$malachite" ]]; then
    line+=", malachite $(mib "$(net_kib "$malachite")")"
fi
echo "$line"

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
