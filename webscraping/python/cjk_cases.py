"""Random byte strings decoded by CPython's own East Asian codecs: the
differential test of chapter 248's multi-byte decoder (src/soup/cjk.rs).

For each codec the decoder knows, --cases byte strings of 1 to 16 bytes,
drawn to hit what matters: lead and trail bytes, EUC-JP's three-byte prefix,
EUC-KR's make-up prefix, GB18030's four-byte sequences, ASCII, sequences cut
short at the end. Each line
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
        for codec in CODECS:
            for _ in range(args.cases):
                data = case(rng, codec)
                try:
                    strict = data.decode(codec)
                except UnicodeDecodeError:
                    strict = None
                record = {"codec": codec, "bytes": data.hex(), "strict": strict,
                          "replace": data.decode(codec, "replace")}
                out.write(json.dumps(record, ensure_ascii=True) + "\n")
    print(f"wrote {args.cases} cases for each of {len(CODECS)} codecs (seed {args.seed}) to {args.out}")


if __name__ == "__main__":
    main()
