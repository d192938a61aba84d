"""Steps 6-7: put the parts together for one inference setup, per engine.

architecture -> weights (tensor by tensor) -> KV cache -> compute buffers ->
runtime overhead -> total on the GPU, host RAM beside it. Every number is in
bytes; formatting happens at the edges (CLI, page).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from math import ceil
from typing import Any

from . import catalog as cat
from .architecture import Architecture, from_config, load_config
from .activations import transformers_activation, transformers_overhead, vllm_activation, vllm_overhead
from .compute import host_weight_copies, llamacpp_compute
from .errors import CalcError
from .i18n import t
from .inventory import count_params
from .kv_cache import LLAMACPP_KV_TYPES, TORCH_KV_BYTES, llamacpp_kv, torch_kv_bytes, torch_kv_bytes_per_token, pad
from .kv_cache import torch_kv_dtype_bytes
from .quants import Quant, resolve
from .simple import PARAMS_MAX, PARAMS_MIN, rule_bits, rule_of_thumb, shape_for_params
from .weights import place_llamacpp, weights_for

MiB = 1 << 20
GiB = 1 << 30
# Longest context any input may ask for: the catalog's largest max_context (Llama 4
# Scout, 10,485,760 tokens) with a 1.6x margin, so every catalog model is estimable at
# its own maximum and absurd values are still refused (tests/test_context_limits.py).
CONTEXT_MAX = 1 << 24
BATCH_MAX = 4096


@dataclass(frozen=True)
class Setup:
    """One inference setup, as the CLI flags name it."""

    model: str | None = None
    config: Any = None                 # path, JSON text or dict of a config.json
    params: float | None = None        # billions, simple mode
    quant: str = "Q4_K_M"
    context: int = 8192
    engine: str = "llama.cpp"
    batch: int = 1
    ubatch: int | None = None
    flash_attn: bool | None = None
    kv_cache: str | None = None
    gpu_layers: int | None = None
    gpu: str | None = None
    lang: str = "en"
    gguf: Any = None                   # path or header bytes of a GGUF file


@dataclass
class _Model:
    arch: Architecture
    id: str | None
    name: str
    approximate: bool
    source: str | None = None
    weights: Any = None                # exact weights read from a GGUF header
    quant_label: str | None = None


def _resolve_model(s: Setup) -> _Model:
    given = [x for x in (s.model, s.config, s.params, s.gguf) if x not in (None, "", b"")]
    if len(given) > 1:
        raise CalcError("give one of --model, --config, --gguf or --params, not several", field="model")
    if s.gguf not in (None, "", b""):
        from .gguf_file import load, load_cached
        g = load_cached(s.gguf) if isinstance(s.gguf, bytes) else load(s.gguf)
        return _Model(g.architecture, None, g.name, False, None, g.weights, g.label)
    if s.model:
        m = cat.find_model(s.model)
        return _Model(m.architecture, m.id, m.name, False, m.source)
    if s.config not in (None, ""):
        a = from_config(load_config(s.config))
        return _Model(a, None, f"custom {a.hf_model_type}", False)
    if s.params is not None:
        p = float(s.params)
        if not (PARAMS_MIN <= p * 1e9 <= PARAMS_MAX):
            raise CalcError("parameter count must be between 0.1 and 2000 (billions)", field="params")
        a = _shape_for_params(int(round(p * 1e9)))
        return _Model(a, None, f"{p:g} B dense (fitted shape)", True)
    raise CalcError("give a model (--model), a config.json (--config) or a parameter count (--params)",
                    field="model")


def _check_numbers(s: Setup) -> None:
    if not isinstance(s.context, int) or not 1 <= s.context <= CONTEXT_MAX:
        raise CalcError(f"context must be between 1 and {CONTEXT_MAX:,} tokens", field="context")
    if not isinstance(s.batch, int) or not 1 <= s.batch <= BATCH_MAX:
        raise CalcError(f"batch (parallel sequences) must be between 1 and {BATCH_MAX}", field="batch")
    if s.ubatch is not None and not 1 <= s.ubatch <= 65536:
        raise CalcError("ubatch must be between 1 and 65536", field="ubatch")
    if s.gpu_layers is not None and not -1 <= s.gpu_layers <= 10_000:
        raise CalcError("gpu-layers must be between 0 and the layer count (-1 = all)", field="gpu-layers")


# ----------------------------------------------------------------------------
# memoised pure steps: the page recomputes on every input change, and the fit
# advice re-runs the estimate with one input changed, so the per-architecture
# parts (parameter count, fitted shape, KV layout) are computed once per key.
# Architecture is a frozen dataclass, so it is a dict key by value.
# ----------------------------------------------------------------------------

_count_params = lru_cache(maxsize=1024)(count_params)
_shape_for_params = lru_cache(maxsize=128)(shape_for_params)


@lru_cache(maxsize=512)
def _llamacpp_kv(a: Architecture, n_ctx: int, n_seq: int, kv_type: str, flash_attn: bool,
                 n_ubatch: int, layers: frozenset[int] | None):
    return llamacpp_kv(a, n_ctx, n_seq, kv_type=kv_type, flash_attn=flash_attn, unified=True,
                       n_ubatch=n_ubatch, layers=None if layers is None else set(layers))


def _part(part: str, nbytes: int, explain: str, verified: bool, lang: str) -> dict[str, Any]:
    return {"part": part, "bytes": int(nbytes), "label": t(f"part.{part}", lang),
            "explain": explain, "verified": verified}


def fmt_bytes(n: int) -> str:
    if n >= GiB:
        return f"{n / GiB:.2f} GiB"
    if n >= MiB:
        return f"{n / MiB:.1f} MiB"
    return f"{n / 1024:.1f} KiB"


def _weights_explain(w, quant: Quant, extra: str, lang: str) -> str:
    n_el = w.n_elements or 1
    bpw = w.total * 8 / n_el
    key = "explain.weights.gguf" if quant.is_gguf else "explain.weights.hf"
    if quant.is_gguf and not quant.spec:          # read from a GGUF header, not planned
        key = "explain.weights.file"
    return t(key, lang, n_tensors=len(w.tensors), quant=quant.label, bpw=bpw, host_note=extra)


# ----------------------------------------------------------------------------
# engines
# ----------------------------------------------------------------------------

def _llamacpp(s: Setup, m: _Model, quant: Quant, engine: dict, notes: list[str]) -> dict[str, Any]:
    a, lang = m.arch, s.lang
    d = engine["defaults"]
    ubatch = s.ubatch or d["ubatch"]
    fa = d["flash_attn"] == "on" if s.flash_attn is None else s.flash_attn
    kv_type = (s.kv_cache or d["kv_cache"]).lower()
    if kv_type not in LLAMACPP_KV_TYPES:
        raise CalcError(f"unknown KV cache type {kv_type!r} for {engine['id']} "
                        f"(known: {', '.join(LLAMACPP_KV_TYPES)})", field="kv-cache")
    n_gpu = a.n_layer + 1 if s.gpu_layers in (None, -1) else min(s.gpu_layers, a.n_layer + 1)
    n_ctx = s.context * s.batch            # unified KV: all slots share one cache of this size

    w = m.weights or weights_for(a, quant)
    place = place_llamacpp(a, w, n_gpu)
    kv_dev = _llamacpp_kv(a, n_ctx, s.batch, kv_type, fa, ubatch, place.gpu_layers)
    kv_all = _llamacpp_kv(a, n_ctx, s.batch, kv_type, fa, ubatch, None)
    comp = llamacpp_compute(a, kv_all.cells, kv_all.swa_cells, min(ubatch, pad(n_ctx, 256)), fa,
                            s.batch, all_on_gpu=n_gpu > a.n_layer, type_k=kv_type, type_v=kv_type,
                            host_weights=host_weight_copies(a, w, n_gpu))
    # Even with -ngl 0 a CUDA build keeps its context and a compute buffer on the
    # GPU: large-batch matmuls run there on weights copied in (groundtruth row
    # ik_llama.cpp-disc357-mainline-235b-q6-ngl0: CUDA0 compute 742 MiB at -ngl 0).
    overhead = int(engine["overhead_mib"]) * MiB
    compute_dev = comp.device

    embd = w.nbytes_of("token_embd.weight")
    host_note = t("explain.weights.host_embd", lang, embd=fmt_bytes(embd))
    if n_gpu <= a.n_layer:
        host_note += t("explain.join", lang) + t("explain.weights.partial", lang, n_gpu=len(place.gpu_layers),
                               n_layer=a.n_layer)
    n_attn = sum(1 for il in range(a.n_layer) if a.n_head_kv[il] or a.is_mla)
    swa_note = rec_note = ""
    if a.has_swa:
        swa_note = t("explain.kv.swa", lang, n_swa=sum(a.swa_layers), swa_cells=f"{kv_all.swa_cells:,}")
    if a.is_hybrid:
        rec_note = t("explain.kv.recurrent", lang, rec=fmt_bytes(kv_all.recurrent_bytes),
                     n_rec=sum(a.recurrent_layers))
    il0 = next(il for il in range(a.n_layer) if a.n_head_kv[il] or a.is_mla)
    if a.is_mla:
        kv_explain = t("explain.kv.mla", lang, cells=f"{kv_all.cells:,}", layers=n_attn,
                       k_dim=a.n_embd_k_gqa(il0), kv_type=kv_type)
    else:
        kv_explain = t("explain.kv.llamacpp", lang, cells=f"{kv_all.cells:,}", layers=n_attn,
                       k_dim=a.n_embd_k_gqa(il0), v_dim=a.n_embd_v_gqa(il0), kv_type=kv_type,
                       swa_note=swa_note, rec_note=rec_note)
    parts = [
        _part("weights", place.device_bytes, _weights_explain(w, quant, host_note, lang), True, lang),
        _part("kv_cache", kv_dev.total, kv_explain, True, lang),
        _part("compute", compute_dev, t("explain.compute.llamacpp", lang, ubatch=ubatch,
                                        peak=t(f"peak.{comp.peak_kind}", lang),
                                        fa=t("word.on" if fa else "word.off", lang)), False, lang),
        _part("overhead", overhead, t("explain.overhead", lang,
                                      what=t("explain.overhead.what.llamacpp", lang),
                                      source=engine["overhead_summary"]), False, lang),
    ]
    host_parts = [
        {"part": "weights", "bytes": place.host_bytes},
        {"part": "kv_cache", "bytes": kv_all.total - kv_dev.total},
        {"part": "compute", "bytes": comp.host},
        {"part": "output", "bytes": comp.output_buffer},
    ]
    notes.append(t("note.unverified_compute", lang))
    settings = {"ubatch": ubatch, "flash_attn": fa, "kv_cache": kv_type, "gpu_layers": n_gpu,
                "n_ctx": pad(n_ctx, 256), "kv_cells": kv_all.cells, "swa_cells": kv_all.swa_cells,
                "kv_unified": True}
    return {"model_bytes": w.total, "parts": parts, "host_parts": host_parts, "settings": settings,
            "weight_types": w.type_counts()}


def _torch_kv_dtype(s: Setup, engine: dict) -> tuple[str, int]:
    """(name, bytes per element); "auto" follows the model's dtype (kv_cache.torch_kv_dtype_bytes)."""
    name = (s.kv_cache or engine["defaults"]["kv_cache"]).lower()
    if name not in TORCH_KV_BYTES:
        raise CalcError(f"unknown KV cache dtype {name!r} for {engine['id']} "
                        f"(known: {', '.join(TORCH_KV_BYTES)})", field="kv-cache")
    quant = resolve(s.quant, engine["id"])
    weight_dtype = quant.id if quant.id in ("bf16", "fp16", "fp32") else None
    return name, torch_kv_dtype_bytes(name, weight_dtype, _resolve_model(s).arch.torch_dtype)


