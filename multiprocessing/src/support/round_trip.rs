//! Support for section 7 ([`crate::versus`]): measuring what one trip
//! across a process boundary costs, against the floor no pool can beat.
//!
//! Machinery, not the lesson: the lesson prints what this measures. It
//! times four kinds of trip in turns — a thread hand-off, one byte over a
//! bare socket to a child (the *floor*: the kernel's and the scheduler's
//! share of any trip), and the process pool's `apply` and `submit` +
//! `result` — with the caller *pinned* (kept by the OS on one chosen CPU)
//! on the same CPU as the other end, then on another one.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::process::Stdio;
use std::thread;
use std::time::Duration;

use anyhow::Context;
use common::report::Table;
use common::timing::{HumanDuration, best_of};
use common::verdict::{TIE_BAND, Verdict};

use crate::Config;
use crate::children::{ChildGuard, worker_command};
use crate::jobs::{INTS, IntJob};

/// The cost of one trivial task's trip through the pool.
#[derive(Debug, Clone)]
pub struct RoundTrip {
    /// Tasks per measured one-at-a-time run.
    pub tasks: u32,
    /// Tasks in each mapped run (for the throughput).
    pub mapped: u32,
    /// One task at a time, in each placement this machine allows.
    pub one_at_a_time: Vec<Trips>,
    /// `mapped` tasks submitted at once to `workers` workers: total ÷ tasks.
    pub throughput: Duration,
    /// Workers used for the throughput run.
    pub workers: usize,
    /// Bytes on the wire per task (request + reply, headers included).
    pub bytes_per_task: u64,
}

/// Where the two ends of a one-at-a-time round trip run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Caller and child on the same CPU: each wake-up is a context switch.
    SameCore,
    /// Caller on one CPU, child on another: each wake-up also interrupts
    /// the other core.
    AcrossCores,
    /// Wherever the scheduler puts them (where threads cannot be pinned).
    Unpinned,
}

impl Placement {
    fn label(self) -> &'static str {
        match self {
            Placement::SameCore => "same core",
            Placement::AcrossCores => "across cores",
            Placement::Unpinned => "unpinned",
        }
    }
}

/// One task at a time, per task, in one [`Placement`] (the median of
/// [`ROUNDS`] runs).
#[derive(Debug, Clone, Copy)]
pub struct Trips {
    /// Where the caller and the other end ran.
    pub placement: Placement,
    /// One byte to a child process and back over a bare socket: the floor
    /// that no process pool can beat.
    pub floor: Duration,
    /// [`ProcessPool::apply`](common::pool::ProcessPool::apply): the calling
    /// thread talks to an idle worker itself.
    pub apply: Duration,
    /// `submit(..).result()`: the same trip plus two hand-offs between
    /// threads in this process (to the worker's manager thread and back).
    pub queued: Duration,
    /// A number to a thread and back over two channels, for scale.
    pub thread: Duration,
    /// Rounds measured: [`ROUNDS`], or fewer (odd, at least
    /// [`MIN_ROUNDS`]) when they took longer than [`ROUND_BUDGET`].
    pub rounds: usize,
}

/// Runs of each one-at-a-time figure; each reports its median. (Odd, so
/// the median is one measured run.)
pub const ROUNDS: usize = 21;

/// Fewest rounds measured, however slow they are.
pub const MIN_ROUNDS: usize = 3;

/// Time after which a placement stops starting new rounds (at an odd
/// count): with every CPU busy, each wake-up waits for a time slice and
/// 21 rounds took 20 s and more per placement.
pub const ROUND_BUDGET: Duration = Duration::from_secs(3);

