"""Produces the test fixture tests/fixtures/bs4_counts.txt: for each page the
local site serves (written out by `webscraping serve --dump DIR`), the
character count the lecture prints, len(BeautifulSoup(html, 'html.parser').text).

    cargo run -p webscraping -- serve --dump /tmp/pages
    pip install beautifulsoup4==4.15.0
    python3 webscraping/python/bs4_counts.py /tmp/pages > webscraping/tests/fixtures/bs4_counts.txt
"""

import pathlib
import sys

import pinned_parser  # makes html.parser the pinned copy in this folder: before bs4

import bs4
from bs4 import BeautifulSoup


def main():
    folder = pathlib.Path(sys.argv[1])
    print(f"# len(BeautifulSoup(html, 'html.parser').text), beautifulsoup4 {bs4.__version__}, "
          f"Python {sys.version.split()[0]}, {pinned_parser.PINNED}")
    for page in sorted(folder.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        print(f"{page.stem} {len(BeautifulSoup(html, 'html.parser').text)}")


if __name__ == "__main__":
    main()
