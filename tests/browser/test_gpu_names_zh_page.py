"""The Chinese calculator names every card as calc_py writes it in Chinese
(calc_py.catalog.gpu_name): the GPU select's options, the comparison table, the
fit line and the per-device table, before and after Python is up. app.js only
copies these strings; the English page keeps the catalog's names."""
from __future__ import annotations

import pytest

from calc_py import api
from calc_py import catalog as cat

pytestmark = pytest.mark.browser

LANG = "zh-CN"
LAPTOP = "rtx-4090-laptop"
APPLE = "apple-m2-max-32gb"


def option_labels(page) -> dict[str, str]:
    return dict(page.eval_on_selector_all(
        "#in-gpu option", "els => els.filter(e => e.value).map(e => [e.value, e.textContent])"))


def table_names(page) -> list[str]:
    return page.eval_on_selector_all("#gpu-rows th", "els => els.map(e => e.textContent)")


def test_select_and_table_read_chinese_names_before_and_after_python(probe):
    want = {g["id"]: cat.gpu_name(g, LANG) for g in cat.gpus()}
    rows = api.compare_gpus(api.estimate_query({}, LANG)["result"])
    # prerendered (no JavaScript)
    still = probe(java_script_enabled=False).open(wait_ready=False, path=f"index.{LANG}.html")
    assert option_labels(still) == want
    assert table_names(still) == [cat.gpu_name(r, LANG) for r in rows]
    # live: the worker's view, after an input change
    page = probe().open(f"?gpu={LAPTOP}", path=f"index.{LANG}.html")
    assert option_labels(page) == want
    assert page.input_value("#in-gpu") == LAPTOP
    assert table_names(page) == [cat.gpu_name(r, LANG) for r in rows]
    assert "RTX 4090 笔记本电脑 GPU" in page.text_content("#fit")
    assert "Laptop" not in page.text_content("#fit")
    page.select_option("#in-gpu", APPLE)
    page.wait_for_selector("#fit:has-text('统一内存')", state="attached", timeout=60_000)
    assert "Apple M2 Max（32GB 统一内存）" in page.text_content("#fit")
    devices = page.text_content("#device-rows")
    assert "Apple M2 Max（32GB 统一内存）" in devices and "unified memory" not in devices
    names = table_names(page)
    assert "NVIDIA GeForce RTX 4090 笔记本电脑 GPU" in names
    assert not any("Laptop" in n or "unified memory" in n for n in names)


def test_english_page_keeps_the_catalog_names(probe):
    page = probe().open(f"?gpu={LAPTOP}")
    assert option_labels(page) == {g["id"]: g["name"] for g in cat.gpus()}
    assert "NVIDIA GeForce RTX 4090 Laptop GPU" in page.text_content("#fit")
    assert "NVIDIA GeForce RTX 4090 Laptop GPU" in table_names(page)
