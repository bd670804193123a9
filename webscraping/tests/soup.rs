//! The differential test: BeautifulSoup's own counts on generated realistic
//! pages, on an adversary's malformed ones, on pages declaring legacy or
//! unknown encodings, in legacy encodings, in ISO-2022-JP, around
//! CPython's own codec test texts and of byte-order marks
//! (`python/soup_fixtures.py`, beautifulsoup4 4.15.0 on the pinned
//! `html.parser` of CPython 3.11 with the fix for CVE-2025-6069), in both of
//! a learner's environments (without a charset detector, and with requests'
//! charset_normalizer 3.5.3: `python/detector_counts.py`), against
//! `webscraping::soup`. Offline: the fixture file is in the repo.
//! `SOUP_PAGES=<file>` adds a fresh batch (`.ci/soup-differential` does,
//! with a new seed on every CI run).

use serde::Deserialize;
use webscraping::soup::{self, Environment};

#[derive(Debug, Deserialize)]
struct Page {
    name: String,
    seed: u64,
    header_charset: Option<String>,
    /// The raw bytes, one latin-1 character per byte.
    body: String,
    /// `None` when bs4 raised on the page.
    bs4_len: Option<usize>,
    bs4_encoding: Option<String>,
    /// The same, counted by bs4 with charset_normalizer installed
    /// (`python/detector_counts.py`); absent from a batch counted only
    /// without it.
    #[serde(default)]
    requests_len: Option<usize>,
    #[serde(default)]
    requests_encoding: Option<String>,
    #[serde(default)]
    requests_error: Option<String>,
}

impl Page {
    fn bytes(&self) -> Vec<u8> {
        self.body.chars().map(|c| u8::try_from(u32::from(c)).expect("latin-1")).collect()
    }
}

fn load(text: &str) -> Vec<Page> {
    text.lines().map(|line| serde_json::from_str(line).expect("a fixture line")).collect()
}

impl Page {
    /// bs4's count and encoding in `environment`, if this page was counted
    /// there.
    fn expected(
        &self,
        environment: Environment,
    ) -> Option<(Option<usize>, Option<&str>)> {
        match environment {
            Environment::Plain => Some((self.bs4_len, self.bs4_encoding.as_deref())),
            Environment::Requests => (self.requests_len.is_some()
                || self.requests_error.is_some())
            .then_some((self.requests_len, self.requests_encoding.as_deref())),
        }
    }
}

/// Compares every page counted in `environment`, and returns how many
/// were; on a difference, reports the seed, how many differ, and the
/// smallest differing page in full.
fn compare(pages: &[Page], environment: Environment) -> usize {
    let mut differing: Vec<(&Page, Result<usize, soup::Rejected>, String)> = Vec::new();
    let mut compared = 0;
    for page in pages {
        let Some((bs4_len, bs4_encoding)) = page.expected(environment) else { continue };
        compared += 1;
        let decoded = soup::decode_in(&page.bytes(), environment);
        let ours = soup::text_len(&decoded.text);
        // Where bs4 raised, the soup must give the same reason (not, say,
        // run out of budget).
        // And the encoding it reports is bs4's `original_encoding`.
        let equal = match (&ours, bs4_len) {
            (Ok(ours), Some(theirs)) => {
                *ours == theirs && Some(decoded.encoding.as_str()) == bs4_encoding
            }
            (Err(soup::Rejected::HugeCharacterReference { .. }), None) => true,
            _ => false,
        };
        if !equal {
            differing.push((page, ours, decoded.encoding));
        }
    }
    if let Some((smallest, ours, encoding)) =
        differing.iter().min_by_key(|(page, ..)| page.body.len())
    {
        let (bs4_len, bs4_encoding) =
            smallest.expected(environment).expect("only counted pages differ");
        panic!(
            "{} of {compared} pages differ from BeautifulSoup in the {:?} environment ({}) \
             (seed {}). Smallest: {} ({} bytes, header charset {:?}): bs4 {:?} as {:?}, ours \
             {:?} as {encoding:?}\n--- page ---\n{}\n--- end ---",
            differing.len(),
            environment.name(),
            environment.pip_install(),
            smallest.seed,
            smallest.name,
            smallest.body.len(),
            smallest.header_charset,
            bs4_len,
            bs4_encoding,
            ours,
            String::from_utf8_lossy(&smallest.bytes()),
        );
    }
    compared
}

#[test]
fn generated_pages_count_exactly_what_beautifulsoup_counts() {
    let pages = load(include_str!("fixtures/soup_pages.jsonl"));
    assert!(pages.len() >= 500, "{} fixture pages", pages.len());
    let malformed = pages.iter().filter(|page| page.name.contains("-malformed")).count();
    assert!(malformed >= 150, "{malformed} malformed fixture pages");
    // Every page, counted by bs4 in both environments.
    for environment in Environment::ALL {
        assert_eq!(compare(&pages, environment), pages.len(), "{environment:?}");
    }
}

#[test]
fn a_fresh_batch_from_soup_pages_if_given() {
    let Ok(path) = std::env::var("SOUP_PAGES") else { return };
    let pages = load(&std::fs::read_to_string(&path).expect("SOUP_PAGES is readable"));
    assert!(!pages.is_empty(), "{path} has no pages");
    for environment in Environment::ALL {
        let compared = compare(&pages, environment);
        eprintln!(
            "{compared} of {} fresh pages from {path} counted by bs4 after `{}`: every count and \
             encoding equal",
            pages.len(),
            environment.pip_install()
        );
    }
}

/// Every name in bs4's table resolves to bs4's text, and the table has
/// every name the chapter resolves (the two tables are one).
fn compare_entities(table: &str) {
    let table: std::collections::BTreeMap<String, String> =
        serde_json::from_str(table).expect("a JSON object of name → text");
    assert!(table.len() >= 2000, "{} names", table.len());
    for (name, text) in &table {
        assert_eq!(
            webscraping::soup::named_character_reference(name).as_deref(),
            Some(text.as_str()),
            "&{name};"
        );
    }
    // Names bs4 does not know stay unresolved: a few near misses.
    for name in ["amp;", "Amp", "notin2", "ampx", "AEli"] {
        assert_eq!(webscraping::soup::named_character_reference(name), None, "&{name};");
    }
}

#[test]
fn every_named_reference_resolves_as_in_beautifulsoup_s_table() {
    compare_entities(include_str!("fixtures/bs4_entities.json"));
}

#[test]
fn a_fresh_entity_table_from_soup_entities_if_given() {
    let Ok(path) = std::env::var("SOUP_ENTITIES") else { return };
    compare_entities(&std::fs::read_to_string(&path).expect("SOUP_ENTITIES is readable"));
}
