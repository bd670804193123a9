//! The site of section 6 ([`crate::scale`]) in a process of its own, and
//! this process's thread count: so the strategies' threads are measured
//! without the site's. The lesson starts a [`ChildSite`] and reads
//! [`status`]; how the child reports its URL and when a thread count has
//! settled is here.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use anyhow::Context as _;
use common::child::ChildGuard;

/// The site in a child process; killed and reaped on drop (by its
/// [`ChildGuard`]).
#[derive(Debug)]
pub struct ChildSite {
    _child: ChildGuard,
    /// Its base URL.
    pub base_url: String,
}

impl ChildSite {
    /// Starts `exe serve --latency-ms … --pages …` and reads its URL.
    pub fn start(
        exe: &std::path::Path,
        latency: Duration,
        pages: usize,
    ) -> anyhow::Result<Self> {
        let mut command = Command::new(exe);
        command
            .args([
                "serve",
                "--latency-ms",
                &latency.as_millis().to_string(),
                "--pages",
                &pages.to_string(),
            ])
            // The site serves until its stdin closes: we hold the pipe's
            // write end (inside the child's handle) for as long as we live.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = ChildGuard::spawn("site", &mut command)?;
        let stdout = child.take_stdout().context("no stdout")?;
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let base_url = line.trim().rsplit(' ').next().unwrap_or_default().to_string();
        if read.is_err() || !base_url.starts_with("http://127.0.0.1:") {
            // Dropping the guard kills and reaps the child.
            anyhow::bail!("the site process did not report its URL (got {line:?})");
        }
        Ok(Self { _child: child, base_url })
    }
}

/// `(threads, resident KiB)` of this process now (zeros off Linux).
pub fn status() -> (u64, u64) {
    common::procfs::status().map_or((0, 0), |s| (s.threads, s.rss_kib))
}

/// This process's thread count once threads that were just joined are gone:
/// a joined thread can still be counted for a moment while the kernel
/// finishes its exit, which would make the next strategy look cheaper.
pub(crate) fn settled_threads() -> u64 {
    let mut last = status().0;
    for _ in 0..50 {
        thread::sleep(Duration::from_millis(2));
        let now = status().0;
        if now == last {
            return now;
        }
        last = now;
    }
    last
}
