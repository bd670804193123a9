//! Section 3: scraping that survives the web — beyond the notebook, whose
//! SUMMARY promised rate limiting, retries and metrics and never wrote them.
//!
//! * **Limits on every request**: connect timeout, overall timeout, a body
//!   size cap, a user agent, at most 5 redirects ([`crate::client`]).
//! * **Faults are values**: each fault page below fails as its own kind,
//!   and the others still succeed.
//! * **Retry with exponential backoff and jitter**, only for failures that
//!   may go away (timeouts, 5xx): waits of up to base·2ⁿ, randomised.
//! * **Rate limiting per host**: at most K requests at once, and at least an
//!   interval between request starts ([`HostLimiter`]).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::report::Table;
use common::scale::Scale;
use common::timing::{HumanDuration, time};
use executors::executor::ThreadPoolExecutor;
use reqwest::blocking::Client;

use crate::Context;
use crate::client::{self, FetchError, Limits, Network, Retry, fetch_with_retry};
use crate::pages::{FAULT_PATHS, LECTURE_PATHS, page_path};
use crate::soup::Environment;
pub use crate::support::rate_limit::HostLimiter;

/// The client limits for this section: short, so the fault pages fail fast.
/// Pages are read as BeautifulSoup reads them in `environment`.
pub fn limits(scale: Scale, environment: Environment) -> Limits {
    Limits {
        connect_timeout: Duration::from_secs(1),
        timeout: Duration::from_millis(scale.pick(500, 300)),
        max_bytes: 1 << 20,
        max_redirects: 5,
        environment,
    }
}

/// The retry policy for this section.
pub fn retry() -> Retry {
    Retry {
        attempts: 3,
        base: Duration::from_millis(50),
        max_delay: Duration::from_millis(400),
    }
}

/// One URL's fate.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The path on the local site.
    pub path: String,
    /// Characters of text (and the encoding it was read in), or the error.
    pub result: Result<(usize, String), FetchError>,
    /// Attempts made.
    pub attempts: u32,
    /// Time including retries.
    pub took: Duration,
}

/// The paths section 3 scrapes: two good pages, every fault, a flaky page.
pub fn paths(flaky_name: &str) -> Vec<String> {
    let mut paths = vec![LECTURE_PATHS[0].to_string(), page_path(3)];
    paths.extend(FAULT_PATHS.iter().map(|p| p.to_string()));
    paths.push(format!("/flaky/{flaky_name}"));
    paths
}

/// Scrapes every path of `base_url` concurrently, with retries.
pub fn scrape_faults(
    client: &Client,
    limits: &Limits,
    base_url: &str,
    paths: &[String],
) -> anyhow::Result<Vec<Outcome>> {
    let executor = ThreadPoolExecutor::builder()
        .max_workers(paths.len())
        .thread_name_prefix("robust")
        .build()?;
    let futures: Vec<_> = paths
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let (client, url, path, limits) = (
                client.clone(),
                format!("{base_url}{path}"),
                path.clone(),
                limits.clone(),
            );
            executor.submit(move || {
                let ((result, attempts), took) =
                    time(|| fetch_with_retry(&client, &url, &limits, &retry(), i as u64));
                let result = result.and_then(|page| {
                    // What bs4 read the page as, and the header's charset
                    // where it says otherwise (bs4 never sees it).
                    let read_as = match page.header_disagrees() {
                        Some(header) => format!("{}; header: {header}", page.encoding),
                        None => page.encoding.clone(),
                    };
                    Ok((page.bs4_len()?, read_as))
                });
                Outcome { path, result, attempts, took }
            })
        })
        .collect();
    Ok(futures.into_iter().map(|f| f.result()).collect::<Result<_, _>>()?)
}

/// The pages whose bytes declare no encoding (/fault/big5, /fault/latin1,
/// /fault/bad-utf8), as bs4 read them in `environment`, in words: built
/// from the outcomes, so it says what this run found.
pub fn undeclared_pages_note(outcomes: &[Outcome], environment: Environment) -> String {
    let read = |path: &str| {
        outcomes.iter().find(|o| o.path == path).and_then(|o| o.result.as_ref().ok()).map(
            |(chars, read_as)| {
                let encoding = read_as.split(';').next().unwrap_or(read_as).to_string();
                (*chars, encoding)
            },
        )
    };
    let pages: Vec<String> = ["/fault/big5", "/fault/latin1", "/fault/bad-utf8"]
        .into_iter()
        .filter_map(|path| {
            read(path).map(|(chars, encoding)| {
                format!("{path} as {encoding} ({chars} characters)")
            })
        })
        .collect();
    let mut note = match environment {
        Environment::Requests => format!(
            "With requests installed, as in the lecture, bs4 asks charset_normalizer for a guess \
             when a page has no byte-order mark and no declared encoding that decodes (before it \
             tries UTF-8), and reads the page as the guess: {}.",
            pages.join(", ")
        ),
        Environment::Plain => format!(
            "Without a charset detector (--env plain), bs4 reads a page with no byte-order mark \
             and no declared encoding that decodes as UTF-8, else windows-1252: {}.",
            pages.join(", ")
        ),
    };
    // The Latin-1 page read as another code page: a wrong guess can keep
    // the count and change the letters.
    if read("/fault/latin1").is_some_and(|(_, encoding)| encoding == "windows-1250") {
        note.push_str(
            " A guess can be wrong and keep the count: windows-1250 is the Central European \
             code page, so the Latin-1 page's \"crème\" reads \"crčme\".",
        );
    }
    note.push_str(match environment {
        Environment::Requests => " (--env plain: bs4 alone, with no detector.)",
        Environment::Plain => {
            " (--env requests, the default: charset_normalizer guesses.)"
        }
    });
    wrap(&note, 92)
}

