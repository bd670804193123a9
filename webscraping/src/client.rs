//! The HTTP client, and what can go wrong with a page — as data.
//!
//! *A library, not a lesson:* every section fetches through it; §3
//! (`robust.rs`) is the lesson on what it guards against.
//!
//! One `reqwest::blocking::Client` per program, **cloned** into every thread
//! (a clone is a reference-counted handle to the same connection pool and
//! background runtime; building one per request would start a runtime per
//! request). Every request has a connect timeout and an overall timeout, a
//! size cap, a user agent and a redirect limit — the notebook's lecture
//! script has none of them, so one slow site hangs its thread forever.

use std::io::Read;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::header::CONTENT_TYPE;

use crate::soup::Environment;

/// Installs rustls' *ring* crypto provider (once per process; later calls
/// are no-ops). reqwest is built without a default provider so that no
/// aws-lc or OpenSSL enters the build; without this, building a client
/// panics even for `http://` URLs.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The client's limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Time for the whole request, body included. (reqwest's *blocking*
    /// client applies the client's `timeout` to each read, so a body that
    /// trickles, or stalls late, could take up to twice as long; [`fetch`]
    /// sets the same limit on each request, which bounds the whole exchange.)
    pub timeout: Duration,
    /// Largest body accepted (default 16 MiB: real article pages run to a
    /// few MiB; the local site's fault pages use 1 MiB to show the cap).
    pub max_bytes: usize,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Which BeautifulSoup the page is read as: how its bytes become text
    /// (default: the lecture's, with `requests` and so charset_normalizer
    /// installed; see [`crate::soup::Environment`]).
    pub environment: Environment,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_bytes: 16 << 20,
            max_redirects: 5,
            environment: Environment::default(),
        }
    }
}

/// Who we say we are. Sites may block scrapers that hide it.
pub const USER_AGENT: &str =
    concat!("rust-concurrency-course-scraper/", env!("CARGO_PKG_VERSION"), " (teaching)");

/// Where a client's requests go, which decides whether proxies apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// The local site on 127.0.0.1: no proxy (`HTTP_PROXY` would otherwise
    /// send loopback requests to the proxy too).
    Loopback,
    /// The real web: proxies from the environment apply, as in requests.
    Internet,
}

impl Network {
    /// The network `url` is on: loopback for 127.0.0.1, `localhost`, `[::1]`.
    pub fn of(url: &reqwest::Url) -> Self {
        match url.host_str() {
            Some("127.0.0.1" | "localhost" | "[::1]") => Network::Loopback,
            _ => Network::Internet,
        }
    }
}

/// Builds the one client: it follows up to `limits.max_redirects`
/// redirects by itself.
pub fn build(limits: &Limits, network: Network) -> reqwest::Result<Client> {
    builder(limits, network)
        .redirect(reqwest::redirect::Policy::limited(limits.max_redirects))
        .build()
}

/// What [`build`] and [`build_crawler`] share: timeouts, user agent, proxies.
fn builder(limits: &Limits, network: Network) -> reqwest::blocking::ClientBuilder {
    install_crypto_provider();
    let builder = Client::builder()
        .connect_timeout(limits.connect_timeout)
        .timeout(limits.timeout)
        .user_agent(USER_AGENT);
    match network {
        Network::Loopback => builder.no_proxy(),
        Network::Internet => builder,
    }
}

/// Why a page could not be scraped. Each kind is handled differently: some
/// are worth a retry, some never will be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// No answer (or no complete body) within the timeout.
    #[error("timed out")]
    Timeout,
    /// Could not connect (refused, DNS, TLS…).
    #[error("could not connect: {0}")]
    Connect(String),
    /// The server answered with an error status.
    #[error("HTTP {0}")]
    Status(u16),
    /// The body exceeded the cap.
    #[error("body larger than {0} bytes")]
    TooLarge(usize),
    /// Not an HTML (or text) document.
    #[error("not HTML: {0}")]
    NotHtml(String),
    /// Python's `html.parser` gives up on this page (BeautifulSoup raises
    /// `ParserRejectedMarkup`), so it has no BeautifulSoup text length.
    #[error("{0}")]
    Rejected(String),
    /// Redirected in circles, or too often.
    #[error("too many redirects")]
    TooManyRedirects,
    /// A redirect the client was told not to follow (the crawler's client
    /// follows none: it checks each target like a link first).
    #[error("redirected to {0}")]
    Redirected(String),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl FetchError {
    /// A short name for tables.
    pub fn kind(&self) -> &'static str {
        match self {
            FetchError::Timeout => "timeout",
            FetchError::Connect(_) => "connect",
            FetchError::Status(500..=599) => "server error",
            FetchError::Status(_) => "client error",
            FetchError::TooLarge(_) => "too large",
            FetchError::NotHtml(_) => "not HTML",
            FetchError::Rejected(_) => "rejected",
            FetchError::TooManyRedirects => "redirect loop",
            FetchError::Redirected(_) => "redirect",
            FetchError::Other(_) => "other",
        }
    }

    /// Whether trying again later could help: timeouts, connection failures
    /// and 5xx (the server's problem) — not 4xx, oversize or bad content.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            FetchError::Timeout | FetchError::Connect(_) | FetchError::Status(500..=599)
        )
    }
}