/// Measures [`RoundTrip`] with `tasks` tasks per one-at-a-time run, and ten
/// times as many per mapped run (best of 3).
pub fn round_trip(config: &Config, tasks: u32) -> anyhow::Result<RoundTrip> {
    let one_at_a_time = match pinnable_cpus() {
        Ok(cpus) => {
            let mut placements = vec![trips(
                config,
                tasks,
                Placement::SameCore,
                Some((cpus[0], cpus[0])),
            )?];
            if let [caller, other, ..] = cpus[..] {
                let across = Some((caller, other));
                placements.push(trips(config, tasks, Placement::AcrossCores, across)?);
            }
            placements
        }
        Err(err) => {
            tracing::warn!(%err, "cannot pin threads here; measuring unpinned");
            vec![trips(config, tasks, Placement::Unpinned, None)?]
        }
    };

    let workers = common::pool::cpu_workers();
    let many = INTS
        .pool(&config.worker_exe)
        .workers(workers)
        .start()
        .context("starting the pool")?;
    many.map(|_| IntJob::Nothing, 0..workers * 4); // warm every worker
    let mapped = 10 * tasks;
    let before = many.stats();
    let (results, took) = best_of(3, || many.map(|_| IntJob::Nothing, 0..mapped));
    let after = many.stats();
    anyhow::ensure!(results.iter().all(|r| *r == Ok(0)), "a trivial task failed");
    many.shutdown();
    let moved = after.bytes_sent + after.bytes_received
        - before.bytes_sent
        - before.bytes_received;
    Ok(RoundTrip {
        tasks,
        mapped,
        one_at_a_time,
        throughput: took / mapped,
        workers,
        bytes_per_task: moved / (3 * u64::from(mapped)),
    })
}

/// The CPUs this thread may use, if it may also be pinned to one of them
/// (a sandbox can forbid `sched_setaffinity`).
fn pinnable_cpus() -> std::io::Result<Vec<usize>> {
    let cpus = common::affinity::allowed_cpus()?;
    drop(common::affinity::Pinned::to(cpus[0])?);
    Ok(cpus)
}

/// Measures [`Trips`] with the caller on CPU `caller` and the pool (its
/// worker and its manager thread), the echo child and the echo thread on
/// CPU `other`, for `cpus: Some((caller, other))`; unpinned for `None`.
///
/// Each is started while this thread is pinned to `other` (children and
/// threads inherit that), then this thread moves to `caller`. The four
/// kinds of trip are measured in turns, round after round: a virtual
/// machine's speed drifts by tens of percent within a minute, and measuring
/// one after the other would put the drift into the ratios. Each figure is
/// its median run: across cores, single runs here scatter by ±25 %, and the
/// best of them is the luckiest run, not a steadier figure.
fn trips(
    config: &Config,
    tasks: u32,
    placement: Placement,
    cpus: Option<(usize, usize)>,
) -> anyhow::Result<Trips> {
    let pinned = match cpus {
        Some((_, other)) => Some(common::affinity::Pinned::to(other)?),
        None => None,
    };
    let pool =
        INTS.pool(&config.worker_exe).workers(1).start().context("starting the pool")?;
    let mut echo = Echo::start(config)?;
    let (request_sender, request_receiver) = crossbeam_channel::bounded::<u32>(1);
    let (reply_sender, reply_receiver) = crossbeam_channel::bounded::<u32>(1);
    thread::scope(|scope| -> anyhow::Result<Trips> {
        // Owned by this closure, so dropped on every way out of it — an
        // early `?` included — which ends the echo thread's loop: the scope
        // can then join it instead of waiting forever.
        let request_sender = request_sender;
        scope.spawn(move || {
            for task in request_receiver {
                if reply_sender.send(task).is_err() {
                    break;
                }
            }
        });
        let thread_trips = |tasks: u32| {
            for task in 0..tasks {
                request_sender.send(task).expect("the echo thread is alive");
                reply_receiver.recv().expect("the echo thread is alive");
            }
        };
        if let (Some(pinned), Some((caller, _))) = (&pinned, cpus) {
            pinned.move_to(caller)?;
        }
        // Warm: every process is up and paged in.
        pool.apply(IntJob::Nothing)?;
        echo.ping(1)?;
        thread_trips(1);

        let mut runs: [Vec<Duration>; 4] = Default::default();
        let started = std::time::Instant::now();
        for round in 0..ROUNDS {
            // Stop early only after an odd number of rounds (the median is
            // then one measured run).
            if round >= MIN_ROUNDS && round % 2 == 1 && started.elapsed() > ROUND_BUDGET {
                break;
            }
            let floor = per_task(tasks, || Ok(echo.ping(1)?))?;
            let apply = per_task(tasks, || Ok(pool.apply(IntJob::Nothing).map(drop)?))?;
            let queued = per_task(tasks, || {
                Ok(pool.submit(IntJob::Nothing).result().map(drop)?)
            })?;
            let thread = per_task(tasks, || {
                thread_trips(1);
                Ok(())
            })?;
            for (runs, took) in runs.iter_mut().zip([floor, apply, queued, thread]) {
                runs.push(took);
            }
        }
        drop(request_sender); // ends the echo thread's loop (see above)
        let rounds = runs[0].len();
        let [floor, apply, queued, thread] = runs.map(median);
        Ok(Trips { placement, floor, apply, queued, thread, rounds })
    })
    .and_then(|trips| {
        echo.stop()?;
        pool.shutdown();
        Ok(trips)
    })
}

