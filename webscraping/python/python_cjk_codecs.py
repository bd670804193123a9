"""Python's East Asian (multi-byte) codecs, as chapter 248's decoder needs
them: generates webscraping/src/soup/cjk_codecs.bin.

Where a page declares `euc-kr` or `shift_jis`, bs4 decodes it with CPython's
codec of that name: strict EUC-KR (KS X 1001) and JIS X 0208, where a browser
(and `encoding_rs`) reads CP949 and CP932. A byte pair outside Python's table
makes the strict decode fail, and bs4 moves on to its next candidate. So the
decoder needs Python's tables, and its error behaviour: how many bytes one
bad sequence spans, which decides how many U+FFFD a `errors="replace"` decode
writes.

Both are read off the codecs themselves, not off their C sources: for each
codec, every byte sequence is tried, byte by byte, as a trie. From the empty
prefix, each byte either completes a character (its text), starts a longer
sequence (a new state: the prefix so far), or is an error spanning some bytes
(the length CPython's `UnicodeDecodeError` reports). A prefix that is still
incomplete at the end of the input is one error spanning the rest (CPython's
"incomplete multibyte sequence").

Two sequences are not a trie. EUC-KR's KS X 1001:1998 make-up sequences,
0xA4 0xD4 followed by three 0xA4-led jamo (eight bytes, one Hangul syllable):
CPython asks for all eight bytes before it looks at any, so that prefix is
marked and its three jamo tables are written out instead. And GB18030's
four-byte sequences, b1 b2 b3 b4 with b2 and b4 digits (0x30–0x39): a trie of
them would have 160,000 states, but CPython computes them — a linear index
((b1−0x81)·10 + b2−0x30)·1260 + (b3−0x81)·10 + b4−0x30, looked up in a table
below U+10000 (39,420 entries) and offset from U+10000 above it (leads 0x90
and up) — so the two-byte prefixes are marked, the BMP table is written out,
and the generator checks the computation against the codec on every BMP
sequence and on random ones.

    python3.11 webscraping/python/python_cjk_codecs.py webscraping/src/soup/cjk_codecs.bin

The format (all integers little-endian), read by `src/soup/cjk.rs`:

    b"PYCJK2", u8 codec count, then per codec:
      u8 name length, name (the `encodings` module name),
      u16 state count, u16 string count, each string: u8 length, UTF-8,
      u8 extra: 1 if EUC-KR make-up tables follow (3 × 256 bytes, 0xFF =
        none), 2 if GB18030's four-byte BMP table follows (39,420 × u16),
        else 0,
      per state, runs covering bytes 0..=255: u8 run length, u32 entry.
    An entry: a character (< 0x110000); 0x8000_0000 | state; 0x4000_0000 |
    error length; 0x2000_0000 | string index (more than one character);
    0x1000_0000 (the make-up prefix); 0x0800_0000 (a four-byte GB18030
    prefix). In a run of characters or of states, each next byte's entry is
    one more than the last.

Run with CPython 3.11; the codecs' tables have not changed within 3.11.
"""

import struct
import sys

# Every stateless multi-byte codec in CPython's `encodings` (gb18030 last, so
# that the random cases of the others stay what they were before it came).
# Left out, and decoded otherwise or not at all (docs/decisions.md): hz and
# the ISO-2022 family (stateful).
CODECS = [
    "big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jisx0213",
    "euc_jp", "euc_kr", "gb2312", "gbk", "johab", "shift_jis", "shift_jis_2004",
    "shift_jisx0213", "gb18030",
]

MAKEUP_PREFIX = b"\xa4\xd4"
CHAR, STATE, ERROR, STRING, MAKEUP, FOUR = (
    0, 0x8000_0000, 0x4000_0000, 0x2000_0000, 0x1000_0000, 0x0800_0000)
INCOMPLETE = "incomplete multibyte sequence"
GB18030_BMP = 39420  # four-byte sequences below U+10000
DIGITS = range(0x30, 0x3A)


def gb18030_four(seq, bmp):
    """What src/soup/cjk.rs does with a four-byte GB18030 prefix: the text
    and the bytes used, or None and the length of the error."""
    if len(seq) < 4:
        return None, len(seq)
    b1, b2, b3, b4 = seq[:4]
    if not (0x81 <= b1 <= 0xFE and 0x81 <= b3 <= 0xFE and b4 in DIGITS):
        return None, 1
    linear = ((b1 - 0x81) * 10 + b2 - 0x30) * 1260 + (b3 - 0x81) * 10 + b4 - 0x30
    if b1 - 0x81 < 4 and linear < GB18030_BMP:
        return chr(bmp[linear]), 4
    if b1 - 0x81 >= 15 and 0x10000 + linear - 15 * 12600 <= 0x10FFFF:
        return chr(0x10000 + linear - 15 * 12600), 4
    return None, 1


def gb18030_bmp_table():
    """The character of each of the 39,420 four-byte sequences below
    U+10000, in order of their linear index."""
    table = []
    for linear in range(GB18030_BMP):
        b1, rest = divmod(linear, 12600)
        b2, rest = divmod(rest, 1260)
        b3, b4 = divmod(rest, 10)
        text = bytes([0x81 + b1, 0x30 + b2, 0x81 + b3, 0x30 + b4]).decode("gb18030")
        assert len(text) == 1 and ord(text) < 0x10000, (linear, text)
        table.append(ord(text))
    return table