/// A client like [`build`]'s that follows no redirect by itself: the
/// crawler sees each one as [`FetchError::Redirected`] and checks the
/// target (host, robots.txt, seen before?) as it checks links.
pub fn build_crawler(limits: &Limits, network: Network) -> reqwest::Result<Client> {
    builder(limits, network).redirect(reqwest::redirect::Policy::none()).build()
}

/// An error and every cause under it, `outer: inner: innermost` — what
/// curl and requests print. reqwest's own message stops at the outermost
/// layer ("error sending request for url …"), hiding the reason: an
/// untrusted certificate, a failed DNS lookup, a refused or reset connection.
pub fn with_causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Layers often repeat the message below them; say each thing once.
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn from_reqwest(err: &reqwest::Error) -> FetchError {
    if err.is_timeout() {
        FetchError::Timeout
    } else if err.is_redirect() {
        FetchError::TooManyRedirects
    } else if err.is_connect() {
        FetchError::Connect(with_causes(err))
    } else {
        FetchError::Other(with_causes(err))
    }
}

fn from_io(err: &std::io::Error) -> FetchError {
    if err.kind() == std::io::ErrorKind::TimedOut {
        return FetchError::Timeout;
    }
    match err.get_ref().and_then(|inner| inner.downcast_ref::<reqwest::Error>()) {
        Some(inner) => from_reqwest(inner),
        None => FetchError::Other(err.to_string()),
    }
}

/// A page that arrived.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where it ended up (after redirects).
    pub url: String,
    /// The decoded body.
    pub body: String,
    /// Bytes received.
    pub bytes: usize,
    /// The encoding it was decoded with — BeautifulSoup's choice (see
    /// [`crate::soup::decode`]).
    pub encoding: String,
    /// Whether some bytes were invalid in every candidate encoding and
    /// became U+FFFD (the page is still read, as BeautifulSoup reads it).
    pub replaced: bool,
    /// The `Content-Type` header's charset, if it had one. BeautifulSoup
    /// never sees it, so it does not change [`encoding`](Self::encoding);
    /// [`Fetched::header_disagrees`] says when a report should show it.
    pub header_charset: Option<String>,
    /// Time for the request.
    pub elapsed: Duration,
}

impl Fetched {
    /// The header's charset when it names another codec than the one the
    /// page was decoded with: a browser would have read this page
    /// differently from BeautifulSoup.
    pub fn header_disagrees(&self) -> Option<&str> {
        crate::soup::header_disagrees(self.header_charset.as_deref(), &self.encoding)
    }

    /// `len(BeautifulSoup(response.content, 'html.parser').text)`.
    pub fn bs4_len(&self) -> Result<usize, FetchError> {
        crate::soup::text_len(&self.body)
            .map_err(|err| FetchError::Rejected(err.to_string()))
    }
}

/// GETs `url`: status checked, body capped at `limits.max_bytes`, the
/// whole exchange bounded by `limits.timeout`, content type checked, bytes
/// decoded as BeautifulSoup decodes them (never refused: see
/// [`crate::soup::decode`]; the header's charset is kept beside, unused, as
/// BeautifulSoup never sees it).
pub fn fetch(client: &Client, url: &str, limits: &Limits) -> Result<Fetched, FetchError> {
    fetch_with(client, url, limits, Oversize::Refuse)
}

/// What to do with a body larger than `limits.max_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oversize {
    /// Fail with [`FetchError::TooLarge`] (pages).
    Refuse,
    /// Keep the first `max_bytes` and stop reading (robots.txt: RFC 9309
    /// lets a crawler parse only a prefix, of at least 500 KiB).
    Truncate,
}

