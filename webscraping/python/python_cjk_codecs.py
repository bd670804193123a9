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

One sequence is not a trie: EUC-KR's KS X 1001:1998 make-up sequences,
0xA4 0xD4 followed by three 0xA4-led jamo (eight bytes, one Hangul syllable).
CPython asks for all eight bytes before it looks at any, so that prefix is
marked and its three jamo tables are written out instead.

    python3.11 webscraping/python/python_cjk_codecs.py webscraping/src/soup/cjk_codecs.bin

The format (all integers little-endian), read by `src/soup/cjk.rs`:

    b"PYCJK1", u8 codec count, then per codec:
      u8 name length, name (the `encodings` module name),
      u16 state count, u16 string count, each string: u8 length, UTF-8,
      u8 1 if EUC-KR make-up tables follow (3 × 256 bytes, 0xFF = none) else 0,
      per state, runs covering bytes 0..=255: u8 run length, u32 entry.
    An entry: a character (< 0x110000); 0x8000_0000 | state; 0x4000_0000 |
    error length; 0x2000_0000 | string index (more than one character);
    0x1000_0000 (the make-up prefix). In a run of characters or of states,
    each next byte's entry is one more than the last.

Run with CPython 3.11; the codecs' tables have not changed within 3.11.
"""

import struct
import sys

# Every stateless multi-byte codec in CPython's `encodings`. Left out, and
# decoded otherwise or not at all (docs/decisions.md): gb18030 (four-byte
# sequences: encoding_rs's GB18030), hz and the ISO-2022 family (stateful).
CODECS = [
    "big5", "big5hkscs", "cp932", "cp949", "cp950", "euc_jis_2004", "euc_jisx0213",
    "euc_jp", "euc_kr", "gb2312", "gbk", "johab", "shift_jis", "shift_jis_2004",
    "shift_jisx0213",
]

MAKEUP_PREFIX = b"\xa4\xd4"
CHAR, STATE, ERROR, STRING, MAKEUP = 0, 0x8000_0000, 0x4000_0000, 0x2000_0000, 0x1000_0000
INCOMPLETE = "incomplete multibyte sequence"


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
    blob = bytearray(b"PYCJK1")
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