def _torch_parts(s: Setup, engine: dict, w, quant: Quant, kv: int, tokens: int, per_token: int,
                 kv_b: int, act: int, act_explain: str, overhead: int,
                 notes: list[str]) -> list[dict[str, Any]]:
    """The four parts of a PyTorch engine (transformers, vLLM), which differ only in their numbers."""
    lang = s.lang
    if s.gpu_layers not in (None, -1):
        notes.append(t("note.gpu_layers_ignored", lang, engine=engine["label"]))
    return [
        _part("weights", w.total, _weights_explain(w, quant, "", lang), True, lang),
        _part("kv_cache", kv, t("explain.kv.torch", lang, tokens=f"{tokens:,}", batch=s.batch,
                                 per_token=fmt_bytes(per_token), dtype=kv_b), True, lang),
        _part("compute", act, act_explain, False, lang),
        _part("overhead", overhead, t("explain.overhead", lang,
                                      what=t(f"explain.overhead.what.{engine['id']}", lang),
                                      source=engine["overhead_summary"]), False, lang),
    ]


def _transformers(s: Setup, m: _Model, quant: Quant, engine: dict, notes: list[str]) -> dict[str, Any]:
    a, lang = m.arch, s.lang
    kv_name, kv_b = _torch_kv_dtype(s, engine)
    w = weights_for(a, quant)
    # transformers' DeepSeek attention caches decompressed K and V per head
    a_kv = replace(a, kv_lora_rank=0) if a.is_mla else a
    kv = torch_kv_bytes(a_kv, s.context, s.batch, kv_b)
    act = transformers_activation(a, s.context, s.batch, 2)
    overhead = transformers_overhead()
    per_token = kv // max(1, s.context * s.batch)
    parts = _torch_parts(s, engine, w, quant, kv, s.context, per_token, kv_b, act,
                         t("explain.compute.transformers", lang, tokens=f"{s.context:,}", batch=s.batch),
                         overhead, notes)
    notes.append(t("note.unverified_engine", lang, engine=engine["label"]))
    return {"model_bytes": w.total, "parts": parts, "host_parts": [], "weight_types": w.type_counts(),
            "settings": {"kv_cache": kv_name}}


