//! The chapter's own options (`--json`), and its commands besides the
//! sections: `serve` (the local site alone), `fetch URL…` (the lecture on
//! real pages) and `crawl [URL]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;

use clap::Subcommand;
use common::sections::{Framing, SectionArgs};
use serde::Serialize;

use crate::client::{self, FetchError, Limits, Network};
use crate::soup::Environment;
use crate::{Config, Context, crawl, pages, site};

/// Webscraping's options, beside the section and `--quick` every chapter
/// takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Options {
    /// Section 4 prints its records as JSON (and nothing else: no banners).
    #[arg(long)]
    pub json: bool,
    /// Which BeautifulSoup the counts of sections 0 and 3 follow: `requests`
    /// (the lecture's `pip install requests beautifulsoup4`, which brings
    /// the charset detector bs4 then uses) or `plain` (`pip install
    /// beautifulsoup4`). The other sections follow the lecture's.
    #[arg(long = "env", value_name = "ENV", default_value = "requests")]
    pub environment: Environment,
}

impl Options {
    /// Checks that `--json` comes with the one section that prints JSON:
    /// its output is pure JSON, which no other section (and no run of them
    /// all) can keep. A clap error naming the option if not.
    pub fn check(&self, sections: &SectionArgs) -> Result<(), clap::Error> {
        let extract = crate::SECTIONS
            .iter()
            .find(|s| s.name == "extract")
            .expect("an extract section");
        let chosen = sections.chosen(crate::SECTIONS)?;
        if self.json && !(chosen.len() == 1 && chosen[0].number == extract.number) {
            return Err(clap::Error::raw(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "--json is used only by section {} (extract), alone: run \
                     `webscraping extract --json`\n",
                    extract.number
                ),
            ));
        }
        Ok(())
    }

    /// What the run prints around the sections: with `--json`, section 4's
    /// output is pure JSON — no build note, no banner.
    pub fn framing(&self) -> Framing {
        if self.json { Framing::Bare } else { Framing::Banners }
    }
}

/// The commands besides the sections.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the local site alone, and print its URL (open it in a browser).
    Serve {
        /// Latency added to every page.
        #[arg(long, default_value_t = 100, conflicts_with = "dump")]
        latency_ms: u64,
        /// Number of /pageN pages (at least 1).
        #[arg(long, default_value_t = 500, conflicts_with = "dump", value_parser = at_least_one)]
        pages: usize,
        /// Instead of serving, write the fixture pages into this directory.
        #[arg(long)]
        dump: Option<PathBuf>,
    },
    /// Fetch real URLs (needs the network), one thread each, and print
    /// BeautifulSoup's text length for each.
    Fetch {
        /// The URLs (http:// or https://).
        #[arg(required = true, value_parser = parse_url)]
        urls: Vec<String>,
        /// Largest body accepted, in bytes.
        #[arg(long, default_value_t = 16 << 20)]
        max_bytes: usize,
        /// Print one JSON record per URL (count, encoding, bytes, error).
        #[arg(long)]
        json: bool,
        /// Which BeautifulSoup the counts follow: `requests` (the lecture's
        /// `pip install requests beautifulsoup4`, whose charset detector bs4
        /// uses) or `plain` (`pip install beautifulsoup4`).
        #[arg(long = "env", value_name = "ENV", default_value = "requests")]
        environment: Environment,
    },
    /// Crawl from a URL (default: the local site).
    Crawl {
        /// Where to start (an http:// or https:// URL).
        #[arg(value_parser = parse_url)]
        start: Option<String>,
        /// At most this many pages (at least 1).
        #[arg(long, default_value_t = 30, value_parser = at_least_one)]
        max_pages: usize,
        /// Worker threads.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
        workers: u16,
    },
}

