//! [`ProcessPoolBuilder`]: how a pool is configured and started.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{
    Counters, Job, MIN_IDLE_CHECK, ProcessPool, Shared, WorkerConfig, encode_request,
    manager, start_worker,
};

/// Configures a [`ProcessPool`]; see [`ProcessPool::builder`].
#[must_use = "a builder does nothing until `start`"]
pub struct ProcessPoolBuilder<T, R> {
    exe: PathBuf,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    workers: usize,
    task_timeout: Option<Duration>,
    initializer: Option<T>,
    initializer_timeout: Duration,
    max_tasks_per_worker: Option<u64>,
    idle_check: Duration,
    /// The builder holds no `R` and only *consumes* `T`s; `fn(T) -> R`
    /// records both types without making the builder own either (so it is
    /// `Send` and `Sync` whatever `T` and `R` are).
    types: PhantomData<fn(T) -> R>,
}

impl<T, R> fmt::Debug for ProcessPoolBuilder<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessPoolBuilder")
            .field("exe", &self.exe)
            .field("args", &self.args)
            .field("workers", &self.workers)
            .field("task_timeout", &self.task_timeout)
            .finish_non_exhaustive()
    }
}

impl<T: Serialize, R: DeserializeOwned> ProcessPoolBuilder<T, R> {
    /// The defaults: as many workers as cores, no timeouts but the
    /// initializer's 30 s, no retirement, idle checks every 100 ms.
    pub(super) fn new(exe: PathBuf) -> Self {
        Self {
            exe,
            args: Vec::new(),
            envs: Vec::new(),
            workers: crate::pool::cpu_workers(),
            task_timeout: None,
            initializer: None,
            initializer_timeout: Duration::from_secs(30),
            max_tasks_per_worker: None,
            idle_check: Duration::from_millis(100),
            types: PhantomData,
        }
    }

    /// Number of worker processes (default: [`cpu_workers`](crate::pool::cpu_workers),
    /// like Python's `Pool()`). Zero is refused by [`start`](Self::start).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// An argument for the worker command line (the hidden argument that
    /// makes the binary's `main` call [`serve`](crate::pool::serve)).
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Several worker arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// An environment variable for every worker (they inherit the rest).
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// Default deadline for every task: past it, the worker is killed,
    /// reaped and replaced, and the task's result is [`TaskError::TimedOut`](super::TaskError::TimedOut).
    /// [`ProcessPool::submit_with_timeout`] overrides it per task.
    pub fn task_timeout(mut self, timeout: Duration) -> Self {
        self.task_timeout = Some(timeout);
        self
    }

    /// A task every new worker runs once, before its first real task
    /// (Python's `initializer=`). It runs again in replacement workers. If it
    /// panics or overruns [`initializer_timeout`](Self::initializer_timeout),
    /// the task that needed the worker fails with [`TaskError::InitFailed`](super::TaskError::InitFailed).
    pub fn initializer(mut self, task: T) -> Self {
        self.initializer = Some(task);
        self
    }

    /// How long the initializer may run in one worker (default 30 s); past
    /// it, the worker is killed. A hung initializer can then never hold the
    /// pool, or a caller, forever.
    pub fn initializer_timeout(mut self, limit: Duration) -> Self {
        self.initializer_timeout = limit;
        self
    }

    /// Retires a worker after it has answered `tasks` tasks and starts a
    /// fresh one in its place (Python's `max_tasks_per_child`, and
    /// `maxtasksperchild` of `multiprocessing.Pool`): whatever a task leaks
    /// — memory, file descriptors, global state — is bounded by `tasks`
    /// tasks' worth. The retired worker is told to exit and reaped; its
    /// replacement runs the initializer. Zero is refused by
    /// [`start`](Self::start).
    #[doc(alias = "max_tasks_per_child")]
    #[doc(alias = "maxtasksperchild")]
    pub fn max_tasks_per_worker(mut self, tasks: u64) -> Self {
        self.max_tasks_per_worker = Some(tasks);
        self
    }

    /// How often each idle worker is checked (default 100 ms, as often as
    /// Python's `Pool` checks): one that died between tasks — killed, or
    /// crashed — is reaped and replaced then, so no zombie lingers and the
    /// next task finds a live worker. The check is `waitpid(WNOHANG)`: no
    /// signal handler, no descriptor. A replacement whose initializer has not
    /// run yet (after a failed [`apply`](ProcessPool::apply)) is initialised
    /// at the same moment. Less than 1 ms is refused by
    /// [`start`](Self::start): the managers would spin.
    pub fn idle_check(mut self, every: Duration) -> Self {
        self.idle_check = every;
        self
    }

    /// Starts every worker process now (as Python's `Pool()` does), runs the
    /// initializer in each, and returns the pool. On failure, workers already
    /// started are killed and reaped before the error is returned.
    pub fn start(self) -> io::Result<ProcessPool<T, R>> {
        if self.workers == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a process pool needs at least one worker",
            ));
        }
        if self.idle_check < MIN_IDLE_CHECK {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("idle_check must be at least {MIN_IDLE_CHECK:?}"),
            ));
        }
        if self.max_tasks_per_worker == Some(0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "max_tasks_per_worker must be at least 1",
            ));
        }
        let initializer = match &self.initializer {
            None => None,
            Some(task) => Some(encode_request(0, task).map_err(io::Error::other)?),
        };
        let (job_sender, job_receiver) = crossbeam_channel::unbounded::<Job>();
        let shared = Arc::new(Shared {
            config: WorkerConfig {
                exe: self.exe,
                args: self.args,
                envs: self.envs,
                initializer,
                initializer_timeout: self.initializer_timeout,
                max_tasks_per_worker: self.max_tasks_per_worker,
                idle_check: self.idle_check,
            },
            queue: job_receiver,
            handed_back: crossbeam_channel::unbounded(),
            connections: (0..self.workers).map(|_| Mutex::new(None)).collect(),
            children: (0..self.workers).map(|_| Mutex::new(None)).collect(),
            terminating: AtomicBool::new(false),
            closing: AtomicBool::new(false),
            counters: Counters::default(),
        });

        // On any failure below, dropping `shared` kills and reaps every
        // worker already started (each slot holds a `ChildGuard`).
        for index in 0..self.workers {
            let worker = start_worker(&shared, index).map_err(io::Error::other)?;
            *shared.connection(index) = Some(worker);
        }

        let mut managers: Vec<JoinHandle<()>> = Vec::with_capacity(self.workers);
        for index in 0..self.workers {
            let for_manager = Arc::clone(&shared);
            let spawned = thread::Builder::new()
                .name(format!("pool-manager-{index}"))
                .spawn(move || manager::run(index, &for_manager));
            match spawned {
                Ok(handle) => managers.push(handle),
                Err(err) => {
                    // Managers already running see the queue close and shut
                    // their workers down; the rest are reaped with `shared`.
                    drop(job_sender);
                    for handle in managers {
                        if handle.join().is_err() {
                            tracing::error!("a process-pool manager thread panicked");
                        }
                    }
                    return Err(err);
                }
            }
        }
        Ok(ProcessPool {
            job_sender: Some(job_sender),
            managers,
            shared,
            task_timeout: self.task_timeout,
            next_id: AtomicU64::new(1),
            types: PhantomData,
        })
    }
}
