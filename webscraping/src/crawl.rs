//! Section 5: a crawler — breadth-first within one host, a shared visited
//! set, a bounded pool of workers fed by a channel, robots.txt honoured.
//!
//! The design keeps all decisions in one place: the **coordinator** (the
//! calling thread) owns the frontier and the visited set; **workers** only
//! fetch and parse, and send back what they found. So there is no lock
//! around the visited set, no race on "have we seen this?", and the
//! crawl ends exactly when nothing is queued and nothing is in flight.
//!
//! ```text
//!   coordinator ──url──▶ [jobs channel] ──▶ worker × W ──(url, links)──▶ [results] ──▶ coordinator
//! ```

use std::collections::{HashSet, VecDeque};
use std::thread;

use common::timing::{HumanDuration, time};
use common::verdict::plural;
use crossbeam_channel::{Receiver, Sender};
use indicatif::ProgressBar;
use reqwest::Url;
use reqwest::blocking::Client;

use crate::Context;
use crate::client::{self, FetchError, Limits, Network, fetch};
pub use crate::support::robots::{ROBOTS_PARSE_LIMIT, Robots, robots_for};
use crate::text::extract;

/// What a crawl found.
#[derive(Debug, Clone, Default)]
pub struct CrawlReport {
    /// Pages fetched, in the order they were dispatched (breadth-first).
    pub visited: Vec<String>,
    /// Links (and redirect targets) skipped because robots.txt disallows them.
    pub robots_skipped: Vec<String>,
    /// Pages that failed, with the reason (a worker that panicked included).
    pub errors: Vec<(String, String)>,
    /// Links (and redirect targets) to other hosts, not followed.
    pub external: usize,
}

/// What a worker reports for one URL: the links on the page — or, for a
/// redirect, its target, which the coordinator checks like any link.
pub type Found = Result<Vec<String>, String>;

/// Crawls from `start`, at most `max_pages` fetches, `workers` threads, with
/// a client of its own that does not follow redirects by itself: a redirect
/// is a link, checked for host and robots.txt before anything fetches it.
pub fn crawl(
    start: &str,
    max_pages: usize,
    workers: usize,
) -> anyhow::Result<CrawlReport> {
    let start_url = Url::parse(start)?;
    let client = client::build_crawler(&Limits::default(), Network::of(&start_url))?;
    let robots = start_url
        .join("/robots.txt")
        .map_or_else(|_| Robots::default(), |url| robots_for(&client, &url));
    crawl_with(start, max_pages, workers, &robots, |url| fetch_links(&client, url))
}

/// One page's links: fetched with the usual limits, parsed on this thread
/// (`scraper::Html` is not `Send`).
pub fn fetch_links(client: &Client, url: &str) -> Found {
    match fetch(client, url, &Limits::default()) {
        Ok(page) => Ok(extract(&page.url, &page.body).links),
        Err(FetchError::Redirected(location)) => Url::parse(url)
            .and_then(|base| base.join(&location))
            .map(|to| vec![to.to_string()])
            .map_err(|e| format!("bad redirect target {location:?}: {e}")),
        Err(err) => Err(err.to_string()),
    }
}

/// The crawl itself, with the fetching passed in (the tests pass one that
/// panics). One worker's panic becomes that URL's error row; the crawl goes
/// on and ends. The calling thread is the coordinator: it alone touches the
/// frontier and the visited set.
pub fn crawl_with(
    start: &str,
    max_pages: usize,
    workers: usize,
    robots: &Robots,
    fetch_links: impl Fn(&str) -> Found + Sync,
) -> anyhow::Result<CrawlReport> {
    let start = Url::parse(start)?;
    let mut frontier = Frontier::new(&start, robots);
    let (url_sender, url_receiver) = crossbeam_channel::unbounded::<String>();
    let (found_sender, found_receiver) =
        crossbeam_channel::unbounded::<(String, Found)>();
    let bar = ProgressBar::new(max_pages as u64);
    let fetch_links = &fetch_links;

    thread::scope(|scope| -> anyhow::Result<()> {
        for index in 0..workers {
            let (url_receiver, found_sender) =
                (url_receiver.clone(), found_sender.clone());
            thread::Builder::new()
                .name(format!("crawler-{index}"))
                .spawn_scoped(scope, move || {
                    worker(&url_receiver, &found_sender, fetch_links)
                })?;
        }
        // Only the workers' clones remain: when the last worker ends, the
        // receive below fails instead of waiting forever.
        drop(found_sender);
        let mut in_flight = 0;
        loop {
            while in_flight < workers && frontier.report.visited.len() < max_pages {
                let Some(url) = frontier.next() else { break };
                url_sender.send(url)?;
                in_flight += 1;
            }
            if in_flight == 0 {
                break; // nothing queued that we may fetch, nothing running
            }
            let Ok((url, found)) = found_receiver.recv() else { break };
            in_flight -= 1;
            bar.inc(1);
            frontier.absorb(url, found);
        }
        drop(url_sender); // the workers' loops end; the scope joins them
        Ok(())
    })?;
    bar.finish_and_clear();
    Ok(frontier.report)
}

/// One crawler thread: fetch each URL it is sent, answer `(url, found)`.
fn worker(
    url_receiver: &Receiver<String>,
    found_sender: &Sender<(String, Found)>,
    fetch_links: &(impl Fn(&str) -> Found + Sync),
) {
    for url in url_receiver {
        // A panic here must still answer for its URL: the coordinator counts
        // answers to know when to stop.
        let found =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fetch_links(&url)))
                .unwrap_or_else(|payload| {
                    Err(format!(
                        "panicked: {}",
                        common::pool::panic_message(payload.as_ref())
                    ))
                });
        if found_sender.send((url, found)).is_err() {
            break;
        }
    }
}

