"""Realistic pages and BeautifulSoup's count for each: the differential test.

The lecture prints len(BeautifulSoup(response.content, 'html.parser').text).
This script generates pages that look like the real web — indented markup,
CRLF and LF, scripts, styles, templates, comments and conditional comments,
entities with and without ';', <pre>/<textarea>, <noscript>, SVG and MathML,
tables, forms, unclosed and misnested tags, stray '<', bodies in UTF-8 (with
and without a BOM), windows-1252 and latin-1, the charset in the HTTP header,
in <meta>, or nowhere — and records what bs4 itself says of each.

    python3 webscraping/python/soup_fixtures.py --seed 1 --pages 600 \\
        --malformed 200 --max-bytes 16384 --out webscraping/tests/fixtures/soup_pages.jsonl
    (--declared defaults to a fifth of --pages: 120 here)

Each output line is JSON: name, seed, header_charset (or null), body (the raw
bytes as a latin-1 string: one character per byte), bs4_len (or null when
bs4 raises on the page), bs4_encoding. `tests/soup.rs` reads the file;
with SOUP_PAGES=<file> it reads that one too (.ci/soup-differential makes a
fresh batch with a new seed on every CI run).

The html.parser bs4 runs on is the pinned copy in this folder
(vendor/cpython_html_parser.py: CPython 3.11 with the fix for CVE-2025-6069, loaded
by pinned_parser.py), whatever the interpreter ships.

Besides the realistic pages (--pages), it writes --malformed pages made of
the constructs an adversary uses against a parser — one tag with a huge run
of attributes, spaces, slashes or '='; start tags, comments, CDATA and
declarations that never end, repeated; deep stacks of unmatched end tags;
floods of references — each at a random size up to --max-bytes, between a
little realistic text; and, one in four, strings of the tokenizer's delimiters
picked at random. These come from their own random stream, so the
realistic pages of a seed do not change when they are added.

And --declared pages (default: a fifth of --pages), from a third stream:
each declares an encoding in <meta> — a name from Python's alias table or
module list, spelled in any case with any punctuation, or a WHATWG label
Python does not know — with text in that codec and a few random bytes above
0x7F, which the codec may leave undefined. What decides them is Python's
codec lookup and the strictness of its tables. The few Python codecs the
Rust side does not decode are not declared (NOT_DECLARED: the module docs
of webscraping::soup say why).

And --legacy pages (default: a tenth of --pages), from a fourth stream: text
in Big5, GB2312, EUC-JP, Shift_JIS, EUC-KR, KOI8-R, windows-1251 or TIS-620
with no declaration; UTF-16 and UTF-32, with and without a byte-order mark;
and pages declaring euc-kr or shift_jis (by any of Python's names for them)
with characters only CP949 or CP932 define, which a browser reads and
Python's strict codecs refuse.

Needs beautifulsoup4 == 4.15.0 and no charset detector installed (chardet,
cchardet or charset_normalizer): with one, bs4 guesses encodings
statistically, which the Rust side does not (its module docs say why).
"""

import argparse
import codecs
import json
import logging
import pathlib
import random
import sys
import warnings

import pinned_parser  # noqa: F401  (makes html.parser the pinned copy: before bs4)

import bs4
from bs4 import BeautifulSoup

PINNED = "4.15.0"

WORDS = (
    "the process thread pool worker queue lock event memory core parallel "
    "concurrent scheduler python rust async await future result timeout "
    "café naïve résumé über straße 日本語 テキスト 中文 emoji 🚀 ✓ — – … « » “ ” ‘ ’"
).split()
ENTITIES = [
    "&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&copy;", "&eacute;", "&mdash;",
    "&hellip;", "&rarr;", "&amp", "&lt", "&copy", "&nbsp", "&foo;", "&bogus",
    "&#169;", "&#x2014;", "&#128;", "&#0;", "&#65", "&#x41", "&#32;", "&#10;",
    "&NewLine;", "&Tab;", "&ThickSpace;", "&fjlig;", "&AMP;", "& ", "&#;", "&#xZ;",
]
INLINE = ["b", "i", "em", "strong", "a", "span", "code", "small", "abbr", "kbd"]
BLOCK = ["div", "p", "section", "article", "aside", "header", "footer", "nav", "main",
         "blockquote", "figure", "li", "dd", "dt", "h1", "h2", "h3", "h4"]


