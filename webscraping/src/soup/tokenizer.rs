//! CPython 3.11's `html.parser.HTMLParser`, as bs4 drives it
//! (`convert_charrefs=False`; `feed(document)`, then `close()`), ported
//! function by function. Names follow the Python source
//! (`Lib/html/parser.py`, `Lib/_markupbase.py`) so the two can be read side
//! by side; positions are byte offsets into one `&str` where Python's are
//! character offsets into the same text (every offset arithmetic below steps
//! over ASCII characters only, so the two agree).

use std::sync::LazyLock;

use fancy_regex::Regex;

use super::{Kind, Soup, named_character_reference};

/// `html.parser` gave up on the document (Python raises `AssertionError`,
/// bs4 turns it into `ParserRejectedMarkup`): there is no count to match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("html.parser rejects this document: {0}")]
pub struct Rejected(String);

/// Python's `\s` for `str` patterns: Unicode whitespace as `str.isspace()`
/// sees it, which includes U+001C–U+001F (Rust's `\s` does not).
const WS: &str = r"\t\n\x0B\x0C\r\x1C-\x1F \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}";

/// Compiles a Python pattern: `\G` anchors it where Python's `match(s, pos)`
/// does, `\s` becomes Python's whitespace class.
fn python(pattern: &str) -> Regex {
    let pattern =
        pattern.replace(r"[^\s", &format!("[^{WS}")).replace(r"\s", &format!("[{WS}]"));
    Regex::new(&pattern).expect("a valid pattern")
}

macro_rules! patterns {
    ($($name:ident = $pattern:expr;)*) => {
        $(static $name: LazyLock<Regex> = LazyLock::new(|| python($pattern));)*
    };
}

patterns! {
    ENTITYREF = r"\G&([a-zA-Z][-.a-zA-Z0-9]*)[^a-zA-Z0-9]";
    CHARREF = r"\G&#(?:[0-9]+|[xX][0-9a-fA-F]+)[^0-9a-fA-F]";
    INCOMPLETE = r"\G&[a-zA-Z#]";
    TAGFIND_TOLERANT = r"\G([a-zA-Z][^\t\n\r\f />\x00]*)(?:\s|/(?!>))*";
    ATTRFIND_TOLERANT = r#"\G((?<=['"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?(?:\s|/(?!>))*"#;
    LOCATESTARTTAGEND_TOLERANT = concat!(
        r#"\G<[a-zA-Z][^\t\n\r\f />\x00]*"#,
        r#"(?:[\s/]*(?:(?<=['"\s/])[^\s/>][^\s/=>]*"#,
        r#"(?:\s*=+\s*(?:'[^']*'|"[^"]*"|(?!['"])[^>\s]*)\s*)?(?:\s|/(?!>))*)*)?"#,
        r#"\s*"#,
    );
    ENDTAGFIND = r"\G</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>";
    COMMENTCLOSE = r"--\s*>";
    MARKEDSECTIONCLOSE = r"]\s*]\s*>";
    MSMARKEDSECTIONCLOSE = r"]\s*>";
    DECLNAME = r"\G[a-zA-Z][-_.a-zA-Z0-9]*\s*";
    // Python compiles these with re.IGNORECASE, whose Unicode folding also
    // lets 'ſ' (U+017F) match 's', 'ı' (U+0131) and 'İ' (U+0130) match
    // 'i': spelled out, so the regex engine needs no Unicode case tables.
    SCRIPT_END = r"</\s*[sSſ][cC][rR][iIıİ][pP][tT]\s*>";
    STYLE_END = r"</\s*[sSſ][tT][yY][lL][eE]\s*>";
}

/// Runs the parser over `html`, reporting to `soup`.
pub(super) fn parse(html: &str, soup: &mut Soup) -> Result<(), Rejected> {
    let mut parser = Parser { raw: html, pos: 0, cdata_elem: None, soup };
    parser.goahead(false)?; // feed()
    parser.goahead(true) // close()
}

/// `re.match(pattern, s, pos)`: the match starting exactly at `pos`.
fn match_at<'t>(
    re: &Regex,
    text: &'t str,
    pos: usize,
) -> Option<fancy_regex::Captures<'t, str>> {
    // A backtracking limit hit is not a match (Python would keep going, but
    // no pattern here backtracks that far on real input).
    re.captures_from_pos(text, pos).ok().flatten()
}

/// `pattern.search(s, pos)`: (start, end) of the first match at or after `pos`.
fn search(re: &Regex, text: &str, pos: usize) -> Option<(usize, usize)> {
    re.find_from_pos(text, pos).ok().flatten().map(|m| (m.start(), m.end()))
}

fn find(text: &str, needle: char, from: usize) -> Option<usize> {
    text.get(from..)?.find(needle).map(|at| at + from)
}

/// Python's `str.strip()`: Unicode whitespace, as `str.isspace` defines it.
fn py_strip(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c))
}

