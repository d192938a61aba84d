"""A machine as input: GPUs with counts in llama.cpp's order, RAM, unified memory as one pool."""
from __future__ import annotations

import pytest

from calc_py.errors import CalcError
from calc_py.machine import (GiB, parse_fit_target, parse_machine, parse_overrides, parse_ram,
                             parse_tensor_split)


def test_one_card_is_one_cuda_device():
    m = parse_machine("rtx-3090")
    assert [d.name for d in m.devices] == ["CUDA0"] and m.devices[0].gpu == "rtx-3090"


def test_a_count_repeats_the_card():
    m = parse_machine("2xrtx-3090")
    assert [d.name for d in m.devices] == ["CUDA0", "CUDA1"] and m.spec == "2xrtx-3090"


def test_mixed_cards_keep_the_order_given():
    m = parse_machine("rtx-4090,2xrtx-3090")
    assert [d.gpu for d in m.devices] == ["rtx-4090", "rtx-3090", "rtx-3090"]
    assert m.spec == "rtx-4090,2xrtx-3090"


def test_names_and_aliases_normalise_to_catalog_ids():
    assert parse_machine("2x RTX 3090").spec == "2xrtx-3090"


def test_amd_cards_are_rocm_devices():
    assert parse_machine("2xmi50-32gb").devices[1].name == "ROCm1"


def test_usable_memory_is_the_driver_total_where_measured():
    assert parse_machine("rtx-3090").devices[0].usable_bytes == 24159 << 20


def test_ram_is_gib():
    assert parse_machine("rtx-3090", "64").ram_bytes == 64 * GiB
    assert parse_ram("31.5") == int(31.5 * GiB)


def test_no_machine_without_gpu_or_ram():
    assert parse_machine(None, None) is None


def test_unified_memory_is_one_pool_with_a_gpu_share():
    m = parse_machine("apple-m4-max-128gb")
    assert m.unified and m.pool_bytes == 128 * GiB and m.ram_bytes == 128 * GiB
    assert m.devices[0].usable_bytes == 96 * GiB     # macOS recommendedMaxWorkingSetSize: 3/4


def test_unified_memory_refuses_a_different_ram():
    with pytest.raises(CalcError) as e:
        parse_machine("apple-m4-max-128gb", "64")
    assert e.value.field == "ram"


def test_unified_memory_cannot_be_mixed_with_cards():
    with pytest.raises(CalcError) as e:
        parse_machine("apple-m4-max-128gb,rtx-4090")
    assert e.value.field == "gpu"


@pytest.mark.parametrize("bad", ["rtx-9999", "0xrtx-3090", "17xrtx-3090", "rtx-3090,,rtx-3090",
                                 "9xrtx-3090,9xrtx-4090"])
def test_bad_gpu_lists_name_the_gpu_field(bad):
    with pytest.raises(CalcError) as e:
        parse_machine(bad)
    assert e.value.field == "gpu"


@pytest.mark.parametrize("bad", ["0", "-5", "nan", "inf", "1e9", "lots"])
def test_bad_ram_names_the_ram_field(bad):
    with pytest.raises(CalcError) as e:
        parse_ram(bad)
    assert e.value.field == "ram"


def test_tensor_split_takes_commas_or_slashes():
    assert parse_tensor_split("3,1") == (3.0, 1.0) == parse_tensor_split("3/1")


@pytest.mark.parametrize("bad", ["a,b", "-1,1", "0,0", "nan,1"])
def test_bad_tensor_split(bad):
    with pytest.raises(CalcError) as e:
        parse_tensor_split(bad)
    assert e.value.field == "tensor-split"


def test_tensor_split_count_must_match_the_gpus():
    with pytest.raises(CalcError, match="3 values for 2"):
        parse_tensor_split("1,1,1", 2)


def test_override_splits_on_the_last_equals():
    assert parse_overrides(r"blk\.(1|2)\.ffn_.*=CPU,exps=CUDA1") == ((r"blk\.(1|2)\.ffn_.*", "CPU"),
                                                                    ("exps", "CUDA1"))


def test_override_needs_a_device():
    with pytest.raises(CalcError) as e:
        parse_overrides("exps")
    assert e.value.field == "override-tensor"


def test_fit_target_is_one_value_or_one_per_gpu():
    assert parse_fit_target("1024") == (1024,)
    assert parse_fit_target("1024,2048", 2) == (1024, 2048)
    with pytest.raises(CalcError):
        parse_fit_target("1,2,3", 2)


import pytest as _pytest  # noqa: E402

from calc_py.api import KEYS, estimate_query  # noqa: E402

_HOSTILE = ["<script>alert(1)</script>", "nan", "-1", "1e309", "x" * 150, "((a+)+)+=CPU", "=", ",,,", "\x00"]


@_pytest.mark.parametrize("key", ["gpu", "ram", "tensor-split", "split-mode", "main-gpu", "n-cpu-moe", "cpu-moe",
                                  "override-tensor", "fit", "fit-target", "no-mmap"])
@_pytest.mark.parametrize("value", _HOSTILE)
def test_hostile_machine_values_fall_back_with_a_notice(key, value):
    assert key in KEYS
    r = estimate_query({"model": "Qwen/Qwen3-8B", "gpu": "2xrtx-3090", key: value})
    assert r["result"]["total_bytes"] > 0
    assert all(isinstance(n, str) and len(n) < 600 for n in r["notices"])    # plain text; the page escapes it
    assert "<script>" not in r["inputs"][key] and len(r["inputs"][key]) <= 100   # never accepted as it came
