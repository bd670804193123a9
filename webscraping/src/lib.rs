//! # Chapter 248 — Web scraping with threads
//!
//! ## What this teaches
//!
//! Scraping is I/O-bound: a page takes a few milliseconds of CPU to parse
//! and hundreds of milliseconds of *waiting* to arrive. Threads overlap the
//! waiting, so N pages on W workers take about ⌈N/W⌉ × the latency instead
//! of N ×. The rest is what makes it survive the real web: timeouts, size
//! caps, retries with backoff, rate limits, robots.txt — and knowing when
//! threads stop scaling and async takes over.
//!
//! ## The Python original
//!
//! `26_Process_And_Threads/248_Webscraping_Usecases_With_Multithread.ipynb`
//! (a simulated scraper with `ThreadPoolExecutor`, and a queue-based one)
//! and the lecture script `webscrapping_multi_threading.py`:
//!
//! ```python
//! def fetch_content(url):
//!     response = requests.get(url)
//!     soup = BeautifulSoup(response.content, 'html.parser')
//!     print(f'Fetched {len(soup.text)} characters from {url}')
//!
//! threads = [threading.Thread(target=fetch_content, args=(url,)) for url in urls]
//! ```
//!
//! ## Offline by default
//!
//! Every section runs against [`site::Site`], a local HTTP server started
//! on `127.0.0.1` with generated documentation pages, configurable latency
//! and pages that fail on purpose. Real URLs are opt-in:
//! `cargo run -p webscraping -- fetch URL…`.
//!
//! ## Where Rust differs
//!
//! * The HTTP client is shared by **cloning** it (one connection pool for
//!   all threads); the parsed document (`scraper::Html`) is not `Send`, so
//!   each thread parses its own page — the compiler enforces it.
//! * Failures are values ([`client::FetchError`]), sorted into kinds that
//!   decide whether to retry.
//! * Async (section 6) is a separate, explicit runtime: blocking calls never
//!   run inside it.
//!
//! ## Map of this crate
//!
//! | section | module |
//! |---|---|
//! | 0. The lecture script | [`lecture`] |
//! | 1. Thread-pool scraper | [`pool`] |
//! | 2. Queue-based scraper | [`queue`] |
//! | 3. Robust scraping: timeouts, caps, faults, retries, rate limits | [`robust`] |
//! | 4. What a scraper extracts | [`extract`], [`text`] |
//! | 5. Crawling | [`crawl`] |
//! | 6. Threads at scale vs async | [`scale`] |
//! | the local site and its pages | [`site`], [`pages`] |
//! | the HTTP client and its errors | [`client`] |
//! | the machinery behind sections 3, 5 and 6 (the per-host rate limiter; robots.txt; the site in a child process) | [`support`] |

use std::time::Duration;

use common::chapter::RunArgs;
use common::scale::Scale;
use common::sections::Section;

pub mod client;
pub mod commands;
pub mod crawl;
pub mod extract;
pub mod lecture;
pub mod pages;
pub mod pool;
pub mod queue;
pub mod robust;
pub mod scale;
pub mod site;
pub mod soup;
pub mod support;
pub mod text;

/// The sections, in order. Each names the lesson it runs;
/// [`common::sections::run`] prints the banners.
pub const SECTIONS: &[Section<Context>] = &[
    Section {
        number: 0,
        name: "lecture",
        title: "The lecture script: a thread per URL",
        run: lecture::show,
    },
    Section { number: 1, name: "pool", title: "Thread pool scraper", run: pool::show },
    Section { number: 2, name: "queue", title: "Queue-based scraper", run: queue::show },
    Section {
        number: 3,
        name: "robust",
        title: "Robust scraping: timeouts, faults, retries, rate limits",
        run: robust::show,
    },
    Section {
        number: 4,
        name: "extract",
        title: "What a scraper extracts",
        run: extract::show,
    },
    Section { number: 5, name: "crawl", title: "Crawling a site", run: crawl::show },
    Section {
        number: 6,
        name: "scale",
        title: "Threads at scale vs async",
        run: scale::show,
    },
];

/// Settings for one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The notebook's simulated 1 s of network time divided by 10 (100 ms),
    /// and by 5 more with `--quick` (20 ms).
    pub scale: Scale,
    /// Section 4 prints JSON instead of a table.
    pub json: bool,
    /// Which BeautifulSoup the counts follow (`--env`).
    pub environment: soup::Environment,
    /// The binary, for section 6's out-of-process site.
    pub exe: std::path::PathBuf,
}

impl Config {
    /// The settings for a run, from its command line (`--quick`, `--json`,
    /// checked by [`commands::Options::check`]), whose section 6 starts
    /// `exe`.
    pub fn from_args(
        args: &RunArgs<commands::Options>,
        exe: std::path::PathBuf,
    ) -> Result<Self, clap::Error> {
        args.options.check(&args.sections)?;
        let scale = Scale::divide_sleeps_by(10).quick_divides_by(5);
        Ok(Self {
            scale: scale.quick(args.sections.quick),
            json: args.options.json,
            environment: args.options.environment,
            exe,
        })
    }

    /// The notebook's simulated network time, for this run.
    pub fn latency(&self) -> Duration {
        self.scale.sleep(1.0)
    }
}

/// What every section needs: the site and one shared client.
#[derive(Debug)]
pub struct Context {
    /// The local site.
    pub site: site::Site,
    /// The one HTTP client (clone it into threads).
    pub client: reqwest::blocking::Client,
    /// The run's settings.
    pub config: Config,
}

impl Context {
    /// Starts the local site and builds the client: the step before the
    /// first section (commands start what they need themselves).
    pub fn start(config: Config) -> anyhow::Result<Self> {
        let site = site::Site::start(site::SiteConfig {
            latency: config.latency(),
            pages: 500,
        })?;
        let client =
            client::build(&client::Limits::default(), client::Network::Loopback)?;
        Ok(Self { site, client, config })
    }
}
