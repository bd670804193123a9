//! Section 7: batch processing — the notebook's `DataProcessor`.
//!
//! ```python
//! class DataProcessor:
//!     def __init__(self, max_workers=4):
//!         self.executor = ThreadPoolExecutor(max_workers=max_workers)
//!     def process_batch(self, data):
//!         futures = [self.executor.submit(self._process_item, item) for item in data]
//!         results = []
//!         for future in futures:
//!             try:    results.append(future.result(timeout=5))
//!             except Exception as e:  results.append(f"Error: {e}")
//!         return results
//!     def shutdown(self):
//!         self.executor.shutdown(wait=True)
//! ```
//!
//! Deliberately not a `with` block in the notebook: `shutdown` is explicit.
//! In Rust, `shutdown(self)` *consumes* the processor, so using it after
//! shutdown is a compile error, not a runtime one. Every task logs through
//! `tracing` (see `common::log`): run with `RUST_LOG=debug` to see which
//! worker thread processed which item.

use std::time::Duration;

use common::timing::time;

use crate::Config;
use crate::executor::{Queued, TaskFuture, ThreadPoolExecutor};

/// The notebook's items, plus one that fails (beyond the notebook: its
/// error path never ran).
pub fn items() -> Vec<String> {
    let mut items: Vec<String> = (1..=5).map(|i| format!("item{i}")).collect();
    items.push("corrupt-item".into());
    items
}

/// The notebook's `DataProcessor`.
#[derive(Debug)]
pub struct DataProcessor {
    executor: ThreadPoolExecutor,
    pause: Duration,
    timeout: Duration,
}

impl DataProcessor {
    /// `DataProcessor(max_workers)`, with the item sleep and the per-item
    /// timeout (the notebook's 0.5 s and 5 s, scaled).
    pub fn new(
        max_workers: usize,
        pause: Duration,
        timeout: Duration,
    ) -> std::io::Result<Self> {
        let executor = ThreadPoolExecutor::builder()
            .max_workers(max_workers)
            .thread_name_prefix("processor")
            .build()?;
        Ok(Self { executor, pause, timeout })
    }

    /// Submits every item, then collects each result with a timeout; a
    /// failure becomes that item's `"Error: …"`, the others are unaffected.
    pub fn process_batch(&self, data: &[String]) -> Vec<String> {
        let futures: Vec<TaskFuture<String>> = data
            .iter()
            .map(|item| {
                let (item, pause) = (item.clone(), self.pause);
                self.executor.try_submit(move || process_item(&item, pause))
            })
            .collect();
        futures
            .iter()
            .map(|future| match future.result_timeout(self.timeout) {
                Ok(result) => result,
                Err(err) => format!("Error: {err}"),
            })
            .collect()
    }

    /// Waits for all work and joins the workers. Consumes the processor.
    pub fn shutdown(self) -> usize {
        self.executor.shutdown(Queued::Run)
    }
}

/// The notebook's `_process_item`.
fn process_item(item: &str, pause: Duration) -> Result<String, String> {
    println!("Processing {item}...");
    tracing::info!(item, "processing");
    std::thread::sleep(pause);
    if item.starts_with("corrupt") {
        tracing::warn!(item, "rejected");
        return Err(format!("cannot parse {item}"));
    }
    Ok(format!("Processed {item}"))
}

/// Section 7.
pub fn show(config: &Config) -> anyhow::Result<()> {
    let processor =
        DataProcessor::new(3, config.scale.sleep(0.5), config.scale.sleep(5.0))?;
    let (results, took) = time(|| processor.process_batch(&items()));
    for result in &results {
        println!("{result}");
    }
    processor.shutdown();
    println!(
        "\n{:.2}s for {} items on 3 workers (the notebook: ~1.3 s for 5 at 0.5 s each). Every\n\
         item has exactly one result; the bad one's error did not stop the others.",
        took.as_secs_f64(),
        results.len()
    );
    Ok(())
}
