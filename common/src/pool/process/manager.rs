//! A worker slot: the one place that talks to one worker process.
//!
//! Each worker has a slot in the parent — its connection behind a lock —
//! and a *manager thread* that takes the next job from the pool's queue and
//! carries it through, step by step:
//!
//! 1. [`Slot::ready_worker`]: make sure a live, initialised worker exists
//!    (start one, run the initializer with its deadline);
//! 2. [`Slot::deliver`]: write it the request; a worker found dead by that
//!    write never had the task: it is replaced and the task sent again (the
//!    task did not fail);
//! 3. [`Slot::await_reply`]: wait for the reply, at most the task's timeout;
//!    a reply becomes the task's value or panic, a dead or overdue worker
//!    becomes the task's error — and the worker is reaped and replaced;
//! 4. the outcome goes to the caller, *then* a replacement is initialised:
//!    no outcome ever waits for someone else's initializer.
//!
//! [`ProcessPool::apply`](super::ProcessPool::apply) walks the same steps
//! in the *caller's* thread ([`run_here`]): it locks an idle slot and talks to
//! that worker itself, which saves the two hand-offs between threads
//! (caller → manager, manager → caller) that every queued task pays.
//!
//! Whichever thread holds a slot's lock is the only one touching that
//! worker's socket, so every failure is seen exactly once and turned into
//! exactly one outcome.
//!
//! While the queue is empty, each manager wakes every
//! [`idle_check`](super::ProcessPoolBuilder::idle_check) to look at its
//! idle worker: one that died between tasks is reaped and replaced at once
//! (no zombie waits for the next task), and a replacement not yet
//! initialised is initialised.
//!
//! **Nothing inside can leave a task without an outcome.** Each task is
//! carried inside `catch_unwind`: should the pool's own code panic (a bug,
//! or a library it calls), the slot's worker is killed and reaped as the
//! panic unwinds, the task answers [`TaskError::Internal`], and the manager
//! takes the next job. No manager thread ends before the pool does.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::{MutexGuard, PoisonError, TryLockError};
use std::thread;
use std::time::Instant;

use super::connection::{Connection, Ending, Fault, deadline_after, reap};
use super::{Counters, Shared, Task, TaskError, TaskOutcome};
use crate::pool::protocol::Outcome;

/// How many fresh workers a task is offered to when each one is found dead
/// before the task reaches it. (One is the normal case: an idle worker was
/// killed. More means workers die at start, and the error says so.)
const DELIVERY_ATTEMPTS: usize = 3;

/// The manager thread of worker slot `index`: runs queued jobs until the
/// queue closes and drains, then tells its worker to exit and reaps it.
pub(super) fn run(index: usize, shared: &Shared) {
    loop {
        let job = match next_job(shared) {
            Next::Job(job) => job,
            Next::Idle => {
                // Skipped while `apply` holds the slot: that caller sees
                // any death itself.
                // A panic here is logged by `guarded`; nothing waits on it.
                let _ = guarded("checking an idle worker", || {
                    if let Some(mut slot) = Slot::try_lock(shared, index) {
                        slot.check_idle();
                    }
                });
                continue;
            }
            Next::Closed => break,
        };
        // `apply` may be using this worker from its caller's thread right
        // now, for as long as its task takes. The job must not wait for
        // that while another worker is free: hand it back to the others,
        // and wait here, holding no job, until this worker is free.
        let Some(slot) = Slot::try_lock(shared, index) else {
            // Cannot fail: `shared` holds the receiving end.
            let _ = shared.handed_back.0.send(job);
            drop(Slot::lock(shared, index));
            continue;
        };
        let task = &job.task;
        // The slot moves into the guarded step: a panic there drops it while
        // unwinding, which discards the worker (see `Drop for Slot`).
        let outcome = guarded("running a task", move || {
            let mut slot = slot;
            slot.run(task)
        });
        job.reply
            .send(outcome.unwrap_or_else(|message| Err(TaskError::Internal(message))));
        let _ = guarded("readying the worker for the next task", || {
            let mut slot = Slot::lock(shared, index);
            slot.retire_if_spent();
            slot.warm_up();
        });
    }
    let _ = guarded("shutting a worker down", || Slot::lock(shared, index).shut_down());
}

/// What a manager waits for next.
enum Next {
    Job(super::Job),
    /// No job within `idle_check`: time to look at the idle worker.
    Idle,
    /// The queue is closed and nothing is left.
    Closed,
}

