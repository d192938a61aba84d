"""The full calculator in another language (index.<lang>.html): its own strings,
calc_py's labels and explanations in that language, before and after Python is
up, the same bytes as the English page, and a header link to the other language
that carries the inputs."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from calc_py import api, i18n

from helpers import expected_bytes, shown_bytes, url_query

pytestmark = pytest.mark.browser

LANG = "zh-CN"


def part_texts(page, cls: str) -> list[str]:
    return page.eval_on_selector_all(f"#parts .{cls}", "els => els.map(e => e.textContent)")


def calc_parts(query: dict[str, str], key: str) -> list[str]:
    parts = api.estimate_query(query, LANG)["result"]["parts"]
    return [p[key] for p in parts if p["part"] != "total"]


def test_prerendered_page_is_in_the_language(probe):
    p = probe(java_script_enabled=False)
    page = p.open(wait_ready=False, path=f"index.{LANG}.html")
    assert page.get_attribute("html", "lang") == LANG
    assert page.text_content("h1") == i18n.t("site.heading", LANG)
    assert page.text_content("label[for=in-model]") == i18n.t("site.input.model", LANG)
    assert part_texts(page, "part-label") == calc_parts({}, "label")
    assert part_texts(page, "part-explain") == calc_parts({}, "explain")
    assert calc_parts({}, "explain") != [p["explain"] for p in api.estimate_query({})["result"]["parts"]
                                         if p["part"] != "total"], "the explanations are translated"
    assert shown_bytes(page) == expected_bytes({})
    # the header links to the English calculator, and index.html back to this one
    assert page.get_attribute(".lang-switch a", "href") == "index.html"
    english = p.open(wait_ready=False)
    assert english.get_attribute(".lang-switch a", "href") == f"index.{LANG}.html"
    assert english.get_attribute("html", "lang") == "en"


def test_same_bytes_as_the_english_page_and_labels_follow_the_language(probe):
    query = {"model": "Qwen/Qwen2.5-7B-Instruct", "context": "16384", "gpu": "rtx-3090"}
    search = "?" + "&".join(f"{k}={v}" for k, v in query.items())
    p = probe()
    zh = p.open(search, path=f"index.{LANG}.html")
    q = probe()
    en = q.open(search)
    assert shown_bytes(zh) == shown_bytes(en) == expected_bytes(query)
    assert zh.text_content("#calc-status") == i18n.t("site.js.status.ready", LANG)
    assert part_texts(zh, "part-label") == calc_parts(query, "label")
    assert part_texts(zh, "part-explain") == calc_parts(query, "explain")
    assert zh.text_content("#fit") != en.text_content("#fit")
    # an input change: computed in the worker, still in the page's language
    zh.fill("#in-context", "32768")
    p.wait_idle()
    query["context"] = "32768"
    assert shown_bytes(zh) == expected_bytes(query)
    assert part_texts(zh, "part-explain") == calc_parts(query, "explain")
    assert url_query(zh.url)["context"] == "32768"
    # the link to the English calculator carries the inputs
    link = zh.get_attribute(".lang-switch a", "href")
    assert urlsplit(link).path.endswith("/index.html") and url_query(link) == url_query(zh.url)
    zh.click(".lang-switch a")
    p.wait_ready()
    assert zh.get_attribute("html", "lang") == "en"
    assert shown_bytes(zh) == expected_bytes(query)
    assert not p.errors and not q.errors, p.errors + q.errors