def check_gb18030_four(bmp):
    """The four-byte computation equals the codec: every BMP sequence, every
    sequence of the edges, and random ones, strictly and cut short."""
    import random
    rng = random.Random(18030)
    leads = [0x80, 0x81, 0x84, 0x85, 0x8F, 0x90, 0xE3, 0xE4, 0xFE, 0xFF]
    thirds = [0x80, 0x81, 0x99, 0xFE, 0xFF, 0x30, 0x41]
    seqs = [bytes([b1, b2, b3, b4]) for b1 in leads for b2 in (0x30, 0x39)
            for b3 in thirds for b4 in (0x2F, 0x30, 0x39, 0x3A)]
    seqs += [bytes([rng.randrange(0x80, 0x100), rng.choice(DIGITS),
                    rng.randrange(0x20, 0x100), rng.randrange(0x20, 0x100)])
             for _ in range(200_000)]
    for seq in seqs:
        for cut in (2, 3, 4):
            part = seq[:cut]
            want = gb18030_four(part, bmp)
            try:
                got = (part.decode("gb18030"), 4)
            except UnicodeDecodeError as err:
                assert err.start == 0, (part, err)
                got = (None, err.end)
            assert got == want, (part.hex(), got, want)


def trie(codec):
    """The codec's states (prefixes) and, per state, its 256 entries."""
    prefixes = [b""]
    state_of = {b"": 0}
    strings = []
    rows = []
    while len(rows) < len(prefixes):
        prefix = prefixes[len(rows)]
        row = []
        for byte in range(256):
            seq = prefix + bytes([byte])
            if codec == "euc_kr" and seq == MAKEUP_PREFIX:
                row.append(MAKEUP)
                continue
            if codec == "gb18030" and len(seq) == 2 and seq[1] in DIGITS:
                row.append(FOUR)
                continue
            try:
                text = seq.decode(codec)
            except UnicodeDecodeError as err:
                assert err.start == 0, (codec, seq, err)
                if err.reason == INCOMPLETE and err.end == len(seq):
                    if seq not in state_of:
                        state_of[seq] = len(prefixes)
                        prefixes.append(seq)
                    row.append(STATE | state_of[seq])
                else:
                    row.append(ERROR | err.end)
                continue
            if len(text) == 1:
                row.append(ord(text))
            else:
                if text not in strings:
                    strings.append(text)
                row.append(STRING | strings.index(text))
        rows.append(row)
    return rows, strings


def makeup_tables():
    """EUC-KR's jamo tables: initial, medial, final consonant index per
    byte, read off whole make-up sequences around one known syllable (가)."""
    def index(seq, part):
        try:
            syllable = ord(seq.decode("euc_kr")) - 0xAC00
        except UnicodeDecodeError:
            return 0xFF
        return (syllable // 588, syllable % 588 // 28, syllable % 28)[part]
    ga = [0xA4, 0xD4, 0xA4, 0xA1, 0xA4, 0xBF, 0xA4, 0xD4]
    tables = []
    for part, position in enumerate((3, 5, 7)):
        table = bytearray()
        for byte in range(256):
            seq = list(ga)
            seq[position] = byte
            table.append(index(bytes(seq), part))
        tables.append(bytes(table))
    assert bytes(ga).decode("euc_kr") == "\uac00"
    return b"".join(tables)


def runs(row):
    """`row` as (length, first entry) runs; characters and states step by one."""
    out = []
    for entry in row:
        steps = entry < 0x110000 or entry & STATE
        if out:
            length, first = out[-1]
            expected = first + length if steps else first
            first_steps = first < 0x110000 or first & STATE
            if length < 255 and entry == expected and bool(first_steps) == bool(steps):
                out[-1] = (length + 1, first)
                continue
        out.append((1, entry))
    return out


def main():
    if sys.version_info[:2] != (3, 11) or len(sys.argv) != 2:
        sys.exit("usage: python3.11 python_cjk_codecs.py OUT.bin (CPython 3.11 only)")
    bmp = gb18030_bmp_table()
    check_gb18030_four(bmp)
    blob = bytearray(b"PYCJK2")
    blob.append(len(CODECS))
    for codec in CODECS:
        rows, strings = trie(codec)
        blob += bytes([len(codec)]) + codec.encode("ascii")
        blob += struct.pack("<HH", len(rows), len(strings))
        for text in strings:
            data = text.encode("utf-8")
            blob += bytes([len(data)]) + data
        if codec == "euc_kr":
            blob += b"\x01" + makeup_tables()
        elif codec == "gb18030":
            blob += b"\x02" + struct.pack(f"<{GB18030_BMP}H", *bmp)
        else:
            blob += b"\x00"
        for row in rows:
            for length, first in runs(row):
                blob += struct.pack("<BI", length, first)
    with open(sys.argv[1], "wb") as out:
        out.write(blob)
    print(f"{sys.argv[1]}: {len(CODECS)} codecs, {len(blob)} bytes "
          f"(CPython {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