class Page:
    def __init__(self, rng):
        self.rng = rng
        self.newline = rng.choice(["\n", "\n", "\r\n", "\r\n", "\r"])
        self.indent = rng.choice(["  ", "    ", "\t", ""])
        self.parts = []

    def nl(self, depth):
        return self.newline + self.indent * depth

    def words(self, n=None):
        r = self.rng
        n = n if n is not None else r.randint(1, 12)
        out = []
        for _ in range(n):
            w = r.choice(WORDS)
            if r.random() < 0.12:
                w = r.choice(ENTITIES) + w
            out.append(w)
        sep = r.choice([" ", " ", " ", "  ", self.newline + self.indent * 3])
        return sep.join(out)

    def inline(self, depth):
        r = self.rng
        tag = r.choice(INLINE)
        attrs = ""
        if tag == "a":
            attrs = r.choice([' href="/docs/x.html"', " href=/y?a=1&b=2", ' href="#top" title="T > t"',
                              " href='../up'", " href", ' HREF="/Z"'])
        body = self.words(r.randint(1, 4))
        close = "" if r.random() < 0.05 else f"</{tag}>"
        return f"<{tag}{attrs}>{body}{close}"

    def paragraph(self, depth):
        r = self.rng
        bits = []
        for _ in range(r.randint(1, 5)):
            choice = r.random()
            if choice < 0.5:
                bits.append(self.words())
            elif choice < 0.8:
                bits.append(self.inline(depth))
            elif choice < 0.85:
                bits.append(r.choice(["<br>", "<br/>", "<br />", "</br>", "<img src=x.png alt='a'>",
                                      "<wbr>", "<hr>", "<input type=text value='v'>"]))
            elif choice < 0.9:
                bits.append(r.choice([" a < b ", " 3<4 ", " x <= y ", " <3 ", " < ", " a<b "]))
            elif choice < 0.95:
                bits.append(r.choice(["<!-- note -->", "<!---->", "<!-- a -- b -->", "<!--x--!>",
                                      "<!-->", "<![if !IE]>shown<![endif]>"]))
            else:
                bits.append(r.choice(["<?php echo 1; ?>", "<!ELEMENT x>", "<! bogus >",
                                      "</ >", "</>", "</p class='x'>", "<![CDATA[raw & <text>]]>",
                                      "<![CDATA[]]>", "&#", "<b/>", "<p/>"]))
        sep = r.choice(["", " ", self.nl(depth + 1)])
        return sep.join(bits)

    def block(self, depth):
        r = self.rng
        if depth > 5:
            return self.paragraph(depth)
        kind = r.random()
        nl = self.nl(depth)
        inner = self.nl(depth + 1)
        if kind < 0.35:
            tag = r.choice(BLOCK)
            children = inner.join(self.block(depth + 1) if r.random() < 0.4 else self.paragraph(depth + 1)
                                  for _ in range(r.randint(1, 3)))
            close = "" if r.random() < 0.08 else f"{nl}</{tag}>"
            cls = r.choice(["", ' class="c"', " id=main", ' data-x="1 > 0"', " hidden"])
            return f"<{tag}{cls}>{inner}{children}{close}"
        if kind < 0.45:
            rows = inner.join(
                "<tr>" + "".join(f"<td>{self.words(2)}</td>" if r.random() < 0.9 else f"<td>{self.words(1)}"
                                 for _ in range(r.randint(1, 4))) + ("</tr>" if r.random() < 0.9 else "")
                for _ in range(r.randint(1, 4)))
            head = "<thead><tr><th>A</th><th>B</th></tr></thead>" if r.random() < 0.5 else ""
            return f"<table>{inner}{head}{inner}<tbody>{inner}{rows}{inner}</tbody>{nl}</table>"
        if kind < 0.52:
            items = inner.join(f"<li>{self.paragraph(depth + 2)}" + ("</li>" if r.random() < 0.7 else "")
                               for _ in range(r.randint(1, 5)))
            tag = r.choice(["ul", "ol"])
            return f"<{tag}>{inner}{items}{nl}</{tag}>"
        if kind < 0.58:
            pre = self.words(r.randint(2, 8)).replace(" ", r.choice(["  ", "\t", "\n    "]))
            tag = r.choice(["pre", "textarea", "pre"])
            code = "<code>" if r.random() < 0.5 else ""
            end_code = "</code>" if code else ""
            close = "" if r.random() < 0.05 else f"</{tag}>"
            return f"<{tag}>{code}{inner}  {pre}  {nl}{end_code}{close}"
        if kind < 0.64:
            body = r.choice([
                "var a = 1 < 2 && b > c; document.write('<p>hi</p>');",
                "if (x) { y = '</div>'; }",
                "\n  function f() {\n    return '&amp;';\n  }\n",
                "/* </scr + ipt> */ let s = \"</SCRIPT \";",
            ])
            tag = r.choice(["script", "style", "script"])
            end = r.choice([f"</{tag}>", f"</{tag.upper()}>", f"</ {tag} >", f"</{tag}  >"])
            attrs = r.choice(["", ' type="text/javascript"', " async", ' type="application/ld+json"'])
            return f"<{tag}{attrs}>{body}{end}"
        if kind < 0.68:
            return f"<template>{inner}<p>{self.words()}</p>{nl}</template>"
        if kind < 0.72:
            return f"<noscript>{inner}<p>{self.words()}</p>{inner}<img src=x>{nl}</noscript>"
        if kind < 0.76:
            return (f"<svg viewBox='0 0 10 10'>{inner}<title>{self.words(2)}</title>{inner}"
                    f"<text x=1 y=2>{self.words(2)}</text>{inner}<path d='M0 0'/>{nl}</svg>")
        if kind < 0.78:
            return f"<math><mi>x</mi><mo>&lt;</mo><mn>{r.randint(1, 99)}</mn></math>"
        if kind < 0.84:
            fields = inner.join(r.choice([
                f"<label for=n>{self.words(2)}</label><input id=n name=n>",
                f"<select name=s><option value=1>{self.words(1)}<option selected>{self.words(1)}</select>",
                f"<button type=submit>{self.words(1)}</button>",
                f"<textarea name=t rows=3>  {self.words(3)}\n  </textarea>",
            ]) for _ in range(r.randint(1, 3)))
            return f"<form action='/go' method=post>{inner}{fields}{nl}</form>"
        if kind < 0.88:
            # Misnested and stray end tags.
            return r.choice([
                f"<b><i>{self.words(2)}</b></i>",
                f"<p>{self.words(2)}<div>{self.words(2)}</p></div>",
                f"</span>{self.words(2)}</div>",
                f"<rt>{self.words(1)}</rt><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>",
            ])
        if kind < 0.92:
            return r.choice(["<!--[if lt IE 9]><script src='html5shiv.js'></script><![endif]-->",
                             "<!--[if IE]><p>IE</p><![endif]-->",
                             f"<!-- {self.words(3)} -->"])
        return self.paragraph(depth)

    def render(self):
        r = self.rng
        nl = self.nl(0)
        head = []
        charset_meta = r.random()
        meta = ""
        if charset_meta < 0.3:
            meta = "<meta charset=\"{enc}\">"
        elif charset_meta < 0.45:
            meta = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset={enc}\">"
        elif charset_meta < 0.5:
            meta = "<META CHARSET={enc}>"
        head.append(meta)
        head.append(f"<title>{self.words(r.randint(1, 6))}</title>")
        if r.random() < 0.6:
            head.append("<style>\n  body { margin: 0 }\n  p > a { color: red }\n</style>")
        if r.random() < 0.5:
            head.append("<script>window.dataLayer = []; if (a < b) {}</script>")
        if r.random() < 0.3:
            head.append("<link rel=stylesheet href=/s.css><meta name=viewport content='width=device-width'>")
        body = (nl + self.indent).join(self.block(1) for _ in range(r.randint(1, 8)))
        prologue = r.choice(["<!DOCTYPE html>", "<!doctype html>",
                             "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\">", "",
                             "<?xml version=\"1.0\" encoding=\"{enc}\"?>" + nl + "<!DOCTYPE html>"])
        html_open = r.choice(["<html lang=en>", "<html>", ""])
        tail = r.choice(["</body>" + nl + "</html>" + nl, "</body></html>", "", nl + nl, "</html>" + nl + "  "])
        return (prologue + nl + html_open + nl + "<head>" + (nl + self.indent).join(head) + nl + "</head>"
                + nl + "<body>" + nl + self.indent + body + nl + tail), meta or "{enc}" in prologue


