//! Section 6: threads at scale — 200 slow pages with 200 threads, with a
//! bounded pool, and with async (tokio + reqwest's async client).
//!
//! The module README's "consider async for I/O", measured. A blocked thread
//! costs a stack and a kernel schedulable entity; an async task waiting on a
//! socket costs a few hundred bytes. With enough connections, that decides.
//!
//! The site runs in a **separate process** here (`webscraping serve`), so
//! the thread and memory figures are the scraper's alone. The async part
//! lives in its own runtime, built and dropped inside [`with_async`]; no
//! blocking client is ever touched inside it: reqwest's blocking client
//! owns a runtime of its own, and dropping one inside another panics.

use std::thread;
use std::time::Duration;

use common::procfs::{Status, with_peaks};
use common::report::Table;
use common::timing::{HumanDuration, time};
use common::verdict::{Verdict, plural};
use executors::executor::ThreadPoolExecutor;
use reqwest::blocking::Client;

use crate::Context;
use crate::client::{Limits, fetch};
use crate::support::child_site::settled_threads;
pub use crate::support::child_site::{ChildSite, status};

type Counts = Vec<Result<usize, String>>;

fn scrape_one(client: &Client, url: &str) -> Result<usize, String> {
    fetch(client, url, &Limits::default())
        .and_then(|page| page.bs4_len())
        .map_err(|e| e.to_string())
}

/// One thread per URL.
pub fn thread_per_page(client: &Client, urls: &[String]) -> Counts {
    thread::scope(|scope| {
        let handles: Vec<_> =
            urls.iter().map(|url| scope.spawn(move || scrape_one(client, url))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("panicked".into())))
            .collect()
    })
}

/// A pool of `workers` threads.
pub fn bounded_pool(
    client: &Client,
    urls: &[String],
    workers: usize,
) -> anyhow::Result<Counts> {
    let executor = ThreadPoolExecutor::builder()
        .max_workers(workers)
        .thread_name_prefix("pool")
        .build()?;
    let client = client.clone();
    let results =
        executor.map(move |url: String| scrape_one(&client, &url), urls.to_vec());
    Ok(results.map(|r| r.unwrap_or_else(|e| Err(e.to_string()))).collect())
}

/// Every URL as an async task on a 2-thread tokio runtime.
pub fn with_async(urls: &[String], timeout: Duration) -> anyhow::Result<Counts> {
    crate::client::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("tokio-worker")
        .enable_all()
        .build()?;
    let urls = urls.to_vec();
    runtime.block_on(async move {
        let client = reqwest::Client::builder().no_proxy().timeout(timeout).build()?;
        let tasks: Vec<_> = urls
            .into_iter()
            .map(|url| {
                let client = client.clone();
                tokio::spawn(async move {
                    let response =
                        client.get(&url).send().await.map_err(|e| e.to_string())?;
                    if !response.status().is_success() {
                        return Err(format!("HTTP {}", response.status().as_u16()));
                    }
                    // The same decoding and count as the blocking path.
                    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
                    let environment = crate::client::Limits::default().environment;
                    let decoded = crate::soup::decode_in(&bytes, environment);
                    crate::soup::text_len(&decoded.text).map_err(|e| e.to_string())
                })
            })
            .collect();
        let mut results = Vec::with_capacity(tasks.len());
        for task in tasks {
            results.push(task.await.unwrap_or_else(|e| Err(e.to_string())));
        }
        Ok(results)
    })
}

/// One strategy's figures.
#[derive(Debug, Clone)]
pub struct Row {
    /// Strategy.
    pub label: String,
    /// Wall time.
    pub took: Duration,
    /// Threads this strategy added: its peak thread count (the sampler
    /// excluded) minus the threads already running before it started.
    pub threads: u64,
    /// Peak RSS, KiB.
    pub rss_kib: u64,
    /// Pages that succeeded.
    pub ok: usize,
}

