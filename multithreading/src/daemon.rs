//! Section 7: "daemon" threads, and how to stop a thread properly.
//!
//! Python: `Thread(target=background_task, daemon=True)` loops forever; when
//! the main program ends, daemon threads are killed wherever they are.
//!
//! Rust has the same behaviour without the flag: a thread that is never
//! joined (*detached*) is killed when `main` returns. To show it honestly we
//! must end a whole process, so this section re-runs the binary as a worker
//! ([`crate::worker`], role [`CHILD_ROLE`]) that runs [`child_main`]: it
//! starts an endless background thread and returns from `main` — and the
//! parent watches the child's output stop.
//!
//! Killing a thread mid-step can leave files half-written and locks held, so
//! the right pattern is to **ask** it to stop and **join** it:
//! [`stop_with_flag`] checks an [`AtomicBool`] between steps;
//! [`stop_with_channel`] waits on a channel with a timeout, so it wakes the
//! moment the sender is dropped instead of finishing its sleep.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use common::child::ChildGuard;
use common::timing::HumanDuration;
use common::verdict::{Verdict, compare, plural};
use crossbeam_channel::{RecvTimeoutError, bounded};

use crate::{Config, join};

/// The worker role that runs [`child_main`].
pub const CHILD_ROLE: &str = "daemon-child";

/// The child process: a background thread prints every `TICK_MS`; main
/// prints, sleeps `MAIN_MS`, prints and returns. Arguments: `TICK_MS MAIN_MS`.
pub fn child_main(args: &[String]) {
    let ms = |i: usize, default: u64| {
        args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
    };
    let (tick, main) =
        (Duration::from_millis(ms(0, 100)), Duration::from_millis(ms(1, 300)));
    // Detached on purpose: the JoinHandle is dropped, nobody will join it.
    drop(thread::spawn(move || {
        loop {
            println!("Background task running...");
            thread::sleep(tick);
        }
    }));
    println!("Main program running...");
    thread::sleep(main);
    println!("Main program ending... Daemon will be killed");
    // Returning from main ends the process, and every thread in it.
}

/// What the parent saw of the child.
#[derive(Debug)]
pub struct DaemonRun {
    /// Every line the child printed.
    pub lines: Vec<String>,
    /// How long the child lived.
    pub lifetime: Duration,
}

/// Runs the daemon child and collects its output. The child is killed and
/// reaped if it is still alive after 10 s (it never should be).
pub fn run_daemon_child(
    exe: &Path,
    tick: Duration,
    main: Duration,
) -> anyhow::Result<DaemonRun> {
    let started = Instant::now();
    let (tick, main) = (tick.as_millis().to_string(), main.as_millis().to_string());
    let mut command = common::worker::command(exe, &[CHILD_ROLE, &tick, &main]);
    command.stdout(Stdio::piped());
    // In a guard: on every early return below the child is killed and reaped.
    let mut child = ChildGuard::spawn("daemon demo child", &mut command)?;
    let stdout = child.take_stdout().expect("stdout is piped");
    // Read in a thread so the wait below can have a timeout.
    let reader = thread::spawn(move || {
        BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>()
    });
    let Some(status) = child.wait_timeout(Duration::from_secs(10))? else {
        child.kill_and_reap().context("reaping the stuck child")?;
        // The pipe closed with the child, so the reader ends: join it too.
        let partial = join(reader)?;
        bail!(
            "the daemon demo child did not exit within 10 s (it printed {} lines)",
            partial.len()
        );
    };
    // wait_timeout reaped it; the guard only has to forget it.
    child.wait()?;
    let lifetime = started.elapsed();
    let lines = join(reader)?;
    if !status.success() {
        bail!("the daemon demo child failed: {status}");
    }
    Ok(DaemonRun { lines, lifetime })
}

/// A background worker stopped with a flag: returns how many ticks it did
/// and how long `stop` took to take effect.
pub fn stop_with_flag(
    tick: Duration,
    run_for: Duration,
) -> anyhow::Result<(u32, Duration)> {
    let stop = Arc::new(AtomicBool::new(false));
    let worker = {
        let stop = Arc::clone(&stop);
        thread::Builder::new().name("background".into()).spawn(move || {
            let mut ticks = 0;
            loop {
                thread::sleep(tick);
                // Relaxed is enough: we only need to see the flag
                // *eventually*, and no other data is published with it.
                if stop.load(Ordering::Relaxed) {
                    return ticks;
                }
                ticks += 1; // a tick passed: do the work
            }
        })?
    };
    thread::sleep(run_for);
    let asked = Instant::now();
    stop.store(true, Ordering::Relaxed);
    let ticks = join(worker)?; // late by the rest of the sleep it was in
    Ok((ticks, asked.elapsed()))
}

