//! The local site: a small HTTP server on `127.0.0.1:<random port>`, so the
//! chapter runs offline and every fault can be produced on demand.
//!
//! A deliberately small HTTP/1.1 server on `std::net`: one acceptor thread,
//! **one thread per connection**, one `GET` per connection
//! (`Connection: close`), the whole response in a single write. Handlers
//! sleep in short slices and stop when the site shuts down, and every thread
//! is joined on drop.
//!
//! A thread per connection is the simplest server that never makes one
//! slow request wait for another — and it is itself the chapter's subject:
//! 200 parallel requests mean 200 handler threads in this process.
//!
//! | path | what it does |
//! |---|---|
//! | `/docs/…/` (3 pages), `/page0` … | HTML pages, after `latency` |
//! | `/robots.txt` | disallows `/private/` |
//! | `/fault/500`, `/fault/404` | that status |
//! | `/fault/hang` | answers only after 60 s (the client gives up first) |
//! | `/fault/trickle` | sends its body a few bytes at a time, for ~3 s |
//! | `/fault/huge` | a 5 MiB body (the client's cap is 1 MiB) |
//! | `/fault/binary` | `application/octet-stream` |
//! | `/fault/latin1` | `text/html; charset=iso-8859-1`, bytes that are not UTF-8 |
//! | `/fault/bad-utf8` | claims UTF-8, sends bytes that are not (bs4 reads them as windows-1252, or as its detector guesses) |
//! | `/fault/big5` | Chinese in Big5, declared only in the header (`charset=Big5`), which bs4 never sees |
//! | `/fault/windows-1252` | declares windows-1252 in `<meta>`, smart quotes and € |
//! | `/fault/stall` | sends part of its body, then nothing (a deadline test) |
//! | `/fault/redirect-loop` | 302 → `/fault/redirect-loop2` → 302 → back |
//! | `/robots-late.txt`, `/robots-binary.txt` | a rule past 600 KiB; a robots file that is not text |
//! | `/go-away`, `/go-private` | 302 to another host; 302 to a path robots.txt disallows |
//! | `/flaky/<name>` | 503 for the first two requests per name, then a page |
//! | `?delay=ms` on any path | overrides the latency for that request |

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::pages;

/// How the site behaves.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// Added before every page (the notebook's simulated 1 s network time).
    pub latency: Duration,
    /// How many `/pageN` pages exist.
    pub pages: usize,
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self { latency: Duration::from_millis(100), pages: 500 }
    }
}

struct Shared {
    config: SiteConfig,
    stopping: AtomicBool,
    requests: AtomicU64,
    /// Failures left per `/flaky/<name>`.
    flaky: Mutex<HashMap<String, u32>>,
    /// Requests in flight right now, and the most ever.
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
}

/// A running local site. Dropping it stops the server and joins every
/// thread it started.
pub struct Site {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
    handlers: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Site {
    /// Starts the site on a free loopback port. It never binds anything but
    /// 127.0.0.1.
    pub fn start(config: SiteConfig) -> io::Result<Self> {
        let listener = listen_on_loopback()?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            config,
            stopping: AtomicBool::new(false),
            requests: AtomicU64::new(0),
            flaky: Mutex::new(HashMap::new()),
            in_flight: AtomicU64::new(0),
            peak_in_flight: AtomicU64::new(0),
        });
        let handlers = Arc::new(Mutex::new(Vec::new()));
        let acceptor = {
            let (shared, handlers) = (Arc::clone(&shared), Arc::clone(&handlers));
            thread::Builder::new()
                .name("site-acceptor".into())
                .spawn(move || accept(&listener, &shared, &handlers))?
        };
        tracing::debug!(%addr, "local site started");
        Ok(Self { addr, shared, acceptor: Some(acceptor), handlers })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// Requests served so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// The most requests that were ever being handled at the same time.
    pub fn peak_in_flight(&self) -> u64 {
        self.shared.peak_in_flight.load(Ordering::Relaxed)
    }

