//! Bytes to text the way bs4's `UnicodeDammit` does it for
//! `BeautifulSoup(response.content, 'html.parser')`.

use std::borrow::Cow;
use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

use super::{cjk, python_codecs};
use regex::bytes::Regex;

/// A decoded page and how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// The encoding used, by the name bs4 gives it in `original_encoding`:
    /// the candidate's name as bs4 found a codec for it, lowercased (`utf-8`,
    /// `windows-1252`, `latin-1` as a page declared it, `windows-1250` as the
    /// detector named it, …).
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

/// Which BeautifulSoup a count follows: bs4 reads a page the same way in
/// both, except that with a charset detector installed it asks the detector
/// for a guess when the page declares no encoding that decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Environment {
    /// `pip install requests beautifulsoup4`, as the lecture does: requests
    /// brings charset_normalizer, and bs4 uses it.
    #[default]
    Requests,
    /// `pip install beautifulsoup4` alone: no detector, so a page that
    /// declares nothing is UTF-8 or else windows-1252.
    Plain,
}

impl Environment {
    /// Both, the lecture's first.
    pub const ALL: [Environment; 2] = [Environment::Requests, Environment::Plain];

    /// What the learner installed, as a command.
    pub fn pip_install(self) -> &'static str {
        match self {
            Environment::Requests => "pip install requests beautifulsoup4",
            Environment::Plain => "pip install beautifulsoup4",
        }
    }

    /// A short name for a flag and a report (`requests`, `plain`).
    pub fn name(self) -> &'static str {
        match self {
            Environment::Requests => "requests",
            Environment::Plain => "plain",
        }
    }

    /// Three lines for the top of a run: which BeautifulSoup the counts
    /// follow, what that means for a page that declares nothing, and how to
    /// choose the other.
    pub fn note(self) -> String {
        match self {
            Environment::Requests => format!(
                "Counts follow BeautifulSoup after `{}`, as in the lecture:\n\
                 requests brings charset_normalizer, and bs4 asks it to guess the encoding of a page\n\
                 that declares none that decodes. (--env plain: without it.)",
                self.pip_install()
            ),
            Environment::Plain => format!(
                "Counts follow BeautifulSoup after `{}`: no charset detector, so a page\n\
                 that declares no encoding is read as UTF-8, else windows-1252. (--env requests:\n\
                 the lecture's, with requests.)",
                self.pip_install()
            ),
        }
    }
}

impl std::str::FromStr for Environment {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Environment::ALL.into_iter().find(|env| env.name() == name).ok_or_else(|| {
            format!("unknown environment {name:?}: expected \"requests\" or \"plain\"")
        })
    }
}

/// Decodes `body` as bs4 would with no charset detector installed
/// ([`Environment::Plain`]); [`decode_in`] chooses the environment.
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
    decode_in(body, Environment::Plain)
}