/// `text` broken into lines of at most `width` columns, at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.join("\n")
}

/// What the rate-limit demo observed.
#[derive(Debug, Clone, Copy)]
pub struct RateObserved {
    /// Most requests in flight at once.
    pub peak_concurrent: usize,
    /// Smallest gap between two request starts, as measured (a late
    /// wake-up can make one gap look shorter than the interval).
    pub min_gap: Duration,
    /// Smallest gap between two *scheduled* starts (never below the
    /// interval, by construction).
    pub min_scheduled_gap: Duration,
    /// Requests that succeeded.
    pub ok: usize,
}

/// `requests` fetches from `threads` threads through one [`HostLimiter`].
pub fn rate_limited(
    client: &Client,
    url: &str,
    requests: usize,
    threads: usize,
    limiter: &HostLimiter,
) -> RateObserved {
    let in_flight = AtomicUsize::new(0);
    let peak = AtomicUsize::new(0);
    let starts = Mutex::new(Vec::new());
    let scheduled = Mutex::new(Vec::new());
    let ok = AtomicUsize::new(0);
    let next = AtomicUsize::new(0);
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while next.fetch_add(1, Ordering::SeqCst) < requests {
                    let (_permit, start) = limiter.acquire();
                    starts.lock().unwrap_or_else(|p| p.into_inner()).push(Instant::now());
                    scheduled.lock().unwrap_or_else(|p| p.into_inner()).push(start);
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    if client::fetch(client, url, &Limits::default()).is_ok() {
                        ok.fetch_add(1, Ordering::SeqCst);
                    }
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                }
            });
        }
    });
    let mut starts = starts.into_inner().unwrap_or_else(|p| p.into_inner());
    starts.sort();
    let min_gap = starts.windows(2).map(|w| w[1] - w[0]).min().unwrap_or_default();
    let mut scheduled = scheduled.into_inner().unwrap_or_else(|p| p.into_inner());
    scheduled.sort();
    let min_scheduled_gap =
        scheduled.windows(2).map(|w| w[1] - w[0]).min().unwrap_or_default();
    RateObserved {
        peak_concurrent: peak.into_inner(),
        min_gap,
        min_scheduled_gap,
        ok: ok.into_inner(),
    }
}

/// Whether a fault held up other pages: the whole run against its slowest
/// path alone (within [`common::verdict::TIE_BAND`], nothing waited on it).
fn overall_reading(total: Duration, slowest: Duration) -> String {
    let (total_h, slowest_h) = (HumanDuration(total), HumanDuration(slowest));
    if common::verdict::compare(total, slowest).verdict == common::verdict::Verdict::Tie {
        format!(
            "All of it in {total_h} on parallel workers, about as long as the slowest path \
             alone ({slowest_h}):\nno fault held up another page."
        )
    } else {
        format!(
            "All of it in {total_h} on parallel workers, against {slowest_h} for the slowest \
             path alone:\nsome pages waited for a free worker or a core in this run."
        )
    }
}

/// Section 3.
pub fn show(context: &Context) -> anyhow::Result<()> {
    let limits = limits(context.config.scale, context.config.environment);
    let client = client::build(&limits, Network::Loopback)?;
    println!(
        "Client: connect timeout {}, timeout {}, body cap {} KiB, {} redirects, user agent \"{}\";\n\
         retries: {} attempts, backoff {}·2ⁿ with full jitter, for timeouts and 5xx only.\n",
        HumanDuration(limits.connect_timeout),
        HumanDuration(limits.timeout),
        limits.max_bytes / 1024,
        limits.max_redirects,
        client::USER_AGENT,
        retry().attempts,
        HumanDuration(retry().base),
    );
    let (outcomes, took) = time(|| {
        scrape_faults(&client, &limits, &context.site.base_url(), &paths("section3"))
    });
    let outcomes = outcomes?;
    let slowest = outcomes.iter().map(|o| o.took).max().unwrap_or_default();
    let mut table = Table::new(["path", "outcome", "kind", "attempts", "time"]);
    table.left_align(0).left_align(1).left_align(2);
    let mut header_shown = false;
    for o in &outcomes {
        let (outcome, kind) = match &o.result {
            Ok((chars, charset)) => {
                header_shown |= charset.contains("; header: ");
                (format!("{chars} characters ({charset})"), "ok")
            }
            Err(err) => (err.to_string(), err.kind()),
        };
        table.row([
            o.path.clone(),
            outcome,
            kind.to_string(),
            o.attempts.to_string(),
            HumanDuration(o.took).to_string(),
        ]);
    }
    println!("{table}");
    if header_shown {
        println!(
            "\"header:\" is the Content-Type charset where it names another encoding. \
             BeautifulSoup never\nsees the header, so the count follows the bytes; \
             a browser would follow the header."
        );
    }
    println!("{}", undeclared_pages_note(&outcomes, limits.environment));
    println!("{}\n", overall_reading(took, slowest));

    let limiter = HostLimiter::new(2, Duration::from_millis(30));
    let url = context.site.url(&page_path(5));
    let observed = rate_limited(&context.client, &url, 12, 6, &limiter);
    println!(
        "Rate limit (2 at once, ≥ 30 ms between starts), 12 requests from 6 threads:\n\
         peak concurrent requests {} · smallest gap between starts {} · {} of 12 succeeded.",
        observed.peak_concurrent,
        HumanDuration(observed.min_gap),
        observed.ok
    );
    if observed.peak_concurrent < 2 {
        println!(
            "(A peak of {}: each request ended before the next one's start, at least 30 ms later \
             —\nthe gap, not the limit of 2, kept them apart.)",
            observed.peak_concurrent
        );
    }
    Ok(())
}
