//! Section 1: multiprocessing basics — three processes, each with its PID.
//!
//! ```python
//! def worker(name, value):
//!     print(f"[{name}] PID: {os.getpid()}, Value: {value}")
//!     time.sleep(2)
//!     print(f"[{name}] Done")
//!
//! processes = [Process(target=worker, args=(f"Process-{i}", i*10)) for i in range(3)]
//! for p in processes: p.start()
//! print(f"Main PID: {os.getpid()}")
//! for p in processes: p.join()
//! print("All processes completed")
//! ```
//!
//! The arguments travel on the child's command line: a process shares no
//! memory with its parent, so everything it needs must be *sent*.

use std::time::Duration;

use common::timeline::Timeline;
use common::timing::HumanDuration;

use crate::Config;
use crate::children::{run_together, worker_command};

/// The notebook's `worker(name, value)`, run in a child process.
pub fn worker(name: &str, value: i64, pause: Duration) {
    println!("[{name}] PID: {}, Value: {value}", std::process::id());
    std::thread::sleep(pause);
    println!("[{name}] Done");
}

/// Names and values of the three processes: `Process-0..2`, values 0, 10, 20.
pub fn processes() -> Vec<(String, i64)> {
    (0..3).map(|i| (format!("Process-{i}"), i * 10)).collect()
}

/// Starts the three processes, prints main's PID, joins them.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let pause = config.scale.sleep(2.0);
    let pause_arg = pause.as_micros().to_string();
    println!("Each worker sleeps {} (the notebook's 2 s).\n", HumanDuration(pause));
    let children = processes()
        .into_iter()
        .map(|(name, value)| {
            let command = worker_command(
                config,
                &["basics", &name, &value.to_string(), &pause_arg],
            );
            (name, command)
        })
        .collect();
    let timeline = Timeline::new();
    // Main prints its PID after start() and before join(); the children's
    // lines race with it, as they do in Python.
    let statuses = run_together(children, &timeline, || {
        println!("Main PID: {}", std::process::id());
    })?;
    println!("All processes completed ({} exited successfully)", statuses.len());
    println!("\n{}", timeline.render(60));
    println!(
        "Three processes, three PIDs, one wall-clock sleep: they ran at the same time."
    );
    Ok(())
}
