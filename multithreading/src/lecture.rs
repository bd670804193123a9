//! Section 0: the lecture script `multi_threading.py` — the 20 s → 10 s
//! lesson.
//!
//! `print_numbers` and `print_letter` each sleep five times. Called one after
//! the other they take the sum of their sleeps; on two threads, the longer
//! of the two. Nothing is computed, so this is pure **concurrency**: two
//! waits overlapped.

use std::thread;
use std::time::Duration;

use common::report::Comparison;
use common::timeline::{Timeline, current_lane};
use common::timing::{HumanDuration, time};

use crate::{Config, join};

/// `for i in range(5): time.sleep(2); print(f"Number:{i}")`
pub fn print_numbers(sleep: Duration, timeline: &Timeline) -> Vec<String> {
    print_slowly((0..5).map(|i| format!("Number:{i}")), "numbers", sleep, timeline)
}

/// `for letter in "abcde": time.sleep(2); print(f"Letter: {letter}")`
pub fn print_letter(sleep: Duration, timeline: &Timeline) -> Vec<String> {
    let lines = "abcde".chars().map(|letter| format!("Letter: {letter}"));
    print_slowly(lines, "letters", sleep, timeline)
}

/// The loop both lecture functions share: sleep, then print the next line.
/// Each sleep is a span labelled `label` on this thread's lane; returns the
/// lines printed.
fn print_slowly(
    lines: impl Iterator<Item = String>,
    label: &str,
    sleep: Duration,
    timeline: &Timeline,
) -> Vec<String> {
    let lane = current_lane();
    lines
        .map(|line| {
            timeline.span(&lane, label, || thread::sleep(sleep));
            println!("{line}");
            line
        })
        .collect()
}

/// Runs both functions on two threads and returns what each printed.
/// `thread::scope` lets the threads borrow `timeline` without an `Arc`.
pub fn run_threaded(
    sleep: Duration,
    timeline: &Timeline,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    thread::scope(|s| {
        let t1 = thread::Builder::new()
            .name("t1".into())
            .spawn_scoped(s, || print_numbers(sleep, timeline))?;
        let t2 = thread::Builder::new()
            .name("t2".into())
            .spawn_scoped(s, || print_letter(sleep, timeline))?;
        Ok((join_scoped(t1)?, join_scoped(t2)?))
    })
}

fn join_scoped<T>(handle: thread::ScopedJoinHandle<'_, T>) -> anyhow::Result<T> {
    handle
        .join()
        .map_err(|p| anyhow::anyhow!("thread panicked: {}", crate::panics::message(&*p)))
}

/// A sleep of the lecture script: its ten 2-second steps would take 20 s
/// even at a tenth, so they are halved again (÷ 20 in all).
pub fn lecture_sleep(config: &Config, seconds: f64) -> Duration {
    config.scale.sleep(seconds / 2.0)
}

/// Prints section 0.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let sleep = lecture_sleep(config, 2.0);
    println!(
        "Each step sleeps {} (the lecture's 2 s ÷ {}).\n",
        HumanDuration(sleep),
        config.scale.divisor() * 2
    );
    println!("Sequentially — print_numbers(), then print_letter():");
    let quiet = Timeline::new();
    let (_, sequential) = time(|| {
        print_numbers(sleep, &quiet);
        print_letter(sleep, &quiet);
    });
    println!("{:.4}", sequential.as_secs_f64());

    println!("\nOn two threads — t1.start(); t2.start(); t1.join(); t2.join():");
    let timeline = Timeline::new();
    let (result, threaded) = time(|| run_threaded(sleep, &timeline));
    let (numbers, letters) = result?;
    println!("{:.4}", threaded.as_secs_f64());
    anyhow::ensure!((numbers.len(), letters.len()) == (5, 5), "a thread stopped early");

    let mut table = Comparison::new("sequential (lecture: ~20 s)", sequential);
    table.add("2 threads (lecture: ~10 s)", threaded);
    println!("\n{table}");
    println!("{}", timeline.render(60));
    // `join` also exists for the lecture's plain (non-scoped) threads:
    let handle = thread::Builder::new().name("returns-a-value".into()).spawn(|| 6 * 7)?;
    println!("A thread can also *return* a value through join(): {}", join(handle)?);
    Ok(())
}