# Fragments that stress the tokenizer when dropped at random places: the
# half-written markup of real pages.
SHRAPNEL = ["<", ">", "&", "&#", "&#x", "</", "<!", "<?", "<![", "-->", "--", "\"", "'", "=",
            "/", "/>", "\r", "\r\n", "\t", "\x0c", "\xa0", "\x1c", "\u2028", " ", "<a ",
            "<b", "</b", "<!--", "]]>", "<script>", "</script>", "<pre>", "</pre>", "<textarea>",
            "&amp", "&ampx", ";", "<![CDATA[", "<![if ", "<![endif]>", "<!DOCTYPE", "<?x?>",
            "<p/", "<br/", "</br>", "<a href='", '<a href="', "<template>", "</template>"]


def shred(text, rng):
    """Drops a few fragments at random places (a third of the pages)."""
    if rng.random() < 0.67:
        return text
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(SHRAPNEL) + text[at:]
    return text


# The adversary's constructs: (name, unit, head, tail). A page repeats `unit`
# up to its size, after `head` and before `tail`: one tag with a huge run of
# attributes, spaces, slashes or '='; constructs that never end, repeated; end
# tags that match nothing under a deep stack; floods of references.
MALFORMED = [
    ("attribute-run", "x{i} ", "<a ", ">"),
    ("space-run", " ", "<a", ">"),
    ("slash-run", "/", "<a", ">"),
    ("equals-space-run", "= ", "<a", ">"),
    ("long-tag-name", "a", "<a", ">"),
    ("equals-run", "=", "<a b", ">"),
    ("open-tag", "<a", "", ""),
    ("open-tag-space", "<a ", "", ""),
    ("open-tag-value", "<a x=1", "", ""),
    ("open-tag-equals", "<a x=", "", ""),
    ("open-tag-quote", '<a "', "", ""),
    ("open-tag-single-quote", "<a x='", "", ""),
    ("open-end-tag", "</a", "", ""),
    ("open-end-tag-space", "</a x", "", ""),
    ("open-comment", "<!--", "", ""),
    ("comment-dashes", "-- ", "<!--", ""),
    ("open-cdata", "<![CDATA[", "", ""),
    ("cdata-brackets", "] ", "<![CDATA[", ""),
    ("open-marked-section", "<![if ", "", ""),
    ("open-doctype", "<!DOCTYPE", "", ""),
    ("open-pi", "<?x", "", ""),
    ("open-bogus", "<!x", "", ""),
    ("bogus-end", "</ ", "", ""),
    ("stray-lt", "<", "", ""),
    ("stray-amp", "&", "", ""),
    ("entity-flood", "&amp", "", ""),
    ("entity-name", "a", "&", ""),
    ("entity-dashes", "a-", "&", ""),
    ("charref-digits", "1", "&#", ";"),
    ("charref-hex", "f", "&#x", ";"),
    ("charref-bail", "&#;", "", ""),
    ("script-open", "</scrip", "<script>", ""),
    ("script-end-open", "x", "<script></script", ""),
    ("style-ends", "</style", "<style>", ""),
    ("unmatched-end-tags", "</p>", "<div>", ""),  # head repeated: see below
    ("void-end-tags", "</br>", "<br>", ""),
    ("nested-divs", "<div>", "", ""),
]


