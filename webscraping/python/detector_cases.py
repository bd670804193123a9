"""Random byte strings and what charset_normalizer's chardet-style
`detect()` (the call bs4 makes) answers for them: the differential test of
the Rust port the chapter guesses with (vendor/charset-norm), without bs4 in
between.

Five kinds, drawn to reach the detector's corners: UTF-7's signature and
ASCII after it; random bytes of any length; random bytes of even length (they decode as UTF-16, to arbitrary
code points, some assigned only in Unicode versions newer than CPython
3.11's); ASCII and high bytes mixed; and short texts in one of 26 encodings,
some with stray bytes, cut short, or wrapped in markup.

    target/requests-venv/bin/python webscraping/python/detector_cases.py \\
        --seed 1 --cases 1000 --out webscraping/tests/fixtures/detector_cases.jsonl

`cargo test -p webscraping --lib detector` compares the committed file, and
with DETECTOR_CASES=<file> a fresh one (.ci/soup-differential makes one per
CI run).
"""

import argparse
import json
import random
import sys

import charset_normalizer

PINNED = "3.5.3"
TEXTS = ["中文網頁測試，這是一個沒有宣告編碼的頁面。", "日本語のテキストです。エンコーディングの宣言がないページ。",
         "한국어 텍스트입니다. 인코딩 선언이 없는 페이지.", "Русский текст без объявления кодировки.",
         "ข้อความภาษาไทยที่ไม่มีการประกาศการเข้ารหัส", "Ελληνικό κείμενο χωρίς δήλωση.",
         "Café crème brûlée naïve façade.", "עברית בלי הצהרה על קידוד", "العربية بدون إعلان الترميز",
         "Zażółć gęślą jaźń."]
ENCODINGS = ["big5", "gb2312", "gb18030", "euc_jp", "shift_jis", "iso2022_jp", "euc_kr", "cp949",
             "koi8_r", "cp1251", "tis_620", "cp1253", "iso8859_7", "cp1252", "latin_1", "cp1250",
             "iso8859_2", "cp1255", "cp1256", "utf_16_le", "utf_16_be", "utf_32_le", "mac_cyrillic",
             "cp866", "hz", "utf_8"]


def case(rng):
    kind = rng.random()
    if kind < 0.1:
        # UTF-7's signature (+/v8, +/v9, +/v+, +/v/), then ASCII and escapes.
        tail = bytes(rng.choice(b"abc -+/\x1b$B()~{}0AZ") for _ in range(rng.randint(0, 40)))
        return b"+/v" + bytes([rng.choice(b"89+/")]) + tail
    kind = rng.random()
    if kind < 0.2:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
    if kind < 0.4:
        return bytes(rng.randrange(256) for _ in range(2 * rng.randint(4, 60)))
    if kind < 0.6:
        return bytes(rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0x80, 0x100)])
                     for _ in range(rng.randint(1, 200)))
    text = " ".join(rng.choice(TEXTS) for _ in range(rng.randint(1, 3)))
    data = text.encode(rng.choice(ENCODINGS), "replace")
    if rng.random() < 0.4:
        at = rng.randrange(len(data) + 1)
        data = data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 4))) + data[at:]
    if rng.random() < 0.3:
        data = data[:rng.randrange(1, len(data) + 1)]
    if rng.random() < 0.3:
        data = b"<html><body><p>" + data + b"</p></body></html>"
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if charset_normalizer.__version__ != PINNED:
        sys.exit(f"error: charset_normalizer {PINNED} is required, this is "
                 f"{charset_normalizer.__version__}")
    rng = random.Random(args.seed)
    with open(args.out, "w", encoding="utf-8") as out:
        for _ in range(args.cases):
            data = case(rng)
            record = {"bytes": data.hex(), "guess": charset_normalizer.detect(data)["encoding"]}
            out.write(json.dumps(record) + "\n")
    print(f"wrote {args.cases} cases (seed {args.seed}, charset_normalizer "
          f"{charset_normalizer.__version__}) to {args.out}")


if __name__ == "__main__":
    main()