/// The next job: one handed back by another manager first (it was queued
/// earlier), then the queue; [`Next::Idle`] after `idle_check` without one.
fn next_job(shared: &Shared) -> Next {
    let handed_back = &shared.handed_back.1;
    crossbeam_channel::select_biased! {
        recv(handed_back) -> job => job.map_or(Next::Closed, Next::Job),
        recv(shared.queue) -> job => match job {
            Ok(job) => Next::Job(job),
            // Closed: what another manager still hands back is run first.
            Err(_) => handed_back.try_recv().map_or(Next::Closed, Next::Job),
        },
        default(shared.config.idle_check) => Next::Idle,
    }
}

/// Runs `step`, turning a panic inside it into `Err(message)`. A slot held
/// in `step` discards its worker as the panic unwinds (see `Drop for Slot`).
fn guarded<T>(what: &str, step: impl FnOnce() -> T) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(step)).map_err(|payload| {
        let message = format!("{what}: {}", crate::pool::panic_message(payload.as_ref()));
        tracing::error!(%message, "the process pool caught a panic of its own");
        message
    })
}

/// Runs `task` in the calling thread on an idle worker, and returns its
/// outcome; `None` (the task untouched) when every worker is busy.
///
/// An idle worker that is ready (initialised) is preferred to one still
/// waiting for its initializer. A replacement started on the way is
/// initialised by its manager's next idle check or the next task that needs
/// it, not here: the caller's outcome waits for nobody's initializer.
pub(super) fn run_here(shared: &Shared, task: &Task) -> Option<TaskOutcome> {
    let slots = 0..shared.connections.len();
    let mut slot = slots
        .clone()
        .find_map(|index| Slot::try_lock(shared, index).filter(Slot::is_ready))
        .or_else(|| slots.clone().find_map(|index| Slot::try_lock(shared, index)))?;
    Counters::add(&shared.counters.applied_directly, 1);
    let outcome = guarded("running a task", || {
        let outcome = slot.run(task);
        slot.retire_if_spent();
        outcome
    });
    Some(outcome.unwrap_or_else(|message| Err(TaskError::Internal(message))))
}

/// One worker slot, locked by the thread that is using it.
struct Slot<'a> {
    index: usize,
    shared: &'a Shared,
    /// `None` between a worker's death and its replacement.
    worker: MutexGuard<'a, Option<Connection>>,
    /// Whether the thread was already unwinding when it took the slot (an
    /// `apply` from a `Drop` during the caller's own panic): only a panic
    /// *inside* the pool's code means the worker's state is unknown.
    unwinding_before: bool,
}

impl<'a> Slot<'a> {
    /// Waits for slot `index` to be free and takes it.
    fn lock(shared: &'a Shared, index: usize) -> Self {
        // A thread that panicked holding the lock has discarded the worker
        // (see `Drop`), so a poisoned slot is an empty one: still usable.
        let worker =
            shared.connections[index].lock().unwrap_or_else(PoisonError::into_inner);
        Slot { index, shared, worker, unwinding_before: thread::panicking() }
    }