# Every delimiter the tokenizer looks at, for pages strung from them at random.
PIECES = ["<", ">", "</", "/>", "/", "<!", "<!--", "-->", "--", "-", "<?", "?>", "<![CDATA[",
          "]]>", "]", "<![if ", "<!DOCTYPE", "&", "&#", "&#x", ";", "&amp", "&ampx", "&a-b", "a",
          "x=1", "=", "'", '"', " ", "\t", "\n", "\r", "\x0c", "\x0b", "\x1c", "\xa0",
          "\u2028", "é", "<script>", "</script", "</script>", "<style>", "</style ", "<br>",
          "</br>", "<pre>", "<p>", "</p>", "<a ", "<a b='", '<a b="', "<a b= '", "9", "F"]


def pieces(rng, max_bytes):
    """A page strung from PIECES: the tokenizer's corner cases, densely."""
    size = int(2 ** rng.uniform(0, max(1.0, min(max_bytes, 4096).bit_length() - 1)))
    out, length = [], 0
    while length < size:
        piece = rng.choice(PIECES)
        out.append(piece)
        length += len(piece)
    return "".join(out)


def malformed(rng, max_bytes):
    """One adversarial page: a family of MALFORMED at a random size (log-uniform
    up to max_bytes), sometimes between realistic text, sometimes mixed with a
    second family; or, one page in four, a string of PIECES."""
    if rng.random() < 0.25:
        return "pieces", pieces(rng, max_bytes)
    name, unit, head, tail = rng.choice(MALFORMED)
    size = int(2 ** rng.uniform(0, max(1.0, max_bytes.bit_length() - 1)))
    if name in ("unmatched-end-tags", "void-end-tags"):
        # Half the page opens, the other half closes what never matches.
        half = max(1, size // (2 * len(unit)))
        body = head * half + unit * half
    else:
        count = max(1, (size - len(head) - len(tail)) // max(1, len(unit.format(i=0))))
        if "{i}" in unit:
            body = head + "".join(unit.format(i=i) for i in range(count)) + tail
        else:
            body = head + unit * count + tail
    if rng.random() < 0.25:
        second = rng.choice(MALFORMED)
        at = rng.randrange(len(body) + 1)
        body = body[:at] + second[2] + second[1] * rng.randint(1, 50) + second[3] + body[at:]
        name += "+" + second[0]
    before = rng.choice(["", "<p>before &amp; after</p>\n", "<title>T</title><body>\n  "])
    after = rng.choice(["", "<p>after</p>", "\n</body></html>\n", "<b>x</b>&amp;<!-- c -->"])
    return name, before + body + after


def encode(page_text, rng):
    """The page's bytes, and the charset for the HTTP header (or None)."""
    encoding = rng.choice(["utf-8", "utf-8", "utf-8", "utf-8-bom", "windows-1252", "latin-1", "ascii-ish"])
    declared = {"utf-8-bom": "utf-8", "ascii-ish": "utf-8"}.get(encoding, encoding)
    text = page_text.replace("{enc}", rng.choice([declared, declared.upper(), "utf8" if declared == "utf-8" else declared]))
    if encoding in ("windows-1252", "latin-1"):
        body = text.encode(encoding, errors="replace")
    elif encoding == "ascii-ish":
        body = text.encode("utf-8")
        # A few bytes that are not UTF-8: a page with a broken byte or two.
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(body))
            body = body[:at] + bytes([rng.choice([0x80, 0x93, 0xE9, 0xFF, 0xC3])]) + body[at:]
    else:
        body = text.encode("utf-8")
        if encoding == "utf-8-bom":
            body = b"\xef\xbb\xbf" + body
    header = rng.choice([None, None, declared, "iso-8859-1", "utf-8"])
    return body, header


# Labels a browser (WHATWG) decodes and Python's codec registry does not
# know, or knows by another spelling only: bs4 skips them.
WHATWG_ONLY = [
    "windows-874", "x-mac-cyrillic", "x-mac-ukrainian", "iso-8859-8-i", "x-user-defined",
    "koi8-ru", "csisolatin9", "l9", "x-cp1250", "x-cp1251", "dos-874", "x-gbk",
    "unicode-1-1-utf-8", "unicode11utf8", "x-unicode20utf8", "iso8859-11", "iso885911",
    "cp-1251", "win-1251", "ibm-866", "x-mac-roman", "logical", "visual",
]
# Codecs Python decodes that the Rust side does not: not declared by these
# pages. The module docs of webscraping::soup list them. (The stateful East
# Asian ones are decoded; ISO-2022-JP has pages of its own: stateful_page.)
NOT_DECLARED = {"unicode-escape", "raw-unicode-escape", "idna", "punycode"}

# One sentence per legacy encoding of the web, for pages in that encoding.
SENTENCES = {
    "big5": "中文網頁測試，這是一個沒有宣告編碼的頁面。",
    "gb2312": "中文网页测试，这是一个没有声明编码的页面。",
    "euc_jp": "日本語のテキストです。エンコーディングの宣言がないページ。",
    "shift_jis": "日本語のテキストです。エンコーディングの宣言がないページ。",
    "euc_kr": "한국어 텍스트입니다. 인코딩 선언이 없는 페이지.",
    "koi8_r": "Русский текст без объявления кодировки.",
    "cp1251": "Русский текст без объявления кодировки.",
    "tis_620": "ข้อความภาษาไทยที่ไม่มีการประกาศการเข้ารหัส",
}
# Characters a browser's euc-kr (CP949) and shift_jis (CP932) have and
# Python's strict EUC-KR and JIS X 0208 do not, with Python's names for the
# two codecs (bs4's alias x-sjis too): Python refuses the pages a browser reads.
WEB_ONLY = {
    "euc_kr": ("cp949", "똠뷁쌰햏믜퓛갂", ["euc-kr", "euckr", "korean", "ksc5601",
                                       "ks_c_5601-1987", "ks_x_1001", "EUC-KR"]),
    "shift_jis": ("cp932", "①②Ⅰ㈱№℡髙﨑～", ["shift_jis", "Shift_JIS", "sjis", "x-sjis",
                                           "shiftjis", "s_jis", "csshiftjis"]),
}

def python_codec(name):
    """The codec bs4's find_codec would hand to str() for `name`, by
    CPython's own name for it; None when there is none."""
    for tried in (bs4.dammit.UnicodeDammit.CHARSET_ALIASES.get(name, name),
                  name.replace("-", ""), name.replace("-", "_")):
        try:
            return codecs.lookup(tried).name
        except (LookupError, ValueError):
            continue
    return None


def mangle(name, rng):
    """`name` spelled as pages spell it: any case, `-`, `_`, ` ` or `.`
    between its parts."""
    parts = [p for p in name.replace("-", "_").split("_") if p]
    joined = parts[0]
    for part in parts[1:]:
        joined += rng.choice(["-", "_", "-", " ", "", "."]) + part
    return rng.choice([joined, joined.upper(), joined.lower(), joined.title()])


def declared_page(rng):
    """A page that declares a legacy or unknown encoding in <meta>, with
    text in it and bytes above 0x7F some of which the codec may not define:
    what decides is Python's name lookup and its codec's strictness."""
    import encodings.aliases
    names = sorted(set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values()))
    names = [n for n in names if python_codec(n) not in NOT_DECLARED | {None}]
    while True:
        if rng.random() < 0.2:
            name = rng.choice(WHATWG_ONLY)
        else:
            name = mangle(rng.choice(names), rng)
        codec = python_codec(name)
        if codec not in NOT_DECLARED:
            break
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 30)))
    try:
        text = words.encode(codec, errors="replace") if codec else words.encode("utf-8")
    except (LookupError, UnicodeError, TypeError):
        text = words.encode("utf-8")
    high = bytes(rng.randrange(0x80, 0x100) for _ in range(rng.choice([0, 0, 1, 3, 12])))
    head = rng.choice(['<meta charset="{}">', "<meta charset={}>",
                       '<meta http-equiv="Content-Type" content="text/html; charset={}">'])
    body = (f"<!DOCTYPE html><html><head>{head.format(name)}<title>".encode("ascii", "replace")
            + text[:40] + b"</title></head><body><p>" + text + high + b"</p></body></html>")
    return name, body