struct Parser<'a, 's> {
    raw: &'a str,
    /// The start of Python's `rawdata` (what has not been consumed yet).
    pos: usize,
    cdata_elem: Option<&'static str>,
    soup: &'s mut Soup,
}

impl Parser<'_, '_> {
    fn goahead(&mut self, end: bool) -> Result<(), Rejected> {
        let raw = self.raw;
        let n = raw.len();
        let mut i = self.pos;
        while i < n {
            // `self.interesting.search(rawdata, i)`: `[&<]`, or the end tag of
            // the raw-text element.
            let j = match self.cdata_elem {
                None => raw[i..].find(['&', '<']).map(|at| at + i),
                Some(elem) => {
                    let end_tag = if elem == "script" { &SCRIPT_END } else { &STYLE_END };
                    search(end_tag, raw, i).map(|(start, _)| start)
                }
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
                let k = if rest.as_bytes().get(1).is_some_and(u8::is_ascii_alphabetic) {
                    self.parse_starttag(i)
                } else if rest.starts_with("</") {
                    self.parse_endtag(i)
                } else if rest.starts_with("<!--") {
                    self.parse_comment(i)
                } else if rest.starts_with("<?") {
                    self.parse_pi(i)
                } else if rest.starts_with("<!") {
                    self.parse_html_declaration(i)?
                } else if i + 1 < n {
                    self.soup.data("<");
                    Some(i + 1)
                } else {
                    break;
                };
                let k = match k {
                    Some(k) => k,
                    None if !end => break,
                    None => {
                        // An incomplete construct at close: up to the next
                        // `>` (included), else the next `<`, becomes text.
                        let k = match find(raw, '>', i + 1) {
                            Some(gt) => gt + 1,
                            None => find(raw, '<', i + 1).unwrap_or(i + 1),
                        };
                        self.soup.data(&raw[i..k]);
                        k
                    }
                };
                i = k;
            } else if rest.starts_with("&#") {
                if let Some(m) = match_at(&CHARREF, raw, i) {
                    let whole = m.get(0).expect("group 0");
                    let last =
                        whole.as_str().chars().next_back().map_or(1, char::len_utf8);
                    self.handle_charref(&whole.as_str()[2..whole.as_str().len() - last]);
                    let mut k = whole.end();
                    if !raw[..k].ends_with(';') {
                        k -= last;
                    }
                    i = k;
                    continue;
                }
                if raw[i..].contains(';') {
                    // "bail by consuming &#"
                    self.soup.data("&#");
                    i += 2;
                }
                break;
            } else if rest.starts_with('&') {
                if let Some(m) = match_at(&ENTITYREF, raw, i) {
                    let name = m.get(1).expect("group 1").as_str();
                    self.handle_entityref(name);
                    let whole = m.get(0).expect("group 0");
                    let mut k = whole.end();
                    if !raw[..k].ends_with(';') {
                        k -= whole.as_str().chars().next_back().map_or(1, char::len_utf8);
                    }
                    i = k;
                    continue;
                }
                if let Some(m) = match_at(&INCOMPLETE, raw, i) {
                    if end && m.get(0).expect("group 0").as_str() == &raw[i..] {
                        i += 1;
                    }
                    break;
                } else if i + 1 < n {
                    self.soup.data("&");
                    i += 1;
                } else {
                    break;
                }
            } else {
                unreachable!("the search stops only at '<' and '&'");
            }
        }
        if end && i < n && self.cdata_elem.is_none() {
            self.soup.data(&raw[i..n]);
            i = n;
        }
        self.pos = i;
        Ok(())
    }

