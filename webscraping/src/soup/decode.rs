//! Bytes to text the way bs4's `UnicodeDammit` does it for
//! `BeautifulSoup(response.content, 'html.parser')`.

use std::borrow::Cow;
use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};
use regex::bytes::Regex;

/// A decoded page and how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// The encoding used, by the name Python's codecs give it
    /// (`utf-8`, `windows-1252`, `iso-8859-1`, …).
    pub encoding: String,
    /// Whether no candidate decoded cleanly, so invalid bytes became U+FFFD.
    pub replaced: bool,
}

/// bs4's regular expressions for an encoding the document declares (bytes,
/// case-insensitive, ASCII `\s`).
static XML_ENCODING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)^\s*<\?.*encoding=['"](.*?)['"].*\?>"#).expect("a valid pattern")
});
static HTML_META: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)<\s*meta[^>]+charset\s*=\s*["']?([^>]*?)[ /;'">]"#)
        .expect("a valid pattern")
});

/// Decodes `body` as bs4 would, in bs4's order: a byte-order mark; the
/// encoding the document declares; UTF-8; windows-1252. Each strictly; if
/// none decodes cleanly, the same list again with invalid bytes replaced.
/// Never fails.
///
/// The HTTP header's charset is not an argument: bs4 is handed
/// `response.content` and never sees it, so it cannot change the count.
/// [`header_disagrees`] tells a report when the header named something else.
///
/// ```
/// use webscraping::soup::decode;
/// // Declared in <meta>: read as windows-1252, where 0xE9 is "é".
/// let page = b"<meta charset=\"windows-1252\"><p>caf\xe9</p>";
/// let decoded = decode(page);
/// assert_eq!(decoded.encoding, "windows-1252");
/// assert!(decoded.text.ends_with("café</p>"));
/// ```
pub fn decode(body: &[u8]) -> Decoded {
    let (markup, sniffed) = strip_byte_order_mark(body);
    let mut candidates: Vec<String> = Vec::new();
    let mut consider = |name: Option<String>| {
        if let Some(name) = name.map(|n| n.to_lowercase())
            && !candidates.contains(&name)
        {
            candidates.push(name);
        }
    };
    consider(sniffed.map(str::to_string));
    consider(declared_encoding(markup));
    consider(Some("utf-8".into()));
    consider(Some("windows-1252".into()));

    for name in &candidates {
        if let Some(codec) = Codec::find(name)
            && let Some(text) = codec.decode_strict(markup)
        {
            return Decoded {
                text: text.into_owned(),
                encoding: codec.name(name),
                replaced: false,
            };
        }
    }
    for name in &candidates {
        // bs4 does not retry ASCII with replacement.
        if let Some(codec) = Codec::find(name).filter(|codec| *codec != Codec::Ascii) {
            let text = codec.decode_lossy(markup);
            return Decoded {
                text: text.into_owned(),
                encoding: codec.name(name),
                replaced: true,
            };
        }
    }
    // Unreachable: windows-1252 is always a candidate and always decodes.
    let text = Codec::Cp1252.decode_lossy(markup).into_owned();
    Decoded { text, encoding: "windows-1252".into(), replaced: true }
}

/// The HTTP header's charset, when it names a different codec from the
/// one bs4 chose (`chosen`, a [`Decoded::encoding`]) — worth showing beside
/// the count, since a browser would have read the page by the header.
/// `None` when they agree, or when the header names no codec Python knows
/// here.
///
/// ```
/// use webscraping::soup::header_disagrees;
/// assert_eq!(header_disagrees(Some("Big5"), "windows-1252"), Some("Big5"));
/// assert_eq!(header_disagrees(Some("UTF8"), "utf-8"), None);
/// assert_eq!(header_disagrees(None, "utf-8"), None);
/// ```
pub fn header_disagrees<'a>(
    header_charset: Option<&'a str>,
    chosen: &str,
) -> Option<&'a str> {
    let header = header_charset?;
    let codec = Codec::find(header)?;
    // `chosen` may read "x-sjis (as shift_jis)": its first word is the name.
    let chosen = chosen.split(' ').next().unwrap_or(chosen);
    (Codec::find(chosen) != Some(codec)).then_some(header)
}

/// bs4's `EncodingDetector.strip_byte_order_mark`.
fn strip_byte_order_mark(data: &[u8]) -> (&[u8], Option<&'static str>) {
    let not_two_zeros = data.get(2..4).is_some_and(|pair| pair != [0, 0]);
    if data.starts_with(&[0xFE, 0xFF]) && not_two_zeros {
        (&data[2..], Some("utf-16be"))
    } else if data.starts_with(&[0xFF, 0xFE]) && not_two_zeros {
        (&data[2..], Some("utf-16le"))
    } else if data.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (&data[3..], Some("utf-8"))
    } else if data.starts_with(&[0, 0, 0xFE, 0xFF]) {
        (&data[4..], Some("utf-32be"))
    } else if data.starts_with(&[0xFF, 0xFE, 0, 0]) {
        (&data[4..], Some("utf-32le"))
    } else {
        (data, None)
    }
}

