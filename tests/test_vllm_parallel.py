"""vLLM tensor / pipeline parallel per GPU (calc_py/vllm_parallel.py)."""
from __future__ import annotations

import pytest

from calc_py import catalog as cat
from calc_py.errors import CalcError
from calc_py.estimate import Setup, estimate
from calc_py.vllm_parallel import pp_layers


def _v(**kw):
    return estimate(Setup(model="meta-llama/Llama-3.1-70B", engine="vllm", quant="bf16", context=32768, **kw),
                    with_fit=False)["vllm_parallel"]


def test_tp_divides_the_weights_over_the_ranks():
    one = _v(gpu="h200-141gb")["gpus"][0]["weights_bytes"]
    four = _v(gpu="4xh100-sxm-80gb")["gpus"][0]["weights_bytes"]
    assert one / 4 <= four <= one / 4 * 1.001          # norms and the router replicated


def test_tp_divides_the_kv_heads():
    assert _v(gpu="4xh100-sxm-80gb")["gpus"][0]["kv_bytes_per_token"] * 4 == \
        _v(gpu="h200-141gb")["gpus"][0]["kv_bytes_per_token"]


def test_more_ranks_than_kv_heads_replicate_them():
    a = cat.find_model("meta-llama/Llama-3.1-70B").architecture          # 8 KV heads
    v = _v(gpu="16xh100-sxm-80gb")
    assert v["gpus"][0]["kv_bytes_per_token"] == a.n_layer * 1 * (a.head_dim_k + a.head_dim_v) * 2


def test_pipeline_stages_split_the_layers_like_vllm():
    assert [len(r) for r in pp_layers(80, 3)] == [27, 27, 26]     # the last stage also holds the LM head
    v = _v(gpu="4xh100-sxm-80gb", pipeline_parallel=2)
    assert [g["layers"] for g in v["gpus"]] == [[0, 39], [0, 39], [40, 79], [40, 79]]


def test_concurrency_is_tokens_over_max_model_len():
    v = _v(gpu="2xh100-sxm-80gb")
    assert v["max_concurrency"] == pytest.approx(v["kv_tokens"] / 32768)


def test_a_pipeline_that_does_not_divide_the_gpus_is_an_error():
    with pytest.raises(CalcError) as e:
        _v(gpu="3xh100-sxm-80gb", pipeline_parallel=2)
    assert e.value.field == "pipeline-parallel"