/// Decodes `body` as bs4 would in `environment`, in bs4's order: a
/// byte-order mark; the encoding the document declares; the detector's
/// guess, if one is installed and asked; UTF-8; windows-1252. Each
/// strictly; if none decodes cleanly — or the first that does gives empty
/// text, which bs4 takes for a failure too — the same list again from the
/// first, with invalid bytes replaced. Never fails.
///
/// The detector is asked only when the byte-order mark and the declaration
/// gave nothing that decodes — as bs4 asks it, lazily — so most pages cost
/// no detection at all.
///
/// The HTTP header's charset is not an argument: bs4 is handed
/// `response.content` and never sees it, so it cannot change the count.
/// [`header_disagrees`] tells a report when the header named something else.
///
/// ```
/// use webscraping::soup::{decode_in, Environment};
/// // Big5 for "中文網頁測試，這是一個沒有宣告編碼的頁面。", declared nowhere.
/// let big5 = b"<p>\xa4\xa4\xa4\xe5\xba\xf4\xad\xb6\xb4\xfa\xb8\xd5\xa1A\xb3o\xacO\
/// \xa4@\xad\xd3\xa8S\xa6\xb3\xab\xc5\xa7i\xbds\xbdX\xaa\xba\xad\xb6\xad\xb1\xa1C</p>";
/// let count = |decoded: &webscraping::soup::Decoded| {
///     webscraping::soup::text_len(&decoded.text).unwrap()
/// };
/// // With requests installed, charset_normalizer guesses Big5: 21 characters.
/// let guessed = decode_in(big5, Environment::Requests);
/// assert_eq!((guessed.encoding.as_str(), count(&guessed)), ("big5", 21));
/// // Without it, bs4 falls back to windows-1252: one character per byte.
/// let plain = decode_in(big5, Environment::Plain);
/// assert_eq!((plain.encoding.as_str(), count(&plain)), ("windows-1252", 42));
/// ```
pub fn decode_in(body: &[u8], environment: Environment) -> Decoded {
    let (markup, sniffed) = strip_byte_order_mark(body);
    let mut candidates = Candidates::new(markup, sniffed, environment);
    // Strictly: the first candidate Python has a codec for that decodes
    // without an error ends the pass — even if what it decoded is empty.
    let mut strict: Option<(String, String)> = None;
    let mut next = 0;
    while let Some(name) = candidates.get(next) {
        next += 1;
        if let Some((codec, asked)) = Codec::find(&name)
            && let Some(text) = codec.decode_strict(markup)
        {
            strict = Some((text.into_owned(), asked));
            break;
        }
    }
    if let Some((text, encoding)) = &strict
        && !text.is_empty()
    {
        return Decoded {
            text: text.clone(),
            encoding: encoding.clone(),
            replaced: false,
        };
    }
    // bs4 (`if not u`) takes empty text for failure too, and goes through the
    // candidates again from the first, now with invalid bytes replaced: the
    // first one Python has a codec for wins. One *named* "ascii" (bs4
    // compares the name, so "us-ascii" is tried) is passed over, keeping what
    // came before — the empty text of the strict pass, if it is first.
    let mut result = strict.map(|(text, encoding)| (text, encoding, false));
    let mut next = 0;
    while let Some(name) = candidates.get(next) {
        next += 1;
        if name != "ascii" {
            result = Codec::find(&name).map(|(codec, asked)| {
                (codec.decode_lossy(markup).into_owned(), asked, true)
            });
        }
        if result.is_some() {
            break;
        }
    }
    // windows-1252 is always a candidate and always decodes with
    // replacement, so a result was found.
    let (text, encoding, replaced) = result.unwrap_or_default();
    Decoded { text, encoding, replaced }
}

/// bs4's candidate encodings for one page, in its order, each name once
/// (compared lowercased): the byte-order mark's; the declared one; the
/// detector's guess, if one is installed; UTF-8; windows-1252. Produced as
/// bs4 produces them, lazily: the detector is asked only when a pass gets
/// that far.
struct Candidates<'a> {
    markup: &'a [u8],
    environment: Environment,
    names: Vec<String>,
    /// Whether the names after the declaration are in `names` yet.
    complete: bool,
}

impl<'a> Candidates<'a> {
    fn new(markup: &'a [u8], sniffed: Option<&str>, environment: Environment) -> Self {
        let mut candidates =
            Self { markup, environment, names: Vec::new(), complete: false };
        candidates.push(sniffed.map(str::to_string));
        candidates.push(declared_encoding(markup));
        candidates
    }

    fn push(&mut self, name: Option<String>) {
        if let Some(name) = name.map(|name| name.to_lowercase())
            && !self.names.contains(&name)
        {
            self.names.push(name);
        }
    }

    /// The `index`th candidate, or `None` after the last.
    fn get(&mut self, index: usize) -> Option<String> {
        if index >= self.names.len() && !self.complete {
            self.complete = true;
            if self.environment == Environment::Requests {
                // bs4 hands the detector the markup without its byte-order mark.
                self.push(detector_guess(self.markup));
            }
            self.push(Some("utf-8".into()));
            self.push(Some("windows-1252".into()));
        }
        self.names.get(index).cloned()
    }
}

/// What charset_normalizer's chardet-style `detect(markup)["encoding"]`
/// answers (the call bs4 makes), as the Rust port `charset-norm` finds it:
/// the best match's Python codec name, or `None` when nothing fits (binary
/// data), renamed as `detect()` renames it for chardet's users
/// ([`CHARDET_NAMES`]): bs4 reports that name as the page's encoding.
fn detector_guess(markup: &[u8]) -> Option<String> {
    let matches = charset_norm::from_bytes(markup);
    let best = matches.best()?;
    // detect() reports a UTF-8 signature as utf_8_sig, a codec that strips it.
    let encoding = match best.encoding() {
        "utf_8" if best.has_sig_or_bom() => "utf_8_sig",
        other => other,
    };
    let renamed = CHARDET_NAMES.iter().find(|(python, _)| *python == encoding);
    Some(renamed.map_or(encoding, |(_, chardet)| chardet).to_string())
}

