//! The tag scanners of [`super`]: a start tag with its attributes, an end
//! tag, and the patterns they are made of (`locatetagend`,
//! `tagfind_tolerant`, `attrfind_tolerant`), each function one of
//! `html.parser`'s regular expressions scanned by hand, as in the rest of
//! the port.

use super::{Parser, is_space, py_strip};

impl Parser<'_, '_> {
    pub(super) fn parse_starttag(&mut self, i: usize) -> Option<usize> {
        let raw = self.raw;
        let endpos = self.check_for_whole_start_tag(i)?;
        let (name_end, mut k) = self.tagfind_tolerant(i + 1);
        let tag = raw[i + 1..name_end].to_lowercase();
        while k < endpos {
            let Some(next) = self.attrfind_tolerant(k) else { break };
            k = next;
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

    /// `None` for Python's -1: the tag does not end with `>`.
    pub(super) fn check_for_whole_start_tag(&mut self, i: usize) -> Option<usize> {
        let j = self.locatetagend(i + 1);
        (self.raw.as_bytes()[j - 1] == b'>').then_some(j)
    }

    pub(super) fn parse_endtag(&mut self, i: usize) -> Option<usize> {
        let bytes = self.raw.as_bytes();
        self.find(i + 2, b'>')?; // fast check
        if !bytes.get(i + 2).is_some_and(u8::is_ascii_alphabetic) {
            if bytes.get(i + 2) == Some(&b'>') {
                return Some(i + 3); // `</>` is ignored
            }
            return self.parse_bogus_comment(i);
        }
        let j = self.locatetagend(i + 2);
        if bytes[j - 1] != b'>' {
            return None;
        }
        let (name_end, _) = self.tagfind_tolerant(i + 2);
        let tag = self.raw[i + 2..name_end].to_lowercase();
        self.soup.end_tag(&tag, true);
        self.cdata_elem = None;
        Some(j)
    }

    /// `locatetagend.match(rawdata, at)`, where a letter is at `at`:
    ///
    /// ```text
    /// [a-zA-Z][^\t\n\r\f />]*                            tag name
    /// [\t\n\r\f /]*
    /// (?:(?<=['"\t\n\r\f /])[^\t\n\r\f />][^\t\n\r\f /=>]*   attribute name
    ///   (?:[\t\n\r\f ]*=[\t\n\r\f ]*(?:'[^']*'|"[^"]*"|(?!['"])[^>\t\n\r\f ]*))?
    ///   [\t\n\r\f /]*
    /// )*
    /// >?
    /// ```
    ///
    /// Its end: nothing after any part can fail, so the engine's first,
    /// greedy path is the match.
    pub(super) fn locatetagend(&mut self, at: usize) -> usize {
        let bytes = self.raw.as_bytes();
        let mut j = self.skip(at + 1, |c| !is_space(c) && c != b'/' && c != b'>');
        j = self.skip(j, |c| is_space(c) || c == b'/');
        while let Some(name_end) = self.attribute_name(j) {
            j = self.value_indicator(name_end).unwrap_or(name_end);
            j = self.skip(j, |c| is_space(c) || c == b'/');
        }
        if bytes.get(j) == Some(&b'>') { j + 1 } else { j }
    }

    /// `tagfind_tolerant.match(rawdata, at)`, where a letter is at `at`:
    /// `([a-zA-Z][^\t\n\r\f />]*)(?:[\t\n\r\f ]|/(?!>))*`. Returns the end of
    /// the name and the end of the match.
    pub(super) fn tagfind_tolerant(&mut self, at: usize) -> (usize, usize) {
        let name_end = self.skip(at + 1, |c| !is_space(c) && c != b'/' && c != b'>');
        (name_end, self.spaces_and_lone_slashes(name_end))
    }

    /// `attrfind_tolerant.match(rawdata, k)`: an attribute name, an optional
    /// value, then `(?:[\t\n\r\f ]|/(?!>))*`.
    pub(super) fn attrfind_tolerant(&mut self, k: usize) -> Option<usize> {
        let name_end = self.attribute_name(k)?;
        let j = self.value_indicator(name_end).unwrap_or(name_end);
        Some(self.spaces_and_lone_slashes(j))
    }

    /// `(?:[\t\n\r\f ]|/(?!>))*` from `from`.
    pub(super) fn spaces_and_lone_slashes(&mut self, from: usize) -> usize {
        let bytes = self.raw.as_bytes();
        let mut k = from;
        while let Some(&c) = bytes.get(k) {
            if !(is_space(c) || (c == b'/' && bytes.get(k + 1) != Some(&b'>'))) {
                break;
            }
            k += 1;
        }
        self.charge(k - from + 1);
        k
    }

    /// `(?<=['"\t\n\r\f /])[^\t\n\r\f />][^\t\n\r\f /=>]*` at `k`: the end of
    /// the attribute name, if one starts there.
    pub(super) fn attribute_name(&mut self, k: usize) -> Option<usize> {
        let bytes = self.raw.as_bytes();
        let after_separator = k
            .checked_sub(1)
            .and_then(|before| bytes.get(before))
            .is_some_and(|&c| matches!(c, b'\'' | b'"' | b'/') || is_space(c));
        let first = *bytes.get(k)?;
        if !after_separator || is_space(first) || first == b'/' || first == b'>' {
            return None;
        }
        Some(self.skip(k + 1, |c| !is_space(c) && !matches!(c, b'/' | b'=' | b'>')))
    }

    /// The value indicator at `k`, just after an attribute name:
    /// `[\t\n\r\f ]*=[\t\n\r\f ]*('[^']*'|"[^"]*"|(?!['"])[^>\t\n\r\f ]*)`.
    /// Its end, or `None` where it does not match.
    pub(super) fn value_indicator(&mut self, k: usize) -> Option<usize> {
        let bytes = self.raw.as_bytes();
        let equals = self.skip(k, is_space);
        if bytes.get(equals) != Some(&b'=') {
            return None;
        }
        let after_equals = equals + 1;
        let value = self.skip(after_equals, is_space);
        match bytes.get(value) {
            Some(&quote @ (b'\'' | b'"')) => match self.find(value + 1, quote) {
                Some(close) => Some(close + 1),
                // A quote never closed: the engine gives one space back, and
                // an empty bare value matches there.
                None if value > after_equals => Some(value - 1),
                None => None,
            },
            _ => Some(self.skip(value, |c| !is_space(c) && c != b'>')),
        }
    }
}
