"""calc_py's tensor inventory and types against llama.cpp's own converter and quantizer (recorded).

Why: the other oracles write GGUF headers from calc_py's inventory, so they
cannot see a tensor we typed wrongly, left out, or that the real converter
adds. benchmarks/convert_check.py (``make conformance``) built a tiny
random-weight checkpoint of every catalog architecture with transformers' own
class, converted it with the ``convert_hf_to_gguf.py`` of llama.cpp b11312
(llama-cpp-python 0.3.36 sdist), read the GGUF with gguf-py and ran the
quantizer (dry run) on it for every mix; tests/data/conformance/ holds what
they wrote. This test needs neither torch nor llama.cpp.

Exact: the same tensor names with the same shapes; the converter's types at
``--outtype bf16`` (the quantizer's source) and ``--outtype f16`` (calc_py's
"F16"); and per mix every tensor's type and the fallback count.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from calc_py.architecture import from_config
from calc_py.errors import CalcError
from calc_py.inventory import file_tensors
from calc_py.weights import _source_types, gguf_file_weights

DATA = Path(__file__).parent / "data" / "conformance" / "convert_b11312.json"


@lru_cache(maxsize=1)
def _record() -> dict:
    return json.loads(DATA.read_text())


def _readable(c: dict) -> bool:
    try:
        from_config(c["tiny_config"])
    except CalcError:
        return False
    return True


def _cases() -> list[dict]:
    """The recorded cases of architectures calc_py lays out (a record may hold more: an
    architecture added to the catalog and recorded before calc_py's branch for it lands)."""
    return [c for c in _record()["cases"] if "error" not in c and _readable(c)]


@lru_cache(maxsize=None)
def _case(name: str) -> dict:
    return next(c for c in _record()["cases"] if c["name"] == name)


def _expand(runs: list[list]) -> list[str]:
    return [t for t, n in runs for _ in range(n)]


def _types(name: str, mix: str, **options: object) -> dict[str, str]:
    a = from_config(_case(name)["tiny_config"])
    w = gguf_file_weights(a, mix, **options)
    return {wt.tensor.name: wt.type for wt in (*w.tensors, *w.not_loaded)}


CASES = [pytest.param(c["name"], id=c["name"]) for c in _cases()]
PLANS = [pytest.param(c["name"], m, id=f"{c['name']}/{m}") for c in _cases() for m in c.get("quantizer", {})]
REFUSALS = [pytest.param(c["name"], m, id=f"{c['name']}/{m}")
            for c in _cases() for m in c.get("quantizer_refused", {})]


def test_record_covers_every_catalog_architecture() -> None:
    from calc_py.catalog import supported_models

    r = _record()
    assert r["llama_cpp_build"] == "b11312"
    assert r["versions"]["transformers"] and r["versions"]["torch"]
    recorded = {from_config(c["tiny_config"]).arch for c in _cases()}
    catalog = {m.architecture.arch for m in supported_models()}
    assert not [c["name"] for c in r["cases"] if "error" in c]
    assert catalog <= recorded, f"architectures without a converter record: {sorted(catalog - recorded)}"


@pytest.mark.parametrize("case", CASES)
def test_names_and_shapes_match_the_converter(case: str) -> None:
    c = _case(case)
    a = from_config(c["tiny_config"])
    ours = {t.name: list(t.ne) for t in file_tensors(a)}
    theirs = {n: ne for n, ne, _ in c["converter_bf16"]}
    assert sorted(set(theirs) - set(ours)) == [], "tensors the converter writes and calc_py lacks"
    assert sorted(set(ours) - set(theirs)) == [], "tensors calc_py has and the converter does not write"
    bad = {n: (theirs[n], ours[n]) for n in theirs if theirs[n] != ours[n]}
    assert bad == {}, "shape (converter, calc_py)"


@pytest.mark.parametrize("case", CASES)
def test_source_types_match_the_bf16_conversion(case: str) -> None:
    c = _case(case)
    ours = _source_types(from_config(c["tiny_config"]))
    bad = {n: (t, ours.get(n)) for n, _, t in c["converter_bf16"] if ours.get(n) != t}
    assert bad == {}, "type (converter --outtype bf16, calc_py source type)"


@pytest.mark.parametrize("case", CASES)
def test_f16_types_match_the_f16_conversion(case: str) -> None:
    c = _case(case)
    ours = _types(case, "F16")
    bad = {n: (t, ours.get(n)) for n, _, t in c["converter_f16"] if ours.get(n) != t}
    assert bad == {}, "type (converter --outtype f16, calc_py F16)"


@pytest.mark.parametrize("case,mix", PLANS)
def test_quantizer_plan_on_the_converted_file(case: str, mix: str) -> None:
    """Stock llama-quantize (dry run) on the converted BF16 file. gpt-oss: the dry run
    plans the mix type for the MXFP4 experts (a real run refuses, see below), so it is
    compared with ``keep_quantized_source=False``."""
    c = _case(case)
    want = dict(zip((n for n, _, _ in c["converter_bf16"]), _expand(c["quantizer"][mix]["types"])))
    a = from_config(c["tiny_config"])
    opts = {"keep_quantized_source": False} if a.arch == "gpt-oss" else {}
    ours = _types(case, mix, **opts)
    bad = {n: (t, ours.get(n)) for n, t in want.items() if ours.get(n) != t}
    assert bad == {}, "type (llama-quantize, calc_py)"
    a_plan = gguf_file_weights(a, mix, **opts)
    assert a_plan is not None


@pytest.mark.parametrize("case,mix", REFUSALS)
def test_quantizer_refusals_are_refused_by_calc_py(case: str, mix: str) -> None:
    a = from_config(_case(case)["tiny_config"])
    with pytest.raises(ValueError):
        gguf_file_weights(a, mix)


def test_gpt_oss_experts_stay_mxfp4() -> None:
    """A real llama-quantize run refuses to re-quantize the converter's MXFP4 experts
    ("requantizing from type mxfp4 is disabled"), so every published gpt-oss GGUF keeps
    them: calc_py's default plan keeps them MXFP4 in every mix."""
    c = next(c for c in _cases() if c["tiny_config"]["model_type"] == "gpt_oss")
    real = c["real_quantize"]
    assert "mxfp4" in real["Q4_K_M"]["refused"]
    exps = [n for n, _, t in c["converter_bf16"] if t == "MXFP4"]
    assert exps and all("_exps.weight" in n for n in exps)
    for mix in ("F16", "Q8_0", "Q4_K_M", "Q2_K", "Q6_K"):
        ours = _types(c["name"], mix)
        assert {ours[n] for n in exps} == {"MXFP4"}, mix