/// charset_normalizer's `CHARDET_CORRESPONDENCE` (3.5.3): the names
/// `detect()` gives these codecs, chardet's, instead of Python's.
const CHARDET_NAMES: [(&str, &str); 33] = [
    ("iso2022_kr", "ISO-2022-KR"),
    ("iso2022_jp", "ISO-2022-JP"),
    ("euc_kr", "EUC-KR"),
    ("tis_620", "TIS-620"),
    ("utf_32", "UTF-32"),
    ("euc_jp", "EUC-JP"),
    ("koi8_r", "KOI8-R"),
    ("iso8859_1", "ISO-8859-1"),
    ("latin_1", "ISO-8859-1"),
    ("iso8859_2", "ISO-8859-2"),
    ("iso8859_5", "ISO-8859-5"),
    ("iso8859_6", "ISO-8859-6"),
    ("iso8859_7", "ISO-8859-7"),
    ("iso8859_8", "ISO-8859-8"),
    ("utf_16", "UTF-16"),
    ("cp855", "IBM855"),
    ("mac_cyrillic", "MacCyrillic"),
    ("gb2312", "GB2312"),
    ("gb18030", "GB18030"),
    ("cp932", "CP932"),
    ("cp866", "IBM866"),
    ("utf_8", "utf-8"),
    ("utf_8_sig", "UTF-8-SIG"),
    ("shift_jis", "SHIFT_JIS"),
    ("big5", "Big5"),
    ("cp1250", "windows-1250"),
    ("cp1251", "windows-1251"),
    ("cp1252", "Windows-1252"),
    ("cp1253", "windows-1253"),
    ("cp1255", "windows-1255"),
    ("cp1256", "windows-1256"),
    ("cp1254", "Windows-1254"),
    ("cp949", "CP949"),
];

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
    let (codec, _) = Codec::find(&header.to_lowercase())?;
    (Codec::find(chosen).map(|(c, _)| c) != Some(codec)).then_some(header)
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

/// A codec as Python's `str(data, name)` would use it: found the way
/// `codecs.lookup` finds it (its normalisation, its alias table, its module
/// names — see [`python_codecs`]), and decoding as CPython's does. The
/// multi-byte East Asian codecs are the exception: they decode with the
/// WHATWG table of the same family (`encoding_rs`), which accepts more than
/// Python's (CP949 for `euc-kr`, CP932 for `shift_jis`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Utf8,
    /// `utf_8_sig`: UTF-8 that drops one byte-order mark at the start.
    Utf8Sig,
    /// `utf_7` ([`super::utf7`]).
    Utf7,
    Ascii,
    Latin1,
    /// `utf_16`: a byte-order mark picks the order, else little-endian.
    Utf16,
    Utf16Le,
    Utf16Be,
    /// `utf_32`: a byte-order mark picks the order, else little-endian.
    Utf32,
    Utf32Le,
    Utf32Be,
    /// One of Python's single-byte codecs: its module name and table (256
    /// characters, U+FFFE where the byte is undefined).
    Charmap(&'static str, &'static str),
    /// One of Python's East Asian multi-byte codecs, by module name, decoded
    /// as CPython does ([`cjk`]: tables for the stateless ones, ports of
    /// CPython's decoders for the stateful ISO-2022 family and HZ).
    Cjk(&'static str),
}

/// bs4's `UnicodeDammit.CHARSET_ALIASES`.
fn bs4_alias(name: &str) -> &str {
    match name {
        "macintosh" => "mac-roman",
        "x-sjis" => "shift-jis",
        other => other,
    }
}

/// Python's `encodings.normalize_encoding`: every run of characters other
/// than letters, digits and `.` becomes one `_`, none at either end;
/// non-ASCII letters and digits are dropped.
fn normalize_encoding(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut punctuation = false;
    for c in name.chars() {
        if c.is_alphanumeric() || c == '.' {
            if punctuation && !normalized.is_empty() {
                normalized.push('_');
            }
            if c.is_ascii() {
                normalized.push(c);
            }
            punctuation = false;
        } else {
            punctuation = true;
        }
    }
    normalized
}

