//! Section 1: the notebook's thread-pool scraper, with real HTTP.
//!
//! The notebook simulates the network with `time.sleep(1)` and collects the
//! results **in the order it submitted them**:
//!
//! ```python
//! def fetch_page(url):
//!     print(f"Fetching {url}...")
//!     time.sleep(1)  # simulate network delay
//!     return {'url': url, 'status': 200, 'content_length': 5000}
//!
//! def scrape_urls(urls, max_workers=5):
//!     with ThreadPoolExecutor(max_workers=max_workers) as executor:
//!         futures = [executor.submit(fetch_page, url) for url in urls]
//!         for future in futures:
//!             try:
//!                 results.append(future.result(timeout=10))
//!             except Exception as e:
//!                 print(f"Error: {e}")
//!
//! urls = [f'http://example.com/page{i}' for i in range(10)]
//! results, elapsed = scrape_urls(urls, max_workers=5)
//! print(f"\nScraped {len(results)} pages in {elapsed:.2f}s")
//! print(f"Sequential would take ~{len(urls)}s")
//! print(f"Speedup: {len(urls)/elapsed:.1f}x")
//! ```
//!
//! [`scrape_urls`] is that function with a real fetch from the local site
//! (its latency stands in for the sleep). The notebook *estimated* the
//! sequential time ("~10s"); here it is also measured.
//!
//! **Beyond the notebook**: [`scrape_as_completed`] takes results in the
//! order they *finish* (`as_completed`), so a slow first page does not hold
//! back the report of the fast ones. The executor is the one built in chapter
//! 247 (`executors::executor`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::report::Comparison;
use common::timeline::Timeline;
use common::timing::{HumanDuration, time};
use executors::executor::{self as executor, ThreadPoolExecutor};
use reqwest::blocking::Client;

use crate::Context;
use crate::client::{FetchError, Limits, fetch};
use crate::pages::page_path;

/// One scraped page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scraped {
    /// The URL.
    pub url: String,
    /// Its text length, or why it failed.
    pub outcome: Result<usize, String>,
}

/// The notebook's `fetch_page`, for real: fetch, count the text, and record
/// the span on the timeline (the worker thread is the lane).
pub fn fetch_page(
    client: &Client,
    url: &str,
    timeline: &Timeline,
) -> Result<usize, FetchError> {
    println!("Fetching {url}...");
    let start = Instant::now();
    let result = fetch(client, url, &Limits::default()).and_then(|page| page.bs4_len());
    let label = url.rsplit('/').next().unwrap_or("page").trim_start_matches("page");
    timeline.record(common::timeline::current_lane(), label, start, Instant::now());
    result
}

/// One batch of URLs for a pool of threads: what both scrapers take.
#[derive(Clone, Copy)]
pub struct Batch<'a> {
    /// The HTTP client every fetch shares.
    pub client: &'a Client,
    /// The pages to fetch.
    pub urls: &'a [String],
    /// The pool's threads (the notebook's `max_workers`).
    pub workers: usize,
    /// Where each fetch records its span.
    pub timeline: &'a Arc<Timeline>,
}

/// A submitted `fetch_page`: its page's length in characters, or why not.
type PageFuture = executor::TaskFuture<Result<usize, FetchError>>;

/// Starts a pool of `batch.workers` threads and submits one `fetch_page`
/// per URL; the futures come back in submit order.
fn submit_all(batch: Batch<'_>) -> anyhow::Result<(ThreadPoolExecutor, Vec<PageFuture>)> {
    let executor = ThreadPoolExecutor::builder()
        .max_workers(batch.workers)
        .thread_name_prefix("scraper")
        .build()?;
    let futures = batch
        .urls
        .iter()
        .map(|url| {
            let (client, url, timeline) =
                (batch.client.clone(), url.clone(), Arc::clone(batch.timeline));
            executor.submit(move || fetch_page(&client, &url, &timeline))
        })
        .collect();
    Ok((executor, futures))
}

/// `future.result(timeout=10)`: a fetch error, a panic in the task and a
/// timeout all become the row's error text (the notebook's `Error: {e}`).
fn outcome(future: &PageFuture) -> Result<usize, String> {
    match future.result_timeout(Duration::from_secs(10)) {
        Ok(Ok(chars)) => Ok(chars),
        Ok(Err(err)) => Err(err.to_string()),
        Err(err) => Err(err.to_string()),
    }
}

/// The notebook's `scrape_urls`: submit every URL to `workers` threads, then
/// wait for each future **in submit order**. One [`Scraped`] per URL, in the
/// order of `urls`.
pub fn scrape_urls(batch: Batch<'_>) -> anyhow::Result<Vec<Scraped>> {
    let (_executor, futures) = submit_all(batch)?;
    Ok(batch
        .urls
        .iter()
        .zip(&futures)
        .map(|(url, future)| Scraped { url: url.clone(), outcome: outcome(future) })
        .collect())
}

