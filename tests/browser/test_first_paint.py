"""First paint of a link: a cell of a model table shows its own answer before
Python is up (the Pyodide download is held back here, so no worker answer can
come); a link the build did not answer shows the greyed placeholder, never the
default's numbers as the answer; once Python is up the worker's answer is the
same as the build's."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from calc_py import api
from calc_py import tables as T
from site_src import pages as P

from helpers import expected_bytes, shown_bytes, url_query

pytestmark = pytest.mark.browser

RESULTS = "#results [data-part]"
MODEL = "Qwen/Qwen3-8B"


def table_link(site_dir, model: str, quant: str, context: str, lang: str = "en") -> str:
    """The calculator link of one cell, as the model's table page (in `lang`) writes it."""
    page = P.localized(f"models/{T.slug(model)}.html", lang)
    index = re.escape(P.localized("index.html", lang))
    html = (site_dir / page).read_text(encoding="utf-8")
    for href in re.findall(rf'href="(\.\./{index}\?[^"]+)"', html):
        q = url_query(href.replace("&amp;", "&"))
        if q.get("quant") == quant and q.get("context") == context and q.get("engine") == "llama.cpp":
            return "?" + urlsplit(href.replace("&amp;", "&")).query
    raise AssertionError(f"no link for {model} {quant} {context} on its page")


def hold_pyodide(page):
    """Python never starts: the page keeps what it showed before the worker."""
    page.route(re.compile(r".*/pyodide[^/]*/.*"), lambda route: None)


def test_a_table_link_shows_its_own_answer_before_python(probe, site_dir):
    link = table_link(site_dir, MODEL, "Q5_K_M", "32768")
    cell = T.cell(MODEL, "llama.cpp", "Q5_K_M", 32768)
    p = probe()
    hold_pyodide(p.page)
    page = p.open(link, wait_ready=False)
    page.wait_for_selector("html[data-answer=precomputed]", state="attached", timeout=30_000)
    assert page.get_attribute("html", "data-calc-state") == "loading"   # no worker answer
    shown = shown_bytes(page, RESULTS)
    assert shown["total"] == cell["total_bytes"]
    assert shown == expected_bytes(url_query(link))
    assert page.input_value("#in-model") == MODEL and page.input_value("#in-quant") == "Q5_K_M"
    assert page.input_value("#in-context") == "32768"
    assert "is-pending" not in (page.get_attribute("#results", "class") or "")


def test_a_link_without_a_precomputed_answer_is_a_placeholder(probe):
    p = probe()
    hold_pyodide(p.page)
    page = p.open("?model=Qwen%2FQwen3-8B&context=12345", wait_ready=False)
    page.wait_for_selector("#results", state="attached")
    page.wait_for_timeout(500)
    assert page.get_attribute("html", "data-answer") == "placeholder"
    # the numbers under it are the default's, greyed, not this link's answer
    opacity = page.eval_on_selector('[data-part="total"]', "e => getComputedStyle(e).opacity")
    assert float(opacity) < 1


def test_the_worker_answer_matches_the_first_paint(probe, site_dir):
    link = table_link(site_dir, MODEL, "Q4_K_M", "8192")
    p = probe()
    page = p.open(link)
    assert page.get_attribute("html", "data-answer") == "live"
    assert shown_bytes(page, RESULTS)["total"] == T.cell(MODEL, "llama.cpp", "Q4_K_M", 8192)["total_bytes"]
    assert not p.errors, p.errors


def test_a_plain_page_has_no_first_paint_state(probe):
    p = probe()
    hold_pyodide(p.page)
    page = p.open("", wait_ready=False)
    page.wait_for_selector("#results", state="attached")
    assert page.get_attribute("html", "data-answer") is None
    assert shown_bytes(page, RESULTS)["total"] == api.estimate_query({})["result"]["total_bytes"]


def test_a_chinese_table_link_shows_its_own_answer_in_chinese_before_python(probe, site_dir):
    link = table_link(site_dir, MODEL, "Q5_K_M", "32768", lang="zh-CN")
    cell = T.cell(MODEL, "llama.cpp", "Q5_K_M", 32768)
    p = probe()
    hold_pyodide(p.page)
    page = p.open(link, wait_ready=False, path=P.localized("index.html", "zh-CN"))
    page.wait_for_selector("html[data-answer=precomputed]", state="attached", timeout=30_000)
    assert page.get_attribute("html", "data-calc-state") == "loading"   # no worker answer
    assert shown_bytes(page, RESULTS)["total"] == cell["total_bytes"]
    # the answer is written in Chinese, as calc_py writes it for zh-CN
    from site_src import view
    expected = view.view(api.estimate_query(url_query(link), "zh-CN"), [], "zh-CN")
    assert page.inner_text("#total-label") == expected["total_label"]
    assert page.inner_text(".part-label >> nth=0") == expected["parts"][0]["label"]
    assert re.search(r"[\u4e00-\u9fff]", expected["total_label"])
