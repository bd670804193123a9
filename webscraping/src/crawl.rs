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
use std::time::Duration;

use common::timing::{HumanDuration, time};
use indicatif::ProgressBar;
use reqwest::Url;
use reqwest::blocking::Client;

use crate::Context;
use crate::client::{Limits, fetch};
use crate::text::extract;

/// The rules of one robots.txt that apply to us (`User-agent: *`).
#[derive(Debug, Clone, Default)]
pub struct Robots {
    disallow: Vec<String>,
}

impl Robots {
    /// Parses the `User-agent: *` group's `Disallow` lines.
    pub fn parse(text: &str) -> Self {
        let mut disallow = Vec::new();
        let mut applies = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else { continue };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => applies = value == "*",
                "disallow" if applies && !value.is_empty() => {
                    disallow.push(value.to_string())
                }
                _ => {}
            }
        }
        Self { disallow }
    }

    /// Whether `path` may be fetched.
    pub fn allows(&self, path: &str) -> bool {
        !self.disallow.iter().any(|prefix| path.starts_with(prefix.as_str()))
    }
}

/// What a crawl did.
#[derive(Debug, Clone, Default)]
pub struct CrawlReport {
    /// Pages fetched, in the order they were dispatched (breadth-first).
    pub visited: Vec<String>,
    /// Links skipped because robots.txt disallows them.
    pub robots_skipped: Vec<String>,
    /// Pages that failed, with the reason.
    pub errors: Vec<(String, String)>,
    /// Links to other hosts, not followed.
    pub external: usize,
}

/// Crawls from `start`, at most `max_pages` fetches, `workers` threads.
pub fn crawl(
    client: &Client,
    start: &str,
    max_pages: usize,
    workers: usize,
) -> anyhow::Result<CrawlReport> {
    let start = Url::parse(start)?;
    let robots = robots_for(client, &start);
    let mut report = CrawlReport::default();
    let mut seen: HashSet<String> = HashSet::from([start.to_string()]);
    let mut frontier: VecDeque<String> = VecDeque::from([start.to_string()]);
    let (jobs, job_queue) = crossbeam_channel::unbounded::<String>();
    let (found, results) =
        crossbeam_channel::unbounded::<(String, Result<Vec<String>, String>)>();
    let bar = ProgressBar::new(max_pages as u64);

    thread::scope(|scope| {
        for index in 0..workers {
            let (job_queue, found, client) =
                (job_queue.clone(), found.clone(), client.clone());
            let _ = thread::Builder::new().name(format!("crawler-{index}")).spawn_scoped(
                scope,
                move || {
                    for url in job_queue {
                        let links = fetch(&client, &url, &Limits::default())
                            .map(|page| extract(&page.url, &page.body).links)
                            .map_err(|e| e.to_string());
                        if found.send((url, links)).is_err() {
                            break;
                        }
                    }
                },
            );
        }
        drop(found);
        let mut in_flight = 0;
        loop {
            while in_flight < workers && report.visited.len() < max_pages {
                let Some(url) = frontier.pop_front() else { break };
                report.visited.push(url.clone());
                let _ = jobs.send(url);
                in_flight += 1;
            }
            if in_flight == 0 {
                break; // nothing queued that we may fetch, nothing running
            }
            let Ok((url, links)) = results.recv() else { break };
            in_flight -= 1;
            bar.inc(1);
            match links {
                Err(err) => report.errors.push((url, err)),
                Ok(links) => {
                    for link in links {
                        let Ok(parsed) = Url::parse(&link) else { continue };
                        if parsed.host_str() != start.host_str()
                            || parsed.port() != start.port()
                        {
                            report.external += 1;
                        } else if !robots.allows(parsed.path()) {
                            if !report.robots_skipped.contains(&link) {
                                report.robots_skipped.push(link);
                            }
                        } else if seen.insert(link.clone()) {
                            frontier.push_back(link);
                        }
                    }
                }
            }
        }
        drop(jobs); // the workers' loops end
    });
    bar.finish_and_clear();
    Ok(report)
}

/// robots.txt for `start`'s host (allow everything if it cannot be read).
fn robots_for(client: &Client, start: &Url) -> Robots {
    let Ok(url) = start.join("/robots.txt") else { return Robots::default() };
    match client.get(url).timeout(Duration::from_secs(5)).send() {
        Ok(response) if response.status().is_success() => {
            Robots::parse(&response.text().unwrap_or_default())
        }
        _ => Robots::default(),
    }
}

/// Section 5.
pub fn show(context: &Context) -> anyhow::Result<()> {
    let (max_pages, workers) = (25, 4);
    let start = context.site.url("/page0");
    run_and_print(&context.client, &start, max_pages, workers)
}

/// Crawls and prints the report (also the `crawl` command).
pub fn run_and_print(
    client: &Client,
    start: &str,
    max_pages: usize,
    workers: usize,
) -> anyhow::Result<()> {
    println!("crawl {start} --max-pages {max_pages} --workers {workers}");
    let (report, took) = time(|| crawl(client, start, max_pages, workers));
    let report = report?;
    for (i, url) in report.visited.iter().enumerate().take(8) {
        println!("  {:>3}. {url}", i + 1);
    }
    if report.visited.len() > 8 {
        println!("  … {} more", report.visited.len() - 8);
    }
    println!(
        "{} pages in {} ({} failed); {} links skipped by robots.txt {:?}; {} external links not followed.",
        report.visited.len(),
        HumanDuration(took),
        report.errors.len(),
        report.robots_skipped.len(),
        report.robots_skipped.iter().take(2).collect::<Vec<_>>(),
        report.external
    );
    for (url, err) in &report.errors {
        println!("  error: {url}: {err}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
