"""The generated lookup tables answer without JavaScript, and their links open the calculator."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from calc_py import api

pytestmark = pytest.mark.browser


def test_model_page_renders_its_table_with_javascript_disabled(browser, base_url):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(f"{base_url}/models/meta-llama--Llama-3.1-8B.html")
    assert "Llama 3.1 8B" in page.title()
    cells = page.locator("table td a[href*='index.html?']")
    assert cells.count() >= 20
    text = page.text_content("body")
    assert "GiB" in text
    ctx.close()


def test_open_in_calculator_link_restores_the_same_inputs(browser, base_url):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(f"{base_url}/models/index.html")
    assert page.locator("table tbody tr").count() >= 50
    page.goto(f"{base_url}/models/meta-llama--Llama-3.1-8B.html")
    href = page.locator("table td a[href*='index.html?']").first.get_attribute("href")
    query = dict(parse_qsl(urlsplit(href).query))
    r = api.estimate_query(query)
    assert r["notices"] == []
    assert r["inputs"]["model"] == "meta-llama/Llama-3.1-8B"
    assert all(r["inputs"][k] == v for k, v in query.items() if k in r["inputs"])
    ctx.close()


def test_gpu_page_renders_without_javascript(browser, base_url):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(f"{base_url}/gpus/rtx-4090.html")
    assert "4090" in page.title()
    assert page.locator("table tbody tr").count() >= 50
    ctx.close()