impl Command {
    /// Runs the command. `config` is the run's settings: `crawl` starts the
    /// local site with it when no URL is given.
    pub fn run(self, config: Config) -> anyhow::Result<ExitCode> {
        common::log::init();
        match self {
            Command::Serve { latency_ms, pages, dump } => {
                serve(latency_ms, pages, dump.as_deref())
            }
            Command::Fetch { urls, max_bytes, json, environment } => fetch(
                &urls,
                &Limits { max_bytes, environment, ..Limits::default() },
                json,
            ),
            Command::Crawl { start, max_pages, workers } => {
                let context = match start {
                    Some(_) => None,
                    None => Some(Context::start(config)?),
                };
                let start = start
                    .or_else(|| context.as_ref().map(|c| c.site.url("/page0")))
                    .expect("a start URL, or the local site's first page");
                let report =
                    crawl::run_and_print(&start, max_pages, usize::from(workers))?;
                // As `fetch`: exit code 1 if any page failed.
                Ok(if report.errors.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                })
            }
        }
    }
}

/// `serve`: runs the local site until stdin closes (Ctrl-D), or writes the
/// fixture pages into `dump` instead.
pub fn serve(
    latency_ms: u64,
    pages_count: usize,
    dump: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    if let Some(dir) = dump {
        std::fs::create_dir_all(dir)?;
        for (path, html) in pages::fixture_pages() {
            let name = path.trim_matches('/').replace('/', "_");
            std::fs::write(dir.join(format!("{name}.html")), html)?;
        }
        println!("wrote the fixture pages to {}", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let site = site::Site::start(site::SiteConfig {
        latency: std::time::Duration::from_millis(latency_ms),
        pages: pages_count,
    })?;
    // The first line is read by section 6, which runs the site this way.
    println!("Serving on {}", site.base_url());
    eprintln!(
        "(open that URL in a browser for an index of the pages; try {} and {};\n \
         press Ctrl-D or Ctrl-C to stop)",
        site.url("/docs/introduction/"),
        site.url("/page0")
    );
    // Serve until stdin closes. A parent that runs this site as a child keeps
    // a pipe to our stdin open; when the parent exits, even killed by
    // SIGKILL, the kernel closes that pipe, and the site exits instead of
    // lingering as an orphan. (With stdin at /dev/null it stops at once.)
    std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink())?;
    eprintln!("stdin closed: stopping the site");
    drop(site);
    Ok(ExitCode::SUCCESS)
}

/// Parses a count that must be at least 1 (`--pages`, `--max-pages`): a
/// site or a crawl of no pages would do nothing.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("0 would do nothing; give 1 or more".to_string()),
        Ok(count) => Ok(count),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}

/// Parses a URL argument of `fetch` or `crawl`: an absolute http:// or
/// https:// URL, or a one-line reason in a learner's words.
///
/// ```
/// use webscraping::commands::parse_url;
/// assert_eq!(parse_url("https://example.com/a").as_deref(), Ok("https://example.com/a"));
/// assert!(parse_url("not-a-url").unwrap_err().contains("like https://example.com/"));
/// assert!(parse_url("ftp://example.com/").unwrap_err().contains("ftp"));
/// ```
pub fn parse_url(text: &str) -> Result<String, String> {
    const LOOKS_LIKE: &str = "a URL looks like https://example.com/page";
    if !text.contains("://") {
        // "example.com", "localhost:8000": a browser guesses; a program must not.
        return Err(format!(
            "not a URL: it does not start with http:// or https://; {LOOKS_LIKE}"
        ));
    }
    let url = reqwest::Url::parse(text)
        .map_err(|err| format!("not a URL ({err}); {LOOKS_LIKE}"))?;
    match url.scheme() {
        "http" | "https" => Ok(text.to_string()),
        scheme => Err(format!(
            "{scheme}: URLs cannot be fetched here, only http:// and https:// ({LOOKS_LIKE})"
        )),
    }
}

