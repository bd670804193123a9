//! Section 7: threading vs multiprocessing for CPU-bound work — and what a
//! process costs.
//!
//! ```python
//! task_size = 50_000_000
//! threads = [threading.Thread(target=cpu_task, args=(task_size,)) for _ in range(4)]
//! ...
//! with Pool(4) as pool: pool.map(cpu_task, [task_size] * 4)
//! print(f"Multiprocessing is {threading_time/mp_time:.1f}x faster for CPU-bound tasks")
//! ```
//!
//! The notebook expects processes to win, because of the GIL. In Rust
//! threads already run in parallel, so processes can only *add* cost:
//! starting them (an `exec` each), and moving every argument and result
//! through a socket (encode, copy into the kernel, copy out, decode). The
//! second half measures that cost per task.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::process::Stdio;
use std::thread;
use std::time::Duration;

use common::pool::PoolStats;
use common::report::Table;
use common::timing::{HumanDuration, best_of, time};
use common::verdict::{TIE_BAND, Verdict, plural};

use crate::Config;
use crate::children::{ChildGuard, worker_command};
use crate::cpu_bound::{TASKS, on_processes, on_threads, sums_pool};
use crate::jobs::{IntJob, sum_of_squares_formula};
use crate::pool_basics::ints_pool;

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
    let many = ints_pool(config, workers, None)?;
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
    let pool = ints_pool(config, 1, None)?;
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

/// The notebook's race: threads against a process pool on the same sums.
#[derive(Debug, Clone)]
pub struct Race {
    /// Best of three, `TASKS` threads.
    pub threading: Duration,
    /// Best of three, a fresh pool each time (created inside the timing, as
    /// in the notebook).
    pub multiprocessing: Duration,
    /// What the last pool moved.
    pub stats: PoolStats,
}

/// Runs the race on `n`, checking both sides' sums against the formula.
pub fn race(config: &Config, n: u64) -> anyhow::Result<Race> {
    let expected = vec![sum_of_squares_formula(n); TASKS];
    let (results, threading) = best_of(3, || on_threads(n));
    anyhow::ensure!(results == expected, "threaded sums are wrong");
    let mut multiprocessing = Duration::MAX;
    let mut stats = PoolStats::default();
    for _ in 0..3 {
        let (result, took) = time(|| -> anyhow::Result<PoolStats> {
            let pool = sums_pool(config, TASKS)?;
            anyhow::ensure!(
                on_processes(&pool, n)? == expected,
                "process sums are wrong"
            );
            let stats = pool.stats();
            pool.shutdown();
            Ok(stats)
        });
        stats = result?;
        multiprocessing = multiprocessing.min(took);
    }
    Ok(Race { threading, multiprocessing, stats })
}

/// Prints the CPU-bound race and the IPC cost.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let n = config.scale.size(50_000_000);
    let race = race(config, n)?;
    println!("Threading (CPU-bound): {TASKS} threads × cpu_task({n})");
    println!("Time: {:.3}s", race.threading.as_secs_f64());
    println!("Multiprocessing (CPU-bound): Pool({TASKS}).map(cpu_task, [{n}] * {TASKS})");
    println!("Time: {:.3}s", race.multiprocessing.as_secs_f64());
    println!("\n{}", verdict(race.threading, race.multiprocessing));
    println!(
        "That pool moved {} bytes out and {} bytes back for {TASKS} tasks (u64 in, u128 out).",
        race.stats.bytes_sent, race.stats.bytes_received
    );

    let tasks = config.scale.pick(500, 100);
    let trip = round_trip(config, tasks)?;
    let placed = if trip.one_at_a_time[0].placement == Placement::Unpinned {
        "threads cannot be pinned here, so the scheduler\nplaced both ends"
    } else {
        "the caller pinned to one CPU, the other end to\nthe same CPU or another"
    };
    let rounds: Vec<usize> = trip.one_at_a_time.iter().map(|t| t.rounds).collect();
    let (fewest, most) = (
        rounds.iter().copied().min().unwrap_or(ROUNDS),
        rounds.iter().copied().max().unwrap_or(ROUNDS),
    );
    let runs =
        if fewest == most { format!("{most}") } else { format!("{fewest}–{most}") };
    println!(
        "\nThe cost of a process boundary, per trivial task, one at a time\n\
         (median of up to {ROUNDS} runs of {tasks}; {placed}):\n"
    );
    if fewest < ROUNDS {
        println!(
            "(This time {runs} runs: a placement starts no new run after {}, and a\n\
             run stops after {}; on this busy machine the wake-ups were that slow.\n\
             The figures scatter more.)\n",
            HumanDuration(ROUND_BUDGET),
            HumanDuration(RUN_BUDGET)
        );
    }
    println!("{}", trip_table(&trip.one_at_a_time));
    println!(
        "Many at once: a map of {} tasks over {} costs {} per task ({} bytes on\n\
         the wire each).\n",
        trip.mapped,
        plural(trip.workers as u64, "worker"),
        human(trip.throughput),
        trip.bytes_per_task
    );
    println!(
        "One at a time, a task waits for two process wake-ups (the worker's, then ours):\n\
         the floor is that cost alone. A wake-up on another core must interrupt that\n\
         core (on a virtual machine, through the hypervisor). `apply` writes the request\n\
         and reads the reply in the calling thread, so it should add only the encoding to\n\
         the floor; `submit` + `result` also passes through the worker's manager thread:\n\
         two more wake-ups (caller → manager → caller). The thread row is such a\n\
         hand-off.\n"
    );
    println!("In this run:");
    for line in trip_findings(&trip.one_at_a_time) {
        println!("  - {line}");
    }
    println!(
        "\nMany at once, the wake-ups overlap, and the per-task cost falls to the encode,\n\
         copy and decode. Worth it for tasks of milliseconds; for microsecond tasks,\n\
         batch them (map over chunks) or use threads."
    );
    Ok(())
}

/// The notebook's sentence, from the measured times through
/// [`common::verdict::compare`]: faster, a tie, or slower.
pub fn verdict(threading: Duration, multiprocessing: Duration) -> String {
    let cmp = common::verdict::compare(threading, multiprocessing);
    let why = match cmp.verdict {
        Verdict::Faster => {
            "Both use the same cores, so processes ahead of threads is the machine's noise\n\
             in this run, not an advantage: run it again."
        }
        Verdict::Tie => {
            "Both use every core; the processes' extra cost (start, IPC) is small at this size."
        }
        Verdict::Slower => {
            "No GIL to escape, only processes to start and results to ship."
        }
    };
    format!("Multiprocessing against threading, CPU-bound: {cmp}.\n{why}")
}

/// What this run's one-at-a-time figures show, each sentence computed from
/// them with [`common::verdict`]'s tie band.
fn trip_findings(placements: &[Trips]) -> Vec<String> {
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
fn trip_table(placements: &[Trips]) -> Table {
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

fn human(d: Duration) -> String {
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
        let table = trip_table(&[
            trips(Placement::SameCore, 10),
            trips(Placement::AcrossCores, 40),
        ])
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

    #[test]
    fn the_verdict_follows_the_measured_ratio() {
        let ms = Duration::from_millis;
        assert!(verdict(ms(200), ms(100)).contains(": 2.0× faster."));
        assert!(verdict(ms(100), ms(105)).contains(": 0.95×, a tie."));
        assert!(verdict(ms(100), ms(300)).contains(": 0.33×: slower."));
    }
}
