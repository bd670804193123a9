//! Helpers shared by more than one test binary of this crate: each binary
//! includes this file as its own `shared` module (`tests/shared/` has no
//! `main.rs`, so it is no test binary itself).

use executors::process_executor::ProcessPoolExecutor;

/// The squares of `0..n` as `executor` (a `SQUARE_CHUNKS` pool) computes
/// them with `map_chunked`, in chunks of `chunksize`. Panics if the
/// chunksize is refused or a chunk failed.
pub(crate) fn squares_in_chunks(
    executor: &ProcessPoolExecutor<Vec<u64>, Vec<u64>>,
    n: u64,
    chunksize: usize,
) -> Vec<u64> {
    executor
        .map_chunked(0..n, chunksize)
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect()
}
