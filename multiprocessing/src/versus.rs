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

use crate::Config;
use crate::children::{ChildGuard, worker_command};
use crate::cpu_bound::{TASKS, on_processes, on_threads, sums_pool};
use crate::jobs::{IntJob, sum_of_squares_formula};
use crate::pool_basics::ints_pool;

/// The cost of one trivial task's trip through the pool.
#[derive(Debug, Clone, Copy)]
pub struct RoundTrip {
    /// Tasks measured.
    pub tasks: u32,
    /// One task at a time on one warm worker: submit, wait, repeat.
    pub latency: Duration,
    /// All tasks submitted at once to `workers` workers: total ÷ tasks.
    pub throughput: Duration,
    /// Workers used for the throughput run.
    pub workers: usize,
    /// Bytes on the wire per task (request + reply, headers included).
    pub bytes_per_task: u64,
    /// The same round trip to a thread over two channels, for scale.
    pub thread_latency: Duration,
    /// One byte to a child process and back over a bare socket: the floor
    /// that no process pool on this machine can beat.
    pub socket_latency: Duration,
}

/// Measures [`RoundTrip`] with `tasks` tasks (best of 3 for each figure).
pub fn round_trip(config: &Config, tasks: u32) -> anyhow::Result<RoundTrip> {
    let one = ints_pool(config, 1, None)?;
    one.submit(IntJob::Nothing).result()?; // warm: the worker is up and paged in
    let before = one.stats();
    let (result, took) = best_of(3, || -> anyhow::Result<()> {
        for _ in 0..tasks {
            one.submit(IntJob::Nothing).result()?;
        }
        Ok(())
    });
    result?;
    let after = one.stats();
    let latency = took / tasks;
    let moved = after.bytes_sent + after.bytes_received
        - before.bytes_sent
        - before.bytes_received;
    let bytes_per_task = moved / (3 * u64::from(tasks));
    one.shutdown();

    let workers = common::pool::cpu_workers();
    let many = ints_pool(config, workers, None)?;
    many.map(|_| IntJob::Nothing, 0..workers * 4); // warm every worker
    let (results, took) = best_of(3, || many.map(|_| IntJob::Nothing, 0..tasks));
    anyhow::ensure!(results.iter().all(|r| *r == Ok(0)), "a trivial task failed");
    let throughput = took / tasks;
    many.shutdown();

    Ok(RoundTrip {
        tasks,
        latency,
        throughput,
        workers,
        bytes_per_task,
        thread_latency: best_of(3, || thread_round_trip(tasks)).0,
        socket_latency: best_of(3, || socket_round_trip(config, tasks)).0?,
    })
}

/// The child side of [`socket_round_trip`]: echo every byte back on the
/// socket that is our stdin, until it closes.
pub fn echo_child() -> anyhow::Result<()> {
    let mut socket = UnixStream::from(io::stdin().as_fd().try_clone_to_owned()?);
    let mut byte = [0_u8; 1];
    while socket.read_exact(&mut byte).is_ok() {
        socket.write_all(&byte)?;
    }
    Ok(())
}

/// One byte to a child process and back, `tasks` times, over a socket pair
/// with nothing else in the way: no threads, no encoding. The kernel's and
/// the scheduler's share of every pool round trip.
pub fn socket_round_trip(config: &Config, tasks: u32) -> anyhow::Result<Duration> {
    let (mut ours, theirs) = UnixStream::pair()?;
    let mut command = worker_command(config, &["echo"]);
    command.stdin(Stdio::from(OwnedFd::from(theirs)));
    let child = ChildGuard::spawn("echo", &mut command)?;
    let mut byte = [7_u8; 1];
    let mut ping = |byte: &mut [u8; 1]| -> io::Result<()> {
        ours.write_all(byte.as_slice())?;
        ours.read_exact(byte)
    };
    ping(&mut byte)?; // warm
    let (result, took) = time(|| (0..tasks).try_for_each(|_| ping(&mut byte)));
    result?;
    drop(ours); // the echo loop sees end-of-stream and exits
    let status = child.wait()?;
    anyhow::ensure!(status.success(), "echo child failed: {status}");
    Ok(took / tasks)
}