/// `codecs.lookup(name)`: the `encodings` module Python finds for `name`
/// (lowercased, normalised, then looked up in the alias table, with `.` as
/// `_` on a second try), or `None` (`LookupError`).
fn python_lookup(name: &str) -> Option<&'static str> {
    if name.contains('\0') {
        return None; // Python: ValueError, which bs4 catches like LookupError
    }
    let normalized = normalize_encoding(&name.to_ascii_lowercase());
    let alias = |key: &str| {
        python_codecs::ALIASES.iter().find(|(a, _)| *a == key).map(|(_, m)| *m)
    };
    let aliased = alias(&normalized).or_else(|| alias(&normalized.replace('.', "_")));
    aliased.into_iter().chain([normalized.as_str()]).find_map(|module| {
        if module.is_empty() || module.contains('.') {
            return None;
        }
        python_codecs::CHARMAPS
            .iter()
            .map(|(m, _)| *m)
            .chain(python_codecs::OTHER_MODULES.iter().copied())
            .find(|known| *known == module)
    })
}

impl Codec {
    /// The codec bs4's `find_codec` settles on for `name`, with the name it
    /// hands to `str()`: `name` through bs4's own aliases, then with its
    /// `-`s removed, then with `-` as `_`; the first Python finds. `None`
    /// when Python has no such codec, when it is not a text encoding
    /// (`rot13`, `base64`…), or when it is one this module does not decode
    /// (`unicode_escape`, `raw_unicode_escape`, `idna`, `punycode`):
    /// bs4 goes on to its next candidate when `str()` raises, and
    /// so does [`decode`] — for the last group, where Python would have
    /// decoded, the counts can differ.
    fn find(name: &str) -> Option<(Self, String)> {
        let tries =
            [bs4_alias(name).to_string(), name.replace('-', ""), name.replace('-', "_")];
        let (tried, module) = tries
            .into_iter()
            .find_map(|tried| python_lookup(&tried).map(|m| (tried, m)))?;
        Some((Self::of_module(module)?, tried.to_lowercase()))
    }

    /// The codec of one of Python's `encodings` modules.
    fn of_module(module: &'static str) -> Option<Self> {
        if let Some((name, table)) =
            python_codecs::CHARMAPS.iter().find(|(m, _)| *m == module)
        {
            return Some(Codec::Charmap(name, table));
        }
        if cjk::knows(module) {
            return Some(Codec::Cjk(module));
        }
        Some(match module {
            "utf_8" => Codec::Utf8,
            "utf_8_sig" => Codec::Utf8Sig,
            "utf_7" => Codec::Utf7,
            "ascii" => Codec::Ascii,
            // `charmap` without a mapping is latin-1.
            "latin_1" | "charmap" => Codec::Latin1,
            "utf_16" => Codec::Utf16,
            "utf_16_le" => Codec::Utf16Le,
            "utf_16_be" => Codec::Utf16Be,
            "utf_32" => Codec::Utf32,
            "utf_32_le" => Codec::Utf32Le,
            "utf_32_be" => Codec::Utf32Be,
            _ => return None,
        })
    }

