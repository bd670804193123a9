//! `len(BeautifulSoup(response.content, 'html.parser').text)`, exactly.
//!
//! *A library, not a lesson:* every section that prints a page's length
//! counts with it (§0's lecture first).
//!
//! The lecture prints one number per page: the length of BeautifulSoup's
//! text. Matching it means doing what *that* pipeline does, which is not
//! what a browser (or html5ever, the parser behind `scraper`) does:
//!
//! 1. **Decoding** ([`decode`]): bs4's `UnicodeDammit` on the raw bytes — a
//!    byte-order mark; else an encoding the document declares (an XML
//!    declaration in the first 1 KiB, or `<meta … charset=…>` in the first
//!    2 KiB or 5 %); else, if a detector is installed, its guess; else UTF-8;
//!    else windows-1252 — each tried strictly, the
//!    first that decodes without error wins; if none does, the same list again
//!    with invalid bytes replaced by U+FFFD. A page is never refused.
//! 2. **Tokenising** ([`text_len`]): Python's `html.parser.HTMLParser`,
//!    ported rule for rule from the CPython 3.11 security release that fixed
//!    its worst-case quadratic time (CVE-2025-6069; the copy followed is
//!    `python/vendor/cpython_html_parser.py`) — its patterns (scanned by hand, each
//!    as Python's backtracking engine would match it), its two passes
//!    (`feed`, then `close`), its treatment of `<script>`/`<style>` as raw
//!    text, of comments, `<!…>` declarations, `<![CDATA[…]]>`, `<?…>`,
//!    `</ >`, of character references with and without `;`, and of
//!    constructs still open at the end of the input.
//! 3. **Building** (the `Soup` below): bs4's tree builder as far as the text
//!    is concerned — a run of text made only of ASCII whitespace becomes one
//!    `"\n"` (if it had a newline) or one `" "`, unless a `<pre>` or
//!    `<textarea>` is open; text inside `<script>`, `<style>`, `<template>`,
//!    `<rt>`, `<rp>` is not part of `.text`; comments, the doctype, other
//!    declarations and processing instructions are not either; CDATA is.
//!
//! What is **not** reproduced, and where counts can then differ:
//!
//! * bs4's statistical guess, which is a port's here: with a
//!   detector library installed (requests brings `charset_normalizer`), bs4
//!   asks it to guess the encoding of a page that declares none that decodes.
//!   [`decode_in`] with [`Environment::Requests`] asks `charset-norm`, a Rust
//!   port matched to charset_normalizer 3.5.3, where bs4 would ask; the
//!   differential tests run in both environments. A guess on a kind of page
//!   they never generate could still differ.
//! * The HTTP header's charset. bs4 is handed `response.content` and never
//!   sees it, so it never changes a count here either; [`header_disagrees`]
//!   lets a report name it where it differs from what bs4 chose.
//! * A few of Python's codecs. Every name a page declares is looked up as
//!   Python's codec registry looks it up, and Python's codecs decode with
//!   their own tables, strict where Python's are — the single-byte ones
//!   (`python_codecs.rs`) and the East Asian multi-byte ones (`cjk_codecs.bin`:
//!   Big5, CP932, CP949, EUC-JP, EUC-KR, GBK, GB18030, Shift_JIS, JIS X 0213
//!   and the rest), both generated from CPython 3.11, and the stateful ones
//!   (ISO-2022-JP and its variants, ISO-2022-KR, HZ) by ports of CPython's
//!   decoders, and UTF-7 by a port of CPython's (`utf7.rs`). The few codecs
//!   Python has that this module does not decode are skipped where Python
//!   would have decoded: `unicode_escape`, `raw_unicode_escape`, `idna` and
//!   `punycode`.
//! * A page on which bs4 raises: a decimal character reference of more than
//!   4,300 digits (Python's `int()` refuses it). [`text_len`] returns an
//!   error there.
//!
//! **Cost.** Every input is parsed in time linear in its size (CPython's
//! fix made the parser linear; the tree builder here keeps per-name counts
//! where bs4 scans lists). The work is counted ([`Parsed::work`]) and bounded
//! by a per-page budget ([`default_budget`], or [`text_len_within`]): a page
//! that would need more is an error that says so, not a stuck worker.
//!
//! The differential tests (`tests/soup.rs` on 1,160 generated pages, and a
//! fresh random batch in CI) compare against bs4 itself: see
//! `python/soup_fixtures.py`.