/// Send a number to a thread and get it back, `tasks` times: the in-process
/// equivalent of a pool round trip.
pub fn thread_round_trip(tasks: u32) -> Duration {
    let (request_sender, request_receiver) = crossbeam_channel::bounded::<u32>(1);
    let (reply_sender, reply_receiver) = crossbeam_channel::bounded::<u32>(1);
    thread::scope(|scope| {
        scope.spawn(move || {
            for task in request_receiver {
                if reply_sender.send(task).is_err() {
                    break;
                }
            }
        });
        let (_, took) = time(|| {
            for task in 0..tasks {
                request_sender.send(task).expect("the echo thread is alive");
                reply_receiver.recv().expect("the echo thread is alive");
            }
        });
        drop(request_sender); // ends the echo thread's loop, so the scope can join it
        took / tasks
    })
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

    let tasks = config.scale.pick(5_000, 500);
    println!("\nThe cost of a process boundary, per trivial task ({tasks} tasks):\n");
    println!("{}", trip_table(&round_trip(config, tasks)?));
    println!(
        "One at a time, a task waits for two process wake-ups (worker, then us) — the\n\
         bare-socket line is that cost alone — plus two hand-offs inside this process\n\
         (caller → the worker's manager thread → caller): the ratio above is their price.\n\
         With many tasks in flight the wake-ups overlap, and the per-task cost falls to\n\
         the encode, copy and decode. Worth it for tasks of milliseconds; for\n\
         microsecond tasks, batch them (map over chunks) or use threads."
    );
    Ok(())
}

/// The notebook's sentence, from the measured times: faster, a tie, or
/// slower.
pub fn verdict(threading: Duration, multiprocessing: Duration) -> String {
    let ratio = threading.as_secs_f64() / multiprocessing.as_secs_f64();
    if ratio > 1.1 {
        format!("Multiprocessing is {ratio:.1}x faster for CPU-bound tasks")
    } else if ratio >= 0.9 {
        format!(
            "Multiprocessing is {ratio:.1}x as fast as threading for CPU-bound tasks: a tie.\n\
             Both use every core; the processes' extra cost (start, IPC) is small at this size."
        )
    } else {
        format!(
            "Multiprocessing is {:.1}x *slower* for CPU-bound tasks: no GIL to escape,\n\
             only processes to start and results to ship.",
            1.0 / ratio
        )
    }
}

/// The per-task costs, each against the bare-socket floor.
fn trip_table(trip: &RoundTrip) -> Table {
    let mut table = Table::new(["", "per task", "vs the floor"]);
    table.left_align(0);
    let floor = trip.socket_latency.as_secs_f64().max(f64::MIN_POSITIVE);
    let ratio = |d: Duration| format!("{:.2}×", d.as_secs_f64() / floor);
    table.row([
        "thread: send + receive over channels".into(),
        human(trip.thread_latency),
        ratio(trip.thread_latency),
    ]);
    table.row([
        "process: 1 byte over a bare socket (the floor)".into(),
        human(trip.socket_latency),
        "1.00×".into(),
    ]);
    table.row([
        "process pool, one at a time (latency)".into(),
        human(trip.latency),
        ratio(trip.latency),
    ]);
    table.row([
        format!("process pool, map on {} workers (throughput)", trip.workers),
        human(trip.throughput),
        ratio(trip.throughput),
    ]);
    table.row([
        "bytes on the wire (request + reply)".into(),
        trip.bytes_per_task.to_string(),
        String::new(),
    ]);
    table
}

fn human(d: Duration) -> String {
    HumanDuration(d).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_follows_the_measured_ratio() {
        let ms = Duration::from_millis;
        assert!(verdict(ms(200), ms(100)).starts_with("Multiprocessing is 2.0x faster"));
        assert!(verdict(ms(100), ms(105)).contains("a tie"));
        assert!(verdict(ms(100), ms(300)).contains("3.0x *slower*"));
    }
}
