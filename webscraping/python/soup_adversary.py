"""Times BeautifulSoup on the adversarial pages, beside the Rust port.

The pages are the ones `webscraping::soup::adversary` builds, written out by

    cargo run --release -p webscraping --example soup_adversary -- 1048576 --dump /tmp/adversary
    target/bs4-venv/bin/python webscraping/python/soup_adversary.py /tmp/adversary

Each page is parsed once by len(BeautifulSoup(html, 'html.parser').text), on
the pinned html.parser (pinned_parser.py: CPython 3.11 with the fix for
CVE-2025-6069) — or, with --interpreter-parser, on the html.parser of the
interpreter that runs this script (pyenv's 3.11.7 has the unfixed one: expect
minutes to hours per page at 1 MB).
"""

import argparse
import pathlib
import sys
import time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("folder", type=pathlib.Path)
parser.add_argument("--interpreter-parser", action="store_true",
                    help="use the interpreter's own html.parser, not the pinned copy")
args = parser.parse_args()
if not args.interpreter_parser:
    import pinned_parser  # noqa: F401  (before bs4)
import html.parser  # noqa: E402

import bs4  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402

fixed = hasattr(html.parser, "locatetagend")
print(f"beautifulsoup4 {bs4.__version__}, Python {sys.version.split()[0]}, "
      f"html.parser {'with' if fixed else 'without'} the fix for CVE-2025-6069")
print(f"{'page':<22} {'bytes':>10} {'count':>9} {'time':>10}")
pages = sorted(args.folder.glob("*.html"))
if not pages:
    sys.exit(f"error: no .html pages in {args.folder}")
for page in pages:
    text = page.read_text(encoding="utf-8")
    started = time.perf_counter()
    try:
        count = str(len(BeautifulSoup(text, "html.parser").text))
    except Exception as err:  # noqa: BLE001  (what bs4 raises is the result)
        count = type(err).__name__
    elapsed = time.perf_counter() - started
    print(f"{page.stem:<22} {len(text.encode()):>10} {count:>9} {elapsed * 1e3:>7.0f} ms", flush=True)
