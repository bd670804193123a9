//! Section 0: the two lecture scripts.
//!
//! ```python
//! # advance_multi_threading.py
//! def print_number(number):
//!     time.sleep(1)
//!     return f"Number :{number}"
//! numbers = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3]
//! with ThreadPoolExecutor(max_workers=3) as executor:
//!     results = executor.map(print_number, numbers)
//! for result in results:
//!     print(result)
//!
//! # advance_multi_processing.py
//! def square_number(number):
//!     time.sleep(2)
//!     return f"Square: {number * number}"
//! numbers = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 2, 3, 12, 14]
//! with ProcessPoolExecutor(max_workers=3) as executor:
//!     results = executor.map(square_number, numbers)
//! ```
//!
//! Three workers, 13 (or 14) tasks: ⌈13/3⌉ = 5 **waves**, so 5 × the sleep.
//! The timeline shows them.

use std::sync::Arc;
use std::time::Instant;

use common::timeline::Timeline;
use common::timing::{HumanDuration, time};

use crate::Config;
use crate::executor::{Queued, ThreadPoolExecutor};
use crate::process_executor::ProcessPoolExecutor;

/// The threading script's numbers.
pub const NUMBERS: [u32; 13] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3];
/// The processing script's numbers (note the 11 and the repeats).
pub const SQUARE_NUMBERS: [i64; 14] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 2, 3, 12, 14];

/// The threading script: results in input order, and the timeline.
pub fn threads(config: &Config, timeline: &Arc<Timeline>) -> anyhow::Result<Vec<String>> {
    let pause = config.scale.sleep(1.0);
    let executor = ThreadPoolExecutor::builder()
        .max_workers(3)
        .thread_name_prefix("worker")
        .build()?;
    let recorder = Arc::clone(timeline);
    let results = executor.map(
        move |number: u32| {
            let start = Instant::now();
            std::thread::sleep(pause);
            // Label each bar with the wave it started in, measured from the
            // start time: three workers → tasks start in groups of three.
            let offset = start.saturating_duration_since(recorder.origin());
            let wave = (offset.as_secs_f64() / pause.as_secs_f64()).round() as u32 + 1;
            recorder.record(
                common::timeline::current_lane(),
                format!("wave {wave}"),
                start,
                Instant::now(),
            );
            format!("Number :{number}")
        },
        NUMBERS,
    );
    // Leaving the `with` block: every task is done before results print.
    let results: Vec<String> = results.collect::<Result<_, _>>()?;
    drop(executor);
    Ok(results)
}

/// The processing script, on three worker processes.
pub fn processes(config: &Config) -> anyhow::Result<Vec<String>> {
    let pause = config.scale.sleep(2.0).as_micros() as u64;
    let executor: ProcessPoolExecutor<(i64, u64), String> =
        ProcessPoolExecutor::new(&config.worker_exe, crate::worker::SQUARES, 3)?;
    let results = executor.map(|n| (n, pause), SQUARE_NUMBERS);
    executor.shutdown(Queued::Run);
    Ok(results.into_iter().collect::<Result<_, _>>()?)
}

/// Section 0.
pub fn show(config: &Config) -> anyhow::Result<()> {
    println!(
        "advance_multi_threading.py: ThreadPoolExecutor(max_workers=3).map over {} numbers, \
         {} each:",
        NUMBERS.len(),
        HumanDuration(config.scale.sleep(1.0))
    );
    let timeline = Arc::new(Timeline::new());
    let (results, took) = time(|| threads(config, &timeline));
    for line in results? {
        println!("{line}");
    }
    let waves = NUMBERS.len().div_ceil(3);
    println!(
        "{} — {waves} waves of {} (⌈13/3⌉ = {waves}; the lecture: ~5 s)\n",
        HumanDuration(took),
        HumanDuration(config.scale.sleep(1.0))
    );
    println!("{}", timeline.render(60));

    println!(
        "advance_multi_processing.py: ProcessPoolExecutor(max_workers=3).map over {} numbers, \
         {} each:",
        SQUARE_NUMBERS.len(),
        HumanDuration(config.scale.sleep(2.0))
    );
    let (results, took) = time(|| processes(config));
    let results = results?;
    for line in &results {
        println!("{line}");
    }
    println!(
        "{} including starting 3 processes — {} waves of {} (the lecture: ~10 s)",
        HumanDuration(took),
        SQUARE_NUMBERS.len().div_ceil(3),
        HumanDuration(config.scale.sleep(2.0))
    );
    Ok(())
}
