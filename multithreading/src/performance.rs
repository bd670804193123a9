//! Section 9: threading performance on I/O-bound work.
//!
//! Python: five `io_operation(1)` calls in a row (5.00 s), then on five
//! threads (1.00 s): 5.0×. Waiting overlaps, on any number of cores.

use std::thread;
use std::time::Duration;

use common::report::Comparison;
use common::timeline::{Span, Timeline, render};
use common::timing::time;

use crate::Config;

/// `io_operation(duration)`: wait, as a network call would.
pub fn io_operation(duration: Duration) {
    thread::sleep(duration);
}

/// Runs `n` operations one after another, then on `n` threads; returns
/// (sequential, threaded) times and the threaded run's timeline spans.
pub fn compare(n: usize, duration: Duration) -> (Duration, Duration, Vec<Span>) {
    let (_, sequential) = time(|| (0..n).for_each(|_| io_operation(duration)));
    let timeline = Timeline::new(); // time zero = the start of the threaded run
    let timeline = &timeline;
    let (_, threaded) = time(|| {
        thread::scope(|s| {
            for i in 0..n {
                s.spawn(move || {
                    timeline.span(format!("thread-{i}"), "io_operation", || {
                        io_operation(duration)
                    })
                });
            }
        })
    });
    (sequential, threaded, timeline.spans())
}

/// Prints section 9.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let ((sequential, threaded, spans), contention) =
        common::verdict::watch(|| compare(5, config.scale.sleep(1.0)));
    println!("Sequential: {:.2}s", sequential.as_secs_f64());
    println!("Threaded: {:.2}s", threaded.as_secs_f64());
    let speedup = common::verdict::compare(sequential, threaded);
    println!("Speedup: {speedup}\n");
    let mut table = Comparison::new("5 operations, 1 thread", sequential);
    table.add("5 operations, 5 threads", threaded);
    println!("{table}");
    println!("{}", render(&spans, 50));
    if speedup.verdict != common::verdict::Verdict::Faster {
        println!(
            "The waits did not overlap enough to beat one thread this time: {}.",
            contention.reason()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_waits_overlap() {
        // 5 × 100 ms: ≥ 500 ms in a row; overlapped ≈ 100 ms. Wide margin.
        let (sequential, threaded, spans) = compare(5, Duration::from_millis(100));
        assert!(sequential >= Duration::from_millis(500));
        assert!(threaded < Duration::from_millis(400), "{threaded:?}");
        assert_eq!(spans.len(), 5);
    }
}