def _vllm(s: Setup, m: _Model, quant: Quant, engine: dict, notes: list[str]) -> dict[str, Any]:
    a, lang = m.arch, s.lang
    d = engine["defaults"]
    kv_name, kv_b = _torch_kv_dtype(s, engine)
    w = weights_for(a, quant)
    tokens_per_seq = ceil(s.context / d["block_size"]) * d["block_size"]
    per_token = torch_kv_bytes_per_token(a, kv_b)
    kv = torch_kv_bytes(a, tokens_per_seq, s.batch, kv_b) if not a.is_mla else per_token * tokens_per_seq * s.batch
    n_batched = s.ubatch or d["ubatch"]
    act = vllm_activation(a, n_batched, 2)
    overhead = vllm_overhead(a)
    parts = _torch_parts(s, engine, w, quant, kv, tokens_per_seq, per_token, kv_b, act,
                         t("explain.compute.vllm", lang, tokens=f"{n_batched:,}"), overhead, notes)
    notes.append(t("note.vllm_budget", lang, util=d["gpu_memory_utilization"]))
    return {"model_bytes": w.total, "parts": parts, "host_parts": [], "weight_types": w.type_counts(),
            "settings": {"kv_cache": kv_name, "max_num_batched_tokens": n_batched,
                         "kv_bytes_per_token": per_token,
                         "gpu_memory_utilization": d["gpu_memory_utilization"]}}


