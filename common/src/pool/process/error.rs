//! What can become of a task, and the pool's counters.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Why a task has no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// The task's code panicked inside the worker. The worker survived and
    /// took the next task.
    #[error("task panicked in worker pid {pid}: {message}")]
    Panicked {
        /// The worker that ran it.
        pid: u32,
        /// The panic message and where it happened.
        message: String,
    },
    /// The worker process ended while it had the task: it aborted, exited,
    /// or was killed by a signal (`status` says which, e.g. `signal: 9
    /// (SIGKILL)`). A worker that was already dead when the task was sent is
    /// *not* this error: the task goes to a fresh worker instead (see the
    /// module docs, "Delivery").
    #[error("worker pid {pid} died during the task ({status})")]
    WorkerDied {
        /// The worker that died.
        pid: u32,
        /// Its exit status as the OS reported it.
        status: String,
    },
    /// The task ran longer than its timeout; its worker was killed and
    /// reaped, and a fresh worker takes the next task.
    #[error(
        "task exceeded its {} timeout; worker pid {pid} was killed ({status})",
        crate::timing::HumanDuration(*.limit)
    )]
    TimedOut {
        /// The worker that was killed.
        pid: u32,
        /// The timeout that expired.
        limit: Duration,
        /// The killed worker's exit status.
        status: String,
    },
    /// [`TaskHandle::result_timeout`](super::TaskHandle::result_timeout) gave
    /// up waiting. The task is still queued or running; ask again later
    /// (Python's `TimeoutError` from `AsyncResult.get(timeout)`).
    #[error(
        "no result after waiting {}; the task is still pending",
        crate::timing::HumanDuration(*.0)
    )]
    NotReady(Duration),
    /// A new worker's initializer failed or overran its deadline, so this
    /// task never ran.
    #[error("worker initializer failed: {0}")]
    InitFailed(String),
    /// A worker process could not be started.
    #[error("could not start a worker process: {0}")]
    Spawn(String),
    /// The task or its result could not be encoded or decoded, or is larger
    /// than a frame may be.
    #[error("could not encode or decode: {0}")]
    Codec(String),
    /// The worker broke the protocol (a bug, or the wrong executable).
    #[error("protocol error with worker: {0}")]
    Protocol(String),
    /// [`ProcessPool::terminate`](super::ProcessPool::terminate) stopped the
    /// pool before this task finished.
    #[error("the pool was terminated before the task finished")]
    Terminated,
    /// The pool's own code failed while it carried this task — a bug, or a
    /// panic in a library it calls. The task may or may not have run. The
    /// pool **recovers**: the worker involved was killed and reaped, and the
    /// next task gets a fresh one (unlike Python's `BrokenProcessPool`,
    /// nothing else is failed).
    #[error("the pool failed while carrying the task: {0}")]
    Internal(String),
    /// The task was dropped without an outcome (a bug in the pool; reported
    /// rather than leaving the caller blocked forever).
    #[error("the task was lost by the pool")]
    Lost,
}

/// Counters over the pool's life: the cost of IPC, in numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Tasks that came back with a reply (a value or a panic message).
    pub replies: u64,
    /// Bytes written to workers (frames with headers, initializers included).
    pub bytes_sent: u64,
    /// Bytes read back from workers.
    pub bytes_received: u64,
    /// Worker processes started, replacements included.
    pub workers_started: u64,
    /// Workers that died or were killed, during a task or while idle.
    pub workers_lost: u64,
    /// Tasks sent again to a fresh worker because the first one had died
    /// before the task reached it.
    pub redelivered: u64,
    /// Healthy workers retired after `max_tasks_per_worker` tasks.
    pub retired: u64,
    /// Workers found dead while idle (killed, or crashed between tasks)
    /// by their slot's periodic check, reaped and replaced before any task
    /// needed them. Also counted in `workers_lost`.
    pub reaped_idle: u64,
    /// Tasks that [`apply`](super::ProcessPool::apply) ran from the
    /// caller's own thread on an idle worker (the rest went through the
    /// queue).
    pub applied_directly: u64,
}

/// The live counters behind [`PoolStats`], updated by the manager threads.
#[derive(Debug, Default)]
pub(super) struct Counters {
    pub(super) replies: AtomicU64,
    pub(super) bytes_sent: AtomicU64,
    pub(super) bytes_received: AtomicU64,
    pub(super) workers_started: AtomicU64,
    pub(super) workers_lost: AtomicU64,
    pub(super) redelivered: AtomicU64,
    pub(super) retired: AtomicU64,
    pub(super) reaped_idle: AtomicU64,
    pub(super) applied_directly: AtomicU64,
}

impl Counters {
    pub(super) fn add(counter: &AtomicU64, n: usize) {
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub(super) fn snapshot(&self) -> PoolStats {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        PoolStats {
            replies: get(&self.replies),
            bytes_sent: get(&self.bytes_sent),
            bytes_received: get(&self.bytes_received),
            workers_started: get(&self.workers_started),
            workers_lost: get(&self.workers_lost),
            redelivered: get(&self.redelivered),
            retired: get(&self.retired),
            reaped_idle: get(&self.reaped_idle),
            applied_directly: get(&self.applied_directly),
        }
    }
}