/// What `fetch` reports for one URL.
#[derive(Debug, Clone, Serialize)]
pub struct FetchReport {
    /// The URL asked for.
    pub url: String,
    /// `len(BeautifulSoup(response.content, 'html.parser').text)`.
    pub chars: Option<usize>,
    /// The encoding the page was read in.
    pub encoding: Option<String>,
    /// Which BeautifulSoup the count follows (`requests` or `plain`).
    pub environment: &'static str,
    /// Bytes received.
    pub bytes: Option<usize>,
    /// Whether undecodable bytes were replaced with U+FFFD.
    pub replaced: bool,
    /// The `Content-Type` charset, when it names another codec than
    /// `encoding`: BeautifulSoup never sees the header, a browser reads
    /// the page by it.
    pub header_charset: Option<String>,
    /// Why there is no count: the kind, then the message with its causes.
    pub error: Option<String>,
}

/// Fetches every URL on a thread of its own (the lecture's shape) and
/// reports each: one report per URL, in the order given. With `echo`, each
/// thread also prints the lecture's line as its page arrives.
pub fn fetch_all(
    urls: &[String],
    limits: &Limits,
    echo: bool,
) -> anyhow::Result<Vec<FetchReport>> {
    let client = client::build(limits, Network::Internet)?;
    let reports = thread::scope(|scope| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| {
                let client = client.clone();
                scope.spawn(move || fetch_one(&client, url, limits, echo))
            })
            .collect();
        urls.iter()
            .zip(handles)
            .map(|(url, handle)| {
                handle.join().unwrap_or_else(|_| FetchReport {
                    url: url.clone(),
                    chars: None,
                    encoding: None,
                    environment: limits.environment.name(),
                    bytes: None,
                    replaced: false,
                    header_charset: None,
                    error: Some("panicked: the fetching thread panicked".into()),
                })
            })
            .collect()
    });
    Ok(reports)
}

fn fetch_one(
    client: &reqwest::blocking::Client,
    url: &str,
    limits: &Limits,
    echo: bool,
) -> FetchReport {
    let failed = |err: FetchError| FetchReport {
        url: url.to_string(),
        chars: None,
        encoding: None,
        environment: limits.environment.name(),
        bytes: None,
        replaced: false,
        header_charset: None,
        // The kind first ("timeout: …"), unless it has no name of its own.
        error: Some(match err {
            FetchError::Other(_) => err.to_string(),
            _ => format!("{}: {err}", err.kind()),
        }),
    };
    let page = match client::fetch(client, url, limits) {
        Ok(page) => page,
        Err(err) => return failed(err),
    };
    match page.bs4_len() {
        Ok(chars) => {
            if echo {
                println!("Fetched {chars} characters from {url}");
            }
            FetchReport {
                url: url.to_string(),
                chars: Some(chars),
                header_charset: page.header_disagrees().map(str::to_string),
                encoding: Some(page.encoding),
                environment: limits.environment.name(),
                bytes: Some(page.bytes),
                replaced: page.replaced,
                error: None,
            }
        }
        Err(err) => failed(err),
    }
}

/// `fetch URL…`: the lecture against real pages, read as `limits` says
/// (its size cap and its BeautifulSoup). Exit code 1 if any failed.
pub fn fetch(urls: &[String], limits: &Limits, json: bool) -> anyhow::Result<ExitCode> {
    if !json {
        eprintln!("{}", limits.environment.note());
    }
    // With --json, stdout is the JSON alone.
    let reports = fetch_all(urls, limits, !json)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for report in &reports {
            match (&report.error, &report.encoding) {
                (Some(err), _) => eprintln!("{}: {err}", report.url),
                (None, Some(encoding)) => eprintln!(
                    "{}: {} bytes read as {encoding}{}{}",
                    report.url,
                    report.bytes.unwrap_or_default(),
                    if report.replaced { ", undecodable bytes replaced" } else { "" },
                    match &report.header_charset {
                        Some(header) => format!(
                            " (the header says charset={header}; BeautifulSoup never sees it)"
                        ),
                        None => String::new(),
                    }
                ),
                (None, None) => {}
            }
        }
    }
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
