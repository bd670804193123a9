//! Everything against the local site; no test touches the internet.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use webscraping::client::{self, FetchError, Limits, Network};
use webscraping::site::{Site, SiteConfig};
use webscraping::soup::Environment;
use webscraping::{crawl, lecture, pages, pool, queue, robust, scale, text};

fn site(latency_ms: u64) -> Site {
    Site::start(SiteConfig { latency: Duration::from_millis(latency_ms), pages: 30 })
        .unwrap()
}

fn client() -> reqwest::blocking::Client {
    client::build(&Limits::default(), Network::Loopback).unwrap()
}

/// A site with 10 ms latency, and the URLs of its first ten pages.
fn ten_pages() -> (Site, Vec<String>) {
    let site = site(10);
    let urls = (0..10).map(|i| site.url(&pages::page_path(i))).collect();
    (site, urls)
}

/// `name count` lines written by python/bs4_counts.py with BeautifulSoup.
fn bs4_fixture() -> Vec<(String, usize)> {
    include_str!("fixtures/bs4_counts.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (name, count) = l.split_once(' ').unwrap();
            (name.to_string(), count.parse().unwrap())
        })
        .collect()
}

#[test]
fn character_counts_equal_beautifulsoup_s() {
    let fixture = bs4_fixture();
    assert_eq!(fixture.len(), pages::fixture_pages().len());
    for (path, html) in pages::fixture_pages() {
        let name = path.trim_matches('/').replace('/', "_");
        let expected = fixture.iter().find(|(n, _)| *n == name).unwrap().1;
        assert_eq!(text::bs4_text_len(&html), Ok(expected), "{path}");
    }
}

#[test]
fn the_lecture_pages_over_http_have_the_beautifulsoup_counts() {
    let site = site(5);
    let fixture = bs4_fixture();
    let urls: Vec<String> = pages::LECTURE_PATHS.iter().map(|p| site.url(p)).collect();
    // The pages declare UTF-8: bs4 never asks a detector, so both
    // environments count the same.
    for environment in Environment::ALL {
        let results = lecture::with_threads(&client(), &urls, environment);
        for (path, result) in pages::LECTURE_PATHS.iter().zip(results) {
            let name = path.trim_matches('/').replace('/', "_");
            let expected = fixture.iter().find(|(n, _)| *n == name).unwrap().1;
            assert_eq!(result, Ok(expected), "{path}, {environment:?}");
        }
    }
}