impl Row {
    /// Runs one strategy under `label`, measuring its wall time and the
    /// peaks of threads (above those running before it) and memory.
    fn measure(
        label: String,
        strategy: impl FnOnce() -> anyhow::Result<Counts>,
    ) -> anyhow::Result<Self> {
        let before = settled_threads();
        let ((results, took), Status { threads, rss_kib }) =
            with_peaks(|| time(strategy));
        let ok = results?.iter().filter(|x| x.is_ok()).count();
        Ok(Self { label, took, threads: threads.saturating_sub(before), rss_kib, ok })
    }
}

/// Runs the three strategies against `base_url`.
pub fn compare(
    client: &Client,
    base_url: &str,
    pages: usize,
    workers: usize,
) -> anyhow::Result<Vec<Row>> {
    let urls: Vec<String> = (0..pages).map(|i| format!("{base_url}/page{i}")).collect();
    Ok(vec![
        Row::measure(format!("{pages} threads, one per page"), || {
            Ok(thread_per_page(client, &urls))
        })?,
        Row::measure(format!("pool of {workers} threads"), || {
            bounded_pool(client, &urls, workers)
        })?,
        Row::measure("async: tokio, 2 worker threads".into(), || {
            with_async(&urls, Duration::from_secs(10))
        })?,
    ])
}

/// Section 6.
pub fn show(context: &Context) -> anyhow::Result<()> {
    let (pages, workers) = context.config.scale.pick((200, 20), (60, 10));
    let latency = context.config.latency();
    let site = ChildSite::start(&context.config.exe, latency, pages)?;
    let (base_threads, base_rss) = status();
    println!(
        "{pages} pages, {} each, from a site in another process ({}); this process has {base_threads} threads, {base_rss} KiB before:\n",
        HumanDuration(latency),
        site.base_url
    );
    let rows = compare(&context.client, &site.base_url, pages, workers)?;
    let mut table =
        Table::new(["strategy", "time", "ideal", "threads added", "peak RSS", "ok"]);
    table.left_align(0);
    for row in &rows {
        let parallel = if row.label.starts_with("pool") { workers } else { pages };
        let ideal = latency * pages.div_ceil(parallel) as u32;
        table.row([
            row.label.clone(),
            HumanDuration(row.took).to_string(),
            HumanDuration(ideal).to_string(),
            row.threads.to_string(),
            format!("{} KiB", row.rss_kib),
            format!("{}/{pages}", row.ok),
        ]);
    }
    println!("{table}");
    println!("{}", reading(&rows, pages, workers));
    Ok(())
}

/// What the three rows say, from their numbers: threads per page against
/// async (time through [`common::verdict::compare`], threads as counted).
fn reading(rows: &[Row], pages: usize, workers: usize) -> String {
    let [per_page, _pool, async_row] = rows else { return String::new() };
    let versus = common::verdict::compare(async_row.took, per_page.took);
    let (threads, tasks) = (
        plural(u128::from(per_page.threads), "thread"),
        plural(u128::from(async_row.threads), "thread"),
    );
    let time = match versus.verdict {
        Verdict::Tie => format!(
            "A thread per page matched the async time ({} against {}: {versus})",
            HumanDuration(per_page.took),
            HumanDuration(async_row.took)
        ),
        Verdict::Faster => format!(
            "A thread per page beat async here ({} against {}: {versus})",
            HumanDuration(per_page.took),
            HumanDuration(async_row.took)
        ),
        Verdict::Slower => format!(
            "A thread per page was slower than async here ({} against {}: {versus}) —\n\
             starting and scheduling that many threads costs",
            HumanDuration(per_page.took),
            HumanDuration(async_row.took)
        ),
    };
    let all_ok = rows.iter().all(|row| row.ok == pages);
    format!(
        "The pool is bounded by design: ⌈{pages}/{workers}⌉ rounds of the latency.\n\
         {time};\nit added {threads}, one (and its stack) per connection, where async added \
         {tasks}\nfor all {pages} connections. {}\n\
         At tens of thousands of connections, threads' stacks and scheduling dominate: that\n\
         is where async is needed. For a few dozen pages, a pool of threads is the simplest\n\
         right answer.",
        if all_ok {
            format!("Every strategy fetched all {pages} pages.")
        } else {
            "Not every page arrived (the ok column).".to_string()
        }
    )
}
