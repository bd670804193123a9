//! Section 0: the lecture script — one thread per URL.
//!
//! ```python
//! urls = ['https://python.langchain.com/v0.2/docs/introduction/',
//!         'https://python.langchain.com/v0.2/docs/concepts/',
//!         'https://python.langchain.com/v0.2/docs/tutorials/']
//! def fetch_content(url):
//!     response = requests.get(url)
//!     soup = BeautifulSoup(response.content, 'html.parser')
//!     print(f'Fetched {len(soup.text)} characters from {url}')
//! ```
//!
//! The same three pages, served locally. The character count is
//! BeautifulSoup's `len(soup.text)`, reproduced by [`crate::soup`] and
//! checked against counts BeautifulSoup itself produced (`tests/soup.rs`).

use std::thread;

use common::report::Comparison;
use common::timing::time;
use reqwest::blocking::Client;

use crate::Context;
use crate::client::{FetchError, Limits, fetch};
use crate::pages::LECTURE_PATHS;
use crate::soup::Environment;

/// `fetch_content(url)`: the page's text length as BeautifulSoup counts it
/// in `environment`, or why there is none.
pub fn fetch_content(
    client: &Client,
    url: &str,
    environment: Environment,
) -> Result<usize, FetchError> {
    fetch(client, url, &Limits { environment, ..Limits::default() })?.bs4_len()
}

/// One thread per URL, each with its own clone of the client; results in
/// URL order.
pub fn with_threads(
    client: &Client,
    urls: &[String],
    environment: Environment,
) -> Vec<Result<usize, FetchError>> {
    let handles: Vec<_> = urls
        .iter()
        .map(|url| {
            // A clone shares the connection pool: cheap, and the right way.
            let (client, url) = (client.clone(), url.clone());
            thread::spawn(move || {
                let result = fetch_content(&client, &url, environment);
                if let Ok(chars) = &result {
                    println!("Fetched {chars} characters from {url}");
                }
                result
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| {
            h.join().unwrap_or_else(|_| Err(FetchError::Other("thread panicked".into())))
        })
        .collect()
}

/// The same, one URL after another.
pub fn sequentially(
    client: &Client,
    urls: &[String],
    environment: Environment,
) -> Vec<Result<usize, FetchError>> {
    urls.iter().map(|url| fetch_content(client, url, environment)).collect()
}

/// Section 0.
pub fn show(context: &Context) -> anyhow::Result<()> {
    let urls: Vec<String> = LECTURE_PATHS.iter().map(|p| context.site.url(p)).collect();
    println!(
        "Local site at {} (latency {} per page)\n",
        context.site.base_url(),
        common::timing::HumanDuration(context.site.latency())
    );
    let environment = context.config.environment;
    println!(
        "{}\nThese three pages declare UTF-8, so bs4 never asks the detector and both environments\n\
         count them the same; section 3 has pages where they differ.\n",
        environment.note()
    );
    let (threaded, threaded_time) =
        time(|| with_threads(&context.client, &urls, environment));
    println!("All threads finished.\n");
    let (sequential, sequential_time) =
        time(|| sequentially(&context.client, &urls, environment));
    for (url, result) in urls.iter().zip(&sequential) {
        if let Err(err) = result {
            println!("{url}: {err}");
        }
    }
    anyhow::ensure!(threaded == sequential, "threads and the sequential run disagree");
    let mut table = Comparison::new("one after another", sequential_time);
    table.add("3 threads", threaded_time);
    println!("{table}");
    println!(
        "Each count is BeautifulSoup's len(soup.text): text nodes in document order, whitespace\n\
         kept, in characters — not bytes (日本語 is 3 characters, 9 bytes) — without script,\n\
         style or template contents. The lecture sets no timeout; every request here has one."
    );
    Ok(())
}