use std::collections::HashMap;

pub mod adversary;
mod cjk;
mod decode;
// Generated (python/python_codecs.py): kept as the script prints it.
#[rustfmt::skip]
mod python_codecs;
mod tokenizer;
mod utf7;

pub use decode::{Decoded, Environment, decode, decode_in, header_disagrees};

/// What `&name;` becomes in bs4's `.text`: the character(s) of the named
/// reference `name` (without `&` and `;`), or `None` for a name that is not
/// one. bs4 looks names up in Python's `html.entities.html5`, the WHATWG
/// table of 2,125 names; html5ever carries the same table
/// (`web_atoms::NAMED_ENTITIES`, keyed `"name;"`), so it is used from
/// there.
///
/// ```
/// use webscraping::soup::named_character_reference as named;
/// assert_eq!(named("amp").as_deref(), Some("&"));
/// assert_eq!(named("NotEqualTilde").as_deref(), Some("\u{2242}\u{338}"));
/// assert_eq!(named("notareference"), None);
/// assert_eq!(named("am"), None); // a prefix of a name is not a name
/// ```
pub fn named_character_reference(name: &str) -> Option<String> {
    let key = format!("{name};");
    // The map also holds every prefix of every key, as (0, 0).
    let &(first, second) = web_atoms::NAMED_ENTITIES.get(key.as_str())?;
    let first = char::from_u32(first).filter(|c| *c != '\0')?;
    let second = char::from_u32(second).filter(|c| *c != '\0');
    Some(std::iter::once(first).chain(second).collect())
}
pub use tokenizer::{MAX_STR_DIGITS, Rejected};

/// The work a page may take by default: [`WORK_PER_BYTE`] units for each
/// byte of the page, and never less than [`WORK_FLOOR`]. Every input is
/// parsed in work linear in its size, well inside this (the tests check the
/// ratio on adversarial pages); the budget bounds what a bug could cost.
pub fn default_budget(len: usize) -> u64 {
    (len as u64).saturating_mul(WORK_PER_BYTE).max(WORK_FLOOR)
}

/// Units of work allowed per byte of page by [`default_budget`].
pub const WORK_PER_BYTE: u64 = 32;

/// The smallest default budget, for short pages.
pub const WORK_FLOOR: u64 = 1 << 20;

/// A page's count and the work it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    /// `len(BeautifulSoup(html, 'html.parser').text)`.
    pub text_len: usize,
    /// Units of work spent: bytes the tokenizer examined, plus tags pushed
    /// and popped and characters of text gathered by the tree builder.
    pub work: u64,
}

/// The length, in characters, of `BeautifulSoup(html, 'html.parser').text`
/// for an already decoded document, within [`default_budget`].
///
/// ```
/// use webscraping::soup::text_len;
/// // Indentation between tags collapses to one "\n" per run.
/// assert_eq!(text_len("<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>"), Ok(5));
/// // Unknown entities stay as written, minus the `;`.
/// assert_eq!(text_len("&foo;&amp;"), Ok(5));
/// ```
pub fn text_len(html: &str) -> Result<usize, Rejected> {
    text_len_within(html, default_budget(html.len())).map(|parsed| parsed.text_len)
}

