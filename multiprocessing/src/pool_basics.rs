//! Sections 5 and 6: the process pool — `map`, `imap`, `apply_async`, and a
//! per-worker initializer.
//!
//! ```python
//! with Pool(processes=4) as pool:
//!     squares = pool.map(square, numbers)          # blocks, keeps order
//!     cubes = list(pool.imap(cube, numbers))       # lazy iterator, keeps order
//!     result = pool.apply_async(square, (10,))     # returns at once
//!     print(f"10 squared: {result.get()}")
//!
//! with Pool(processes=2, initializer=init_worker) as pool:
//!     results = pool.map(process_data, range(5))   # [0, 2, 4, 6, 8]
//! ```
//!
//! [`ProcessPool`](common::pool::ProcessPool) has the same shape. The
//! function becomes an enum variant ([`IntJob::Square`] is a function
//! `i64 -> IntJob`, so it can be passed to `map` just like `square`), and
//! every result is a `Result`: a task can fail without taking the others
//! with it.

use anyhow::Context;
use common::pool::TaskError;

use crate::Config;
use crate::jobs::{INTS, IntJob};

/// The notebook's `numbers`.
pub const NUMBERS: [i64; 5] = [1, 2, 3, 4, 5];

/// What section 5 computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolResults {
    /// `pool.map(square, numbers)`.
    pub squares: Vec<i64>,
    /// `list(pool.imap(cube, numbers))`.
    pub cubes: Vec<i64>,
    /// `pool.apply_async(square, (10,)).get()`.
    pub ten_squared: i64,
}

/// Section 5's three calls on a pool of four.
pub fn pool_results(config: &Config) -> anyhow::Result<PoolResults> {
    // Python: `with Pool(4) as pool:`
    let pool =
        INTS.pool(&config.worker_exe).workers(4).start().context("starting the pool")?;
    // map: submit all five, wait for all five, results in input order.
    let squares =
        pool.map(IntJob::Square, NUMBERS).into_iter().collect::<Result<_, _>>()?;
    // imap: an iterator; each `next()` waits only for the next result.
    let cubes = pool.imap(IntJob::Cube, NUMBERS).collect::<Result<_, TaskError>>()?;
    // apply_async: returns a handle at once; `result()` waits.
    let handle = pool.submit(IntJob::Square(10));
    let ten_squared = handle.result()?;
    // Leaving the scope would do this too (Drop); written out to show it.
    pool.shutdown();
    Ok(PoolResults { squares, cubes, ten_squared })
}

/// Section 5.
pub fn show_pool(config: &Config) -> anyhow::Result<()> {
    let results = pool_results(config)?;
    println!("Squares: {:?}", results.squares);
    println!("Cubes: {:?}", results.cubes);
    println!("10 squared: {}", results.ten_squared);
    println!(
        "\nmap waits for every result; imap hands them out one by one, in input order,\n\
         keeping at most two tasks per worker in flight; submit (Python's apply_async)\n\
         returns a handle at once, and result() waits for that one task. apply (Python's\n\
         apply) runs one task and waits: section 7 shows why it is the quicker way to\n\
         run tasks one at a time."
    );
    Ok(())
}

/// Section 6's pool: two workers, each initialised once. Returns the results
/// and the workers' PIDs.
pub fn initializer_results(config: &Config) -> anyhow::Result<(Vec<i64>, Vec<u32>)> {
    // `start()` launches both workers and runs the initializer in each
    // before returning, so both "Worker initialized" lines come first.
    let pool = INTS
        .pool(&config.worker_exe)
        .workers(2)
        .initializer(IntJob::InitWorker)
        .start()
        .context("starting the pool")?;
    let pids = pool.worker_pids().into_iter().flatten().collect();
    let results = pool.map(IntJob::Double, 0..5).into_iter().collect::<Result<_, _>>()?;
    Ok((results, pids))
}

/// Section 6.
pub fn show_initializer(config: &Config) -> anyhow::Result<()> {
    let (results, pids) = initializer_results(config)?;
    println!("Results: {results:?}");
    println!(
        "\nThe initializer ran once in each worker ({pids:?}), before any task: the place to\n\
         open a connection or load a model that every task in that process reuses."
    );
    Ok(())
}
