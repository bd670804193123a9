//! Section 2: the notebook's queue-based scraper.
//!
//! ```python
//! class QueueBasedScraper:
//!     def worker(self):
//!         while True:
//!             url = self.url_queue.get()
//!             if url is None: break           # poison pill
//!             try:
//!                 result = self.fetch_url(url)
//!                 with self.lock:
//!                     self.results.append(result) # the lock-protected list
//!             finally:
//!                 self.url_queue.task_done()
//!
//! scraper = QueueBasedScraper(num_workers=3)
//! results = scraper.scrape([f'http://example.com/page{i}' for i in range(6)])
//! print(f"\nScraped {len(results)} pages")
//! ```
//!
//! In Rust the channel itself says when the work is over: when every
//! `Sender` is dropped and the queue is empty, each worker's `for url in
//! receiver` loop ends. No poison pills (one per worker, easy to miscount),
//! no `queue.join()` — joining the threads is the join.

use std::sync::Mutex;
use std::thread;

use common::timing::{HumanDuration, time};
use reqwest::blocking::Client;

use crate::Context;
use crate::client::{Limits, fetch};
use crate::pages::page_path;

/// One result: which worker fetched which URL, and what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The URL.
    pub url: String,
    /// The worker thread's name.
    pub worker: String,
    /// The page's text length, or why it failed.
    pub outcome: Result<usize, String>,
}

/// Runs `workers` threads over a channel of `urls`; every URL yields one
/// [`Row`], in the order the workers finished them.
///
/// Fails only if a worker thread cannot be started (then no URL is sent,
/// and the workers already started end at once).
pub fn scrape(
    client: &Client,
    urls: &[String],
    workers: usize,
) -> anyhow::Result<Vec<Row>> {
    let results: Mutex<Vec<Row>> = Mutex::new(Vec::new());
    let (url_sender, url_receiver) = crossbeam_channel::unbounded::<String>();
    thread::scope(|scope| -> anyhow::Result<()> {
        for index in 0..workers {
            let (url_receiver, results, client) =
                (url_receiver.clone(), &results, client.clone());
            // If this fails, `?` returns before any URL is sent: dropping
            // `url_sender` on the way out ends the workers already running.
            thread::Builder::new().name(format!("queue-worker-{index}")).spawn_scoped(
                scope,
                move || {
                    for url in url_receiver {
                        println!("Fetching {url}...");
                        let outcome = fetch(&client, &url, &Limits::default())
                            .and_then(|page| page.bs4_len())
                            .map_err(|err| err.to_string());
                        let worker = common::timeline::current_lane();
                        // Hold the lock only to push: never while fetching.
                        results.lock().unwrap_or_else(|p| p.into_inner()).push(Row {
                            url,
                            worker,
                            outcome,
                        });
                    }
                },
            )?;
        }
        for url in urls {
            // An unbounded send fails only when every receiver is gone,
            // which cannot happen while this scope's workers hold theirs.
            url_sender.send(url.clone())?;
        }
        drop(url_sender); // the end of the work, for every worker at once
        Ok(())
    })?;
    Ok(results.into_inner().unwrap_or_else(|p| p.into_inner()))
}

/// Section 2.
pub fn show(context: &Context) -> anyhow::Result<()> {
    // The notebook's values: page0 … page5 on 3 workers.
    let (pages, workers) = (6, 3);
    let urls: Vec<String> = (0..pages).map(|i| context.site.url(&page_path(i))).collect();
    let (rows, took) = time(|| scrape(&context.client, &urls, workers));
    let rows = rows?;
    println!("\nScraped {} pages", rows.len());
    anyhow::ensure!(rows.len() == urls.len(), "lost a result");

    // Beyond the notebook: who did what, and how long it took.
    println!("\nWhich worker fetched which page (in the order they finished):");
    for row in &rows {
        match &row.outcome {
            Ok(chars) => println!("  {}: {} → {chars} characters", row.worker, row.url),
            Err(err) => println!("  {}: {} → error: {err}", row.worker, row.url),
        }
    }
    let latency = context.site.latency();
    println!(
        "\n{} URLs, {} results, {workers} workers, {} (ideal ⌈{pages}/{workers}⌉ × {} = {}); \
         the queue closed when the sender was dropped.",
        urls.len(),
        rows.len(),
        HumanDuration(took),
        HumanDuration(latency),
        HumanDuration(latency * pages.div_ceil(workers) as u32),
    );
    Ok(())
}
