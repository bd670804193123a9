//! Criterion benches of the factorial methods and the decimal conversion.
//!
//! ```text
//! cargo bench -p benches --bench factorial             # all (a few minutes)
//! cargo bench -p benches --bench factorial -- 1000000  # only the 1,000,000! group
//! cargo bench -p benches --bench factorial -- 10000000 # 10,000,000! by NTT
//! cargo bench -p benches --bench factorial -- decimal  # the decimal strings
//! ```
//!
//! The figures in the README come from these; the `compare.sh` script puts
//! GMP and CPython beside them. Criterion's warm-up builds the NTT's plans
//! (once per transform length), so these medians are after that.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use factorial::digits::to_decimal;
use factorial::methods::{Method, factorial};

fn methods(c: &mut Criterion) {
    for n in [10_000_u64, 100_000] {
        let mut group = c.benchmark_group(format!("factorial/{n}"));
        for method in Method::ALL {
            if method == Method::Naive && n > 10_000 {
                continue;
            }
            group.bench_with_input(
                BenchmarkId::from_parameter(format!("{method:?}")),
                &n,
                |b, &n| {
                    b.iter(|| factorial(black_box(n), method));
                },
            );
        }
        group.finish();
    }
    let mut group = c.benchmark_group("factorial/1000000");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for method in [Method::ParallelTree, Method::Primes, Method::Ntt] {
        group.bench_function(format!("{method:?}"), |b| {
            b.iter(|| factorial(black_box(1_000_000), method));
        });
    }
    group.finish();
    let mut group = c.benchmark_group("factorial/10000000");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.bench_function("Ntt", |b| {
        b.iter(|| factorial(black_box(10_000_000), Method::Ntt));
    });
    group.finish();
}

fn decimal(c: &mut Criterion) {
    let mut group = c.benchmark_group("decimal");
    group.sample_size(10);
    let value = factorial(100_000, Method::Ntt);
    group.bench_function("to_decimal/100000!", |b| {
        b.iter(|| to_decimal(black_box(&value)))
    });
    group.bench_function("to_string/100000!", |b| {
        b.iter(|| black_box(&value).to_string())
    });
    let big = factorial(1_000_000, Method::Ntt);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("to_decimal/1000000!", |b| {
        b.iter(|| to_decimal(black_box(&big)))
    });
    group.finish();
}

criterion_group!(benches, methods, decimal);
criterion_main!(benches);