    /// Decodes `bytes` as Python's codec does with `errors="strict"`:
    /// `None` where Python raises `UnicodeDecodeError`.
    fn decode_strict(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match self {
            Codec::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
            Codec::Utf8Sig => {
                std::str::from_utf8(without_utf8_bom(bytes)).ok().map(Cow::Borrowed)
            }
            Codec::Utf7 => super::utf7::decode(bytes, false).map(Cow::Owned),
            Codec::Ascii if bytes.is_ascii() => {
                std::str::from_utf8(bytes).ok().map(Cow::Borrowed)
            }
            Codec::Ascii => None,
            Codec::Latin1 => {
                Some(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()))
            }
            Codec::Charmap(_, table) => {
                let table = charmap(table);
                bytes
                    .iter()
                    .map(|&b| Some(table[usize::from(b)]).filter(|c| *c != UNDEFINED))
                    .collect::<Option<String>>()
                    .map(Cow::Owned)
            }
            Codec::Utf16 | Codec::Utf16Le | Codec::Utf16Be => {
                let (encoding, bytes) = self.utf16(bytes);
                encoding.decode_without_bom_handling_and_without_replacement(bytes)
            }
            Codec::Utf32 | Codec::Utf32Le | Codec::Utf32Be => {
                let (little_endian, bytes) = self.utf32_order(bytes);
                utf32(bytes, little_endian, false)
            }
            Codec::Cjk(module) => cjk::decode(module, bytes, false).map(Cow::Owned),
        }
    }

    /// Decodes `bytes` as Python's codec does with `errors="replace"`.
    fn decode_lossy(self, bytes: &[u8]) -> Cow<'_, str> {
        match self {
            Codec::Utf8 => String::from_utf8_lossy(bytes),
            Codec::Utf8Sig => String::from_utf8_lossy(without_utf8_bom(bytes)),
            Codec::Utf7 => {
                Cow::Owned(super::utf7::decode(bytes, true).unwrap_or_default())
            }
            // One U+FFFD per byte above 0x7F (not per UTF-8 sequence).
            Codec::Ascii => Cow::Owned(
                bytes
                    .iter()
                    .map(|&b| if b.is_ascii() { char::from(b) } else { '\u{FFFD}' })
                    .collect(),
            ),
            Codec::Latin1 => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
            Codec::Charmap(_, table) => {
                let table = charmap(table);
                Cow::Owned(
                    bytes
                        .iter()
                        .map(|&b| match table[usize::from(b)] {
                            UNDEFINED => '\u{FFFD}',
                            c => c,
                        })
                        .collect(),
                )
            }
            Codec::Utf16 | Codec::Utf16Le | Codec::Utf16Be => {
                let (encoding, bytes) = self.utf16(bytes);
                encoding.decode_without_bom_handling(bytes).0
            }
            Codec::Utf32 | Codec::Utf32Le | Codec::Utf32Be => {
                let (little_endian, bytes) = self.utf32_order(bytes);
                utf32(bytes, little_endian, true).unwrap_or_default()
            }
            Codec::Cjk(module) => {
                Cow::Owned(cjk::decode(module, bytes, true).unwrap_or_default())
            }
        }
    }

    /// The UTF-16 byte order, and the bytes after a byte-order mark that
    /// `utf_16` reads (and removes) itself.
    fn utf16(self, bytes: &[u8]) -> (&'static Encoding, &[u8]) {
        match self {
            Codec::Utf16Be => (UTF_16BE, bytes),
            Codec::Utf16 if bytes.starts_with(&[0xFE, 0xFF]) => (UTF_16BE, &bytes[2..]),
            Codec::Utf16 if bytes.starts_with(&[0xFF, 0xFE]) => (UTF_16LE, &bytes[2..]),
            _ => (UTF_16LE, bytes),
        }
    }

    /// The same for UTF-32: whether it is little-endian, and the bytes.
    fn utf32_order(self, bytes: &[u8]) -> (bool, &[u8]) {
        match self {
            Codec::Utf32Be => (false, bytes),
            Codec::Utf32 if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) => {
                (false, &bytes[4..])
            }
            Codec::Utf32 if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) => (true, &bytes[4..]),
            _ => (true, bytes),
        }
    }
}

/// `bytes` without the UTF-8 byte-order mark it may start with.
fn without_utf8_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// Where a charmap table leaves a byte undefined.
const UNDEFINED: char = '\u{FFFE}';