#[test]
fn the_pool_scraper_returns_every_page_exactly_once_in_submit_order() {
    let (_site, urls) = ten_pages();
    let timeline = std::sync::Arc::new(common::timeline::Timeline::new());
    let client = client();
    let batch =
        pool::Batch { client: &client, urls: &urls, workers: 5, timeline: &timeline };
    let scraped = pool::scrape_urls(batch).unwrap();
    let got: Vec<&str> = scraped.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(got, urls.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(scraped.iter().all(|s| s.outcome.is_ok()));
    assert_eq!(timeline.spans().len(), 10, "one span per fetch");
}

#[test]
fn as_completed_returns_every_page_exactly_once() {
    let (_site, urls) = ten_pages();
    let client = client();
    let timeline = std::sync::Arc::new(common::timeline::Timeline::new());
    let batch =
        pool::Batch { client: &client, urls: &urls, workers: 5, timeline: &timeline };
    let scraped = pool::scrape_as_completed(batch).unwrap();
    let got: HashSet<&str> = scraped.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(scraped.len(), 10);
    assert_eq!(got, urls.iter().map(String::as_str).collect());
    assert!(scraped.iter().all(|s| s.outcome.is_ok()));
}

#[test]
fn the_queue_scraper_returns_every_page_exactly_once() {
    let site = site(5);
    let urls: Vec<String> = (0..12).map(|i| site.url(&pages::page_path(i))).collect();
    let rows = queue::scrape(&client(), &urls, 3).unwrap();
    let mut got: Vec<&str> = rows.iter().map(|row| row.url.as_str()).collect();
    got.sort_unstable();
    let mut want: Vec<&str> = urls.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(got, want);
    assert!(
        rows.iter()
            .all(|row| row.outcome.is_ok() && row.worker.starts_with("queue-worker-"))
    );
}

#[test]
fn every_fault_is_reported_as_its_kind_and_the_others_succeed() {
    // bs4 reads the pages whose bytes declare nothing as charset_normalizer
    // guesses where requests is installed, else as windows-1252. The
    // Latin-1 page ("Café crème"): the same 14 characters either way. The
    // Big5 page: 21 characters as Big5, one per byte (42) as windows-1252.
    // The header's charset is shown where it disagrees, never used.
    for (environment, latin1, big5) in [
        (Environment::Requests, "windows-1250; header: iso-8859-1", (21, "big5")),
        (
            Environment::Plain,
            "windows-1252; header: iso-8859-1",
            (42, "windows-1252; header: big5"),
        ),
    ] {
        faults_in(environment, latin1, big5);
    }
}

fn faults_in(environment: Environment, latin1_read_as: &str, big5: (usize, &str)) {
    let site = site(1);
    let limits = robust::limits(
        common::scale::Scale::divide_sleeps_by(10).quick_divides_by(5).quick(true),
        environment,
    );
    let client = client::build(&limits, Network::Loopback).unwrap();
    let paths = robust::paths("test");
    let outcomes =
        robust::scrape_faults(&client, &limits, &site.base_url(), &paths).unwrap();
    assert_eq!(outcomes.len(), paths.len(), "one outcome per URL");
    let kind = |path: &str| {
        let o = outcomes.iter().find(|o| o.path == path).unwrap();
        (o.result.as_ref().map_or_else(|e| e.kind(), |_| "ok"), o.attempts)
    };
    // Pages that answer, at the first attempt. Never refused: bytes that
    // are not UTF-8 are read as BeautifulSoup reads them (bad-utf8 as
    // windows-1252, where 0xFF 0xFE are "ÿþ").
    for path in [
        "/docs/introduction/",
        "/page3",
        "/fault/latin1",
        "/fault/bad-utf8",
        "/fault/big5",
    ] {
        assert_eq!(kind(path), ("ok", 1), "{path}");
    }
    assert_eq!(kind("/fault/windows-1252"), ("ok", 1));
    // Faults that retrying cannot mend: reported after one attempt.
    for (path, fault) in [
        ("/fault/404", "client error"),
        ("/fault/huge", "too large"),
        ("/fault/binary", "not HTML"),
        ("/fault/redirect-loop", "redirect loop"),
    ] {
        assert_eq!(kind(path), (fault, 1), "{path}");
    }
    // Transient faults: retried, three attempts in all (the flaky page
    // succeeds on its third).
    let transient = ["/fault/500", "/fault/hang", "/fault/trickle", "/flaky/test"];
    let outcomes_and_attempts = transient.map(kind);
    assert_eq!(
        outcomes_and_attempts,
        [("server error", 3), ("timeout", 3), ("timeout", 3), ("ok", 3)]
    );
    let latin1 = outcomes.iter().find(|o| o.path == "/fault/latin1").unwrap();
    assert_eq!(
        latin1.result.as_ref().unwrap(),
        &(14, latin1_read_as.to_string()),
        "Café + Café crème, {environment:?}"
    );
    let big5_page = outcomes.iter().find(|o| o.path == "/fault/big5").unwrap();
    assert_eq!(big5_page.result.as_ref().unwrap(), &(big5.0, big5.1.to_string()));
}

#[test]
fn the_hang_page_fails_within_the_timeout_plus_a_margin() {
    let site = site(0);
    let limits = Limits { timeout: Duration::from_millis(300), ..Limits::default() };
    let client = client::build(&limits, Network::Loopback).unwrap();
    for path in ["/fault/hang", "/fault/trickle"] {
        let started = Instant::now();
        let result = client::fetch(&client, &site.url(path), &limits);
        assert_eq!(result.unwrap_err(), FetchError::Timeout, "{path}");
        assert!(
            started.elapsed() < Duration::from_millis(300) + Duration::from_secs(2),
            "{path}"
        );
    }
}

#[test]
fn the_crawler_visits_each_page_once_and_respects_max_pages() {
    let site = site(0);
    let limited = crawl::crawl(&site.url("/page0"), 10, 4).unwrap();
    assert_eq!(limited.visited.len(), 10);
    let unique: HashSet<&String> = limited.visited.iter().collect();
    assert_eq!(unique.len(), 10);

    let all = crawl::crawl(&site.url("/page0"), 1000, 4).unwrap();
    let unique: HashSet<&String> = all.visited.iter().collect();
    assert_eq!(unique.len(), all.visited.len(), "no page twice");
    assert_eq!(all.visited.len(), 30 + 3, "30 numbered pages and the 3 docs pages");
    assert!(all.errors.is_empty(), "{:?}", all.errors);
    assert!(all.visited.iter().all(|u| !u.contains("/private/")));
    assert_eq!(all.robots_skipped, [site.url("/private/drafts")]);
}

#[test]
fn the_rate_limiter_caps_concurrency_and_spaces_starts() {
    let site = site(20);
    let limiter = robust::HostLimiter::new(2, Duration::from_millis(30));
    let observed = robust::rate_limited(&client(), &site.url("/page1"), 10, 5, &limiter);
    assert_eq!(observed.ok, 10);
    assert!(observed.peak_concurrent <= 2, "{observed:?}");
    // The schedule is exact; measured gaps can shrink when one wake-up is
    // late and the next is not, so only the schedule is asserted.
    assert!(observed.min_scheduled_gap >= Duration::from_millis(30), "{observed:?}");
    assert!(site.peak_in_flight() <= 2);
}

#[test]
fn threads_pool_and_async_return_the_same_counts() {
    let site = site(5);
    let urls: Vec<String> = (0..20).map(|i| site.url(&pages::page_path(i))).collect();
    let client = client();
    let threads = scale::thread_per_page(&client, &urls);
    let pooled = scale::bounded_pool(&client, &urls, 4).unwrap();
    let asynchronous = scale::with_async(&urls, Duration::from_secs(10)).unwrap();
    assert!(threads.iter().all(Result::is_ok));
    assert_eq!(threads, pooled);
    assert_eq!(threads, asynchronous);
}

#[test]
fn the_site_joins_its_threads_and_frees_its_port_on_drop() {
    let site = site(0);
    let addr = site.base_url().trim_start_matches("http://").to_string();
    assert!(addr.starts_with("127.0.0.1:"), "loopback only");
    assert!(client::fetch(&client(), &site.url("/page0"), &Limits::default()).is_ok());
    drop(site);
    assert!(std::net::TcpStream::connect(&addr).is_err(), "nothing listens after drop");
}

#[test]
fn the_total_deadline_holds_when_a_body_stalls_late() {
    let site = site(0);
    let limits = Limits { timeout: Duration::from_secs(2), ..Limits::default() };
    let client = client::build(&limits, Network::Loopback).unwrap();
    let started = Instant::now();
    let result = client::fetch(&client, &site.url("/fault/stall"), &limits);
    let took = started.elapsed();
    assert_eq!(result.map(|p| p.bytes), Err(FetchError::Timeout));
    // The body trickles for ~1.8 s, then stops: a read that may block for a
    // whole per-read timeout would end near 3.8 s; the deadline is 2 s. The
    // bound sits halfway, 0.9 s from each.
    assert!(took < Duration::from_millis(2900), "took {took:?} for a 2 s deadline");
}

#[test]
fn a_windows_1252_page_declared_in_meta_is_read_and_counted() {
    let site = site(0);
    let page =
        client::fetch(&client(), &site.url("/fault/windows-1252"), &Limits::default())
            .expect("read, not refused");
    assert_eq!(page.encoding, "windows-1252");
    assert!(page.body.contains("“Quoted” €"), "{}", page.body);
    assert!(!page.replaced);
    // Café + “Quoted” € 5 — counted by BeautifulSoup as 4 + 12 characters.
    assert_eq!(page.bs4_len(), Ok(4 + 12));
}

#[test]
fn a_client_that_never_reads_cannot_pin_the_site_on_drop() {
    use std::io::Write;
    let site = site(0);
    let mut lazy = std::net::TcpStream::connect(
        site.url("/").trim_start_matches("http://").trim_end_matches('/'),
    )
    .unwrap();
    lazy.write_all(b"GET /fault/huge HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    // Never read: 5 MiB fill the socket buffers and the handler's write blocks.
    let (done_sender, done) = std::sync::mpsc::channel();
    let dropper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200)); // let the write block
        drop(site);
        let _ = done_sender.send(());
    });
    assert!(
        done.recv_timeout(Duration::from_secs(20)).is_ok(),
        "Site::drop still joining a handler blocked on a client that never reads"
    );
    dropper.join().unwrap();
    drop(lazy);
}

