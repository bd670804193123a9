"""Counts pages again as the lecture's own environment does, and adds the
counts to each record: `pip install requests beautifulsoup4` installs
charset_normalizer with requests, and bs4 then guesses the encoding of a
page that declares none (or declares one that fails) with it.

    python3 -m venv target/requests-venv
    target/requests-venv/bin/pip install beautifulsoup4==4.15.0 requests==2.32.5 \
        charset_normalizer==3.5.3
    target/requests-venv/bin/python webscraping/python/detector_counts.py IN.jsonl OUT.jsonl

IN is a file soup_fixtures.py wrote (counted without a detector); OUT is
the same records with `requests_len`, `requests_encoding`, `requests_error`
(bs4 with the detector) and `detector_guess` (what charset_normalizer's
`detect()` said of the bytes bs4 handed it, or null when bs4 never asked).
"""

import json
import logging
import sys
import warnings

import pinned_parser  # noqa: F401  (before bs4)

import bs4
import bs4.dammit
import charset_normalizer
from bs4 import BeautifulSoup

PINNED_BS4 = "4.15.0"
PINNED_DETECTOR = "3.5.3"


def main():
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} IN.jsonl OUT.jsonl")
    if bs4.__version__ != PINNED_BS4:
        sys.exit(f"error: beautifulsoup4 {PINNED_BS4} is required, this is {bs4.__version__}")
    if charset_normalizer.__version__ != PINNED_DETECTOR:
        sys.exit(f"error: charset_normalizer {PINNED_DETECTOR} is required, "
                 f"this is {charset_normalizer.__version__}")
    # The detector bs4 found at import (it prefers cchardet, then chardet).
    if bs4.dammit.chardet_module is not charset_normalizer:
        sys.exit("error: bs4 did not pick up charset_normalizer as its detector")
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)

    # Record what bs4 asked the detector, page by page.
    asked = []
    original = bs4.dammit._chardet_dammit

    def recording(markup):
        guess = original(markup)
        asked.append(guess)
        return guess

    bs4.dammit._chardet_dammit = recording
    changed = 0
    with open(sys.argv[1], encoding="utf-8") as pages, \
            open(sys.argv[2], "w", encoding="utf-8") as out:
        for n, line in enumerate(pages, 1):
            record = json.loads(line)
            body = record["body"].encode("latin-1")
            asked.clear()
            try:
                soup = BeautifulSoup(body, "html.parser")
                record.update(requests_len=len(soup.text),
                              requests_encoding=soup.original_encoding, requests_error=None)
            except Exception as err:  # ParserRejectedMarkup: html.parser gave up
                record.update(requests_len=None, requests_encoding=None,
                              requests_error=type(err).__name__)
            record["detector_guess"] = asked[0] if asked else None
            changed += record["requests_len"] != record.get("bs4_len")
            out.write(json.dumps(record, ensure_ascii=True) + "\n")
    print(f"counted {n} pages with charset_normalizer {charset_normalizer.__version__} "
          f"installed: {changed} count differently than without it", file=sys.stderr)


if __name__ == "__main__":
    main()
