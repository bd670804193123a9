//! robots.txt for the crawler of section 5 ([`crate::crawl`]): which rules
//! apply to us (RFC 9309's groups), and reading the file as the untrusted
//! input it is. The lesson calls `robots_for(client, url)` and asks
//! `allows(path)`.

use std::time::Duration;

use reqwest::Url;
use reqwest::blocking::Client;

use crate::client::{self, Limits};

/// The rules of one robots.txt that apply to us (the `User-agent: *`
/// group).
#[derive(Debug, Clone, Default)]
pub struct Robots {
    disallow: Vec<String>,
}

impl Robots {
    /// Parses the `Disallow` rules of the groups that name `*`.
    ///
    /// A group is one or more consecutive `User-agent` lines followed by its
    /// rules (RFC 9309): `User-agent: a` then `User-agent: *` then
    /// `Disallow: /x` is *one* group, for both agents. A `User-agent` line
    /// after a rule starts the next group.
    pub fn parse(text: &str) -> Self {
        let mut disallow = Vec::new();
        let mut group_applies = false;
        let mut in_agent_lines = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else { continue };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            if key == "user-agent" {
                if !in_agent_lines {
                    group_applies = false; // a new group begins
                    in_agent_lines = true;
                }
                group_applies |= value == "*";
                continue;
            }
            in_agent_lines = false;
            if key == "disallow" && group_applies && !value.is_empty() {
                disallow.push(value.to_string());
            }
        }
        Self { disallow }
    }

    /// Whether `path` may be fetched.
    pub fn allows(&self, path: &str) -> bool {
        !self.disallow.iter().any(|prefix| path.starts_with(prefix.as_str()))
    }
}

/// The largest part of a robots.txt that is read and parsed (RFC 9309
/// asks crawlers to parse at least 500 KiB; rules past the limit are
/// ignored).
pub const ROBOTS_PARSE_LIMIT: usize = 512 * 1024;

/// The robots.txt at `url`, read through [`client::fetch_with`] like any
/// page — its deadline, its content-type check (a robots file must be text),
/// at most [`ROBOTS_PARSE_LIMIT`] bytes — because it is untrusted input like
/// any page. Allows everything if it cannot be read, as RFC 9309 says for a
/// missing file.
pub fn robots_for(client: &Client, url: &Url) -> Robots {
    let limits = Limits {
        max_bytes: ROBOTS_PARSE_LIMIT,
        timeout: Duration::from_secs(5),
        ..Limits::default()
    };
    match client::fetch_with(client, url.as_str(), &limits, client::Oversize::Truncate) {
        Ok(page) => Robots::parse(&page.body),
        Err(err) => {
            tracing::debug!(%url, %err, "no usable robots.txt; everything allowed");
            Robots::default()
        }
    }
}