/// [`text_len`] within a budget of `budget` units of work (see
/// [`Parsed::work`]), with the work it took.
///
/// ```
/// use webscraping::soup::{Rejected, text_len_within};
/// let page = "<p>hello</p>".repeat(100);
/// let parsed = text_len_within(&page, 1_000_000).unwrap();
/// assert_eq!(parsed.text_len, 500);
/// assert!(parsed.work < 10 * page.len() as u64);
/// assert_eq!(text_len_within(&page, 100), Err(Rejected::OverBudget { budget: 100 }));
/// ```
pub fn text_len_within(html: &str, budget: u64) -> Result<Parsed, Rejected> {
    let mut soup = Soup::default();
    tokenizer::parse(html, &mut soup, budget)?;
    soup.end_data(Kind::Text);
    Ok(Parsed { text_len: soup.text_len, work: soup.work })
}

/// What a run of characters becomes in bs4's tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A `NavigableString` (or, inside a string container, a `Script`,
    /// `Stylesheet`, … — decided in `end_data`).
    Text,
    /// `<![CDATA[…]]>`: part of `.text`.
    CData,
    /// Comments, the doctype, declarations, processing instructions: not.
    Other,
}

/// Tags whose text bs4 stores in its own string class, which `.text` leaves
/// out (bs4's `HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS`).
const STRING_CONTAINERS: [&str; 5] = ["rt", "rp", "style", "script", "template"];

/// Tags inside which whitespace is kept as it is.
const PRESERVE_WHITESPACE: [&str; 2] = ["pre", "textarea"];

/// Void elements: bs4 closes them as soon as they open
/// (`HTMLTreeBuilder.empty_element_tags`).
const EMPTY_ELEMENTS: [&str; 24] = [
    "area", "base", "basefont", "bgsound", "br", "col", "command", "embed", "frame",
    "hr", "image", "img", "input", "isindex", "keygen", "link", "menuitem", "meta",
    "nextid", "param", "source", "spacer", "track", "wbr",
];

/// bs4's `BeautifulSoup` object, reduced to what decides the text: the open
/// tags, the two special stacks, the pending run of text, and the count.
#[derive(Debug, Default)]
struct Soup {
    /// Open tags, outermost first (bs4's `tagStack` without the root).
    open: Vec<String>,
    /// Indices into `open` of the open `pre`/`textarea` tags.
    preserve: Vec<usize>,
    /// Indices into `open` of the open string containers.
    containers: Vec<usize>,
    /// bs4's `current_data`: text not yet turned into a string.
    pending: String,
    /// Whether `handle_data` was called since the last `end_data` (an empty
    /// call still makes a string: bs4 tests the list, not the text).
    has_pending: bool,
    /// How many tags of each name are open (bs4's `open_tag_counter`):
    /// an end tag that matches none costs nothing, however deep the stack.
    open_count: HashMap<String, usize>,
    /// `BeautifulSoupHTMLParser.already_closed_empty_element`, a list bs4
    /// only tests for membership and removes one of: kept as counts.
    already_closed: HashMap<String, usize>,
    text_len: usize,
    /// Units of work so far (see [`Parsed::work`]).
    work: u64,
}

impl Soup {
    fn data(&mut self, text: &str) {
        self.pending.push_str(text);
        self.has_pending = true;
    }

    /// bs4's `endData`: the pending text becomes one string of `kind`.
    fn end_data(&mut self, kind: Kind) {
        if !self.has_pending {
            return;
        }
        self.work += self.pending.len() as u64;
        let ascii_space = |c: char| matches!(c, ' ' | '\n' | '\t' | '\x0c' | '\r');
        let len = if self.preserve.is_empty() && self.pending.chars().all(ascii_space) {
            1 // "\n" or " "
        } else {
            self.pending.chars().count()
        };
        let counted = match kind {
            Kind::Text => self.containers.is_empty(),
            Kind::CData => true,
            Kind::Other => false,
        };
        if counted {
            self.text_len += len;
        }
        self.pending.clear();
        self.has_pending = false;
    }

