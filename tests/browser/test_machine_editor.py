"""The machine on the page: cards with counts and RAM spell the gpu=/ram= keys, the
per-device table shows calc_py's placement byte for byte, the plan's command is
copied as calc_py writes it, a permalink with the machine keys restores it, and
hostile machine values give a notice instead of markup."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from calc_py import api

from helpers import url_query

pytestmark = pytest.mark.browser

MODEL = "Qwen/Qwen3-30B-A3B"


def device_rows(page) -> list[tuple[str, int]]:
    return page.eval_on_selector_all(
        "#device-rows tr", "trs => trs.map(t => [t.dataset.device, Number(t.dataset.bytes)])")


def expected_rows(query: dict[str, str]) -> list[tuple[str, int]]:
    r = api.estimate_query(query)["result"]
    rows = [[d["name"], d["total_bytes"]] for d in r["devices"]]
    return rows + [["host", r["host"]["total_bytes"]]]


def test_the_machine_editor_spells_the_machine_and_shows_each_device(probe):
    p = probe()
    page = p.open("?" + urlencode({"model": MODEL}))
    assert page.is_hidden("#devices")
    page.select_option("#in-gpu", "rtx-3090")
    page.fill("#in-gpu-count", "2")
    p.wait_idle()
    page.click("#machine-add")
    page.locator(".machine-row").nth(1).locator("select").select_option("rtx-4090")
    p.wait_idle()
    page.fill("#in-ram", "64")
    p.wait_idle()
    q = url_query(page.url)
    assert q["gpu"] == "2xrtx-3090,rtx-4090" and q["ram"] == "64"
    assert page.is_visible("#devices")
    assert device_rows(page) == expected_rows({"model": MODEL, "gpu": "2xrtx-3090,rtx-4090", "ram": "64"})
    # removing a card: back to two devices
    page.locator(".machine-row").nth(1).locator(".machine-remove").click()
    p.wait_idle()
    assert url_query(page.url)["gpu"] == "2xrtx-3090"
    assert [n for n, _ in device_rows(page)] == ["CUDA0", "CUDA1", "host"]
    assert not p.errors, p.errors


def test_the_plan_command_is_copied_as_calc_py_writes_it(probe):
    query = {"model": MODEL, "gpu": "rtx-3060-12gb", "ram": "64", "fit": "on", "context": "32768"}
    plan = api.estimate_query(query)["result"]["plan"]
    p = probe(permissions=["clipboard-read", "clipboard-write"])
    page = p.open("?" + urlencode(query))
    assert page.is_visible("#plan")
    assert page.input_value("#plan-command") == plan["command"]
    page.click("#plan-copy")
    page.wait_for_selector("#plan-status:not(:empty)", state="attached")
    assert page.evaluate("navigator.clipboard.readText()") == plan["command"]
    assert plan["messages"][0] in page.text_content("#plan-messages")
    assert not p.errors, p.errors


def test_a_permalink_with_machine_keys_restores_the_machine(probe):
    query = {"model": MODEL, "gpu": "2xrtx-3090", "ram": "48", "n-cpu-moe": "10", "no-mmap": "on"}
    answer = api.estimate_query(query)
    assert answer["notices"] == []
    p = probe()
    page = p.open("?" + urlencode(query))
    assert page.input_value("#in-gpu") == "rtx-3090" and page.input_value("#in-gpu-count") == "2"
    assert page.input_value("#in-ram") == "48" and page.input_value("#in-n-cpu-moe") == "10"
    assert device_rows(page) == expected_rows(query)
    link = page.url
    for key, value in query.items():
        assert url_query(link)[key] == value
    again = probe().open("?" + link.split("?", 1)[1])
    assert device_rows(again) == expected_rows(query)
    snippet = page.input_value("#embed-code")
    assert "gpu=2xrtx-3090" in snippet and "ram=48" in snippet
    assert not p.errors, p.errors


HOSTILE = {"ram": "-5", "tensor-split": "<b>1</b>,2", "override-tensor": "((=CPU", "n-cpu-moe": "1e400",
           "fit-target": "<svg onload=alert(1)>", "split-mode": "<i>row</i>"}


def test_hostile_machine_values_give_a_notice(probe):
    for key, value in HOSTILE.items():          # each one is refused by calc_py
        assert any(key in n for n in api.estimate_query({"model": MODEL, "gpu": "rtx-3090", key: value})["notices"])
    p = probe()
    page = p.open("?" + urlencode({"model": MODEL, "gpu": "rtx-3090", **HOSTILE}))
    notices = page.text_content("#notices")
    for key in HOSTILE:
        assert key in notices, key
    # and typed into the editor: a hostile machine string
    page.click("#machine-flags summary")
    page.fill("#in-override-tensor", "<img src=x onerror=window.__pwned=1>=CPU")
    p.wait_idle()
    assert "override-tensor" in page.text_content("#notices")
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("#results img, #results b, #results i, #results svg[onload]").count() == 0
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    assert not p.errors, p.errors