    /// The configured latency.
    pub fn latency(&self) -> Duration {
        self.shared.config.latency
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // `accept` blocks; a connection of our own wakes it to see the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take()
            && acceptor.join().is_err()
        {
            tracing::error!("the site's acceptor thread panicked");
        }
        let handlers = std::mem::take(
            &mut *self.handlers.lock().unwrap_or_else(PoisonError::into_inner),
        );
        for handler in handlers {
            if handler.join().is_err() {
                tracing::error!("a site handler thread panicked");
            }
        }
    }
}

/// A listener on 127.0.0.1, any free port, with a backlog of 1024: section 6
/// opens 200 connections within a millisecond, and connections beyond the
/// backlog are dropped and retried by the client's kernel a second later.
fn listen_on_loopback() -> io::Result<TcpListener> {
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

fn accept(
    listener: &TcpListener,
    shared: &Arc<Shared>,
    handlers: &Mutex<Vec<JoinHandle<()>>>,
) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let stream = match stream {
            Ok(stream) => stream,
            Err(err) => {
                // Out of descriptors (EMFILE), memory, …: the condition does
                // not clear by itself within microseconds, and retrying at
                // once would spin a core. Back off, then try again.
                tracing::warn!(%err, "accept failed; retrying in 50 ms");
                thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let shared = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name("site-handler".into())
            .spawn(move || handle(stream, &shared));
        let mut handlers = handlers.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget handlers that are done, so the list stays short.
        handlers.retain(|h| !h.is_finished());
        if let Ok(handle) = spawned {
            handlers.push(handle);
        }
    }
}

/// Reads the request head (up to 8 KiB) and returns the target of a `GET`.
fn read_target(stream: &mut TcpStream) -> io::Result<String> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut buf = [0_u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf)?;
        if n == 0 || head.len() > 8192 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "incomplete request"));
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    let mut parts = line.lines().next().unwrap_or("").split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Ok(target.to_string()),
        _ => Err(io::Error::new(io::ErrorKind::InvalidData, "only GET is served")),
    }
}

/// Sleeps up to `total`, in slices, unless the site is stopping. Returns
/// whether the whole time passed.
fn pause(shared: &Shared, total: Duration) -> bool {
    let deadline = Instant::now() + total;
    while !shared.stopping.load(Ordering::SeqCst) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        thread::sleep(left.min(Duration::from_millis(10)));
    }
    false
}

/// Writes a whole HTTP response — status line, headers, body — in **one**
/// write, then closes the connection.
///
/// Headers and body in separate writes would let Nagle's algorithm hold the
/// body until the client ACKs the headers, which a client delays by up to
/// 40 ms. One write, no wait.
fn send(
    stream: &mut Connection<'_>,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<()> {
    let mut response = format!("HTTP/1.1 {status} {}\r\n", reason(status)).into_bytes();
    for (name, value) in headers {
        response.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    response.extend_from_slice(
        format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()).as_bytes(),
    );
    response.extend_from_slice(body);
    stream.write_all(&response)?;
    stream.flush()
}

/// How long one write to a client may go without progress: a client that
/// stops reading must not pin its handler thread (and `Site::drop`, which
/// joins it).
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// A connection's stream for [`send`]: writes that give up after
/// [`WRITE_TIMEOUT`] without progress — or at once when the site is stopping,
/// so that `Site::drop` never waits out a stalled client. Each write waits at
/// most a slice of 50 ms before looking at the flag again.
struct Connection<'a> {
    stream: &'a TcpStream,
    shared: &'a Shared,
}

const WRITE_SLICE: Duration = Duration::from_millis(50);

