//! The pool's life after `start`: what it reports about itself, and how it
//! ends — gracefully ([`ProcessPool::shutdown`], and `Drop`) or at once
//! ([`ProcessPool::terminate`]).

use std::path::Path;
use std::sync::atomic::Ordering;

use super::{ProcessPool, TaskError};
use crate::child::ChildGuard;
use crate::pool::PoolStats;

impl<T, R> ProcessPool<T, R> {
    /// Number of worker processes.
    pub fn workers(&self) -> usize {
        // A manager thread ends only at shutdown — or by a bug, in which
        // case it has reaped its worker and the pool really is smaller.
        self.managers.iter().filter(|manager| !manager.is_finished()).count()
    }

    /// The PID of each worker slot's current process; `None` for a slot
    /// whose worker died and could not be replaced (or during replacement).
    pub fn worker_pids(&self) -> Vec<Option<u32>> {
        (0..self.shared.children.len())
            .map(|index| self.shared.child(index).as_ref().map(ChildGuard::id))
            .collect()
    }

    /// The IPC counters so far.
    pub fn stats(&self) -> PoolStats {
        self.shared.counters.snapshot()
    }

    /// The executable the workers run.
    pub fn exe(&self) -> &Path {
        &self.shared.config.exe
    }

    /// Graceful shutdown (Python's `close()` + `join()`): queued tasks still
    /// run, then every worker is told to exit and is reaped. `Drop` does the
    /// same; calling this makes the wait visible in the code.
    pub fn shutdown(self) {
        drop(self);
    }

    /// Immediate shutdown (Python's `terminate()`, and what its `with Pool()`
    /// does on exit): running workers are killed and reaped, and every task
    /// not yet finished answers [`TaskError::Terminated`].
    pub fn terminate(mut self) {
        self.kill_workers();
        self.close_and_join();
    }

    /// The first half of [`terminate`](Self::terminate), usable through a
    /// shared reference (an `Arc<ProcessPool>`): kills every worker now; the
    /// tasks they were running, every queued task and every later one answer
    /// [`TaskError::Terminated`]. The pool is then only good for dropping.
    pub fn kill_workers(&self) {
        self.shared.terminating.store(true, Ordering::SeqCst);
        for index in 0..self.shared.children.len() {
            if let Some(child) = self.shared.child(index).as_mut() {
                // Its manager sees the socket close and reaps it. A worker
                // being started right now sees the flag instead (see
                // `Connection::spawn`).
                child.kill();
            }
        }
    }

    fn close_and_join(&mut self) {
        // Closing the queue is the shutdown signal: each manager drains what
        // is left, then closes its worker's socket and reaps it.
        self.shared.closing.store(true, Ordering::SeqCst);
        self.job_sender = None;
        for manager in self.managers.drain(..) {
            if manager.join().is_err() {
                tracing::error!("a process-pool manager thread panicked");
            }
        }
        // Managers catch their own panics, so none should have ended early;
        // if one did anyway, nothing it left in the queue waits forever.
        let (queue, handed_back) = (&self.shared.queue, &self.shared.handed_back.1);
        while let Ok(job) = handed_back.try_recv().or_else(|_| queue.try_recv()) {
            job.reply.send(Err(TaskError::Lost));
        }
    }
}

impl<T, R> Drop for ProcessPool<T, R> {
    fn drop(&mut self) {
        self.close_and_join();
    }
}