def legacy_page(rng):
    """A page in an encoding of the web bs4 may not read as a browser does:
    one of the legacy encodings with no declaration at all; UTF-16 or UTF-32
    with or without a byte-order mark; or a page declaring euc-kr or
    shift_jis whose text has characters only the web's superset of each
    (CP949, CP932) defines."""
    ascii_words = " ".join(rng.choice([w for w in WORDS if w.isascii()])
                           for _ in range(rng.randint(0, 12)))
    kind = rng.choice(["undeclared", "undeclared", "utf16/32", "web-only"])
    if kind == "undeclared":
        codec = rng.choice(sorted(SENTENCES))
        text = f"<p>{SENTENCES[codec]}</p><p>{ascii_words}</p>".encode(codec)
        name, head = f"undeclared-{codec}", b""
    elif kind == "utf16/32":
        codec = rng.choice(["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
        sentence = SENTENCES[rng.choice(sorted(SENTENCES))]
        if rng.random() < 0.3:
            sentence += " 𝐀𝐁𝐂 🚀"  # beyond the BMP: surrogate pairs in UTF-16
        bom = rng.random() < 0.5
        raw = f"<html><body><p>{sentence}</p><p>{ascii_words}</p></body></html>"
        text = (codecs.lookup(codec).encode("\ufeff" if bom else "")[0]
                + raw.encode(codec))
        name, head = f"{codec}{'-bom' if bom else ''}", b""
    else:
        python_name = rng.choice(sorted(WEB_ONLY))
        superset, extra, labels = WEB_ONLY[python_name]
        sentence = SENTENCES[python_name]
        chars = "".join(rng.choice(extra) for _ in range(rng.randint(0, 3)))
        at = rng.randrange(len(sentence) + 1)
        text = (sentence[:at] + chars + sentence[at:]).encode(superset)
        label = rng.choice(labels)
        name = f"declared-{label}-{len(chars)}-web-only"
        head = f'<meta charset="{label}">'.encode("ascii")
        text = b"<p>" + text + b"</p><p>" + ascii_words.encode("ascii") + b"</p>"
        if rng.random() < 0.3:
            # A stray byte, which some candidates refuse: sometimes all do,
            # and the last pass replaces what each cannot decode with U+FFFD.
            text += bytes([rng.choice([0x80, 0xFF, 0xA0])]) + b"x"
    if kind != "utf16/32":
        text = b"<!DOCTYPE html><html><head>" + head + b"<title>t</title></head><body>" \
            + text + b"</body></html>"
    return name, text


ISO2022_JP_NAMES = ["iso-2022-jp", "ISO-2022-JP", "csiso2022jp", "iso2022jp", "iso_2022_jp",
                    "ISO2022JP", "Iso-2022-Jp"]
# What goes wrong in ISO-2022-JP pages. Python's codec forgives some: an
# escape it does not know (text up to a capital letter), SO/SI, a G1
# designation, the 1990 prefix, JIS X 0201 Roman, JIS X 0208-1978 — where a
# browser's decoder may not. It refuses others: a character set it lacks
# (JIS X 0212), a designation cut short, a byte above 0x7F.
ISO2022_JP_FORGIVEN = [b"\x1bx", b"\x1b%z", b"\x0e", b"\x0f", b"\x1b)B", b"\x1b$)B",
                       b"\x1b&@\x1b$B", b"\x1b(J\\~", b"\x1b$@"]
ISO2022_JP_REFUSED = [b"\x1b$(D", b"\x1b$", b"\x1b(", b"\x80", b"\xa4"]


def character_starts(text):
    """The offsets in ISO-2022-JP bytes where an escape or a character
    starts: every byte in ASCII mode, every other byte in two-byte mode."""
    starts, at, width = [], 0, 1
    while at < len(text):
        starts.append(at)
        if text[at] == 0x1B:
            width = 2 if text[at + 1:at + 2] == b"$" else 1
            at += 3
        else:
            at += width
    return starts + [len(text)]


def stateful_page(rng):
    """A page in ISO-2022-JP, the stateful encoding of Japanese mail and old
    pages: declared by one of Python's names for it, or not at all; some
    with an escape sequence or byte Python's codec refuses or forgives."""
    sentence = SENTENCES["euc_jp"]
    at = rng.randrange(len(sentence) + 1)
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
    text = (sentence[:at] + " " + words + " " + sentence[at:]).encode("iso2022_jp", "replace")
    noisy = rng.random() < 0.5
    if noisy:
        # Between characters (never inside a two-byte one): what a broken
        # mailer or a hand-edited page does.
        for _ in range(rng.randint(1, 3)):
            cut = rng.choice(character_starts(text))
            noise = rng.choice(ISO2022_JP_FORGIVEN if rng.random() < 0.8
                               else ISO2022_JP_REFUSED)
            text = text[:cut] + noise + text[cut:]
    if rng.random() < 0.2:
        text = text.removesuffix(b"\x1b(B")  # never returns to ASCII before the markup
    declared = rng.random() < 0.75
    name = rng.choice(ISO2022_JP_NAMES) if declared else "undeclared"
    head = f'<meta charset="{name}">'.encode("ascii") if declared else b""
    body = (b"<!DOCTYPE html><html><head>" + head + b"<title>t</title></head><body><p>" + text
            + b"</p></body></html>")
    return f"{name}{'-noisy' if noisy else ''}", body


# Text we did not write: CPython's own test texts for its East Asian codecs
# (Lib/test/cjkencodings/<codec>.txt, in the interpreter's test package).
try:
    import test as _cpython_test
    CPYTHON_TEXTS = pathlib.Path(_cpython_test.__file__).parent / "cjkencodings"
except ImportError:
    CPYTHON_TEXTS = None


def cpython_texts():
    """{codec: bytes} of CPython's codec test texts, or {} when this
    interpreter has no test package."""
    if CPYTHON_TEXTS is None or not CPYTHON_TEXTS.is_dir():
        return {}
    return {path.stem: path.read_bytes() for path in sorted(CPYTHON_TEXTS.glob("*.txt"))
            if not path.stem.endswith("-utf8")}


def text_page(rng, texts):
    """A page around some lines of one of CPython's codec test texts:
    undeclared (the detector's guess decides, where one is installed) or
    declared by the codec's name."""
    codec = rng.choice(sorted(texts))
    lines = texts[codec].split(b"\n")
    start = rng.randrange(len(lines))
    chosen = b"\n".join(lines[start:start + rng.randint(1, len(lines))])
    declared = rng.random() < 0.3
    head = f'<meta charset="{codec}">'.encode("ascii") if declared else b""
    body = (b"<!DOCTYPE html><html><head>" + head + b"<title>t</title></head><body><pre>"
            + chosen + b"</pre></body></html>")
    return f"{codec}-{'declared' if declared else 'undeclared'}", body


# Byte-order marks, stacked or alone, before short content: what makes a
# decode come out empty (bs4 then retries with replacement) or leaves a mark
# for the next codec to read.
MARKS = [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"]
MARK_DECLARATIONS = ["utf-8-sig", "utf-16", "utf-16le", "utf-32", "ascii", "iso-2022-jp", "hz",
                     "utf-8", "latin-1"]
MARK_CONTENT = [b"", b"ab", b"\x1b$B", b"\x1b(B", b"~{", b"~}", b"\x00", b"\x00\x00", b"a\x00",
                b"\xe9", b"\xc3\xa9", b"<p>x</p>", b"\x81", b"+/v8", b" "]


def marks_page(rng):
    """Byte-order marks (none, one, or several), maybe a declaration, and a
    little content: bs4's sniffing, its empty-means-failed rule, and the
    detector on almost nothing."""
    body = b"".join(rng.choice(MARKS) for _ in range(rng.choice([0, 1, 1, 2, 3])))
    declared = rng.random() < 0.4
    if declared:
        body += f'<meta charset="{rng.choice(MARK_DECLARATIONS)}">'.encode("ascii")
    body += b"".join(rng.choice(MARK_CONTENT) for _ in range(rng.randint(0, 4)))
    return ("declared" if declared else "undeclared"), body


def bs4_count(body):
    try:
        soup = BeautifulSoup(body, "html.parser")
    except Exception as err:  # ParserRejectedMarkup: html.parser gave up
        return None, None, type(err).__name__
    return len(soup.text), soup.original_encoding, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--malformed", type=int, default=None,
                        help="adversarial pages after the realistic ones (default: a fifth of --pages)")
    parser.add_argument("--max-bytes", type=int, default=65536,
                        help="the largest adversarial page (default: 64 KiB)")
    parser.add_argument("--declared", type=int, default=None,
                        help="pages declaring a legacy or unknown encoding, after the others "
                             "(default: a fifth of --pages)")
    parser.add_argument("--legacy", type=int, default=None,
                        help="pages in legacy encodings, undeclared or declared as their web "
                             "superset, and UTF-16/32, after the others (default: a tenth of --pages)")
    parser.add_argument("--stateful", type=int, default=None,
                        help="pages in ISO-2022-JP, declared or not, some with escapes Python's "
                             "codec refuses or forgives, after the others (default: a twentieth "
                             "of --pages)")
    parser.add_argument("--texts", type=int, default=None,
                        help="pages around lines of CPython's own codec test texts "
                             "(Lib/test/cjkencodings), after the others (default: a twentieth "
                             "of --pages; none if this interpreter has no test package)")
    parser.add_argument("--marks", type=int, default=None,
                        help="pages of byte-order marks, stacked or alone, before a little "
                             "content, after the others (default: a twentieth of --pages)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if bs4.__version__ != PINNED:
        sys.exit(f"error: beautifulsoup4 {PINNED} is required, this is {bs4.__version__}")
    for detector in ("cchardet", "chardet", "charset_normalizer"):
        try:
            __import__(detector)
            sys.exit(f"error: {detector} is installed; bs4 would guess encodings with it")
        except ImportError:
            pass
    # bs4 warns about XML-looking pages and logs replaced characters: noise here.
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    rng = random.Random(args.seed)
    # Their own stream, so that adding them leaves the realistic pages as they were.
    adversary = random.Random(f"malformed-{args.seed}")
    # And theirs.
    declaring = random.Random(f"declared-{args.seed}")
    # And theirs.
    legacy = random.Random(f"legacy-{args.seed}")
    # And theirs.
    stateful = random.Random(f"stateful-{args.seed}")
    # And theirs.
    texting = random.Random(f"texts-{args.seed}")
    # And theirs.
    marking = random.Random(f"marks-{args.seed}")
    texts = cpython_texts()
    n_malformed = args.pages // 5 if args.malformed is None else args.malformed
    n_declared = args.pages // 5 if args.declared is None else args.declared
    n_legacy = args.pages // 10 if args.legacy is None else args.legacy
    n_stateful = args.pages // 20 if args.stateful is None else args.stateful
    n_texts = (args.pages // 20 if args.texts is None else args.texts) if texts else 0
    n_marks = args.pages // 20 if args.marks is None else args.marks
    before_marks = args.pages + n_malformed + n_declared + n_legacy + n_stateful + n_texts
    rejected = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for i in range(before_marks + n_marks):
            if i < args.pages:
                name = f"seed{args.seed}-page{i}"
                text, _ = Page(rng).render()
                body, header = encode(shred(text, rng), rng)
            elif i < args.pages + n_malformed:
                family, text = malformed(adversary, args.max_bytes)
                name = f"seed{args.seed}-malformed{i - args.pages}-{family}"
                body = text.encode("utf-8")
                header = None
            elif i < args.pages + n_malformed + n_declared:
                declared, body = declared_page(declaring)
                name = f"seed{args.seed}-declared{i - args.pages - n_malformed}-{declared}"
                header = None
            elif i < args.pages + n_malformed + n_declared + n_legacy:
                kind, body = legacy_page(legacy)
                index = i - args.pages - n_malformed - n_declared
                name = f"seed{args.seed}-legacy{index}-{kind}"
                header = None
            elif i < args.pages + n_malformed + n_declared + n_legacy + n_stateful:
                kind, body = stateful_page(stateful)
                index = i - args.pages - n_malformed - n_declared - n_legacy
                name = f"seed{args.seed}-stateful{index}-{kind}"
                header = None
            elif i < before_marks:
                kind, body = text_page(texting, texts)
                index = i - args.pages - n_malformed - n_declared - n_legacy - n_stateful
                name = f"seed{args.seed}-text{index}-{kind}"
                header = None
            else:
                kind, body = marks_page(marking)
                name = f"seed{args.seed}-marks{i - before_marks}-{kind}"
                header = None
            count, encoding, error = bs4_count(body)
            rejected += count is None
            record = {
                "name": name,
                "seed": args.seed,
                "header_charset": header,
                "body": body.decode("latin-1"),
                "bs4_len": count,
                "bs4_encoding": encoding,
                "bs4_error": error,
            }
            out.write(json.dumps(record, ensure_ascii=True) + "\n")
    print(f"wrote {args.pages} pages, {n_malformed} malformed ones, {n_declared} declaring "
          f"legacy or unknown encodings, {n_legacy} in legacy encodings or UTF-16/32, "
          f"{n_stateful} in ISO-2022-JP, {n_texts} around CPython's codec test texts "
          f"and {n_marks} of byte-order marks "
          f"(seed {args.seed}, "
          f"beautifulsoup4 {bs4.__version__}, "
          f"{rejected} on which bs4 raised) to {args.out}")


if __name__ == "__main__":
    main()
