"""Random byte strings decoded by CPython's own East Asian codecs: the
differential test of chapter 248's multi-byte decoder (src/soup/cjk.rs).

For each codec the decoder knows, --cases byte strings of 1 to 16 bytes,
drawn to hit what matters: lead and trail bytes, EUC-JP's three-byte prefix,
EUC-KR's make-up prefix, GB18030's four-byte sequences, ASCII, sequences cut
short at the end; and for the stateful codecs (ISO-2022-JP and its
variants, ISO-2022-KR, HZ), escape sequences known and unknown, whole and
cut short, between ASCII, two-byte pairs, shifts, control bytes and bytes
above 0x7F. Each line
records what `data.decode(codec)` gives (null where it raises) and what
`data.decode(codec, "replace")` gives.

    python3.11 webscraping/python/cjk_cases.py --seed 1 --cases 300 \\
        --out webscraping/tests/fixtures/cjk_cases.jsonl

`cargo test -p webscraping --lib cjk` compares the committed file, and with
CJK_CASES=<file> a fresh one (.ci/soup-differential makes one per CI run).
"""

import argparse
import json
import random
import sys

from python_cjk_codecs import CODECS

SPECIAL = [0x8E, 0x8F, 0xA4, 0xD4, 0xA1, 0xFE, 0x80, 0xFF, 0xA0, 0x81, 0x40, 0x7F, 0x30]


def case(rng, codec):
    data = bytearray()
    for _ in range(rng.randint(1, 16)):
        pick = rng.random()
        if pick < 0.5:
            data.append(rng.randrange(0x80, 0x100))
        elif pick < 0.75:
            data.append(rng.randrange(0x20, 0x80))
        else:
            data.append(rng.choice(SPECIAL))
    if rng.random() < 0.1:
        data[0:0] = b"\xa4\xd4"  # EUC-KR's make-up prefix
    if codec == "gb18030":
        # Four-byte sequences, valid and nearly so: leads around the BMP
        # range (0x81–0x84) and the supplementary one (0x90–0xE3), a digit
        # second, any third, a digit or a near miss fourth; some cut short.
        for _ in range(rng.randint(1, 3)):
            four = bytes([rng.choice([0x80, 0x81, 0x82, 0x84, 0x85, 0x8F, 0x90, 0xA0, 0xE3, 0xE4, 0xFE]),
                          rng.randrange(0x30, 0x3A), rng.randrange(0x7F, 0x100),
                          rng.choice([0x2F, 0x30, 0x35, 0x39, 0x3A])])
            at = rng.randrange(len(data) + 1)
            data[at:at] = four[:rng.choice([2, 3, 4, 4, 4, 4])]
    return bytes(data)


# The stateful codecs, decoded by charset-norm's ports (src/soup/cjk.rs).
STATEFUL = ["iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3",
            "iso2022_jp_ext", "iso2022_kr", "hz", "utf_7"]
# Escape sequences the ISO-2022 codecs know (each knows some), some they scan
# and refuse, and pieces: ASCII, JIS X 0201 Roman and Katakana, JIS X 0208
# (1978, 1983, 1990), JIS X 0212, JIS X 0213 planes, GB2312, KS X 1001 (in
# G0, and in G1 for ISO-2022-KR), ISO-8859-1 and -7 in G2 with SS2 (ESC N).
ESCAPES = [b"\x1b(B", b"\x1b(J", b"\x1b(I", b"\x1b$@", b"\x1b$B", b"\x1b$(B", b"\x1b$(@",
           b"\x1b&@\x1b$B", b"\x1b)B", b"\x1b$)B", b"\x1b$(D", b"\x1b$A", b"\x1b$(C",
           b"\x1b$)C", b"\x1b$(O", b"\x1b$(Q", b"\x1b$(P", b"\x1b.A", b"\x1b.F", b"\x1bN",
           b"\x1b(", b"\x1b$", b"\x1b&@", b"\x1bx", b"\x1b", b"\x1b$(", b"\x1b((B", b"\x1b$ B",
           b"\x1b(\x7fB", b"\x0e", b"\x0f"]
# HZ: ~{ into GB2312, ~} out, ~~ a tilde, ~ and a newline nothing.
HZ_PIECES = [b"~{", b"~}", b"~~", b"~\n", b"~", b"~x"]
# UTF-7 (src/soup/utf7.rs, not a CJK codec but tested the same way): shifts
# into base64 and out, base64 runs of every length, surrogates.
UTF7_PIECES = [b"+", b"-", b"+-", b"+/v8", b"+AOk-", b"+2D3dQA-", b"+2D0-", b"+3UA", b"AOk", b"A",
               b"AA", b"AAA", b"/", b"+!", b"!"]


def stateful_case(rng, codec):
    pieces = {"hz": HZ_PIECES, "utf_7": UTF7_PIECES}.get(codec, ESCAPES)
    data = bytearray()
    for _ in range(rng.randint(1, 8)):
        pick = rng.random()
        if pick < 0.3:
            data += rng.choice(pieces)
        elif pick < 0.6:
            # A two-byte character of one of the sets, or a near miss.
            data += bytes([rng.randrange(0x20, 0x80), rng.randrange(0x20, 0x80)])
        elif pick < 0.75:
            data.append(rng.randrange(0x20, 0x80))
        elif pick < 0.85:
            data.append(rng.choice([0x0A, 0x0D, 0x0E, 0x0F, 0x00, 0x09]))
        else:
            data.append(rng.randrange(0x80, 0x100))
    return bytes(data)


def lone_as_fffd(text):
    """UTF-7 can decode to a surrogate without its partner, which a Rust
    String cannot hold: the decoder writes U+FFFD there (one character, as in
    Python), and so does the case file."""
    if text is None:
        return None
    return "".join("\ufffd" if 0xD800 <= ord(c) < 0xE000 else c for c in text)


def main():
    if sys.version_info[:2] != (3, 11):
        sys.exit("error: run this with CPython 3.11")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--cases", type=int, default=300, help="per codec")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.out, "w", encoding="utf-8") as out:
        for codec in CODECS + STATEFUL:
            for _ in range(args.cases):
                data = stateful_case(rng, codec) if codec in STATEFUL else case(rng, codec)
                try:
                    strict = data.decode(codec)
                except UnicodeDecodeError:
                    strict = None
                record = {"codec": codec, "bytes": data.hex(), "strict": lone_as_fffd(strict),
                          "replace": lone_as_fffd(data.decode(codec, "replace"))}
                out.write(json.dumps(record, ensure_ascii=True) + "\n")
    print(f"wrote {args.cases} cases for each of {len(CODECS) + len(STATEFUL)} codecs (seed {args.seed}) to {args.out}")


if __name__ == "__main__":
    main()
