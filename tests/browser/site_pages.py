"""The site's page types, once per language, for the accessibility and phone tests,
and axe-core (the npm package pinned in package.json) run inside a page.

axe is served to the page from its own origin (a Playwright route on the test
server's address), so it loads under the page's Content Security Policy
(script-src 'self'), with no eval and no bypass: the pages are checked as readers get them.
"""
from __future__ import annotations

from pathlib import Path

from site_src import pages as P

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__test__/axe.min.js"
#: axe's WCAG 2.0 / 2.1, levels A and AA
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: one page of each generated kind (besides the calculator and its embed), English names
STATIC_PAGES = ("models/index.html", "models/by-q4.html", "models/meta-llama--Llama-3.1-8B.html",
                "gpus/index.html", "gpus/rtx-4090.html", "accuracy-rows.html")


def doc_pages(lang: str) -> list[str]:
    """Every doc, rendered, in `lang`."""
    return [P.doc_href(slug, lang) for slug in P.doc_slugs()]


def static_pages(lang: str) -> list[str]:
    return [P.localized(p, lang) for p in STATIC_PAGES] + doc_pages(lang)


def languages() -> list[str]:
    return P.languages()


def serve_axe(context) -> None:
    """Answer AXE_URL on every origin of this context with the pinned axe-core."""
    body = AXE_JS.read_text(encoding="utf-8")
    context.route(f"**{AXE_URL}", lambda route: route.fulfill(
        status=200, body=body, content_type="text/javascript"))


def axe_violations(page, label: str = "") -> list[str]:
    """axe's WCAG 2.x A/AA violations on the page as it is now, one line per failing node."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']})""", WCAG_TAGS)
    lines = []
    for v in result["violations"]:
        for node in v["nodes"][:5]:
            summary = " ".join((node.get("failureSummary") or "").split())[:300]
            lines.append(f"{label} {v['id']} ({v['impact']}) {node['target']}: {summary}")
        if len(v["nodes"]) > 5:
            lines.append(f"{label} {v['id']}: … {len(v['nodes']) - 5} more nodes")
    return lines
