//! Section 1: the notebook's thread-pool scraper, with real HTTP.
//!
//! ```python
//! with ThreadPoolExecutor(max_workers=5) as executor:
//!     futures = {executor.submit(scrape_page, url): url for url in urls}
//!     for future in as_completed(futures):
//!         result = future.result(timeout=10)
//! print(f"Scraped {len(results)} pages in {elapsed:.2f}s")
//! ```
//!
//! The notebook *estimated* the sequential time ("10 × 1 s"); here it is
//! measured. The executor is the one built in chapter 247
//! (`executors::executor`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::report::Comparison;
use common::timeline::Timeline;
use common::timing::{HumanDuration, time};
use executors::executor::{ThreadPoolExecutor, as_completed};
use reqwest::blocking::Client;

use crate::Context;
use crate::client::{FetchError, Limits, fetch};
use crate::pages::page_path;
use crate::text::bs4_text_len;

/// One scraped page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scraped {
    /// The URL.
    pub url: String,
    /// Its text length, or why it failed.
    pub outcome: Result<usize, String>,
}

/// Scrapes `urls` on `workers` threads; one [`Scraped`] per URL, in
/// completion order.
pub fn scrape_all(
    client: &Client,
    urls: &[String],
    workers: usize,
    timeline: &Arc<Timeline>,
) -> anyhow::Result<Vec<Scraped>> {
    let executor = ThreadPoolExecutor::builder()
        .max_workers(workers)
        .thread_name_prefix("scraper")
        .build()?;
    let futures: Vec<_> = urls
        .iter()
        .map(|url| {
            let (client, url, timeline) =
                (client.clone(), url.clone(), Arc::clone(timeline));
            executor.submit(move || {
                let start = Instant::now();
                let result = fetch(&client, &url, &Limits::default())
                    .map(|page| bs4_text_len(&page.body));
                let label = url.rsplit('/').next().unwrap_or("page").to_string();
                timeline.record(
                    common::timeline::current_lane(),
                    label,
                    start,
                    Instant::now(),
                );
                result
            })
        })
        .collect();
    let mut scraped = Vec::with_capacity(urls.len());
    for (index, future) in as_completed(futures) {
        let outcome = match future.result_timeout(Duration::from_secs(10)) {
            Ok(Ok(chars)) => Ok(chars),
            Ok(Err(err)) => Err(err.to_string()),
            Err(err) => Err(err.to_string()),
        };
        scraped.push(Scraped { url: urls[index].clone(), outcome });
    }
    Ok(scraped)
}

/// The same pages, one after another.
pub fn scrape_sequentially(
    client: &Client,
    urls: &[String],
) -> Vec<Result<usize, FetchError>> {
    urls.iter()
        .map(|url| fetch(client, url, &Limits::default()).map(|p| bs4_text_len(&p.body)))
        .collect()
}

/// Section 1.
pub fn show(context: &Context) -> anyhow::Result<()> {
    let (pages, workers) = (10, 5);
    let urls: Vec<String> = (0..pages).map(|i| context.site.url(&page_path(i))).collect();
    let timeline = Arc::new(Timeline::new());
    let (scraped, pool_time) =
        time(|| scrape_all(&context.client, &urls, workers, &timeline));
    let scraped = scraped?;
    for page in &scraped {
        match &page.outcome {
            Ok(chars) => println!("  {} → {chars} characters", page.url),
            Err(err) => println!("  {} → error: {err}", page.url),
        }
    }
    anyhow::ensure!(scraped.len() == pages, "a page went missing");
    println!("Scraped {} pages in {:.2}s", scraped.len(), pool_time.as_secs_f64());

    let (sequential, sequential_time) =
        time(|| scrape_sequentially(&context.client, &urls));
    anyhow::ensure!(sequential.iter().all(Result::is_ok), "a page failed sequentially");
    let latency = context.site.latency();
    let ideal = latency * pages.div_ceil(workers) as u32;
    let mut table = Comparison::new("sequential (measured)", sequential_time);
    table.add_with_note(
        format!("{workers} workers"),
        pool_time,
        format!(
            "ideal ⌈{pages}/{workers}⌉ × {} = {}",
            HumanDuration(latency),
            HumanDuration(ideal)
        ),
    );
    println!("\n{table}");
    println!("{}", timeline.render(60));
    Ok(())
}