    /// bs4's `handle_charref`: every numeric reference becomes exactly one
    /// character (U+FFFD for 0, surrogates and values past U+10FFFF;
    /// windows-1252's character for 0x80–0x9F). Only whether it is ASCII
    /// whitespace matters to the count, so other characters are stood in
    /// for by U+FFFD.
    fn handle_charref(&mut self, digits: &str) {
        let value = match digits.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
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

    fn parse_html_declaration(&mut self, i: usize) -> Result<Option<usize>, Rejected> {
        let raw = self.raw;
        if raw[i..].starts_with("<!--") {
            Ok(self.parse_comment(i))
        } else if raw[i..].starts_with("<![") {
            self.parse_marked_section(i)
        } else if raw.get(i..i + 9).is_some_and(|s| s.eq_ignore_ascii_case("<!doctype")) {
            let Some(gt) = find(raw, '>', i + 9) else { return Ok(None) };
            self.soup.special(&raw[i + 2..gt], Kind::Other);
            Ok(Some(gt + 1))
        } else {
            Ok(self.parse_bogus_comment(i))
        }
    }

    fn parse_bogus_comment(&mut self, i: usize) -> Option<usize> {
        let pos = find(self.raw, '>', i + 2)?;
        self.soup.special(&self.raw[i + 2..pos], Kind::Other);
        Some(pos + 1)
    }

    fn parse_comment(&mut self, i: usize) -> Option<usize> {
        let (start, end) = search(&COMMENTCLOSE, self.raw, i + 4)?;
        self.soup.special(&self.raw[i + 4..start], Kind::Other);
        Some(end)
    }

    /// `_markupbase.parse_marked_section`: `<![CDATA[…]]>` and friends.
    fn parse_marked_section(&mut self, i: usize) -> Result<Option<usize>, Rejected> {
        let raw = self.raw;
        // `_scan_name(i + 3, i)`
        if i + 3 == raw.len() {
            return Ok(None); // end of buffer
        }
        let Some(m) = match_at(&DECLNAME, raw, i + 3) else {
            let context: String = raw[i..].chars().take(20).collect();
            return Err(Rejected(format!("expected name token at {context:?}")));
        };
        let whole = m.get(0).expect("group 0");
        if whole.end() == raw.len() {
            return Ok(None); // end of buffer
        }
        let name = py_strip(whole.as_str()).to_lowercase();
        let close = match name.as_str() {
            "temp" | "cdata" | "ignore" | "include" | "rcdata" => &MARKEDSECTIONCLOSE,
            "if" | "else" | "endif" => &MSMARKEDSECTIONCLOSE,
            _ => {
                return Err(Rejected(format!(
                    "unknown status keyword {name:?} in marked section"
                )));
            }
        };
        let Some((start, end)) = search(close, raw, i + 3) else { return Ok(None) };
        // bs4's `unknown_decl`: CDATA is text; anything else a declaration.
        let data = &raw[i + 3..start];
        match data.get(..6) {
            Some(prefix) if prefix.eq_ignore_ascii_case("CDATA[") => {
                self.soup.special(&data[6..], Kind::CData);
            }
            _ => self.soup.special(data, Kind::Other),
        }
        Ok(Some(end))
    }

    fn parse_pi(&mut self, i: usize) -> Option<usize> {
        let gt = find(self.raw, '>', i + 2)?;
        self.soup.special(&self.raw[i + 2..gt], Kind::Other);
        Some(gt + 1)
    }

    fn parse_starttag(&mut self, i: usize) -> Option<usize> {
        let raw = self.raw;
        let endpos = self.check_for_whole_start_tag(i)?;
        let m = match_at(&TAGFIND_TOLERANT, raw, i + 1).expect("a letter follows '<'");
        let mut k = m.get(0).expect("group 0").end();
        let tag = m.get(1).expect("group 1").as_str().to_lowercase();
        while k < endpos {
            let Some(attr) = match_at(&ATTRFIND_TOLERANT, raw, k) else { break };
            k = attr.get(0).expect("group 0").end();
        }
        let end = raw.get(k..endpos).map_or("", py_strip);
        if end != ">" && end != "/>" {
            self.soup.data(&raw[i..endpos]);
            return Some(endpos);
        }
        if end.ends_with("/>") {
            self.soup.start_end_tag(&tag);
        } else {
            self.soup.start_tag(&tag, true);
            self.cdata_elem = match tag.as_str() {
                "script" => Some("script"),
                "style" => Some("style"),
                _ => self.cdata_elem,
            };
        }
        Some(endpos)
    }

    /// `None` for Python's -1: the tag is not complete (yet).
    fn check_for_whole_start_tag(&self, i: usize) -> Option<usize> {
        let raw = self.raw;
        let m = match_at(&LOCATESTARTTAGEND_TOLERANT, raw, i).expect("'<' and a letter");
        let j = m.get(0).expect("group 0").end();
        match raw[j..].chars().next() {
            Some('>') => Some(j + 1),
            Some('/') if raw[j..].starts_with("/>") => Some(j + 2),
            Some('/') | None => None,
            Some(next) if next.is_ascii_alphabetic() || next == '=' || next == '/' => {
                None
            }
            Some(_) if j > i => Some(j),
            Some(_) => Some(i + 1),
        }
    }

    fn parse_endtag(&mut self, i: usize) -> Option<usize> {
        let raw = self.raw;
        let gtpos = find(raw, '>', i + 1)? + 1;
        let Some(m) = match_at(&ENDTAGFIND, raw, i) else {
            if self.cdata_elem.is_some() {
                self.soup.data(&raw[i..gtpos]);
                return Some(gtpos);
            }
            let Some(name) = match_at(&TAGFIND_TOLERANT, raw, i + 2) else {
                if raw[i..].starts_with("</>") {
                    return Some(i + 3);
                }
                return self.parse_bogus_comment(i);
            };
            let tagname = name.get(1).expect("group 1").as_str().to_lowercase();
            let gt = find(raw, '>', name.get(0).expect("group 0").end())?;
            self.soup.end_tag(&tagname, true);
            return Some(gt + 1);
        };
        let elem = m.get(1).expect("group 1").as_str().to_lowercase();
        if let Some(cdata) = self.cdata_elem
            && elem != cdata
        {
            self.soup.data(&raw[i..gtpos]);
            return Some(gtpos);
        }
        self.soup.end_tag(&elem, true);
        self.cdata_elem = None;
        Some(gtpos)
    }
}
