//! What this chapter's worker processes run (each process pool serves one
//! task type; [`crate::worker`] picks it).

use std::time::Duration;

use common::worker::PoolRole;

/// The lecture's `square_number(number, pause)`.
pub const SQUARES: PoolRole<(i64, u64), String> = PoolRole::new("squares");
/// A CPU-bound sum.
pub const CPU: PoolRole<u64, u128> = PoolRole::new("cpu");
/// Sleeps the given milliseconds and returns them.
pub const SLOW: PoolRole<u64, u64> = PoolRole::new("slow");
/// Returns its input: the cost of a round trip and nothing else.
pub const NOTHING: PoolRole<u32, u32> = PoolRole::new("nothing");
/// Squares a chunk of numbers (`map_chunked`).
pub const SQUARE_CHUNKS: PoolRole<Vec<u64>, Vec<u64>> = PoolRole::new("square-chunks");
/// Leaks memory on purpose (`max_tasks_per_child`).
pub const LEAKY: PoolRole<u32, Leaked> = PoolRole::new("leaky");

/// The lecture's `square_number(number)`: sleeps, returns `"Square: n²"`.
pub fn square_number((number, pause_micros): (i64, u64)) -> String {
    std::thread::sleep(Duration::from_micros(pause_micros));
    format!("Square: {}", number * number)
}

/// Section 3's `cpu_intensive(n)`: prints its PID, returns Σ i².
pub fn cpu_intensive(n: u64) -> u128 {
    println!("Processing {n} in PID {}...", std::process::id());
    common::work::sum_of_squares(n)
}

/// Sleeps `millis`, returns it (section 5's slow task, in a process).
pub fn slow_task(millis: u64) -> u64 {
    std::thread::sleep(Duration::from_millis(millis));
    millis
}

/// Section 11's chunked `map`: squares a chunk of numbers, one task per
/// chunk (Python's `chunksize`).
pub fn square_chunk(chunk: Vec<u64>) -> Vec<u64> {
    chunk.into_iter().map(|n| n * n).collect()
}

/// What a leaky task reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Leaked {
    /// The worker process that ran it.
    pub pid: u32,
    /// That worker's resident memory after the leak, KiB.
    pub rss_kib: u64,
}

impl Leaked {
    /// Two runs of leaky tasks as one table, task by task: each task's
    /// worker PID and the memory after it, one run beside the other.
    pub fn side_by_side(kept: &[Leaked], recycled: &[Leaked]) -> common::report::Table {
        let mut table = common::report::Table::new([
            "task",
            "one worker: pid",
            "RSS",
            "retired every 2: pid",
            "RSS",
        ]);
        for (i, (a, b)) in kept.iter().zip(recycled).enumerate() {
            table.row([
                (i + 1).to_string(),
                a.pid.to_string(),
                format!("{} MiB", a.rss_kib / 1024),
                b.pid.to_string(),
                format!("{} MiB", b.rss_kib / 1024),
            ]);
        }
        table
    }
}

/// Section 11's leaky task: allocates `mib` MiB, touches every page, and
/// never frees it (as a C library with a leak, or a cache that only grows,
/// would) — then reports its worker's PID and resident memory.
pub fn leaky_task(mib: u32) -> Leaked {
    let leak = vec![1_u8; (mib as usize) << 20];
    // Never freed: the memory stays with the process until it exits.
    std::hint::black_box(Box::leak(leak.into_boxed_slice()));
    Leaked {
        pid: std::process::id(),
        rss_kib: common::procfs::status().map_or(0, |status| status.rss_kib),
    }
}

/// A one-worker process pool serving [`leaky_task`] (`exe` is this
/// chapter's binary), its worker retired every `max_tasks` tasks if given.
pub fn leaky_pool(
    exe: &std::path::Path,
    max_tasks: Option<u64>,
) -> std::io::Result<common::pool::ProcessPool<u32, Leaked>> {
    let mut builder = LEAKY.pool(exe).workers(1);
    if let Some(max_tasks) = max_tasks {
        builder = builder.max_tasks_per_worker(max_tasks);
    }
    builder.start()
}