/// Beyond the notebook: the same pool, results taken **as they complete**
/// (`concurrent.futures.as_completed`). One [`Scraped`] per URL, in
/// completion order.
pub fn scrape_as_completed(batch: Batch<'_>) -> anyhow::Result<Vec<Scraped>> {
    let (_executor, futures) = submit_all(batch)?;
    Ok(executor::as_completed(futures)
        .map(|(index, future)| Scraped {
            url: batch.urls[index].clone(),
            outcome: outcome(&future),
        })
        .collect())
}

/// The same pages, one after another.
pub fn scrape_sequentially(
    client: &Client,
    urls: &[String],
) -> Vec<Result<usize, FetchError>> {
    urls.iter()
        .map(|url| fetch(client, url, &Limits::default()).and_then(|page| page.bs4_len()))
        .collect()
}

fn print_errors(scraped: &[Scraped]) {
    for page in scraped {
        if let Err(err) = &page.outcome {
            println!("Error: {err} ({})", page.url);
        }
    }
}

/// Section 1.
pub fn show(context: &Context) -> anyhow::Result<()> {
    // The notebook's values: page0 … page9 on 5 workers.
    let (pages, workers) = (10, 5);
    let urls: Vec<String> = (0..pages).map(|i| context.site.url(&page_path(i))).collect();
    let timeline = Arc::new(Timeline::new());
    let (results, elapsed) = time(|| {
        scrape_urls(Batch {
            client: &context.client,
            urls: &urls,
            workers,
            timeline: &timeline,
        })
    });
    let results = results?;
    print_errors(&results);
    anyhow::ensure!(results.len() == pages, "a page went missing");
    let latency = context.site.latency();
    println!("\nScraped {} pages in {:.2}s", results.len(), elapsed.as_secs_f64());
    println!(
        "Sequential would take ~{:.2}s ({pages} × {})",
        (latency * pages as u32).as_secs_f64(),
        HumanDuration(latency)
    );
    println!(
        "Speedup: {:.1}x (against the estimate)",
        (latency * pages as u32).as_secs_f64() / elapsed.as_secs_f64()
    );
    println!("Results, in submit order (the notebook's `for future in futures`):");
    for page in &results {
        if let Ok(chars) = page.outcome {
            println!("  {} → {chars} characters", page.url);
        }
    }

    let (sequential, sequential_time) =
        time(|| scrape_sequentially(&context.client, &urls));
    anyhow::ensure!(sequential.iter().all(Result::is_ok), "a page failed sequentially");
    let counts: Vec<_> = results.iter().map(|s| s.outcome.clone().ok()).collect();
    let sequential_counts: Vec<_> = sequential.into_iter().map(Result::ok).collect();
    anyhow::ensure!(
        counts == sequential_counts,
        "the pool and the loop counted differently"
    );
    let ideal = latency * pages.div_ceil(workers) as u32;
    let mut table = Comparison::new("sequential (measured)", sequential_time);
    table.add_with_note(
        format!("{workers} workers"),
        elapsed,
        format!(
            "ideal ⌈{pages}/{workers}⌉ × {} = {}",
            HumanDuration(latency),
            HumanDuration(ideal)
        ),
    );
    println!("\n{table}");
    println!("Same counts, page by page, as the sequential loop.");
    println!("{}", timeline.render(60));

    // Beyond the notebook: as_completed. The first pages are made the
    // slowest (`?delay=` on the local site), so finishing order differs
    // from submit order.
    println!(
        "Beyond the notebook: as_completed, with page0 the slowest and page4 the fastest:"
    );
    let slow_first: Vec<String> = (0..workers)
        .map(|i| {
            let delay = latency * (workers - i) as u32;
            format!("{}?delay={}", context.site.url(&page_path(i)), delay.as_millis())
        })
        .collect();
    let finished = scrape_as_completed(Batch {
        client: &context.client,
        urls: &slow_first,
        workers,
        timeline: &Arc::new(Timeline::new()),
    })?;
    print_errors(&finished);
    anyhow::ensure!(finished.len() == slow_first.len(), "a page went missing");
    let order: Vec<&str> = finished
        .iter()
        .map(|s| s.url.rsplit('/').next().unwrap_or("?").split('?').next().unwrap_or("?"))
        .collect();
    println!("  completion order: {}", order.join(", "));
    println!(
        "  (submit order was page0 … page{}: each result is reported as soon as it exists)",
        workers - 1
    );
    Ok(())
}
