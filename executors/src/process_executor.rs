//! `ProcessPoolExecutor`: the executor's API over [`common::pool::ProcessPool`].
//!
//! *A library you may copy:* the lecture (§0), §3 (`process_demo.rs`),
//! §5, §6 and §11 (`futures_tour.rs`) use it.
//!
//! Python's `ProcessPoolExecutor` keeps a management thread that feeds a
//! `multiprocessing` pool and completes the futures. This one does the same
//! with a [`ThreadPoolExecutor`] of `max_workers` threads: each runs one
//! task at a time *through* the process pool — sends it, waits for the
//! reply — so exactly `max_workers` tasks are in flight, and every future
//! behaves like a thread-pool future (`cancel` before start, `as_completed`,
//! `result_timeout`).
//!
//! What processes add: a task that panics, aborts or hangs takes only its
//! worker process with it, and [`terminate`](ProcessPoolExecutor::terminate)
//! can *kill* running work — something no thread pool can do.

use std::path::PathBuf;
use std::sync::Arc;

use common::pool::ProcessPool;
use common::worker::PoolRole;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::executor::{Queued, TaskError, TaskFuture, ThreadPoolExecutor};

/// Python's `ProcessPoolExecutor`.
pub struct ProcessPoolExecutor<T, R> {
    pool: Arc<ProcessPool<T, R>>,
    threads: ThreadPoolExecutor,
}

impl<T, R> std::fmt::Debug for ProcessPoolExecutor<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessPoolExecutor").field("pool", &self.pool).finish()
    }
}

impl<T, R> ProcessPoolExecutor<T, R>
where
    T: Serialize + Send + 'static,
    R: DeserializeOwned + Send + 'static,
{
    /// `max_workers` processes, `exe` re-run, serving `role` (a binary
    /// whose worker `main` serves that role).
    pub fn new(
        exe: impl Into<PathBuf>,
        role: PoolRole<T, R>,
        max_workers: usize,
    ) -> std::io::Result<Self> {
        Self::from_pool(role.pool(exe).workers(max_workers).start()?)
    }

    /// Wraps an already configured pool (timeouts, initializer…).
    pub fn from_pool(pool: ProcessPool<T, R>) -> std::io::Result<Self> {
        let threads = ThreadPoolExecutor::builder()
            .max_workers(pool.workers())
            .thread_name_prefix("process-feeder")
            .build()?;
        Ok(Self { pool: Arc::new(pool), threads })
    }

    /// Queues `task`; its future completes when a worker process returns.
    pub fn submit(&self, task: T) -> TaskFuture<R> {
        let pool = Arc::clone(&self.pool);
        self.threads.submit_result(move || Ok(pool.submit(task).result()?))
    }

    /// Runs every item's task; results in input order.
    pub fn map<I>(
        &self,
        make_task: impl Fn(I) -> T,
        items: impl IntoIterator<Item = I>,
    ) -> Vec<Result<R, TaskError>> {
        let futures: Vec<TaskFuture<R>> =
            items.into_iter().map(|item| self.submit(make_task(item))).collect();
        futures.into_iter().map(TaskFuture::result).collect()
    }

    /// The worker processes' PIDs.
    pub fn pids(&self) -> Vec<u32> {
        self.pool.worker_pids().into_iter().flatten().collect()
    }

    /// Graceful shutdown: optionally cancel what has not started, let the
    /// rest finish, then stop and reap every worker process. Returns how
    /// many tasks were cancelled.
    pub fn shutdown(self, queued: Queued) -> usize {
        // Feeder threads first: once they are joined, nobody uses the pool.
        let cancelled = self.threads.shutdown(queued);
        drop(self.pool);
        cancelled
    }

    /// Immediate shutdown: kills the worker processes *now*. Running tasks
    /// fail with `Process(Terminated)`; queued ones never start and answer
    /// `Cancelled` (Python's `shutdown(cancel_futures=True)` after a kill);
    /// every process is reaped.
    /// (Threads cannot be killed; processes can — this is the difference.)
    pub fn terminate(self) {
        self.pool.kill_workers();
        self.threads.shutdown(Queued::Cancel);
        drop(self.pool);
    }
}

impl<X, Y> ProcessPoolExecutor<Vec<X>, Vec<Y>>
where
    X: Serialize + Send + 'static,
    Y: DeserializeOwned + Send + 'static,
{
    /// `map` with Python's `chunksize=`: the items travel `chunksize` at a
    /// time, one task (one request, one reply) per chunk, so the per-task
    /// cost of crossing a process boundary is paid once a chunk. The pool's
    /// workers serve chunks: a task is a `Vec` of items and its result the
    /// `Vec` of their results, in order (see `crate::worker`). One result
    /// per item, in input order; a chunk that fails fails each of its items.
    ///
    /// A `chunksize` of 0 is an error (`InvalidInput`) before anything is
    /// submitted, as Python raises `ValueError` for a chunksize below 1 —
    /// the same error shape as a `max_workers` of 0.
    #[doc(alias = "chunksize")]
    pub fn map_chunked(
        &self,
        items: impl IntoIterator<Item = X>,
        chunksize: usize,
    ) -> std::io::Result<Vec<Result<Y, TaskError>>> {
        if chunksize == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "chunksize must be at least 1",
            ));
        }
        let mut items = items.into_iter().peekable();
        let mut chunks: Vec<(usize, TaskFuture<Vec<Y>>)> = Vec::new();
        while items.peek().is_some() {
            let chunk: Vec<X> = items.by_ref().take(chunksize).collect();
            chunks.push((chunk.len(), self.submit(chunk)));
        }
        let mut results = Vec::new();
        for (len, future) in chunks {
            match future.result() {
                Ok(values) if values.len() == len => {
                    results.extend(values.into_iter().map(Ok))
                }
                Ok(values) => {
                    let err = TaskError::Failed(format!(
                        "a chunk of {len} items came back with {} results",
                        values.len()
                    ));
                    results.extend((0..len).map(|_| Err(err.clone())));
                }
                Err(err) => results.extend((0..len).map(|_| Err(err.clone()))),
            }
        }
        Ok(results)
    }
}
