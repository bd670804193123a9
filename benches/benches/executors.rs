//! Per-task overhead: our executor, rayon, the process pool executor, and
//! the process pool one task at a time (`apply` against `submit` + `result`).
//!
//! ```text
//! cargo bench -p benches --bench executors
//! ```
//!
//! Each iteration runs 1000 trivial tasks; criterion reports the time per
//! iteration, so divide by 1000 for the per-task figure (the README does).

use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use executors::executor::{Queued, ThreadPoolExecutor};
use executors::process_executor::ProcessPoolExecutor;
use rayon::prelude::*;

const TASKS: u32 = 1000;

fn overhead(c: &mut Criterion) {
    let workers = common::pool::cpu_workers();
    let mut group = c.benchmark_group("per_1000_tasks");
    group.throughput(Throughput::Elements(u64::from(TASKS)));

    let executor = ThreadPoolExecutor::new(workers).unwrap();
    group.bench_function("executor_map", |b| {
        b.iter(|| executor.map(|x: u32| black_box(x) + 1, 0..TASKS).count());
    });
    group.bench_function("executor_submit_result", |b| {
        b.iter(|| {
            let futures: Vec<_> =
                (0..TASKS).map(|x| executor.submit(move || black_box(x) + 1)).collect();
            futures.into_iter().map(|f| f.result().unwrap()).sum::<u32>()
        });
    });
    drop(executor);

    group.bench_function("rayon_scope_spawn", |b| {
        b.iter(|| {
            let counter = AtomicU32::new(0);
            rayon::scope(|s| {
                for _ in 0..TASKS {
                    s.spawn(|_| {
                        counter.fetch_add(1, Ordering::Relaxed);
                    });
                }
            });
            counter.into_inner()
        });
    });
    group.bench_function("rayon_par_iter", |b| {
        b.iter(|| (0..TASKS).into_par_iter().map(|x| black_box(x) + 1).sum::<u32>());
    });

    let exe = env!("CARGO_BIN_EXE_bench-worker");
    let processes: ProcessPoolExecutor<u32, u32> =
        ProcessPoolExecutor::new(exe, executors::worker::NOTHING, workers).unwrap();
    group.sample_size(20);
    group.bench_function("process_executor_map", |b| {
        b.iter(|| processes.map(|x| x, 0..TASKS).len());
    });
    group.finish();
    processes.shutdown(Queued::Run);

    // One task at a time on one worker. Not pinned: the scheduler puts the
    // worker on this core or the other from run to run, which moves these
    // figures (246 §7 pins both ends and compares them with a bare socket).
    let mut group = c.benchmark_group("one_at_a_time_1000_tasks");
    group.throughput(Throughput::Elements(u64::from(TASKS)));
    group.sample_size(20).measurement_time(std::time::Duration::from_secs(10));
    let pool = executors::worker::NOTHING.pool(exe).workers(1).start().unwrap();
    group.bench_function("process_pool_apply", |b| {
        b.iter(|| (0..TASKS).map(|x| pool.apply(x).unwrap()).sum::<u32>());
    });
    group.bench_function("process_pool_submit_result", |b| {
        b.iter(|| (0..TASKS).map(|x| pool.submit(x).result().unwrap()).sum::<u32>());
    });
    group.finish();
    pool.shutdown();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
