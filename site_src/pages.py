"""Which page a language is written to, and the links between a page's languages.

One rule for the whole site, used by build.py (calculator, embed, docs) and
site_src/tables.py (models/, gpus/, accuracy rows): English keeps the plain name
and every other language of the message catalog gets its code before the
suffix -- ``faq.html`` / ``faq.zh-CN.html``, ``models/index.html`` /
``models/index.zh-CN.html``. Pages of one language sit beside each other in the
same folder, so every relative link a template writes (``{{ root }}...``) stays
the same in all languages and only the file name changes.

Docs are Markdown: ``docs/<slug>.md`` in English and ``docs/<lang>/<slug>.md``
translated; a page whose translation is missing is still written (from the
English text, marked ``lang="en"``), and tests/test_build.py fails until the
translation exists.
"""
from __future__ import annotations

import re
from pathlib import Path

from calc_py import i18n

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANG = i18n.DEFAULT_LANG
LANG_CODE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
#: pages of the calculator itself; a doc of the same name is written as <name>-guide.html
APP_PAGES = ("index", "embed")


def languages() -> list[str]:
    """The catalog's languages, English first (each gets every page of the site)."""
    return [LANG] + [code for code in i18n.languages() if code != LANG and LANG_CODE.match(code)]


def localized(path: str, lang: str) -> str:
    """``models/index.html`` -> ``models/index.zh-CN.html`` (English: unchanged).
    A query or fragment after the name is kept."""
    if lang == LANG:
        return path
    m = re.match(r"^([^?#]*?)\.html([?#].*)?$", path)
    if not m:
        return path
    return f"{m.group(1)}.{lang}.html{m.group(2) or ''}"


def split_lang(path: str) -> tuple[str, str]:
    """The inverse of :func:`localized`: ``faq.zh-CN.html`` -> (``faq.html``, ``zh-CN``)."""
    for code in languages()[1:]:
        suffix = f".{code}.html"
        if path.endswith(suffix):
            return path[: -len(suffix)] + ".html", code
    return path, LANG


def alternates(path: str, base_url: str = "") -> list[dict[str, str]]:
    """The page in every language (for <link rel=alternate hreflang> and the sitemap):
    {"code", "href"}, hrefs from the site root (absolute when base_url is given)."""
    base = base_url.rstrip("/")
    english, _ = split_lang(path)
    return [{"code": code, "href": f"{base}/{localized(english, code)}" if base else localized(english, code)}
            for code in languages()]


def lang_links(path: str, lang: str) -> list[dict[str, str]]:
    """The header's language switch: this same page in each other language, named in
    its own language (hrefs from the site root)."""
    english, _ = split_lang(path)
    return [{"code": code, "href": localized(english, code), "name": i18n.t("site.lang.name", code)}
            for code in languages() if code != lang]


def doc_href(slug: str, lang: str = LANG) -> str:
    """The page a doc is rendered to: faq.md -> faq.html (faq.zh-CN.html), embed.md ->
    embed-guide.html (embed.html is the calculator for iframes)."""
    return localized(f"{slug}-guide.html" if slug in APP_PAGES else f"{slug}.html", lang)


def doc_slugs() -> list[str]:
    """The docs, by their English sources (docs/*.md), sorted."""
    return sorted(md.stem for md in DOCS.glob("*.md")) if DOCS.is_dir() else []


def doc_source(slug: str, lang: str) -> tuple[Path, str]:
    """(Markdown file, the language it is in): the translation when it exists, else English."""
    if lang != LANG:
        translated = DOCS / lang / f"{slug}.md"
        if translated.is_file():
            return translated, lang
    return DOCS / f"{slug}.md", LANG


def doc_title(text: str, fallback: str) -> str:
    m = re.search(r"^#\s+(.+?)\s*#*\s*$", text, re.M)
    return m.group(1) if m else fallback


def docs(lang: str) -> list[dict[str, str]]:
    """Every doc in one language: slug, href, title, text and the language of the text."""
    out = []
    for slug in doc_slugs():
        source, text_lang = doc_source(slug, lang)
        text = source.read_text(encoding="utf-8")
        out.append({"slug": slug, "href": doc_href(slug, lang), "title": doc_title(text, slug),
                    "text": text, "text_lang": text_lang})
    return out


def localize_links(html: str, lang: str) -> str:
    """A page's links to other pages of this site, pointed at the same language:
    <a href="models/index.html"> -> <a href="models/index.zh-CN.html">. Links to other
    origins, to data files, to in-page anchors and the language switch's own links
    (<a hreflang=...>, <link rel=alternate>) are left alone."""
    if lang == LANG:
        return html

    def fix_href(m: re.Match) -> str:
        target = m.group(1)
        path = re.split(r"[?#]", target, maxsplit=1)[0]
        if (re.match(r"^[a-z][a-z0-9+.-]*:|^//", target, re.I) or not path.endswith(".html")
                or split_lang(path)[1] != LANG):
            return m.group(0)
        return f'href="{localized(target, lang)}"'

    def fix_tag(m: re.Match) -> str:
        tag = m.group(0)
        return tag if "hreflang=" in tag else re.sub(r'href="([^"]*)"', fix_href, tag)

    return re.sub(r"<a\s[^>]*>", fix_tag, html)