#[test]
fn the_crawler_follows_no_redirect_off_host_or_into_a_disallowed_path() {
    let site = site(0);
    let away = crawl::crawl(&site.url("/go-away"), 10, 2).unwrap();
    assert_eq!(away.visited, [site.url("/go-away")]);
    assert_eq!(away.external, 1, "the off-host target is counted, not fetched");
    assert!(away.errors.is_empty(), "{:?}", away.errors);

    let before = site.requests();
    let private = crawl::crawl(&site.url("/go-private"), 10, 2).unwrap();
    assert_eq!(private.robots_skipped, [site.url("/private/drafts")]);
    assert_eq!(private.visited, [site.url("/go-private")]);
    // robots.txt and /go-private: /private/drafts was never requested.
    assert_eq!(site.requests() - before, 2);
}

#[test]
fn fetch_accepts_large_real_pages_by_default_and_max_bytes_caps_them() {
    let site = site(0);
    let url = site.url("/fault/huge"); // 5 MiB of HTML
    let default = webscraping::commands::fetch_all(
        std::slice::from_ref(&url),
        &Limits::default(),
        false,
    )
    .unwrap();
    assert_eq!(
        default[0].bytes,
        Some(5 * 1024 * 1024 + "<html><body><p></p></body></html>".len())
    );
    assert!(default[0].error.is_none(), "{:?}", default[0].error);
    let capped = Limits { max_bytes: 1 << 20, ..Limits::default() };
    let capped = webscraping::commands::fetch_all(&[url], &capped, false).unwrap();
    assert_eq!(
        capped[0].error.as_deref(),
        Some("too large: body larger than 1048576 bytes")
    );
}

#[test]
fn robots_txt_is_read_with_the_page_limits_a_prefix_and_text_only() {
    let site = site(0);
    let client = client::build_crawler(&Limits::default(), Network::Loopback).unwrap();
    let url = |path: &str| reqwest::Url::parse(&site.url(path)).unwrap();
    // The site's own robots.txt: read and honoured.
    assert!(!crawl::robots_for(&client, &url("/robots.txt")).allows("/private/x"));
    // A rule 600 KiB in lies past the parse limit: not read, not applied.
    assert!(crawl::robots_for(&client, &url("/robots-late.txt")).allows("/late/x"));
    // Not text: not a robots.txt (everything allowed, as for a missing one).
    assert!(crawl::robots_for(&client, &url("/robots-binary.txt")).allows("/bin/x"));
}