    /// Takes slot `index` if no other thread is using it.
    fn try_lock(shared: &'a Shared, index: usize) -> Option<Self> {
        let worker = match shared.connections[index].try_lock() {
            Ok(worker) => worker,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        Some(Slot { index, shared, worker, unwinding_before: thread::panicking() })
    }

    /// Whether this slot's worker can take a task at once: alive as far as
    /// we know, and initialised (or there is no initializer).
    fn is_ready(&self) -> bool {
        self.worker.as_ref().is_some_and(|worker| {
            worker.initialized || self.shared.config.initializer.is_none()
        })
    }

    /// One task, start to finish. On a worker failure, the dead worker has
    /// been reaped and its replacement started before this returns.
    fn run(&mut self, task: &Task) -> TaskOutcome {
        if self.terminating() {
            // `kill_workers` killed this slot's worker: reap it now.
            if self.worker.is_some() {
                self.discard(Ending::Kill);
            }
            return Err(TaskError::Terminated);
        }
        // Whatever failed while the pool was being killed (a replacement's
        // start or initializer, say), the caller's answer is `Terminated`.
        let pid = self.deliver(task).map_err(|err| {
            if self.terminating() { TaskError::Terminated } else { err }
        })?;
        // The task's clock starts once the worker has it: starting a fresh
        // worker and running its initializer are not the task's time.
        let deadline = deadline_after(task.timeout);
        self.await_reply(task, pid, deadline)
    }

    /// A live worker whose initializer has run: the current one, or a new
    /// one. Errors are the task's (it never ran).
    fn ready_worker(&mut self) -> Result<&mut Connection, TaskError> {
        let worker = match self.worker.take() {
            Some(worker) => worker,
            None => Connection::spawn(self.shared, self.index)?,
        };
        let worker = self.worker.insert(worker);
        if let Err(err) = worker.initialize(self.shared, self.index) {
            *self.worker = None; // killed and reaped by `initialize`
            return Err(err);
        }
        Ok(self.worker.as_mut().expect("just inserted"))
    }

    /// Sends the request and returns the PID of the worker that has it.
    ///
    /// The write itself tells whether the worker is alive: on a socket whose
    /// other end has closed — the worker exited, or was killed while idle —
    /// it fails at once (EPIPE) and nothing is sent. Such a worker never
    /// had the task: it is reaped, and a fresh worker gets the task instead.
    fn deliver(&mut self, task: &Task) -> Result<u32, TaskError> {
        let mut last_death = None;
        for attempt in 0..DELIVERY_ATTEMPTS {
            let worker = self.ready_worker()?;
            let pid = worker.pid;
            match worker.send(&task.request, task.timeout) {
                Ok(sent) => {
                    self.count_bytes(sent, 0);
                    if attempt > 0 {
                        Counters::add(&self.shared.counters.redelivered, 1);
                    }
                    return Ok(pid);
                }
                Err(Fault::Closed) => {}
                // A write that cannot finish: the worker stopped reading
                // (hung, or the buffer is full of an earlier task). The
                // request may be half delivered; it is this task's fault.
                Err(fault) => return Err(self.failed(task, pid, fault)),
            }
            let status = self.discard(Ending::Kill);
            Counters::add(&self.shared.counters.workers_lost, 1);
            tracing::debug!(pid, %status, "worker died before the task reached it; using a fresh one");
            last_death = Some((pid, status));
        }
        let (pid, status) = last_death.expect("DELIVERY_ATTEMPTS > 0");
        Err(TaskError::WorkerDied {
            pid,
            status: format!(
                "{status}; {DELIVERY_ATTEMPTS} workers in a row died before the task reached them"
            ),
        })
    }

    /// Waits for the reply to `task` from worker `pid`.
    fn await_reply(
        &mut self,
        task: &Task,
        pid: u32,
        deadline: Option<Instant>,
    ) -> TaskOutcome {
        let worker = self.worker.as_mut().expect("deliver leaves a worker in the slot");
        match worker.receive(deadline) {
            Ok((reply, received)) if reply.id == task.id => {
                worker.tasks_answered += 1;
                self.count_bytes(0, received);
                Counters::add(&self.shared.counters.replies, 1);
                match reply.outcome {
                    Outcome::Value(body) => Ok((reply.pid, body)),
                    Outcome::Panicked(message) => {
                        Err(TaskError::Panicked { pid: reply.pid, message })
                    }
                    Outcome::Codec(message) => Err(TaskError::Codec(message)),
                }
            }
            Ok((reply, _)) => {
                let status = self.discard(Ending::Kill);
                self.replace();
                let message =
                    format!("reply for task {} to task {} ({status})", reply.id, task.id);
                Err(TaskError::Protocol(message))
            }
            Err(fault) => Err(self.failed(task, pid, fault)),
        }
    }

    /// The worker failed while it had the task: reap it, start its
    /// replacement, and say what happened.
    fn failed(&mut self, task: &Task, pid: u32, fault: Fault) -> TaskError {
        let ending =
            if matches!(fault, Fault::Closed) { Ending::Graceful } else { Ending::Kill };
        let status = self.discard(ending);
        Counters::add(&self.shared.counters.workers_lost, 1);
        let error = if self.terminating() {
            TaskError::Terminated
        } else {
            match fault {
                Fault::Closed => TaskError::WorkerDied { pid, status },
                Fault::TimedOut => TaskError::TimedOut {
                    pid,
                    limit: task.timeout.unwrap_or_default(),
                    status,
                },
                Fault::Protocol(message) => {
                    TaskError::Protocol(format!("{message} (worker {status})"))
                }
            }
        };
        tracing::debug!(pid, %error, "task failed");
        self.replace();
        error
    }

    /// Starts a replacement process now — before the failed task's outcome
    /// is sent, so that whoever receives the error finds the pool at full
    /// strength — unless the pool is stopping. Its initializer runs later,
    /// in [`warm_up`](Self::warm_up). If the start fails, the next task
    /// tries again and reports the error.
    fn replace(&mut self) {
        let done =
            self.shared.closing.load(Ordering::SeqCst) && self.shared.queue.is_empty();
        if !done && !self.terminating() {
            *self.worker = Connection::spawn(self.shared, self.index).ok();
        }
    }

    /// After an outcome is sent: a worker that has answered
    /// `max_tasks_per_worker` tasks is told to exit (our end of the socket
    /// closes; its read sees end-of-stream), reaped, and replaced — between
    /// tasks, so no task ever runs in a worker that is being retired.
    fn retire_if_spent(&mut self) {
        let Some(limit) = self.shared.config.max_tasks_per_worker else { return };
        if self.worker.as_ref().is_some_and(|worker| worker.tasks_answered >= limit) {
            let status = self.discard(Ending::Graceful);
            Counters::add(&self.shared.counters.retired, 1);
            tracing::debug!(index = self.index, %status, "worker retired after {limit} tasks");
            self.replace();
        }
    }

    /// Between tasks, while the queue is empty: a worker that has died
    /// (killed, or crashed) is reaped and replaced now, and a replacement
    /// whose initializer has not run is initialised. `waitpid(WNOHANG)`
    /// looks without waiting; a live worker is untouched.
    fn check_idle(&mut self) {
        if self.worker.is_none() {
            // A start that failed earlier (no descriptors, no memory): try
            // again, so the pool returns to full strength on its own
            // (`replace` starts none while the pool is being killed).
            self.replace();
        } else {
            let exited = match self.shared.child(self.index).as_mut() {
                Some(child) => match child.try_reap() {
                    Ok(status) => status.map(|status| (child.id(), status.to_string())),
                    Err(err) => Some((child.id(), format!("unknown status ({err})"))),
                },
                None => None,
            };
            if let Some((pid, status)) = exited {
                // The guard is spent (reaped); drop it and the connection.
                *self.shared.child(self.index) = None;
                *self.worker = None;
                Counters::add(&self.shared.counters.workers_lost, 1);
                Counters::add(&self.shared.counters.reaped_idle, 1);
                tracing::debug!(pid, %status, "idle worker died; reaped it, starting another");
                self.replace();
            }
        }
        self.warm_up();
    }

    /// After an outcome is sent: runs the initializer in a replacement, so
    /// the next task finds it ready. A failure here is reported to the next
    /// task that needs this slot (by [`ready_worker`](Self::ready_worker)).
    fn warm_up(&mut self) {
        if self.worker.as_ref().is_some_and(|worker| !worker.initialized)
            && self.shared.config.initializer.is_some()
            && self.ready_worker().is_err()
        {
            tracing::debug!(index = self.index, "a replacement's initializer failed");
        }
    }

    /// Ends this slot's worker (if any) and reaps it. Dropping the
    /// connection closes our end of the socket, which tells a worker to
    /// exit: for a graceful end that comes first; for a kill it comes after
    /// the SIGKILL, so the status says how the worker really ended (its
    /// watchdog would otherwise race the signal and exit 0).
    fn discard(&mut self, ending: Ending) -> String {
        match ending {
            Ending::Graceful => {
                *self.worker = None;
                reap(self.shared, self.index, ending)
            }
            Ending::Kill => {
                let status = reap(self.shared, self.index, ending);
                *self.worker = None;
                status
            }
        }
    }

    /// The queue is closed and drained: closing our end of the socket tells
    /// the worker to exit (its read sees end-of-stream); then reap it.
    fn shut_down(&mut self) {
        if self.worker.is_some() {
            let ending = if self.terminating() { Ending::Kill } else { Ending::Graceful };
            self.discard(ending);
        }
    }

    fn terminating(&self) -> bool {
        self.shared.terminating.load(Ordering::SeqCst)
    }

    fn count_bytes(&self, sent: usize, received: usize) {
        Counters::add(&self.shared.counters.bytes_sent, sent);
        Counters::add(&self.shared.counters.bytes_received, received);
    }
}

impl Drop for Slot<'_> {
    /// A thread that unwinds while it holds a slot (a bug) still reaps the
    /// worker, whose state is unknown: the guard in the pool would otherwise
    /// keep a live process until the pool itself is dropped. The next user
    /// of the slot starts a fresh one.
    fn drop(&mut self) {
        if thread::panicking() && !self.unwinding_before && self.worker.is_some() {
            self.discard(Ending::Kill);
        }
    }
}
