//! CPython's `html.parser.HTMLParser` as bs4 drives it
//! (`convert_charrefs=False`; `feed(document)`, then `close()`), ported
//! function by function from the 3.11 security release that carries the fix
//! for worst-case quadratic parsing (CVE-2025-6069: `locatetagend`, and the
//! new handling of constructs left open at the end of the input). The copy
//! this port follows is in `python/vendor/cpython_html_parser.py`; names follow it
//! so the two can be read side by side.
//!
//! Python matches regular expressions here; this port scans by hand, one
//! function per pattern (the pattern is in each function's comment), each
//! reproducing what Python's backtracking engine returns. Every scan moves
//! forward through the text and is charged to a work counter, so the cost of
//! a parse is a number a test can read: the bytes the scans examine, plus
//! the tags the tree builder pushes and pops.
//!
//! Positions are byte offsets into one `&str` where Python's are character
//! offsets into the same text; every offset arithmetic below steps over ASCII
//! characters only, so the two agree.

use super::{Kind, Soup, named_character_reference};

mod tags;

/// Why there is no count for a page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    /// BeautifulSoup itself raises on this page: a decimal character
    /// reference longer than Python's `int()` accepts
    /// (`sys.int_info.default_max_str_digits`, 4,300 digits) makes bs4's
    /// `handle_charref` raise `ValueError`.
    #[error(
        "BeautifulSoup raises on this page: a character reference of {digits} decimal \
         digits (Python's int() takes at most {MAX_STR_DIGITS})"
    )]
    HugeCharacterReference {
        /// How many digits the reference has.
        digits: usize,
    },
    /// Parsing stopped because it needed more work than the page's budget.
    #[error(
        "parsing stopped: the page needs more than its budget of {budget} units of work \
         (bytes the tokenizer examines, tags pushed and popped)"
    )]
    OverBudget {
        /// The budget that was exceeded.
        budget: u64,
    },
}

/// Python's limit on the digits `int(str)` converts (3.11 and later).
pub const MAX_STR_DIGITS: usize = 4300;

/// Runs the parser over `html`, reporting to `soup`, within `budget` units
/// of work.
pub(super) fn parse(html: &str, soup: &mut Soup, budget: u64) -> Result<(), Rejected> {
    let mut parser = Parser { raw: html, pos: 0, cdata_elem: None, soup, budget };
    parser.goahead(false)?; // feed()
    parser.goahead(true) // close()
}

/// `[\t\n\r\f ]`: the whitespace of the patched patterns (ASCII only).
fn is_space(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | b'\r' | b'\x0c' | b' ')
}

/// Python's `\s` in `str` patterns and `str.isspace()`: Unicode whitespace,
/// which includes U+001C–U+001F (Rust's `char::is_whitespace` does not).
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Python's `str.strip()`.
fn py_strip(text: &str) -> &str {
    text.trim_matches(is_py_space)
}

struct Parser<'a, 's> {
    raw: &'a str,
    /// The start of Python's `rawdata` (what has not been consumed yet).
    pos: usize,
    cdata_elem: Option<&'static str>,
    soup: &'s mut Soup,
    budget: u64,
}

impl Parser<'_, '_> {
    fn charge(&mut self, bytes: usize) {
        self.soup.work = self.soup.work.saturating_add(bytes as u64);
    }

    fn check_budget(&self) -> Result<(), Rejected> {
        if self.soup.work > self.budget {
            return Err(Rejected::OverBudget { budget: self.budget });
        }
        Ok(())
    }

    /// The first position at or after `from` whose byte does not satisfy
    /// `keep` (the end of the text if every one does).
    fn skip(&mut self, from: usize, keep: impl Fn(u8) -> bool) -> usize {
        let bytes = self.raw.as_bytes();
        let from = from.min(bytes.len());
        let end = bytes[from..]
            .iter()
            .position(|&c| !keep(c))
            .map_or(bytes.len(), |at| from + at);
        self.charge(end - from + 1);
        end
    }

    /// Skips Python's `\s*` (Unicode whitespace) from `from`, a character
    /// boundary.
    fn skip_py_space(&mut self, from: usize) -> usize {
        let Some(rest) = self.raw.get(from..) else { return from };
        let len = rest.find(|c: char| !is_py_space(c)).unwrap_or(rest.len());
        self.charge(len + 1);
        from + len
    }

    /// `str.find(needle, from)` for an ASCII needle.
    fn find(&mut self, from: usize, needle: u8) -> Option<usize> {
        let end = self.skip(from, |c| c != needle);
        (end < self.raw.len()).then_some(end)
    }