/// A charmap table as 256 characters, one per byte.
fn charmap(table: &str) -> [char; 256] {
    let mut chars = [UNDEFINED; 256];
    for (slot, c) in chars.iter_mut().zip(table.chars()) {
        *slot = c;
    }
    chars
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
        // Named as bs4 names it: the declared name, lowercased.
        assert_eq!(declared.encoding, "latin-1");
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

    /// Each against `BeautifulSoup(page, 'html.parser')` (bs4 4.15.0 on
    /// CPython 3.11, no detector): what Python's codec registry knows, and
    /// how strictly its single-byte tables decode.
    #[test]
    fn declared_encodings_are_found_and_decoded_as_python_does() {
        let text =
            |page: &[u8]| decode(page).text.split_once("<p>").unwrap().1.to_string();
        // The encoding bs4 settles on, and the text after <p>.
        let chosen = |page: &[u8]| (decode(page).encoding, text(page));
        // A codec Python has and the WHATWG tables lack: IBM855.
        assert_eq!(text(b"<meta charset=\"ibm855\"><p>\x81\xd0\xb0</p>"), "Ђл░</p>");
        // A WHATWG label Python does not know: skipped, windows-1252 reads it.
        assert_eq!(
            chosen(b"<meta charset=\"windows-874\"><p>\xa1\xa2</p>"),
            ("windows-1252".into(), "¡¢</p>".into())
        );
        // Python's cp1251 leaves 0x98 undefined (WHATWG maps it): strict
        // decoding fails, and the next candidate wins.
        assert_eq!(
            decode(b"<meta charset=\"cp1251\"><p>\x98\xc0</p>").encoding,
            "windows-1252"
        );
        // GB18030 as Python decodes it: 0x80 alone is no character there
        // (WHATWG's gb18030 reads €), so bs4 falls through to windows-1252,
        // three characters for 中€ — and four bytes of the four-byte range
        // are one character.
        assert_eq!(
            chosen(b"<meta charset=\"gb18030\"><p>\xd6\xd0\x80</p>"),
            ("windows-1252".into(), "ÖÐ€</p>".into())
        );
        assert_eq!(
            text(b"<meta charset=\"gb18030\"><p>\xd6\xd0\x81\x30\x81\x30</p>"),
            "中\u{80}</p>"
        );
        // An ASCII alias with non-ASCII bytes: UTF-8 is tried next.
        assert_eq!(text(b"<meta charset=\"us\"><p>\xc3\xa9</p>"), "é</p>");
        // "koi8.r": Python's normalisation keeps the dot, and no module
        // has one: unknown.
        assert_eq!(
            decode(b"<meta charset=\"koi8.r\"><p>\xc1</p>").encoding,
            "windows-1252"
        );
        // Spellings Python's normalisation accepts; then two the page's
        // <meta> cuts short at a space (bs4's pattern stops there), and
        // one whose dot Python keeps.
        let koi8 = |name: &str| {
            let mut page = format!("<meta charset=\"{name}\"><p>").into_bytes();
            page.extend_from_slice(b"\xc1</p>");
            let decoded = decode(&page);
            (decoded.encoding, decoded.text.ends_with("<p>а</p>"))
        };
        for name in ["KOI8-R", "Koi8_R", "koi8--r"] {
            assert_eq!(koi8(name), (name.to_lowercase(), true), "{name}");
        }
        for name in ["koi8 r", "  koi8-r  ", "KOI8.R"] {
            assert_eq!(koi8(name), ("windows-1252".into(), false), "{name}");
        }
    }

    /// bs4's last resort decodes with replacement, skipping a candidate
    /// *named* "ascii" — an alias such as "us" is retried, one U+FFFD per
    /// byte above 0x7F.
    #[test]
    fn the_replacement_pass_skips_only_the_name_ascii() {
        let page = b"<meta charset=\"us\"><p>\x81\x8d\xe9</p>";
        let decoded = decode(page);
        assert!(decoded.replaced);
        assert_eq!(decoded.encoding, "us");
        assert!(
            decoded.text.ends_with("<p>\u{FFFD}\u{FFFD}\u{FFFD}</p>"),
            "{}",
            decoded.text
        );
        let named = decode(b"<meta charset=\"ascii\"><p>\x81\x8d\xe9</p>");
        assert_eq!(
            named.encoding, "utf-8",
            "the name ascii is not retried: UTF-8 is next"
        );
    }

    /// Each against bs4 4.15.0 with charset_normalizer 3.5.3 installed.
    #[test]
    fn the_detector_is_asked_only_when_nothing_declared_decodes() {
        let requests = |page: &[u8]| {
            let decoded = decode_in(page, Environment::Requests);
            (decoded.encoding, decoded.text.split_once("<p>").unwrap().1.to_string())
        };
        // A declaration Python's strict EUC-KR refuses (CP949's 똠): the
        // detector's guess, Big5-HKSCS, reads one character; without a
        // detector, windows-1252 reads two.
        let refused = b"<meta charset=\"euc-kr\"><p>\x8c\x63</p>";
        assert_eq!(requests(refused), ("big5hkscs".into(), "稪</p>".into()));
        assert_eq!(decode(refused).text, "<meta charset=\"euc-kr\"><p>Œc</p>");
        // A declaration that decodes: the detector is not asked, though it
        // would guess otherwise for the same bytes undeclared.
        let declared = b"<meta charset=\"latin-1\"><p>Caf\xe9 cr\xe8me</p>";
        assert_eq!(requests(declared), ("latin-1".into(), "Café crème</p>".into()));
        assert_eq!(
            requests(b"<p>Caf\xe9 cr\xe8me</p>"),
            ("windows-1250".into(), "Café crčme</p>".into())
        );
        // A byte-order mark: not asked either.
        assert_eq!(
            requests(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>"),
            ("utf-8".into(), "café</p>".into())
        );
    }

    /// Pages an adversary found, each against bs4 4.15.0 alone and with
    /// charset_normalizer 3.5.3: byte-order marks that lead nowhere, a
    /// `utf-8-sig` that drops its own mark, and decodes that come out empty,
    /// which bs4 counts as failures (`if not u`) and retries with
    /// replacement from its first candidate.
    #[test]
    fn empty_decodes_and_stacked_byte_order_marks_go_as_in_bs4() {
        let count = |page: &[u8], environment| {
            let decoded = decode_in(page, environment);
            let chars = crate::soup::text_len(&decoded.text).expect("a count");
            (chars, decoded.encoding)
        };
        // A page, then bs4's count and encoding alone, then with requests.
        type Case<'a> = (&'a [u8], (usize, &'a str), (usize, &'a str));
        let cases: [Case<'_>; 8] = [
            (
                b"\xff\xfe\xef\xbb\xbf<meta charset=\"utf-8-sig\">ab",
                (2, "utf-8-sig"),
                (2, "utf-8-sig"),
            ),
            (b"\x00\x00\xfe\xff\xef\xbb\xbfabc", (4, "utf-8"), (3, "utf-8-sig")),
            (b"\xff\xfe\x1b$B", (3, "utf-8"), (2, "utf-16le")),
            (b"\xef\xbb\xbf\xff\xfe", (2, "windows-1252"), (2, "utf-8")),
            (b"\xff\xfe\x00\x00~{", (2, "utf-8"), (1, "utf-32le")),
            (b"\xff\xfe\xef\xbb\xbf", (1, "utf-8"), (2, "utf-16le")),
            (b"<meta charset=\"ascii\">\x1b$B", (3, "ascii"), (3, "ascii")),
            // The detector's "UTF-16" reads the mark and nothing: empty,
            // and empty again with replacement, so empty it stays.
            (b"\xfe\xff", (2, "windows-1252"), (0, "utf-16")),
        ];
        for (page, plain, requests) in cases {
            let plain = (plain.0, plain.1.to_string());
            let requests = (requests.0, requests.1.to_string());
            assert_eq!(count(page, Environment::Plain), plain, "{page:?} alone");
            assert_eq!(
                count(page, Environment::Requests),
                requests,
                "{page:?} with requests"
            );
        }
    }

    /// Every case of `tests/fixtures/detector_cases.jsonl` (random byte
    /// strings and what charset_normalizer 3.5.3's `detect()` answered:
    /// `python/detector_cases.py`), and of the file `DETECTOR_CASES` names, if
    /// set: the port's guess finds the same codec (or none, for both).
    #[test]
    fn the_detector_guesses_as_charset_normalizer_does() {
        let committed = include_str!("../../tests/fixtures/detector_cases.jsonl");
        let fresh = std::env::var("DETECTOR_CASES")
            .map(|path| {
                std::fs::read_to_string(&path)
                    .expect("DETECTOR_CASES names a readable file")
            })
            .unwrap_or_default();
        // Python's module for the name: cp1250 and windows-1250 are one.
        let module = |name: Option<&str>| {
            name.map(|name| python_lookup(&name.to_lowercase()).ok_or(name.to_string()))
        };
        let mut checked = 0;
        for line in committed.lines().chain(fresh.lines()) {
            let case: serde_json::Value =
                serde_json::from_str(line).expect("a case line");
            let hex = case["bytes"].as_str().expect("bytes");
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
                .collect();
            let ours = detector_guess(&bytes);
            let theirs = case["guess"].as_str();
            assert_eq!(
                module(ours.as_deref()),
                module(theirs),
                "{hex}: ours {ours:?}, charset_normalizer {theirs:?}"
            );
            checked += 1;
        }
        assert!(checked >= 1000, "{checked} cases");
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
