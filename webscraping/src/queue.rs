//! Section 2: the notebook's queue-based scraper.
//!
//! ```python
//! class QueueBasedScraper:
//!     def worker(self):
//!         while True:
//!             url = self.url_queue.get()
//!             if url is None: break           # poison pill
//!             result = self.fetch(url)
//!             with self.lock:
//!                 self.results.append(result) # the lock-protected list
//!             self.url_queue.task_done()
//! ```
//!
//! In Rust the channel itself says when the work is over: when every
//! `Sender` is dropped and the queue is empty, each worker's `for url in
//! receiver` loop ends. No poison pills (one per worker, easy to miscount),
//! no `queue.join()` — joining the threads is the join.

use std::sync::Mutex;
use std::thread;

use reqwest::blocking::Client;

use crate::Context;
use crate::client::{Limits, fetch};
use crate::pages::page_path;
use crate::text::bs4_text_len;

/// One result: URL, worker thread, text length (or error).
pub type Row = (String, String, Result<usize, String>);

/// Runs `workers` threads over a channel of `urls`; every URL yields one row.
pub fn scrape(client: &Client, urls: &[String], workers: usize) -> Vec<Row> {
    let results: Mutex<Vec<Row>> = Mutex::new(Vec::new());
    let (sender, receiver) = crossbeam_channel::unbounded::<String>();
    thread::scope(|scope| {
        for index in 0..workers {
            let (receiver, results, client) =
                (receiver.clone(), &results, client.clone());
            let _ = thread::Builder::new()
                .name(format!("queue-worker-{index}"))
                .spawn_scoped(scope, move || {
                    for url in receiver {
                        let outcome = fetch(&client, &url, &Limits::default())
                            .map(|page| bs4_text_len(&page.body))
                            .map_err(|err| err.to_string());
                        let me = common::timeline::current_lane();
                        // Hold the lock only to push: never while fetching.
                        results
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((url, me, outcome));
                    }
                });
        }
        for url in urls {
            // Unbounded: cannot fail while a receiver exists.
            let _ = sender.send(url.clone());
        }
        drop(sender); // the end of the work, for every worker at once
    });
    results.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// Section 2.
pub fn show(context: &Context) -> anyhow::Result<()> {
    let urls: Vec<String> = (10..18).map(|i| context.site.url(&page_path(i))).collect();
    let rows = scrape(&context.client, &urls, 3);
    for (url, worker, outcome) in &rows {
        match outcome {
            Ok(chars) => println!("  {worker}: {url} → {chars} characters"),
            Err(err) => println!("  {worker}: {url} → error: {err}"),
        }
    }
    anyhow::ensure!(rows.len() == urls.len(), "lost a result");
    println!(
        "\n{} URLs, {} results, 3 workers; the queue closed when the sender was dropped.",
        urls.len(),
        rows.len()
    );
    Ok(())
}
