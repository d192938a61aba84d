"""The one message catalog: every string a user reads, keyed, English first.

Why a catalog: the project's first audience reads Chinese. Templates, the CLI and
the page all look strings up here, so a zh-CN translation is one new folder
(`messages/zh-CN/*.json` with the same keys) and touches no code or template.

The catalog for a language is the union of the JSON files in
`calc_py/messages/<lang>/` (one file per area: `calc.json` for the memory model and
CLI, `site.json` for the page). A key missing in a language falls back to English.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

DEFAULT_LANG = "en"


@lru_cache(maxsize=None)
def catalog(lang: str = DEFAULT_LANG) -> dict[str, str]:
    """All messages of one language, English filling the gaps."""
    merged: dict[str, str] = {}
    if lang != DEFAULT_LANG:
        merged.update(catalog(DEFAULT_LANG))
    folder = resources.files("calc_py") / "messages" / lang
    if not folder.is_dir():
        return merged
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            merged.update(json.loads(entry.read_text(encoding="utf-8")))
    return merged


def languages() -> list[str]:
    """Languages that have a folder in the catalog."""
    root = resources.files("calc_py") / "messages"
    return sorted(e.name for e in root.iterdir() if e.is_dir())


#: Chinese full-width punctuation: it carries its own spacing, so a space beside it is a gap
FULL_WIDTH_PUNCTUATION = "（）：，。、；！？「」《》"
_SPACE_BY_FULL_WIDTH = re.compile(f" +(?=[{FULL_WIDTH_PUNCTUATION}])|(?<=[{FULL_WIDTH_PUNCTUATION}]) +")


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The message `key`, formatted with `values` (str.format fields).

    In Chinese a message puts a space between a value and a Chinese word ("RTX 4090 放得下"),
    but a value may itself end in full-width punctuation (a card's name "…（24GB 统一内存）"):
    the space beside such punctuation is dropped, as Chinese typesetting does.
    """
    text = catalog(lang).get(key)
    if text is None:
        raise KeyError(f"message key not in catalog: {key}")
    if not values:
        return text
    text = text.format(**values)
    if lang.startswith("zh"):
        text = _SPACE_BY_FULL_WIDTH.sub("", text)
    return text
