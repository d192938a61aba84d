"""llama.cpp's placement rules as a specification (calc_py/placement.py cites the source of each)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from calc_py import catalog as cat
from calc_py.errors import CalcError
from calc_py.estimate import Setup, estimate
from calc_py.placement import HOST, Options, place
from calc_py.weights import weights_for
from calc_py.quants import resolve

DENSE = cat.find_model("meta-llama/Llama-3.1-8B").architecture        # 32 layers
MOE = cat.find_model("Qwen/Qwen3-30B-A3B").architecture              # 48 layers, 128 experts
W_DENSE = weights_for(DENSE, resolve("Q4_K_M", "llama.cpp"))
W_MOE = weights_for(MOE, resolve("Q4_K_M", "llama.cpp"))


def _place(a, w, **kw):
    n = kw.pop("n_devices", 1)
    names = tuple(f"CUDA{i}" for i in range(n))
    return place(a, w, Options(n_devices=n, **kw), devices=names, gpus=("",) * n)


def test_ngl_keeps_the_first_layers_on_the_cpu():
    p = _place(DENSE, W_DENSE, n_gpu_layers=11)          # output + 10 blocks
    assert p.layer_device[:22] == (HOST,) * 22 and p.layer_device[22:] == (0,) * 10


def test_the_output_layer_is_offloaded_first():
    p = _place(DENSE, W_DENSE, n_gpu_layers=1)
    assert p.output_device == 0 and set(p.layer_device) == {HOST}


def test_ngl_zero_keeps_everything_on_the_host():
    p = _place(DENSE, W_DENSE, n_gpu_layers=0)
    assert p.output_device == HOST and all(d == HOST for d in p.tensor_device.values())


def test_the_token_embedding_always_stays_on_the_cpu():
    assert _place(DENSE, W_DENSE).device_of("token_embd.weight") == HOST


def test_tensor_split_proportions_choose_the_layers():
    p = _place(DENSE, W_DENSE, n_devices=2, tensor_split=(3.0, 1.0))
    # 33 layers (output included), device 0 while il/33 < 0.75: blocks 0..24
    assert p.layer_device.count(0) == 25 and p.layer_device.count(1) == 7 and p.output_device == 1


def test_without_ts_the_split_follows_free_memory():
    p = _place(DENSE, W_DENSE, n_devices=2, free_bytes=(24 << 30, 8 << 30))
    assert p.layer_device.count(0) == 25


def test_device_zero_gets_the_lowest_blocks_and_the_last_device_the_output():
    p = _place(DENSE, W_DENSE, n_devices=3)
    assert list(p.layer_device) == sorted(p.layer_device) and p.output_device == 2


def test_split_mode_none_uses_only_the_main_gpu():
    p = _place(DENSE, W_DENSE, n_devices=2, split_mode="none", main_gpu=1)
    assert set(p.layer_device) == {1} and p.used_devices == (1,)


def test_n_cpu_moe_sends_the_experts_of_the_first_n_layers_to_the_cpu():
    p = _place(MOE, W_MOE, n_cpu_moe=5)
    for wt in W_MOE.tensors:
        t = wt.tensor
        on_host = p.device_of(wt) == HOST
        if "_exps" in t.name:
            assert on_host == (t.layer < 5), t.name
        elif t.name != "token_embd.weight":
            assert not on_host, t.name       # attention, router, norms stay on the GPU


def test_cpu_moe_sends_every_expert_to_the_cpu():
    p = _place(MOE, W_MOE, cpu_moe=True)
    assert all(p.device_of(wt) == HOST for wt in W_MOE.tensors if "_exps" in wt.tensor.name)


def test_the_first_matching_override_wins():
    p = _place(MOE, W_MOE, n_devices=2, overrides=((r"blk\.3\.ffn_up_exps", 1), (r"exps", HOST)))
    assert p.device_of("blk.3.ffn_up_exps.weight") == 1 and p.device_of("blk.3.ffn_down_exps.weight") == HOST


def test_user_overrides_come_before_n_cpu_moe():
    p = _place(MOE, W_MOE, overrides=((r"blk\.0\.ffn_up_exps", 0),), n_cpu_moe=2)
    assert p.device_of("blk.0.ffn_up_exps.weight") == 0 and p.device_of("blk.0.ffn_down_exps.weight") == HOST


def test_an_override_that_matches_nothing_is_an_error():
    with pytest.raises(CalcError) as e:
        _place(DENSE, W_DENSE, overrides=(("no_such_tensor", HOST),))
    assert e.value.field == "override-tensor"


def test_a_wrong_split_count_is_an_error():
    with pytest.raises(CalcError) as e:
        _place(DENSE, W_DENSE, n_devices=2, tensor_split=(1.0, 1.0, 1.0))
    assert e.value.field == "tensor-split"


def test_kv_follows_its_layer_not_its_weights():
    p = _place(MOE, W_MOE, n_devices=2, overrides=((r"blk\.1\.", HOST),))
    assert p.kv_device[1] == p.layer_device[1] == 0


def test_row_split_puts_matrices_in_the_split_buffer_and_experts_in_the_device_buffer():
    p = _place(MOE, W_MOE, n_devices=2, split_mode="row")
    assert "blk.0.attn_q.weight" in p.split_tensors
    assert "blk.0.ffn_up_exps.weight" not in p.split_tensors and "blk.0.attn_norm.weight" not in p.split_tensors


# ---- per-device sums --------------------------------------------------------------------------

def test_one_device_equals_the_machine_less_estimate():
    base = estimate(Setup(model="Qwen/Qwen3-30B-A3B", context=16384), with_fit=False)
    one = estimate(Setup(model="Qwen/Qwen3-30B-A3B", context=16384, gpu="rtx-4090"), with_fit=False)
    d = one["devices"][0]
    for k in ("weights_bytes", "kv_cache_bytes", "compute_bytes", "overhead_bytes", "total_bytes"):
        assert d[k] == base[k] == one[k], k
    assert one["host"]["total_bytes"] == base["host_bytes"]


def test_total_bytes_is_the_sum_over_the_gpus():
    r = estimate(Setup(model="meta-llama/Llama-3.1-70B", context=8192, gpu="rtx-4090,2xrtx-3090"), with_fit=False)
    assert r["total_bytes"] == sum(d["total_bytes"] for d in r["devices"])
    assert r["kv_cache_bytes"] == sum(d["kv_cache_bytes"] for d in r["devices"])


def test_kv_is_conserved_across_a_split():
    one = estimate(Setup(model="meta-llama/Llama-3.1-70B", context=8192, gpu="rtx-4090"), with_fit=False)
    three = estimate(Setup(model="meta-llama/Llama-3.1-70B", context=8192, gpu="3xrtx-4090"), with_fit=False)
    assert one["kv_cache_bytes"] == three["kv_cache_bytes"]


def test_experts_on_the_cpu_grow_the_first_devices_compute_buffer():
    full = estimate(Setup(model="Qwen/Qwen3-235B-A22B", context=8192, gpu="h200-141gb"), with_fit=False)
    cpu = estimate(Setup(model="Qwen/Qwen3-235B-A22B", context=8192, gpu="h200-141gb", cpu_moe=True),
                   with_fit=False)
    assert cpu["devices"][0]["compute_bytes"] > full["devices"][0]["compute_bytes"]
    assert cpu["host"]["weights_bytes"] > 10 * full["host"]["weights_bytes"]


def test_pipeline_parallelism_adds_input_copies_only_with_every_layer_offloaded():
    two = estimate(Setup(model="meta-llama/Llama-3.1-8B", context=8192, gpu="2xrtx-3090"), with_fit=False)
    part = estimate(Setup(model="meta-llama/Llama-3.1-8B", context=8192, gpu="2xrtx-3090", gpu_layers=20),
                    with_fit=False)
    assert two["inputs"]["pipeline_parallel"] and not part["inputs"]["pipeline_parallel"]


def test_unified_memory_counts_host_and_gpu_against_one_pool():
    r = estimate(Setup(model="openai/gpt-oss-120b", context=32768, gpu="apple-m4-max-128gb"), with_fit=False)
    h = r["host"]
    assert h["unified"] and h["pool_used_bytes"] == h["total_bytes"] + r["devices"][0]["total_bytes"]


@settings(max_examples=25, deadline=None)
@given(ts=st.lists(st.integers(0, 9), min_size=2, max_size=4).filter(any),
       ngl=st.one_of(st.none(), st.integers(0, 33)), ncm=st.integers(0, 48))
def test_weight_bytes_are_conserved_across_any_split(ts, ngl, ncm):
    n = len(ts)
    for a, w in ((DENSE, W_DENSE), (MOE, W_MOE)):
        p = _place(a, w, n_devices=n, tensor_split=tuple(map(float, ts)), n_gpu_layers=ngl, n_cpu_moe=ncm)
        per = {}
        for wt in w.tensors:
            per[p.device_of(wt)] = per.get(p.device_of(wt), 0) + wt.nbytes
        assert sum(per.values()) == w.total
        assert all(d == HOST or 0 <= d < n for d in per)