/// [`fetch`], choosing what an oversized body means.
pub fn fetch_with(
    client: &Client,
    url: &str,
    limits: &Limits,
    oversize: Oversize,
) -> Result<Fetched, FetchError> {
    let max_bytes = limits.max_bytes;
    let started = Instant::now();
    let response =
        client.get(url).timeout(limits.timeout).send().map_err(|e| from_reqwest(&e))?;
    let status = response.status();
    if status.is_redirection()
        && let Some(location) = response.headers().get(reqwest::header::LOCATION)
    {
        return Err(FetchError::Redirected(
            String::from_utf8_lossy(location.as_bytes()).into(),
        ));
    }
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    let final_url = response.url().to_string();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/html")
        .to_ascii_lowercase();
    if !(content_type.starts_with("text/html") || content_type.starts_with("text/plain"))
    {
        return Err(FetchError::NotHtml(content_type));
    }
    if oversize == Oversize::Refuse
        && response.content_length().is_some_and(|len| len > max_bytes as u64)
    {
        return Err(FetchError::TooLarge(max_bytes));
    }
    // The header can lie or be absent: read in chunks, at most one byte
    // past the cap, and check the overall deadline between reads.
    let mut bytes = Vec::new();
    let mut body = response.take(max_bytes as u64 + 1);
    let mut chunk = [0_u8; 16 * 1024];
    loop {
        if started.elapsed() > limits.timeout {
            return Err(FetchError::Timeout);
        }
        match body.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(from_io(&err)),
        }
    }
    if bytes.len() > max_bytes {
        match oversize {
            Oversize::Refuse => return Err(FetchError::TooLarge(max_bytes)),
            Oversize::Truncate => bytes.truncate(max_bytes),
        }
    }
    let header_charset = content_type
        .split(';')
        .find_map(|part| part.trim().strip_prefix("charset="))
        .map(|c| c.trim_matches('"').to_string());
    let decoded = crate::soup::decode_in(&bytes, limits.environment);
    Ok(Fetched {
        url: final_url,
        body: decoded.text,
        bytes: bytes.len(),
        encoding: decoded.encoding,
        replaced: decoded.replaced,
        header_charset,
        elapsed: started.elapsed(),
    })
}

/// Retry with exponential backoff and jitter.
#[derive(Debug, Clone)]
pub struct Retry {
    /// Attempts in all (1 = no retry).
    pub attempts: u32,
    /// The first backoff; it doubles each time.
    pub base: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
}

impl Retry {
    /// The wait before attempt `n + 1` (n ≥ 1): a random point in
    /// `[0, min(max, base·2ⁿ⁻¹)]` ("full jitter"), so that many clients that
    /// failed together do not all come back at the same instant.
    pub fn backoff(&self, attempt: u32, random: f64) -> Duration {
        let exponential = self.base.saturating_mul(1 << (attempt - 1).min(16));
        exponential.min(self.max_delay).mul_f64(random.clamp(0.0, 1.0))
    }
}

/// Fetches with retries for retryable errors. Returns the outcome and the
/// number of attempts made.
pub fn fetch_with_retry(
    client: &Client,
    url: &str,
    limits: &Limits,
    retry: &Retry,
    seed: u64,
) -> (Result<Fetched, FetchError>, u32) {
    // Seeded, so a run can be replayed: the jitter is the same each time.
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut attempt = 1;
    loop {
        let outcome = fetch(client, url, limits);
        match &outcome {
            Err(err) if err.is_retryable() && attempt < retry.attempts => {
                let wait = retry.backoff(attempt, rng.f64());
                tracing::debug!(url, attempt, %err, ?wait, "retrying");
                std::thread::sleep(wait);
                attempt += 1;
            }
            _ => return (outcome, attempt),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped_and_jittered() {
        let retry = Retry {
            attempts: 5,
            base: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
        };
        assert_eq!(retry.backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(retry.backoff(2, 1.0), Duration::from_millis(200));
        assert_eq!(retry.backoff(4, 1.0), Duration::from_millis(500));
        assert_eq!(retry.backoff(3, 0.5), Duration::from_millis(200));
        assert_eq!(retry.backoff(3, 0.0), Duration::ZERO);
    }

    #[test]
    fn only_transient_failures_are_retried() {
        assert!(FetchError::Timeout.is_retryable());
        assert!(FetchError::Status(503).is_retryable());
        assert!(!FetchError::Status(404).is_retryable());
        assert!(!FetchError::TooLarge(1).is_retryable());
        assert!(!FetchError::Rejected("x".into()).is_retryable());
    }
}