    /// `BeautifulSoup.handle_starttag` (+ `pushTag`).
    fn push_tag(&mut self, name: &str) {
        self.end_data(Kind::Text);
        let index = self.open.len();
        self.open.push(name.to_string());
        *self.open_count.entry(name.to_string()).or_default() += 1;
        self.work += 1;
        if PRESERVE_WHITESPACE.contains(&name) {
            self.preserve.push(index);
        }
        if STRING_CONTAINERS.contains(&name) {
            self.containers.push(index);
        }
    }

    /// `BeautifulSoup.handle_endtag` (+ `_popToTag`): pops up to and
    /// including the most recent open `name`; nothing if none is open.
    fn pop_to_tag(&mut self, name: &str) {
        self.end_data(Kind::Text);
        if self.open_count.get(name).is_none_or(|&count| count == 0) {
            return;
        }
        // The most recent `name` is open: pop down to it.
        while let Some(popped) = self.open.pop() {
            let index = self.open.len();
            self.work += 1;
            if let Some(count) = self.open_count.get_mut(&popped) {
                *count -= 1;
            }
            if self.preserve.last() == Some(&index) {
                self.preserve.pop();
            }
            if self.containers.last() == Some(&index) {
                self.containers.pop();
            }
            if popped == name {
                break;
            }
        }
    }

    /// `BeautifulSoupHTMLParser.handle_starttag`.
    fn start_tag(&mut self, name: &str, handle_empty_element: bool) {
        self.push_tag(name);
        if handle_empty_element && EMPTY_ELEMENTS.contains(&name) {
            self.end_tag(name, false);
            *self.already_closed.entry(name.to_string()).or_default() += 1;
        }
    }

    /// `BeautifulSoupHTMLParser.handle_startendtag` (`<tag/>`).
    fn start_end_tag(&mut self, name: &str) {
        self.start_tag(name, false);
        self.end_tag(name, false);
    }

    /// `BeautifulSoupHTMLParser.handle_endtag`: an end tag of a void element
    /// that bs4 already closed is dropped (no `endData` either).
    fn end_tag(&mut self, name: &str, check_already_closed: bool) {
        if check_already_closed
            && let Some(count) = self.already_closed.get_mut(name)
            && *count > 0
        {
            *count -= 1;
        } else {
            self.pop_to_tag(name);
        }
    }

    /// Comments, declarations, processing instructions and CDATA: a string
    /// of their own (`endData()`, the data, `endData(kind)`).
    fn special(&mut self, text: &str, kind: Kind) {
        self.end_data(Kind::Text);
        self.data(text);
        self.end_data(kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each case checked by hand against beautifulsoup4 4.15.0 on CPython
    /// 3.11 (`len(BeautifulSoup(html, "html.parser").text)`); the bulk of the
    /// checking is the differential test in `tests/soup.rs`.
    #[test]
    fn cases_checked_against_bs4() {
        for (html, expected) in [
            ("<rt>x</rt><rp>y</rp><template>z</template>ok", 2),
            ("a<!---->b", 2),
            ("<pre>  </pre>", 2),
            ("  <br>  ", 2),
            ("&foo;&amp x&#65;&#x42;&#128;&#0;", 11),
            ("<p>a</br>  </p>", 2),
            ("x<![CDATA[ab]]>y", 4),
            ("a &# b ;", 8),
            ("a &# b ; &# c ; <b>bold</b>", 27),
            ("<script>a</script>&x", 1),
            // Python looks for these end tags with ASCII case folding only:
            // 'İ' and 'ſ' do not match 'i' and 's', so they stay raw text.
            ("<script>a</scrİpt>b</script>c", 1),
            ("<style>x</ſtyle>y</style>z", 1),
            ("<p>&#x1F600;&#1114112;&#xD800;</p>", 3),
        ] {
            assert_eq!(text_len(html), Ok(expected), "{html:?}");
        }
    }
}
