"""Build-time "what runs on my machine" tables (calc_py/machine_tables.py, site_src/machine_pages.py).

Each row is a claim a reader can check by clicking it: the calculator, given the
row's query, must agree that the model runs there as the row says.
"""
from __future__ import annotations

import pytest

from calc_py import api
from calc_py import machine_tables as MT

#: one discrete card with RAM, two cards, one unified machine
SAMPLE = ("12gb-64gb-ram", "2x24gb-64gb-ram", "apple-64gb")


def test_presets_cover_the_machines_people_ask_about():
    ids = {p["id"] for p in MT.presets()}
    for size in (8, 12, 16, 24, 32):
        for ram in (32, 64):
            assert f"{size}gb-{ram}gb-ram" in ids
    assert {"2x24gb-64gb-ram", "apple-16gb", "apple-36gb", "apple-64gb", "apple-128gb"} <= ids
    unified = [p for p in MT.presets() if p["unified"]]
    assert len(unified) >= 6 and all(p["ram"] is None for p in unified)


def test_every_preset_names_catalog_gpus_of_its_stated_size():
    for p in MT.presets():
        assert p["gpu_ids"] and len(p["gpu_ids"]) == len(p["gpu_names"])
        if not p["unified"]:
            per_card = p["gpu_bytes"] / len(p["gpu_ids"]) / (1 << 30)
            stated = int(p["id"].split("gb")[0].split("x")[-1])
            assert stated - 1.5 < per_card <= stated, p["id"]


@pytest.mark.parametrize("machine_id", SAMPLE)
def test_gpu_rows_fit_entirely_on_the_gpus_when_the_calculator_checks_them(machine_id):
    tb = MT.machine_table(machine_id)
    gpu_rows = [r for r in tb["rows"] if r["kind"] == "gpu"]
    assert len(gpu_rows) >= 20
    for r in gpu_rows[:: max(1, len(gpu_rows) // 6)]:
        res = api.estimate_query(r["query"])
        assert not res["notices"], res["notices"]
        out = res["result"]
        assert out["inputs"]["quant"] == r["quant"]
        assert all(d["fits"] for d in out["devices"]), (r["model"], r["quant"])
        # every repeating layer and the output layer on a GPU: only the input layer stays on the host
        assert sum(d["n_layers"] for d in out["devices"]) == out["model"]["layers"]
        assert any(d["output"] for d in out["devices"])
        assert r["context"] >= min(MT.TABLE_CONTEXT, 4096)


def test_offload_rows_use_the_fit_plan_and_fit_the_ram():
    tb = MT.machine_table("12gb-64gb-ram")
    off = [r for r in tb["rows"] if r["kind"] == "offload"]
    assert off, "a 12 GB card with 64 GiB of RAM runs some larger model with experts or layers in RAM"
    for r in off:
        assert r["query"]["fit"] == "on" and r["query"]["ram"] == "64"
        out = api.estimate_query(r["query"])["result"]
        assert out["host"]["fits"] and all(d["fits"] for d in out["devices"])
        assert out["host"]["weights_bytes"] > 0


def test_rows_are_ranked_on_gpu_first_then_larger_models_first():
    rows = MT.machine_table("12gb-64gb-ram")["rows"]
    kinds = [r["kind"] for r in rows]
    assert kinds == sorted(kinds, key=lambda k: k != "gpu")
    gpu = [r["params"] for r in rows if r["kind"] == "gpu"]
    assert gpu == sorted(gpu, reverse=True)


def test_speed_order_is_the_same_rows_fastest_first():
    tb = MT.machine_table("apple-64gb")
    fast = MT.ranked_by_speed(tb)
    assert sorted(r["model"] for r in fast) == sorted(r["model"] for r in tb["rows"])
    speeds = [r["decode_tokens_per_s"] for r in fast if r["decode_tokens_per_s"] is not None]
    assert speeds == sorted(speeds, reverse=True) and len(speeds) == len(fast)


def test_more_ram_never_removes_a_model():
    small = {r["model"] for r in MT.machine_table("12gb-32gb-ram")["rows"]}
    large = {r["model"] for r in MT.machine_table("12gb-64gb-ram")["rows"]}
    assert small <= large and len(large) > len(small)


def test_gpu_pages_find_the_machines_with_their_card():
    assert [p["id"] for p in MT.machines_with_gpu("rtx-4090")] == ["24gb-32gb-ram", "24gb-64gb-ram"]
    assert MT.machines_with_gpu("h100-sxm-80gb") == []
