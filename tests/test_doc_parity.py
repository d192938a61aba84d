"""Each translated doc (docs/<lang>/<slug>.md) says everything its English source says.

English (docs/<slug>.md) is the source of truth. A translation may reword and
re-wrap freely, but must keep the things a reader relies on and a translator
has no reason to change, so a section added to (or changed in) English without
its translation fails here and names the section:

* the same docs;
* the same outline: as many headings at each level, in the same order, and the
  same inline code spans in each heading (`calc_py/placement.py` ...);
* per section (the text under one heading): the same inline code spans
  (a multiset: identifiers, flags, file names and formulas are not translated),
  the same link targets (language suffixes mapped away the way
  site_src/pages.py writes them, as build.py localizes links at render time),
  the same numbers in the prose (a set of digit runs: "6.4 %" and "6.4%" are
  both 6.4, "1,073,741,824" is one number; a set, not a multiset: a sentence
  recast in Chinese may name a number once that English repeats, or the
  reverse, but no number may be dropped or added; "1-D"/"2-D" are left out,
  Chinese writes 一维/二维), as many table rows, list items and paragraphs,
  and as many fenced code blocks, with the same code in them;
* rendered by build.py, the same HTML elements (a line that Markdown reads
  differently in one language -- a wrapped "+ x" turning into a list -- shows).
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from site_src import pages as P

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANGS = [lang for lang in P.languages()[1:] if (DOCS / lang).is_dir()]
SLUGS = P.doc_slugs()

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_CODE = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<(https?://[^>\s]+)>")
# a number: digits with optional thousands groups and decimal part ("1,073,741,824",
# "0.007", "6.4"); Chinese groups and separates decimals as English does, in ASCII digits
_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|(?<![\d.])\d+(?:\.\d+)?")
_TABLE_ROW = re.compile(r"^\s*\|")
# "1-D", "2-D": a dimension count, which Chinese writes as a numeral word (一维, 二维)
_LIST_ITEM = re.compile(r"^\s*(?:[*+-]|\d+\.)\s")
_DIMENSIONS = re.compile(r"\b\d-D\b")


class Section:
    def __init__(self, level: int, heading: str):
        self.level = level
        self.heading = heading
        self.lines: list[str] = []
        self.fences: list[str] = []

    @property
    def title_code(self) -> list[str]:
        return [m.group(2).strip() for m in _CODE.finditer(self.heading)]

    @property
    def prose(self) -> str:
        return "\n".join(self.lines)

    def code_spans(self) -> Counter:
        return Counter(m.group(2).strip() for m in _CODE.finditer(self.prose))

    def links(self) -> set[str]:
        return {normalize_link(m.group(1) or m.group(2)) for m in _LINK.finditer(self.prose)}

    def numbers(self) -> set[str]:
        text = _CODE.sub(" ", self.prose)                 # code spans are compared whole above
        text = re.sub(r"\]\([^)]*\)", "]", text)          # link targets are compared above
        text = re.sub(r"<https?://[^>]*>", " ", text)
        text = _DIMENSIONS.sub(" ", text)                 # "1-D tensors": Chinese says 一维
        return {normalize_number(n) for n in _NUMBER.findall(text)}

    def table_rows(self) -> int:
        return sum(1 for line in self.lines if _TABLE_ROW.match(line))

    def list_items(self) -> int:
        return sum(1 for line in self.lines if _LIST_ITEM.match(line))

    def blocks(self) -> int:
        """Paragraphs, lists, tables, quotes: runs of lines between blank lines."""
        return len([b for b in re.split(r"\n[ \t]*\n", self.prose) if b.strip()])


def normalize_number(n: str) -> str:
    """0.0070 -> 0.007 (the same value); the thousands commas are kept."""
    return n.rstrip("0").rstrip(".") if "." in n else n


def normalize_link(target: str) -> str:
    """The English page a link leads to: faq.zh-CN.html -> faq.html; zh-CN/faq.md and
    ../faq.md -> faq.md (build.py turns doc links into the reader's language itself)."""
    path, sep, rest = (re.split(r"([?#])", target, maxsplit=1) + ["", ""])[:3]
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", path, re.I):
        return target
    if path.endswith(".html"):
        path = P.split_lang(path)[0]
    elif path.endswith(".md"):
        parts = [p for p in path.split("/") if p not in ("..", ".") and p not in P.languages()]
        path = "/".join(parts)
    return path + sep + rest


def parse(text: str) -> list[Section]:
    """The doc as sections: the text before the first heading, then one per heading."""
    sections = [Section(0, "")]
    fence: list[str] | None = None
    for line in text.splitlines():
        if fence is not None:
            if _FENCE.match(line):
                sections[-1].fences.append("\n".join(fence))
                fence = None
            else:
                fence.append(line)
            continue
        if _FENCE.match(line):
            fence = []
            continue
        m = _HEADING.match(line)
        if m:
            sections.append(Section(len(m.group(1)), m.group(2)))
        else:
            sections[-1].lines.append(line)
    assert fence is None, "a fenced code block is never closed"
    return sections


def _pairs():
    return [(lang, slug) for lang in LANGS for slug in SLUGS]


def _load(lang: str, slug: str) -> tuple[list[Section], list[Section]]:
    en = parse((DOCS / f"{slug}.md").read_text(encoding="utf-8"))
    path = DOCS / lang / f"{slug}.md"
    if not path.is_file():
        pytest.fail(f"docs/{lang}/{slug}.md is missing")
    return en, parse(path.read_text(encoding="utf-8"))


def _where(slug: str, section: Section) -> str:
    return f"{slug}.md, section {section.heading!r}" if section.heading else f"{slug}.md, before the first heading"


def test_there_are_translated_docs():
    assert SLUGS, "no docs"
    assert LANGS, "no translated docs"


@pytest.mark.parametrize("lang", LANGS)
def test_same_docs(lang):
    english = {md.stem for md in DOCS.glob("*.md")}
    translated = {md.stem for md in (DOCS / lang).glob("*.md")}
    assert translated == english, (f"only in English: {sorted(english - translated)}, "
                                   f"only in {lang}: {sorted(translated - english)}")


@pytest.mark.parametrize("lang,slug", _pairs())
def test_same_outline(lang, slug):
    en, tr = _load(lang, slug)
    for level in range(1, 7):
        assert sum(s.level == level for s in tr) == sum(s.level == level for s in en), (
            f"{slug}.md: {sum(s.level == level for s in en)} level-{level} headings in English, "
            f"{sum(s.level == level for s in tr)} in {lang}; English has "
            f"{[s.heading for s in en if s.level == level]}")
    assert [s.level for s in tr] == [s.level for s in en], f"{slug}.md: headings in another order"
    for e, t in zip(en, tr):
        assert t.title_code == e.title_code, (
            f"{slug}.md: heading {t.heading!r} ({lang}) has code {t.title_code}, "
            f"English {e.heading!r} has {e.title_code}")


def _sections(lang, slug):
    en, tr = _load(lang, slug)
    if [s.level for s in tr] != [s.level for s in en]:
        pytest.fail(f"{slug}.md: outlines differ (see test_same_outline)")
    return list(zip(en, tr))


@pytest.mark.parametrize("lang,slug", _pairs())
def test_same_code_spans(lang, slug):
    for e, t in _sections(lang, slug):
        missing, extra = e.code_spans() - t.code_spans(), t.code_spans() - e.code_spans()
        assert not missing and not extra, (
            f"{_where(slug, e)}: code only in English {sorted(missing)}, only in {lang} {sorted(extra)}")


@pytest.mark.parametrize("lang,slug", _pairs())
def test_same_links(lang, slug):
    for e, t in _sections(lang, slug):
        assert t.links() == e.links(), (
            f"{_where(slug, e)}: links only in English {sorted(e.links() - t.links())}, "
            f"only in {lang} {sorted(t.links() - e.links())}")


@pytest.mark.parametrize("lang,slug", _pairs())
def test_same_numbers(lang, slug):
    for e, t in _sections(lang, slug):
        assert t.numbers() == e.numbers(), (
            f"{_where(slug, e)}: numbers only in English {sorted(e.numbers() - t.numbers())}, "
            f"only in {lang} {sorted(t.numbers() - e.numbers())}")


@pytest.mark.parametrize("lang,slug", _pairs())
def test_same_tables_and_code_blocks(lang, slug):
    for e, t in _sections(lang, slug):
        assert t.table_rows() == e.table_rows(), (
            f"{_where(slug, e)}: {e.table_rows()} table rows in English, {t.table_rows()} in {lang}")
        assert t.fences == e.fences, f"{_where(slug, e)}: fenced code blocks differ"


@pytest.mark.parametrize("lang,slug", _pairs())
def test_same_lists_and_paragraphs(lang, slug):
    """A wrapped line that starts with "+ " or "1. " turns into a list item, a line
    right under a table into a table row: the two languages then render differently."""
    for e, t in _sections(lang, slug):
        assert t.list_items() == e.list_items(), (
            f"{_where(slug, e)}: {e.list_items()} list items in English, {t.list_items()} in {lang}")
        assert t.blocks() == e.blocks(), (
            f"{_where(slug, e)}: {e.blocks()} paragraphs/lists/tables in English, {t.blocks()} in {lang}")


@pytest.mark.parametrize("lang,slug", _pairs())
def test_same_rendered_structure(lang, slug):
    """Rendered as build.py renders them, both languages have the same elements: as
    many paragraphs, list items, rows, cells, code spans, links, bold and italic runs."""
    import build

    def tags(path: Path, code: str) -> Counter:
        html = build.render_markdown(path.read_text(encoding="utf-8"), code)
        return Counter(re.findall(r"<([a-z][a-z0-9]*)[\s>/]", html))

    en, tr = tags(DOCS / f"{slug}.md", P.LANG), tags(DOCS / lang / f"{slug}.md", lang)
    assert tr == en, f"{slug}.md: elements only in English {dict(en - tr)}, only in {lang} {dict(tr - en)}"


# ----------------------------------------------------------------------------
# the checker itself

def test_parse_skips_headings_in_code_blocks():
    sections = parse("# T\n\n```\n# not a heading\n| not a row |\n```\n\n## A `x`\n| a |\n|---|\n")
    assert [(s.level, s.heading) for s in sections] == [(0, ""), (1, "T"), (2, "A `x`")]
    assert sections[1].fences == ["# not a heading\n| not a row |"]
    assert sections[1].table_rows() == 0 and sections[2].table_rows() == 2
    assert sections[2].title_code == ["x"]
    assert sections[1].blocks() == 0 and sections[2].blocks() == 1


def test_lists_and_paragraphs_are_counted():
    s = parse("# T\npara one\nstill one\n\n* a\n  wrapped (b\n  + c)\n* d\n\n| x |\n|---|\nnot a row\n")[1]
    assert s.list_items() == 3 and s.blocks() == 3


def test_numbers_ignore_code_links_and_spacing():
    s = parse("# T\nabout 6.4 % and 0.0070, `Q4_K_M` [x](gpus/index.html) 12%, 1-D, 1,073,741,824 B\n")[1]
    assert s.numbers() == {"6.4", "0.007", "12", "1,073,741,824"}


def test_links_map_languages_away():
    assert normalize_link("faq.zh-CN.html") == "faq.html"
    assert normalize_link("models/index.zh-CN.html#llama") == "models/index.html#llama"
    assert normalize_link("../faq.md") == "faq.md"
    assert normalize_link("https://example.com/a.zh-CN.html") == "https://example.com/a.zh-CN.html"
