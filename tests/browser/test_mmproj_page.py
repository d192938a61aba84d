"""Choosing a vision projector on the page counts it like calc_py does: its own part
and bar segment, in the total, on the first GPU's bar, and kept in the link."""
from __future__ import annotations

import pytest

from helpers import assert_matches, shown_bytes, url_query

pytestmark = pytest.mark.browser

QUERY = {"model": "google/gemma-3-27b-it", "gpu": "2xrtx-3090", "quant": "Q4_K_M"}


def test_choosing_an_mmproj_adds_the_projector_to_the_total_and_the_first_gpu(probe):
    p = probe()
    page = p.open("?" + "&".join(f"{k}={v}" for k, v in QUERY.items()))
    before = shown_bytes(page)
    assert "mmproj" not in before
    page.select_option("#in-mmproj", "f16")
    p.wait_idle()
    shown = shown_bytes(page)
    assert_matches(page, {**QUERY, "mmproj": "f16"})
    # gemma-3-27b-it's mmproj-f16 is published as 858 MB
    assert shown["mmproj"] == pytest.approx(858e6, abs=0.5e6)
    assert shown["total"] == before["total"] + shown["mmproj"]
    assert url_query(page.url)["mmproj"] == "f16"
    # the first device's bar has the projector's segment, the second's has none
    bars = page.locator("#devices .device-bar")
    assert bars.nth(0).locator(".seg-mmproj").count() == 1
    assert bars.nth(1).locator(".seg-mmproj").count() == 0
    assert page.locator("#bar .seg-mmproj, .bar .seg-mmproj").count() >= 1
    assert not p.errors, p.errors


def test_a_link_with_an_mmproj_opens_with_it_chosen(probe):
    p = probe()
    page = p.open("?model=google/gemma-3-27b-it&gpu=rtx-4090&mmproj=q8_0")
    assert page.input_value("#in-mmproj") == "q8_0"
    assert "mmproj" in shown_bytes(page)
    assert_matches(page, {"model": "google/gemma-3-27b-it", "gpu": "rtx-4090", "mmproj": "q8_0"})
