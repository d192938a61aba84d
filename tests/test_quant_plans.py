"""calc_py.gguf_mix.plan_quantization against llama.cpp's own quantizer (recorded).

Why: the mix rules in calc_py/gguf_mix.py are a port of src/llama-quant.cpp.
benchmarks/oracle_quant_check.py (``make oracle``) wrote sparse BF16 GGUFs for
synthetic and real catalog architectures, ran the compiled quantizer
(``llama_model_quantize`` with ``dry_run = True``, llama.cpp b11312 via
llama-cpp-python 0.3.36) for every mix, and recorded its per-tensor types,
fallback count and printed quant size, plus the (case, mix) pairs it refused,
in tests/data/oracle/quant_plans_b11312.json. This test needs no llama.cpp: it
replays the record.

Exact: every tensor's type, the fallback count, and the total bytes
(``sum(tensor_bytes)``) to the 2 decimals of MiB llama.cpp prints; a refusal
must be a ValueError from calc_py too.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from calc_py.ggml_types import tensor_bytes
from calc_py.gguf_mix import plan_quantization
from calc_py.tensor import Tensor

DATA = Path(__file__).parent / "data" / "oracle" / "quant_plans_b11312.json"
MiB = 1 << 20


@lru_cache(maxsize=1)
def _record() -> dict:
    return json.loads(DATA.read_text())


@lru_cache(maxsize=None)
def _case(name: str) -> tuple[dict, tuple[Tensor, ...], dict[str, str]]:
    c = next(c for c in _record()["cases"] if c["name"] == name)
    tensors = tuple(Tensor(n, tuple(ne)) for n, ne, _ in c["tensors"])
    return c, tensors, {n: src for n, _, src in c["tensors"]}


def _plan(name: str, mix: str):  # noqa: ANN202
    c, tensors, src = _case(name)
    return plan_quantization(mix, tensors, source_types=src, **c["plan_inputs"])


def _expand(runs: list[list]) -> list[str]:
    return [t for t, n in runs for _ in range(n)]


PLANS = [pytest.param(c["name"], m, id=f"{c['name']}/{m}") for c in _record()["cases"] for m in c["mixes"]]
REFUSALS = [pytest.param(c["name"], m, why, id=f"{c['name']}/{m}")
            for c in _record()["cases"] for m, why in c["refused"].items()]


def test_record_header() -> None:
    r = _record()
    assert r["llama_cpp_build"] == "b11312"
    assert r["quantize_params"]["dry_run"] is True
    assert r["quantize_params"]["allow_requantize"] is False
    assert len(r["cases"]) >= 11
    for c in r["cases"]:
        assert len(c["tensors"]) == c["n_tensors"]
        assert len(c["mixes"]) + len(c["refused"]) >= 39, c["name"]


@pytest.mark.parametrize("case,mix", PLANS)
def test_plan_matches_llamacpp(case: str, mix: str) -> None:
    c, tensors, _ = _case(case)
    want = c["mixes"][mix]
    plan = _plan(case, mix)
    assert plan.mix.ftype == want["ftype"]
    types = _expand(want["types"])
    assert len(types) == len(tensors)
    bad = [(t.name, w, plan.types[t.name]) for t, w in zip(tensors, types) if plan.types[t.name] != w]
    assert not bad, f"{len(bad)} tensors differ (name, llama.cpp, calc_py): {bad[:8]}"
    assert plan.n_fallback == want["n_fallback"]
    total = sum(tensor_bytes(plan.types[t.name], t.ne) for t in tensors)
    assert f"{total / MiB:.2f}" == want["quant_size_mib"]


@pytest.mark.parametrize("case,mix,why", REFUSALS)
def test_refusal_matches_llamacpp(case: str, mix: str, why: str) -> None:
    with pytest.raises(ValueError):
        _plan(case, mix)


def test_source_size_matches_llamacpp() -> None:
    """The printed 'model size' is the BF16/F32/MXFP4 source: checks the recorded shapes and source types."""
    for c in _record()["cases"]:
        _, tensors, src = _case(c["name"])
        total = f"{sum(tensor_bytes(src[t.name], t.ne) for t in tensors) / MiB:.2f}"
        for mix, r in c["mixes"].items():
            assert total == r["model_size_mib"], (c["name"], mix)
