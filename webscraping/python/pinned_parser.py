"""Loads the pinned html.parser before BeautifulSoup is imported.

CPython's html.parser changed in its security releases of mid-2025 (the fix
for CVE-2025-6069), and which version an interpreter has depends on its
patch level, not on its version number: pyenv's 3.11.7 has the old parser,
Debian 12's 3.11.2-6+deb12u9 the new one. The chapter follows the new one.
Importing this module first makes `html.parser` and `_markupbase` the copies
in vendor/ (cpython_html_parser.py, cpython_markupbase.py), whatever the
interpreter ships, so BeautifulSoup's counts are the same on every machine.

    import pinned_parser  # noqa: F401  (before bs4)
    from bs4 import BeautifulSoup
"""

import html
import importlib.util
import pathlib
import sys

VENDOR = pathlib.Path(__file__).resolve().parent / "vendor"


def _load(name, filename):
    if "bs4" in sys.modules:
        sys.exit("error: import pinned_parser before bs4")
    spec = importlib.util.spec_from_file_location(name, VENDOR / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_load("_markupbase", "cpython_markupbase.py")
html.parser = _load("html.parser", "cpython_html_parser.py")
# The mark of the fixed parser: the pattern that replaced the quadratic one.
assert hasattr(html.parser, "locatetagend"), "the pinned html.parser did not load"
PINNED = "CPython 3.11.2-6+deb12u9 (Debian) html.parser, with the fix for CVE-2025-6069"