impl Write for Connection<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let stalled_since = Instant::now();
        loop {
            match (&*self.stream).write(buf) {
                Err(err)
                    if matches!(
                        err.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if self.shared.stopping.load(Ordering::SeqCst) {
                        // Not `Interrupted`: `write_all` would retry that.
                        return Err(io::Error::new(
                            io::ErrorKind::ConnectionAborted,
                            "the site is stopping",
                        ));
                    }
                    if stalled_since.elapsed() >= WRITE_TIMEOUT {
                        return Err(err);
                    }
                }
                result => return result,
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self.stream).flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

const HTML: (&str, &str) = ("Content-Type", "text/html; charset=utf-8");

fn html(stream: &mut Connection<'_>, status: u16, body: &str) -> io::Result<()> {
    send(stream, status, &[HTML], body.as_bytes())
}

fn handle(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    if let Err(err) = stream.set_write_timeout(Some(WRITE_SLICE)) {
        tracing::debug!(%err, "could not set a write timeout");
        return;
    }
    let target = read_target(&mut stream);
    let connection = &mut Connection { stream: &stream, shared };
    let url = match target {
        Ok(url) => url,
        Err(err) => {
            // Our own shutdown poke, or a client that sent nothing usable.
            if !shared.stopping.load(Ordering::SeqCst) {
                let _ = html(connection, 400, "<h1>Bad Request</h1>");
                tracing::debug!(%err, "bad request");
            }
            return;
        }
    };
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.peak_in_flight.fetch_max(now, Ordering::SeqCst);
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let delay = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("delay="))
        .and_then(|ms| ms.parse().ok())
        .map_or(shared.config.latency, Duration::from_millis);
    let result = respond(connection, path, delay, shared);
    if let Err(err) = result {
        // The client hung up (a timeout, a size cap): normal for fault pages.
        tracing::debug!(path, %err, "response not delivered");
    }
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
}