/// bs4's `find_declared_encoding` (not searching the whole document): an
/// XML declaration in the first 1024 bytes, else `<meta … charset=…>` in the
/// first 2048 bytes or 5 % of the document, whichever is more.
fn declared_encoding(markup: &[u8]) -> Option<String> {
    let xml_end = markup.len().min(1024);
    let html_end = markup.len().min(2048.max(markup.len() / 20));
    let found = XML_ENCODING
        .captures(&markup[..xml_end])
        .or_else(|| HTML_META.captures(&markup[..html_end]))?;
    let name = found.get(1)?.as_bytes();
    // Python decodes the name as ASCII with replacement, then lowercases.
    let name: String = name
        .iter()
        .map(|&b| if b.is_ascii() { char::from(b) } else { '\u{FFFD}' })
        .collect();
    (!name.is_empty()).then(|| name.to_lowercase())
}

/// The codecs this module decodes the way Python's do; any other name goes
/// to `encoding_rs` (the WHATWG tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Utf8,
    Ascii,
    /// ISO-8859-1: every byte is the character of the same number.
    Latin1,
    /// Python's cp1252: five bytes are undefined and fail strict decoding
    /// (WHATWG's windows-1252 maps them to C1 controls instead).
    Cp1252,
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
    Other(&'static Encoding),
}

impl Codec {
    /// Python's codec lookup for `name` (as bs4's `find_codec` asks it).
    fn find(name: &str) -> Option<Self> {
        // `encodings.normalize_encoding`: punctuation and spaces to '_'.
        let key: String = name
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' })
            .collect();
        let key = key.trim_matches('_');
        Some(match key {
            "utf_8" | "utf8" | "u8" | "utf" | "cp65001" | "utf_8_sig" => Codec::Utf8,
            "ascii" | "us_ascii" | "646" | "us" | "ansi_x3.4_1968" | "iso646_us"
            | "cp367" | "csascii" | "ibm367" | "iso_ir_6" => Codec::Ascii,
            "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1"
            | "8859" | "cp819" | "ibm819" | "iso_ir_100" | "csisolatin1"
            | "iso_8859_1_1987" => Codec::Latin1,
            "cp1252" | "windows_1252" | "1252" => Codec::Cp1252,
            "utf_16_le" | "utf_16le" | "utf16le" => Codec::Utf16Le,
            "utf_16_be" | "utf_16be" | "utf16be" => Codec::Utf16Be,
            "utf_32_le" | "utf_32le" | "utf32le" => Codec::Utf32Le,
            "utf_32_be" | "utf_32be" | "utf32be" => Codec::Utf32Be,
            // bs4's own aliases, then the WHATWG labels.
            "macintosh" => Codec::Other(Encoding::for_label(b"macintosh")?),
            "x_sjis" => Codec::Other(Encoding::for_label(b"shift_jis")?),
            _ => Codec::Other(Encoding::for_label(name.trim().as_bytes())?),
        })
    }

    /// The name to report.
    fn name(self, asked: &str) -> String {
        match self {
            Codec::Utf8 => "utf-8".into(),
            Codec::Ascii => "ascii".into(),
            Codec::Latin1 => "iso-8859-1".into(),
            Codec::Cp1252 => "windows-1252".into(),
            Codec::Utf16Le => "utf-16le".into(),
            Codec::Utf16Be => "utf-16be".into(),
            Codec::Utf32Le => "utf-32le".into(),
            Codec::Utf32Be => "utf-32be".into(),
            Codec::Other(encoding) if encoding.name().eq_ignore_ascii_case(asked) => {
                encoding.name().to_lowercase()
            }
            Codec::Other(encoding) => {
                format!("{asked} (as {})", encoding.name().to_lowercase())
            }
        }
    }