_ENGINES = {"llama.cpp": _llamacpp, "ollama": _llamacpp, "transformers": _transformers, "vllm": _vllm}


# ----------------------------------------------------------------------------
# the public entry point
# ----------------------------------------------------------------------------

def estimate(s: Setup, *, with_fit: bool = True) -> dict[str, Any]:
    """The full estimate for ``s`` as a JSON-able dict (the CLI's --json output)."""
    _check_numbers(s)
    engine = cat.find_engine(s.engine)
    m = _resolve_model(s)
    if m.weights is not None:
        if engine["id"] not in ("llama.cpp", "ollama"):
            raise CalcError("a GGUF file is estimated for llama.cpp or Ollama; transformers and "
                            "vLLM load checkpoints", field="engine")
        quant = Quant(m.quant_label or "gguf", f"{m.quant_label} (from the file)", "gguf", {})
    else:
        quant = resolve(s.quant, engine["id"])
    notes: list[str] = []
    if m.approximate:
        notes.append(t("note.approximate", s.lang))
    if s.context > m.arch.max_context:
        notes.append(t("note.context_over_max", s.lang, context=f"{s.context:,}",
                       max=f"{m.arch.max_context:,}"))
    notes.extend(t("note.config_default", s.lang, field=f, value=v, source=src)
                 for f, v, src in m.arch.defaults_used)
    body = _ENGINES[engine["id"]](s, m, quant, engine, notes)
    parts = body["parts"]
    by = {p["part"]: p["bytes"] for p in parts}
    total = sum(by.values())
    host = sum(p["bytes"] for p in body["host_parts"])
    if m.weights is not None:        # a GGUF file: count its own tensors
        from .inventory import NOT_HF_PARAMS
        params = sum(x.tensor.n_elements for x in (*m.weights.tensors, *m.weights.not_loaded)
                     if x.tensor.name not in NOT_HF_PARAMS)
    else:
        params = _count_params(m.arch)
    rot = rule_of_thumb(params, rule_bits(quant.id), s.context)
    result: dict[str, Any] = {
        "params": params,
        "model_bytes": int(body["model_bytes"]),
        "weights_bytes": by["weights"],
        "kv_cache_bytes": by["kv_cache"],
        "compute_bytes": by["compute"],
        "overhead_bytes": by["overhead"],
        "total_bytes": total,
        "host_bytes": host,
        "approximate": m.approximate,
        "parts": parts + [_part("total", total, "", all(p["verified"] for p in parts), s.lang)],
        "host_parts": body["host_parts"],
        "model": {"id": m.id, "name": m.name, "source": m.source, **m.arch.summary()},
        "inputs": {"model": m.id, "params": None if m.id else params / 1e9, "quant": quant.id,
                   "context": s.context, "engine": engine["id"], "batch": s.batch,
                   **body["settings"], "gpu": s.gpu},
        "engine": {"id": engine["id"], "label": engine["label"], "version": engine["version"]},
        "weight_types": body["weight_types"],
        "rule_of_thumb": rot,
        "notes": notes,
        "fit": None,
    }
    if s.gpu and with_fit:
        from .fit import fit_verdict
        gpu = cat.find_gpu(s.gpu)
        result["fit"] = fit_verdict(s, result, gpu)
        tiers = engine["defaults"].get("context_by_vram")
        if tiers:
            ctx = ollama_default_context(tiers, int(gpu["memory_bytes"]))   # tiers are by the card's size
            notes.append(t("note.ollama_context", s.lang, context=f"{ctx:,}", gpu=gpu["name"]))
    return result


def ollama_default_context(tiers: list[dict[str, Any]], vram_bytes: int) -> int:
    """Ollama's VRAM-based default num_ctx (engines.json ``context_by_vram``)."""
    for tier in tiers:
        if tier["below_gib"] is None or vram_bytes < tier["below_gib"] * GiB:
            return int(tier["context"])
    return int(tiers[-1]["context"])