/// A background worker stopped by closing a channel: `recv_timeout` is both
/// its sleep and its stop signal, so it reacts at once.
pub fn stop_with_channel(
    tick: Duration,
    run_for: Duration,
) -> anyhow::Result<(u32, Duration)> {
    let (stop_sender, stop_receiver) = bounded::<()>(0);
    let worker = thread::Builder::new().name("background".into()).spawn(move || {
        let mut ticks = 0;
        loop {
            match stop_receiver.recv_timeout(tick) {
                Err(RecvTimeoutError::Timeout) => ticks += 1, // a tick passed: do the work
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return ticks,
            }
        }
    })?;
    thread::sleep(run_for);
    let asked = Instant::now();
    drop(stop_sender); // closing the channel wakes the worker immediately
    let ticks = join(worker)?;
    Ok((ticks, asked.elapsed()))
}

/// Prints section 7.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let (tick, main) = (config.scale.sleep(1.0), config.scale.sleep(3.0));
    println!(
        "A child process runs the notebook's cell (this binary as `{} {CHILD_ROLE}`):\n",
        common::worker::WORKER_ARG
    );
    let run = run_daemon_child(&config.worker_exe, tick, main)?;
    for line in &run.lines {
        println!("  child | {line}");
    }
    println!(
        "\nThe child lived {} and printed {} background lines. Its main returned, so the\n\
         process ended and the endless thread with it — mid-loop, with no chance to clean up.\n\
         (The notebook's Jupyter kernel kept running, so its daemon printed for minutes.)",
        HumanDuration(run.lifetime),
        run.lines.iter().filter(|l| l.starts_with("Background")).count()
    );

    // Ask in the middle of a tick, when the worker is half-way through a
    // sleep: asked exactly on a tick, the flag would be read at once and
    // the two patterns could not differ.
    let ask_after = main + tick / 2;
    println!(
        "\nThe right pattern: ask the thread to stop, then join it. Each worker below\n\
         does one tick of work every {}; we ask it to stop after {},\n\
         half-way through a sleep:",
        HumanDuration(tick),
        HumanDuration(ask_after)
    );
    let (flag_ticks, flag) = stop_with_flag(tick, ask_after)?;
    println!(
        "  AtomicBool flag:   {}, stopped {} after being asked",
        plural(flag_ticks, "tick"),
        HumanDuration(flag)
    );
    let (channel_ticks, channel) = stop_with_channel(tick, ask_after)?;
    println!(
        "  closed channel:    {}, stopped {} after being asked",
        plural(channel_ticks, "tick"),
        HumanDuration(channel)
    );
    let cmp = compare(flag, channel);
    // The reason is the flag's worker sleeping out part of a tick: claim it
    // only when its number shows it (a loaded machine can run the worker so
    // late that it was near the end of its sleep when asked).
    let slept_out = flag >= tick / 4;
    if cmp.verdict == Verdict::Faster && slept_out {
        println!(
            "The channel stopped the worker {cmp} than the flag: the flag is read only\n\
             between sleeps, so that worker slept out the rest of its tick; closing the\n\
             channel woke the sleeper at once."
        );
    } else if cmp.verdict == Verdict::Faster {
        println!(
            "This run did not show the difference the flag makes: the channel stopped\n\
             its worker {cmp}, but the flag's worker stopped within {} too — not after\n\
             the rest of a tick (about {}). The scheduler ran it late, so it was near\n\
             the end of its sleep when we asked.",
            HumanDuration(flag),
            HumanDuration(tick / 2)
        );
    } else {
        println!(
            "This run did not show the difference ({cmp}): the flag's worker should\n\
             have slept out the rest of its tick, about {}; something delayed the other\n\
             worker as long.",
            HumanDuration(tick / 2)
        );
    }
    if flag_ticks != channel_ticks {
        println!(
            "(The tick counts differ because a tick of {} ended close to the moment we\n\
             asked: which came first depended on the scheduler.)",
            HumanDuration(tick)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_stop_patterns_end_the_worker() {
        let tick = Duration::from_millis(5);
        let (ticks, _) = stop_with_flag(tick, Duration::from_millis(20)).unwrap();
        assert!(ticks >= 1);
        let (_, latency) =
            stop_with_channel(Duration::from_secs(30), Duration::ZERO).unwrap();
        // A 30 s tick, yet the worker stopped: the channel woke it (wide margin).
        assert!(latency < Duration::from_secs(5), "{latency:?}");
    }
}