fn respond(
    stream: &mut Connection<'_>,
    path: &str,
    delay: Duration,
    shared: &Shared,
) -> io::Result<()> {
    if path == "/robots.txt" {
        return send(
            stream,
            200,
            &[("Content-Type", "text/plain")],
            pages::ROBOTS_TXT.as_bytes(),
        );
    }
    // Redirect hops answer at once: with the latency on every hop, a loop
    // would hit the client's timeout before its redirect limit.
    let delay =
        if path.starts_with("/fault/redirect-loop") { Duration::ZERO } else { delay };
    if !pause(shared, delay) {
        return Ok(()); // shutting down: drop the request
    }
    match path {
        "/fault/500" => html(stream, 500, "<h1>Internal Server Error</h1>"),
        "/fault/hang" => {
            pause(shared, Duration::from_secs(60));
            html(stream, 200, "<p>too late</p>")
        }
        "/fault/trickle" => trickle(stream, shared, 3000, Duration::from_millis(10)),
        "/fault/stall" => {
            // 180 of 10 000 bytes over ~1.8 s, then nothing: a read that
            // blocks late in the request.
            stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10000\r\n\r\n",
            )?;
            for _ in 0..180 {
                if !pause(shared, Duration::from_millis(10)) {
                    return Ok(());
                }
                stream.write_all(b" ")?;
            }
            pause(shared, Duration::from_secs(60));
            Ok(())
        }
        "/fault/windows-1252" => {
            // Declared in <meta>, as old pages do; 0x93/0x94 are “ and ”,
            // 0x80 is €: not UTF-8, and not ISO-8859-1 either.
            let body = b"<html><head><meta charset=\"windows-1252\"><title>Caf\xE9</title></head>\
                         <body><p>\x93Quoted\x94 \x80 5</p></body></html>";
            send(stream, 200, &[HTML], body)
        }
        "/fault/huge" => {
            let body =
                format!("<html><body><p>{}</p></body></html>", "x".repeat(5 << 20));
            html(stream, 200, &body)
        }
        "/fault/binary" => send(
            stream,
            200,
            &[("Content-Type", "application/octet-stream")],
            &[0x89, b'P', b'N', b'G', 0, 1, 2, 3],
        ),
        "/fault/big5" => {
            // "中文網頁測試，這是一個沒有宣告編碼的頁面。" ("a Chinese test page
            // that declares no encoding") in Big5: 21 characters, 42 bytes.
            let body = b"<html><body><p>\xa4\xa4\xa4\xe5\xba\xf4\xad\xb6\xb4\xfa\xb8\xd5\
                         \xa1A\xb3o\xacO\xa4@\xad\xd3\xa8S\xa6\xb3\xab\xc5\xa7i\xbds\xbdX\
                         \xaa\xba\xad\xb6\xad\xb1\xa1C</p></body></html>";
            send(stream, 200, &[("Content-Type", "text/html; charset=Big5")], body)
        }
        "/fault/latin1" => {
            // "Café crème" in ISO-8859-1: é is the single byte 0xE9.
            let body = b"<html><head><title>Caf\xE9</title></head><body><p>Caf\xE9 cr\xE8me</p></body></html>";
            send(stream, 200, &[("Content-Type", "text/html; charset=iso-8859-1")], body)
        }
        "/fault/bad-utf8" => {
            let body = b"<html><body><p>broken \xFF\xFE bytes</p></body></html>";
            send(stream, 200, &[HTML], body)
        }
        // Redirects for the crawler's tests: off this host, and into a path
        // robots.txt disallows.
        "/go-away" => {
            send(stream, 302, &[("Location", "http://127.0.0.2:9/elsewhere")], b"")
        }
        "/go-private" => send(stream, 302, &[("Location", "/private/drafts")], b""),
        // robots.txt variants for the crawler's tests.
        "/robots-late.txt" => {
            // A rule past the first 600 KiB: beyond a crawler's parse limit.
            let mut body = "# padding\n".repeat(600 * 1024 / 10);
            body.push_str("User-agent: *\nDisallow: /late/\n");
            send(stream, 200, &[("Content-Type", "text/plain")], body.as_bytes())
        }
        "/robots-binary.txt" => send(
            stream,
            200,
            &[("Content-Type", "application/octet-stream")],
            b"User-agent: *\nDisallow: /bin/\n",
        ),
        "/fault/redirect-loop" | "/fault/redirect-loop2" => {
            let next = if path.ends_with('2') {
                "/fault/redirect-loop"
            } else {
                "/fault/redirect-loop2"
            };
            send(stream, 302, &[("Location", next)], b"")
        }
        _ if path.starts_with("/flaky/") => {
            let mut flaky = shared.flaky.lock().unwrap_or_else(PoisonError::into_inner);
            let left = flaky.entry(path.to_string()).or_insert(2);
            if *left > 0 {
                *left -= 1;
                drop(flaky);
                return html(stream, 503, "<h1>Service Unavailable</h1>");
            }
            drop(flaky);
            html(stream, 200, &pages::numbered_page(0, shared.config.pages))
        }
        _ => match page(path, shared.config.pages) {
            Some(body) => html(stream, 200, &body),
            None => html(stream, 404, "<h1>Not Found</h1>"),
        },
    }
}

/// A body that arrives one byte every `every` (the headers at once).
fn trickle(
    writer: &mut Connection<'_>,
    shared: &Shared,
    bytes: usize,
    every: Duration,
) -> io::Result<()> {
    writer.write_all(
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {bytes}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )?;
    writer.flush()?;
    for _ in 0..bytes {
        if !pause(shared, every) {
            return Ok(());
        }
        writer.write_all(b" ")?;
        writer.flush()?;
    }
    Ok(())
}

/// The HTML for an ordinary path, or `None` (404).
pub fn page(path: &str, pages: usize) -> Option<String> {
    if path == "/" {
        return Some(pages::index_page(pages));
    }
    if let Some(html) = pages::lecture_page(path) {
        return Some(html);
    }
    if let Some(n) = path.strip_prefix("/page").and_then(|n| n.parse::<usize>().ok())
        && n < pages
    {
        return Some(pages::numbered_page(n, pages));
    }
    if path.starts_with("/private/") {
        return Some("<!DOCTYPE html><html><head><title>Drafts</title></head><body><p>Not for crawlers.</p></body></html>".into());
    }
    None
}