    fn goahead(&mut self, end: bool) -> Result<(), Rejected> {
        let raw = self.raw;
        let bytes = raw.as_bytes();
        let n = raw.len();
        let mut i = self.pos;
        while i < n {
            self.check_budget()?;
            // `self.interesting.search(rawdata, i)`: `[&<]`, or the end tag of
            // the raw-text element.
            let j = match self.cdata_elem {
                None => Some(self.skip(i, |c| c != b'<' && c != b'&')).filter(|&j| j < n),
                Some(elem) => self.find_cdata_end(i, elem),
            };
            let j = match j {
                Some(j) => j,
                None if self.cdata_elem.is_some() => break,
                None => n,
            };
            if i < j {
                self.soup.data(&raw[i..j]);
            }
            i = j;
            if i == n {
                break;
            }
            let rest = &raw[i..];
            if rest.starts_with('<') {
                let k = if bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
                    self.parse_starttag(i)
                } else if rest.starts_with("</") {
                    self.parse_endtag(i)
                } else if rest.starts_with("<!--") {
                    self.parse_comment(i)
                } else if rest.starts_with("<?") {
                    self.parse_pi(i)
                } else if rest.starts_with("<!") {
                    self.parse_html_declaration(i)
                } else if i + 1 < n || end {
                    self.soup.data("<");
                    Some(i + 1)
                } else {
                    break;
                };
                i = match k {
                    Some(k) => k,
                    None if !end => break,
                    None => {
                        self.unterminated_at_close(i);
                        n
                    }
                };
            } else if rest.starts_with("&#") {
                if let Some((digits_end, k)) = self.charref(i) {
                    self.handle_charref(&raw[i + 2..digits_end])?;
                    i = k;
                    continue;
                }
                if self.find(i, b';').is_some() {
                    // "bail by consuming &#"
                    self.soup.data("&#");
                    i += 2;
                }
                break;
            } else {
                // `&`: the search stops only at '<' and '&'.
                if let Some((name_end, k)) = self.entityref(i) {
                    self.handle_entityref(&raw[i + 1..name_end]);
                    i = k;
                    continue;
                }
                if bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
                    // `incomplete` matches `&` and a letter.
                    if end && i + 2 == n {
                        i += 1;
                    }
                    break;
                } else if i + 1 < n {
                    self.soup.data("&");
                    i += 1;
                } else {
                    break;
                }
            }
        }
        if end && i < n {
            self.soup.data(&raw[i..n]);
            i = n;
        }
        self.pos = i;
        self.check_budget()
    }

    /// At `close()`, a construct that never ended (its parser returned -1):
    /// the rest of the document is dropped, or becomes one comment, text or
    /// CDATA, as the patched `goahead` decides.
    fn unterminated_at_close(&mut self, i: usize) {
        let raw = self.raw;
        let bytes = raw.as_bytes();
        let rest = &raw[i..];
        if bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            // An unfinished start tag: dropped.
        } else if rest.starts_with("</") {
            if i + 2 == raw.len() {
                self.soup.data("</");
            } else if bytes[i + 2].is_ascii_alphabetic() {
                // An unfinished end tag: dropped.
            } else {
                self.soup.special(&raw[i + 2..], Kind::Other); // bogus comment
            }
        } else if let Some(body) = rest.strip_prefix("<!--") {
            let body = ["--!", "--", "-"]
                .iter()
                .find_map(|suffix| body.strip_suffix(suffix))
                .unwrap_or(body);
            self.soup.special(body, Kind::Other);
        } else if rest.starts_with("<![CDATA[") {
            self.unknown_decl(&raw[i + 3..]);
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            // A doctype, a bogus comment or a processing instruction: none
            // is part of the text.
            self.soup.special(&raw[i + 2..], Kind::Other);
        }
        // Python asserts that nothing else gets here; nothing else can.
    }

    /// The start of the raw-text element's end tag at or after `from`:
    /// `</script(?=[\t\n\r\f />])` (or `style`), ASCII case-insensitive.
    fn find_cdata_end(&mut self, from: usize, elem: &str) -> Option<usize> {
        let bytes = self.raw.as_bytes();
        let mut at = from;
        loop {
            at = self.find(at, b'<')?;
            let name = at + 2..at + 2 + elem.len();
            if bytes.get(at + 1) == Some(&b'/')
                && bytes
                    .get(name.clone())
                    .is_some_and(|s| s.eq_ignore_ascii_case(elem.as_bytes()))
                && bytes
                    .get(name.end)
                    .is_some_and(|&c| is_space(c) || c == b'/' || c == b'>')
            {
                self.charge(elem.len() + 2);
                return Some(at);
            }
            at += 1;
        }
    }

    /// `charref.match(rawdata, i)`:
    /// `&#(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]`. Returns the end of the
    /// digits and where parsing resumes (after a `;`, else at the
    /// terminating character).
    fn charref(&mut self, i: usize) -> Option<(usize, usize)> {
        let bytes = self.raw.as_bytes();
        let start = i + 2;
        let digits_end = match bytes.get(start) {
            Some(c) if c.is_ascii_digit() => self.skip(start, |c| c.is_ascii_digit()),
            Some(b'x' | b'X')
                if bytes.get(start + 1).is_some_and(u8::is_ascii_hexdigit) =>
            {
                self.skip(start + 1, |c| c.is_ascii_hexdigit())
            }
            _ => return None,
        };
        match bytes.get(digits_end) {
            Some(b';') => Some((digits_end, digits_end + 1)),
            Some(c) if !c.is_ascii_hexdigit() => Some((digits_end, digits_end)),
            _ => None,
        }
    }

    /// `entityref.match(rawdata, i)`: `&([a-zA-Z][-.a-zA-Z0-9]*)[^a-zA-Z0-9]`.
    /// Returns the end of the name and where parsing resumes.
    fn entityref(&mut self, i: usize) -> Option<(usize, usize)> {
        let bytes = self.raw.as_bytes();
        if !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            return None;
        }
        let name_char = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'.';
        let run_end = self.skip(i + 2, name_char);
        match bytes.get(run_end) {
            Some(b';') => Some((run_end, run_end + 1)),
            Some(_) => Some((run_end, run_end)),
            // At the end of the input the engine backs off to the last '-'
            // or '.' of the name, which then ends it.
            None => {
                let at = bytes[i + 2..run_end]
                    .iter()
                    .rposition(|&c| c == b'-' || c == b'.')?;
                Some((i + 2 + at, i + 2 + at))
            }
        }
    }

    /// bs4's `handle_charref`: every numeric reference becomes exactly one
    /// character (U+FFFD for 0, surrogates and values past U+10FFFF;
    /// windows-1252's character for 0x80–0x9F). Only whether it is ASCII
    /// whitespace matters to the count, so other characters are stood in
    /// for by U+FFFD. Python's `int()` refuses more than 4,300 decimal
    /// digits, and bs4 lets that error through.
    fn handle_charref(&mut self, digits: &str) -> Result<(), Rejected> {
        let value = match digits.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None if digits.len() > MAX_STR_DIGITS => {
                return Err(Rejected::HugeCharacterReference { digits: digits.len() });
            }
            None => digits.parse::<u32>().ok(),
        };
        let text = match value {
            Some(9) => "\t",
            Some(10) => "\n",
            Some(12) => "\x0c",
            Some(13) => "\r",
            Some(32) => " ",
            _ => "\u{FFFD}",
        };
        self.soup.data(text);
        Ok(())
    }

    /// bs4's `handle_entityref`: a known name becomes its character(s); an
    /// unknown one stays as `&name` (the `;`, if any, is dropped).
    fn handle_entityref(&mut self, name: &str) {
        match named_character_reference(name) {
            Some(text) => self.soup.data(&text),
            None => {
                self.soup.data("&");
                self.soup.data(name);
            }
        }
    }

    /// bs4's `unknown_decl`: CDATA is text; anything else a declaration.
    fn unknown_decl(&mut self, data: &str) {
        match data.get(..6) {
            Some(prefix) if prefix.eq_ignore_ascii_case("CDATA[") => {
                self.soup.special(&data[6..], Kind::CData);
            }
            _ => self.soup.special(data, Kind::Other),
        }
    }

    fn parse_html_declaration(&mut self, i: usize) -> Option<usize> {
        let raw = self.raw;
        if raw[i..].starts_with("<!--") {
            self.parse_comment(i)
        } else if raw[i..].starts_with("<![CDATA[") {
            self.parse_marked_section(i)
        } else if raw
            .as_bytes()
            .get(i..i + 9)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"<!doctype"))
        {
            let gt = self.find(i + 9, b'>')?;
            self.soup.special(&raw[i + 2..gt], Kind::Other);
            Some(gt + 1)
        } else {
            self.parse_bogus_comment(i)
        }
    }

    fn parse_bogus_comment(&mut self, i: usize) -> Option<usize> {
        let pos = self.find(i + 2, b'>')?;
        self.soup.special(&self.raw[i + 2..pos], Kind::Other);
        Some(pos + 1)
    }

    /// `_markupbase.parse_comment`: up to `--\s*>`.
    fn parse_comment(&mut self, i: usize) -> Option<usize> {
        let bytes = self.raw.as_bytes();
        let mut at = i + 4;
        let (start, end) = loop {
            at = self.find(at, b'-')?;
            if bytes.get(at + 1) == Some(&b'-') {
                let gt = self.skip_py_space(at + 2);
                if bytes.get(gt) == Some(&b'>') {
                    break (at, gt + 1);
                }
            }
            at += 1;
        };
        self.soup.special(&self.raw[i + 4..start], Kind::Other);
        Some(end)
    }

    /// `_markupbase.parse_marked_section`, which the patched parser calls
    /// for `<![CDATA[` only: up to `]\s*]\s*>`.
    fn parse_marked_section(&mut self, i: usize) -> Option<usize> {
        let bytes = self.raw.as_bytes();
        let mut at = i + 3;
        let (start, end) = loop {
            at = self.find(at, b']')?;
            let second = self.skip_py_space(at + 1);
            if bytes.get(second) == Some(&b']') {
                let gt = self.skip_py_space(second + 1);
                if bytes.get(gt) == Some(&b'>') {
                    break (at, gt + 1);
                }
            }
            at += 1;
        };
        self.unknown_decl(&self.raw[i + 3..start]);
        Some(end)
    }

    fn parse_pi(&mut self, i: usize) -> Option<usize> {
        let gt = self.find(i + 2, b'>')?;
        self.soup.special(&self.raw[i + 2..gt], Kind::Other);
        Some(gt + 1)
    }
}