/// The coordinator's state: what to fetch next, what was seen, the report.
struct Frontier<'a> {
    start: &'a Url,
    robots: &'a Robots,
    seen: HashSet<String>,
    queue: VecDeque<String>,
    report: CrawlReport,
}

impl<'a> Frontier<'a> {
    fn new(start: &'a Url, robots: &'a Robots) -> Self {
        Self {
            start,
            robots,
            seen: HashSet::from([start.to_string()]),
            queue: VecDeque::from([start.to_string()]),
            report: CrawlReport::default(),
        }
    }

    /// The next URL to fetch, recorded as visited (breadth-first order).
    fn next(&mut self) -> Option<String> {
        let url = self.queue.pop_front()?;
        self.report.visited.push(url.clone());
        Some(url)
    }

    /// A worker's answer: an error row, or links triaged — another host,
    /// disallowed by robots.txt, seen before, or new (queued).
    fn absorb(&mut self, url: String, found: Found) {
        let links = match found {
            Err(err) => return self.report.errors.push((url, err)),
            Ok(links) => links,
        };
        for link in links {
            let Ok(parsed) = Url::parse(&link) else { continue };
            if parsed.host_str() != self.start.host_str()
                || parsed.port() != self.start.port()
            {
                self.report.external += 1;
            } else if !self.robots.allows(parsed.path()) {
                // `seen` holds skipped links too: one hash lookup, where
                // `robots_skipped.contains` grew with every link skipped.
                if self.seen.insert(link.clone()) {
                    self.report.robots_skipped.push(link);
                }
            } else if self.seen.insert(link.clone()) {
                self.queue.push_back(link);
            }
        }
    }
}

/// Section 5.
pub fn show(context: &Context) -> anyhow::Result<()> {
    let (max_pages, workers) = (25, 4);
    let start = context.site.url("/page0");
    run_and_print(&start, max_pages, workers).map(drop)
}

/// Crawls and prints the report (also the `crawl` command), and returns it.
pub fn run_and_print(
    start: &str,
    max_pages: usize,
    workers: usize,
) -> anyhow::Result<CrawlReport> {
    println!("crawl {start} --max-pages {max_pages} --workers {workers}");
    let (report, took) = time(|| crawl(start, max_pages, workers));
    let report = report?;
    for (i, url) in report.visited.iter().enumerate().take(8) {
        println!("  {:>3}. {url}", i + 1);
    }
    if report.visited.len() > 8 {
        println!("  … {} more", report.visited.len() - 8);
    }
    let skipped = match report.robots_skipped.as_slice() {
        [] => String::new(),
        [one] => format!(" ({one})"),
        [first, second] => format!(" ({first}, {second})"),
        [first, second, ..] => format!(" ({first}, {second}, …)"),
    };
    println!(
        "{} in {} ({} failed); {} skipped by robots.txt{skipped}; {} not followed.",
        plural(report.visited.len() as u128, "page"),
        HumanDuration(took),
        report.errors.len(),
        plural(report.robots_skipped.len() as u128, "link"),
        plural(report.external as u128, "external link"),
    );
    for (url, err) in &report.errors {
        println!("  error: {url}: {err}");
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_user_agent_lines_make_one_group() {
        let robots = Robots::parse(
            "User-agent: googlebot\nUser-agent: *\nDisallow: /shared/\n\nUser-agent: other\nDisallow: /other-only/\n",
        );
        assert!(!robots.allows("/shared/x"), "the * line joins googlebot's group");
        assert!(robots.allows("/other-only/x"), "a later group for another agent");
    }

    #[test]
    fn a_panicking_worker_becomes_an_error_row_and_the_crawl_ends() {
        let report =
            crawl_with("http://site.test/", 10, 3, &Robots::default(), |url| match url {
                "http://site.test/" => {
                    Ok(vec!["http://site.test/a".into(), "http://site.test/b".into()])
                }
                "http://site.test/a" => panic!("parser bug on /a"),
                _ => Ok(Vec::new()),
            })
            .unwrap();
        assert_eq!(report.visited.len(), 3);
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].0, "http://site.test/a");
        assert!(
            report.errors[0].1.contains("panicked: parser bug on /a"),
            "{:?}",
            report.errors
        );
    }

    #[test]
    fn eighty_thousand_disallowed_links_are_each_reported_once() {
        let robots = Robots::parse("User-agent: *\nDisallow: /private/\n");
        let links: Vec<String> =
            (0..80_000).map(|i| format!("http://site.test/private/{}", i / 2)).collect();
        let report = crawl_with("http://site.test/", 5, 2, &robots, |url| {
            Ok(if url == "http://site.test/" { links.clone() } else { Vec::new() })
        })
        .unwrap();
        assert_eq!(report.visited, ["http://site.test/"]);
        assert_eq!(report.robots_skipped.len(), 40_000);
        assert_eq!(report.robots_skipped[7], "http://site.test/private/7");
    }

    #[test]
    fn robots_rules_for_everyone_apply_and_others_do_not() {
        let robots = Robots::parse(
            "User-agent: googlebot\nDisallow: /only-google/\n\n# everyone\nUser-agent: *\nDisallow: /private/\nDisallow:\n",
        );
        assert!(!robots.allows("/private/drafts"));
        assert!(robots.allows("/only-google/x"));
        assert!(robots.allows("/page1"));
        assert!(Robots::parse("").allows("/anything"));
    }
}