    fn decode_strict(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match self {
            Codec::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
            Codec::Ascii if bytes.is_ascii() => {
                std::str::from_utf8(bytes).ok().map(Cow::Borrowed)
            }
            Codec::Ascii => None,
            Codec::Latin1 => {
                Some(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()))
            }
            Codec::Cp1252 => {
                if bytes.iter().any(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)) {
                    return None;
                }
                Some(WINDOWS_1252.decode_without_bom_handling(bytes).0)
            }
            Codec::Utf16Le => {
                UTF_16LE.decode_without_bom_handling_and_without_replacement(bytes)
            }
            Codec::Utf16Be => {
                UTF_16BE.decode_without_bom_handling_and_without_replacement(bytes)
            }
            Codec::Utf32Le | Codec::Utf32Be => {
                utf32(bytes, self == Codec::Utf32Le, false)
            }
            Codec::Other(encoding) => {
                encoding.decode_without_bom_handling_and_without_replacement(bytes)
            }
        }
    }

    fn decode_lossy(self, bytes: &[u8]) -> Cow<'_, str> {
        match self {
            Codec::Utf8 | Codec::Ascii => String::from_utf8_lossy(bytes),
            Codec::Latin1 => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
            Codec::Cp1252 => Cow::Owned(
                bytes
                    .iter()
                    .map(|&b| match b {
                        0x81 | 0x8D | 0x8F | 0x90 | 0x9D => '\u{FFFD}',
                        _ => WINDOWS_1252
                            .decode_without_bom_handling(&[b])
                            .0
                            .chars()
                            .next()
                            .unwrap_or('\u{FFFD}'),
                    })
                    .collect(),
            ),
            Codec::Utf16Le => UTF_16LE.decode_without_bom_handling(bytes).0,
            Codec::Utf16Be => UTF_16BE.decode_without_bom_handling(bytes).0,
            Codec::Utf32Le | Codec::Utf32Be => {
                utf32(bytes, self == Codec::Utf32Le, true).unwrap_or_default()
            }
            Codec::Other(encoding) => encoding.decode_without_bom_handling(bytes).0,
        }
    }
}

/// UTF-32 (no `encoding_rs` codec): four bytes per character; with `lossy`,
/// each bad unit (and a trailing partial one) becomes U+FFFD.
fn utf32(bytes: &[u8], little_endian: bool, lossy: bool) -> Option<Cow<'static, str>> {
    let mut text = String::with_capacity(bytes.len() / 4);
    let units = bytes.chunks(4);
    for unit in units {
        let ch = <[u8; 4]>::try_from(unit).ok().and_then(|unit| {
            let value = if little_endian {
                u32::from_le_bytes(unit)
            } else {
                u32::from_be_bytes(unit)
            };
            char::from_u32(value)
        });
        match ch {
            Some(ch) => text.push(ch),
            None if lossy => text.push('\u{FFFD}'),
            None => return None,
        }
    }
    Some(Cow::Owned(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_is_bom_then_declared_then_utf8_then_windows_1252() {
        // A BOM wins over a declaration.
        let bom = decode(b"\xef\xbb\xbf<meta charset=latin-1>\xc3\xa9");
        assert_eq!((bom.encoding.as_str(), bom.text.ends_with('é')), ("utf-8", true));
        // A declaration wins over UTF-8: two characters, not one.
        let declared = decode(b"<meta charset=latin-1>\xc3\xa9");
        assert_eq!(declared.encoding, "iso-8859-1");
        assert!(declared.text.ends_with("Ã©"));
        // Nothing declared: valid UTF-8 is UTF-8.
        assert_eq!(decode(b"<p>\xc3\xa9</p>").encoding, "utf-8");
        // Not UTF-8: windows-1252; never refused.
        let fallback = decode(b"<p>caf\xe9</p>");
        assert_eq!(
            (fallback.encoding.as_str(), fallback.text.as_str()),
            ("windows-1252", "<p>café</p>")
        );
        assert!(!fallback.replaced);
    }

    #[test]
    fn the_header_never_changes_the_count_only_the_report() {
        // `<p>中文</p>` in Big5, undeclared. A browser reads it by the
        // header; bs4 (no detector installed) never sees the header and
        // falls back to windows-1252: 4 characters, not 2.
        let page = b"<p>\xa4\xa4\xa4\xe5</p>";
        let decoded = decode(page);
        assert_eq!(decoded.encoding, "windows-1252");
        assert_eq!(crate::soup::text_len(&decoded.text).unwrap(), 4);
        assert_eq!(header_disagrees(Some("big5"), &decoded.encoding), Some("big5"));
        // A header that agrees under another of Python's names says nothing.
        assert_eq!(header_disagrees(Some("cp1252"), &decoded.encoding), None);
        assert_eq!(header_disagrees(Some("latin-1"), "iso-8859-1"), None);
        // latin-1 and windows-1252 are different codecs in Python.
        assert_eq!(
            header_disagrees(Some("iso-8859-1"), "windows-1252"),
            Some("iso-8859-1")
        );
        // A name no codec answers to is not a disagreement worth a word.
        assert_eq!(header_disagrees(Some("no-such-codec"), "utf-8"), None);
    }

    #[test]
    fn bytes_nothing_decodes_become_replacement_characters() {
        // 0x81 is undefined in Python's cp1252, and not UTF-8 either.
        let decoded = decode(b"a\x81b");
        assert!(decoded.replaced);
        assert_eq!(decoded.text.chars().count(), 3);
    }
}