/// The time per trip of up to `tasks` trips: a run stops early after
/// [`RUN_BUDGET`] (on a busy machine a trip can wait milliseconds for a time
/// slice, and 500 of them would take seconds).
fn per_task(
    tasks: u32,
    mut trip: impl FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<Duration> {
    let started = std::time::Instant::now();
    let mut done = 0;
    while done < tasks {
        trip()?;
        done += 1;
        if started.elapsed() > RUN_BUDGET {
            break;
        }
    }
    Ok(started.elapsed() / done.max(1))
}

/// Longest one timed run of trips may take before it stops early.
pub const RUN_BUDGET: Duration = Duration::from_millis(100);

/// The middle run.
fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort_unstable();
    runs[runs.len() / 2]
}

/// The child side of [`Echo`]: echo every byte back on the socket that is
/// our stdin, until it closes.
pub fn echo_child() -> anyhow::Result<()> {
    let mut socket = UnixStream::from(io::stdin().as_fd().try_clone_to_owned()?);
    let mut byte = [0_u8; 1];
    while socket.read_exact(&mut byte).is_ok() {
        socket.write_all(&byte)?;
    }
    Ok(())
}

/// A child process that echoes bytes over a socket pair with nothing else
/// in the way: no threads, no encoding. One byte there and back is the
/// kernel's and the scheduler's share of every pool round trip — the floor.
pub struct Echo {
    socket: UnixStream,
    child: ChildGuard,
}

impl Echo {
    /// Starts the echo child (this binary, role `echo`).
    pub fn start(config: &Config) -> anyhow::Result<Self> {
        let (socket, theirs) = UnixStream::pair()?;
        let mut command = worker_command(config, &["echo"]);
        command.stdin(Stdio::from(OwnedFd::from(theirs)));
        let child = ChildGuard::spawn("echo", &mut command)?;
        Ok(Self { socket, child })
    }

    /// `trips` round trips of one byte.
    pub fn ping(&mut self, trips: u32) -> io::Result<()> {
        let mut byte = [7_u8; 1];
        for _ in 0..trips {
            self.socket.write_all(&byte)?;
            self.socket.read_exact(&mut byte)?;
        }
        Ok(())
    }

    /// Closes our end (the echo loop sees end-of-stream and exits) and
    /// reaps the child.
    pub fn stop(self) -> anyhow::Result<()> {
        drop(self.socket);
        let status = self.child.wait()?;
        anyhow::ensure!(status.success(), "echo child failed: {status}");
        Ok(())
    }
}

