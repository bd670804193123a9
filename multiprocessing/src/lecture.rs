//! Section 0: the lecture script `multi_processing.py`.
//!
//! ```python
//! def square_numbers():
//!     for i in range(5):
//!         time.sleep(1)
//!         print(f"Square: {i*i}")
//!
//! def cube_numbers():
//!     for i in range(5):
//!         time.sleep(1.5)
//!         print(f"Cube: {i * i * i}")
//! ```
//!
//! Each function runs in its own process. Sequentially they take 5 s + 7.5 s;
//! in parallel, about the longer one (7.5 s). Scaled down by [`Config::scale`](crate::Config).

use std::time::Duration;

use common::report::Comparison;
use common::timeline::Timeline;
use common::timing::{HumanDuration, time};

use crate::Config;
use crate::children::{run_together, worker_command};

/// The lecture's `square_numbers`, run in a child process.
pub fn square_numbers(pause: Duration) {
    for i in 0..5 {
        std::thread::sleep(pause);
        println!("Square: {}", i * i);
    }
}

/// The lecture's `cube_numbers`, run in a child process.
pub fn cube_numbers(pause: Duration) {
    for i in 0..5 {
        std::thread::sleep(pause);
        println!("Cube: {}", i * i * i);
    }
}

fn commands(config: &Config) -> [(String, std::process::Command); 2] {
    let square_pause = config.scale.sleep(1.0).as_micros().to_string();
    let cube_pause = config.scale.sleep(1.5).as_micros().to_string();
    [
        (
            "square_numbers".into(),
            worker_command(config, &["square-numbers", &square_pause]),
        ),
        ("cube_numbers".into(), worker_command(config, &["cube-numbers", &cube_pause])),
    ]
}

/// Runs the lecture: one process after the other, then both at once.
pub fn show(config: &Config) -> anyhow::Result<()> {
    println!(
        "square_numbers sleeps {} per line, cube_numbers {} (the lecture's 1 s and 1.5 s ÷ {}).\n",
        HumanDuration(config.scale.sleep(1.0)),
        HumanDuration(config.scale.sleep(1.5)),
        config.scale.divisor()
    );
    println!(
        "One process, then the other (p1.start(); p1.join(); p2.start(); p2.join()):"
    );
    let quiet = Timeline::new();
    let (result, sequential) = time(|| -> anyhow::Result<()> {
        for child in commands(config) {
            run_together(vec![child], &quiet, || {})?;
        }
        Ok(())
    });
    result?;
    println!("{:.4}", sequential.as_secs_f64());

    println!("\nBoth at once (p1.start(); p2.start(); p1.join(); p2.join()):");
    let timeline = Timeline::new();
    let (result, parallel) =
        time(|| run_together(commands(config).into(), &timeline, || {}));
    result?;
    println!("{:.4}", parallel.as_secs_f64());

    let mut table = Comparison::new("sequential (lecture: ~12.5 s)", sequential);
    table.add("2 processes (lecture: ~7.5 s)", parallel);
    println!("\n{table}");
    println!("{}", timeline.render(60));
    println!(
        "The parallel run takes about as long as the slower process ({} of sleeps) plus\n\
         the cost of starting two processes — not the sum of both.",
        HumanDuration(config.scale.sleep(7.5))
    );
    Ok(())
}
