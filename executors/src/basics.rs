//! Sections 1 and 2: `map` and `submit` + `as_completed`.
//!
//! ```python
//! def fetch_url(url):
//!     print(f"Fetching {url}...")
//!     time.sleep(2)
//!     return f"Response from {url}"
//! with ThreadPoolExecutor(max_workers=3) as executor:
//!     results = executor.map(fetch_url, urls)          # input order
//!
//! def download_file(filename):
//!     print(f"Downloading {filename}...")
//!     time.sleep(1)
//!     return f"Downloaded {filename}"
//! with ThreadPoolExecutor(max_workers=3) as executor:
//!     futures = [executor.submit(download_file, f) for f in files]
//!     for future in as_completed(futures):               # completion order
//!         print(future.result())
//! ```

use std::time::Duration;

use common::timing::time;

use crate::Config;
use crate::executor::{TaskFuture, ThreadPoolExecutor, as_completed};

/// The notebook's `fetch_url`.
pub fn fetch_url(url: &str, pause: Duration) -> String {
    println!("Fetching {url}...");
    tracing::debug!(url, "fetching");
    std::thread::sleep(pause);
    format!("Response from {url}")
}

/// The notebook's `download_file`.
pub fn download_file(filename: &str, pause: Duration) -> String {
    println!("Downloading {filename}...");
    std::thread::sleep(pause);
    format!("Downloaded {filename}")
}

/// `url1` … `url5`.
pub fn urls() -> Vec<String> {
    (1..=5).map(|i| format!("url{i}")).collect()
}

/// `file0.txt` … `file4.txt`.
pub fn files() -> Vec<String> {
    (0..5).map(|i| format!("file{i}.txt")).collect()
}

/// Section 1.
pub fn show_map(config: &Config) -> anyhow::Result<()> {
    let pause = config.scale.sleep(2.0);
    let (results, took) = time(|| -> anyhow::Result<Vec<String>> {
        let executor = ThreadPoolExecutor::new(3)?;
        let results = executor.map(move |url: String| fetch_url(&url, pause), urls());
        Ok(results.collect::<Result<_, _>>()?)
    });
    for result in results? {
        println!("{result}");
    }
    println!(
        "\nTime taken: {:.2}s  (5 URLs on 3 workers: two waves; the notebook: 4.01s)",
        took.as_secs_f64()
    );
    Ok(())
}

/// Submits every file and returns `(index, result)` in completion order.
pub fn download_all(config: &Config) -> anyhow::Result<Vec<(usize, String)>> {
    let pause = config.scale.sleep(1.0);
    let executor = ThreadPoolExecutor::new(3)?;
    let futures: Vec<TaskFuture<String>> = files()
        .into_iter()
        .map(|file| executor.submit(move || download_file(&file, pause)))
        .collect();
    let mut completed = Vec::new();
    for (index, future) in as_completed(futures) {
        completed.push((index, future.result()?));
    }
    Ok(completed)
}

/// Section 2.
pub fn show_submit(config: &Config) -> anyhow::Result<()> {
    let (completed, took) = time(|| download_all(config));
    println!("\nResults (as completed):");
    for (_, result) in completed? {
        println!("{result}");
    }
    println!(
        "\n{:.2}s. The order above is whichever finished first: it changes from run to run\n\
         (map keeps input order; as_completed never promises one).",
        took.as_secs_f64()
    );
    Ok(())
}