/// What this run's one-at-a-time figures show, each sentence computed from
/// them with [`common::verdict`]'s tie band.
pub fn findings(placements: &[Trips]) -> Vec<String> {
    let mut lines = Vec::new();
    for trips in placements {
        let place = trips.placement.label();
        let apply =
            trips.apply.as_secs_f64() / trips.floor.as_secs_f64().max(f64::MIN_POSITIVE);
        let queued =
            trips.queued.as_secs_f64() / trips.floor.as_secs_f64().max(f64::MIN_POSITIVE);
        // `apply` is a cost here: above the band it is dearer than the floor.
        lines.push(match Verdict::of_ratio(apply) {
            Verdict::Tie => {
                format!("{place}: apply {apply:.2}× the floor, a tie: the encoding adds little")
            }
            Verdict::Faster => {
                format!("{place}: apply {apply:.2}× the floor, more than the encoding explains")
            }
            Verdict::Slower => format!(
                "{place}: apply {apply:.2}× the floor, below it: the floor is measured\n    \
                 beside it, not a bound, and this run's figures scattered"
            ),
        });
        lines.push(if queued > apply * TIE_BAND {
            format!("{place}: submit + result {queued:.2}× the floor: the extra hand-offs show")
        } else {
            format!("{place}: submit + result {queued:.2}× the floor, no more than apply")
        });
    }
    let floor =
        |placement| placements.iter().find(|t| t.placement == placement).map(|t| t.floor);
    match (floor(Placement::SameCore), floor(Placement::AcrossCores)) {
        (Some(same), Some(across)) => {
            let cmp = common::verdict::compare(across, same);
            lines.push(match cmp.verdict {
                Verdict::Faster => format!(
                    "across cores the floor was {:.1}× the same core's: waking another core costs more",
                    cmp.ratio
                ),
                Verdict::Tie => format!(
                    "the floor across cores against the same core's: {cmp}; no dearer here"
                ),
                Verdict::Slower => format!(
                    "across cores the floor was {:.2}× the same core's: cheaper in this run",
                    cmp.ratio
                ),
            });
        }
        (Some(_), None) => {
            lines.push("one CPU only, so nothing to measure across cores".to_string())
        }
        _ => {}
    }
    lines
}

/// The one-at-a-time costs, each against the floor of its placement.
pub fn table(placements: &[Trips]) -> Table {
    let mut header = vec![String::new()];
    for trips in placements {
        header.push(trips.placement.label().to_string());
        header.push("vs floor".to_string());
    }
    let mut table = Table::new(header);
    table.left_align(0);
    let rows = [
        "thread: send + receive over channels",
        "process: 1 byte over a bare socket (the floor)",
        "process pool: apply",
        "process pool: submit + result",
    ];
    for (row, name) in rows.into_iter().enumerate() {
        let mut cells = vec![name.to_string()];
        for trips in placements {
            let figure = [trips.thread, trips.floor, trips.apply, trips.queued][row];
            let floor = trips.floor.as_secs_f64().max(f64::MIN_POSITIVE);
            cells.push(human(figure));
            cells.push(format!("{:.2}×", figure.as_secs_f64() / floor));
        }
        table.row(cells);
    }
    table
}

/// A duration as the tables print it.
pub fn human(d: Duration) -> String {
    HumanDuration(d).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_figure_is_shown_against_the_floor_of_its_own_placement() {
        let us = Duration::from_micros;
        let trips = |placement, floor| Trips {
            placement,
            floor: us(floor),
            apply: us(floor + floor / 10),
            queued: us(2 * floor),
            thread: us(1),
            rounds: ROUNDS,
        };
        let table =
            table(&[trips(Placement::SameCore, 10), trips(Placement::AcrossCores, 40)])
                .to_string();
        let row = |name: &str| {
            let line = table.lines().find(|line| line.contains(name)).unwrap();
            line.split_whitespace().filter(|cell| cell.ends_with('×')).collect::<Vec<_>>()
        };
        assert!(table.contains("same core") && table.contains("across cores"));
        assert_eq!(row("(the floor)"), ["1.00×", "1.00×"]);
        assert_eq!(row("apply"), ["1.10×", "1.10×"]);
        assert_eq!(row("submit + result"), ["2.00×", "2.00×"]);
    }
}
