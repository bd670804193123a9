"""Prints BeautifulSoup's table of named character references as JSON
({name: text}): what `&name;` becomes in `.text`. `.ci/soup-differential`
hands it to `tests/soup.rs`, which checks the chapter resolves every name
the same way (`soup::named_character_reference`).

    python entity_table.py > table.json     (in a venv with beautifulsoup4)
"""
import json
import sys

from bs4.dammit import EntitySubstitution

json.dump(EntitySubstitution.HTML_ENTITY_TO_CHARACTER, sys.stdout, ensure_ascii=True)
