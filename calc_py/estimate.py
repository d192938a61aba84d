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
from .errors import CalcError
from .i18n import t
from .inventory import count_params
from .kv_cache import LLAMACPP_KV_TYPES, TORCH_KV_BYTES, llamacpp_kv, torch_kv_bytes, torch_kv_bytes_per_token, pad
from .kv_cache import torch_kv_dtype_bytes
from .gguf_size import download_bytes, gguf_source_bytes
from .quants import Quant, resolve
from .simple import PARAMS_MAX, PARAMS_MIN, rule_bits, rule_of_thumb, shape_for_params
from .weights import weights_for

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
    gpu: str | None = None             # machine: "rtx-4090", "2xrtx-3090", "rtx-4090,rtx-3090"
    lang: str = "en"
    gguf: Any = None                   # path or header bytes of a GGUF file
    # the machine and llama.cpp's placement flags (calc_py/machine.py, calc_py/placement.py)
    ram: Any = None                    # GiB of system RAM
    tensor_split: Any = None           # -ts: "3,1" or (3.0, 1.0)
    split_mode: str = "layer"          # -sm layer|row|none
    main_gpu: int = 0                  # -mg
    n_cpu_moe: int | None = None       # --n-cpu-moe N
    cpu_moe: bool = False              # --cpu-moe
    override_tensor: Any = None        # -ot "PATTERN=DEVICE,..." or ((pattern, device), ...)
    fit: bool = False                  # --fit on: the plan llama.cpp's common_params_fit would pick
    fit_target: Any = None             # -fitt MiB: one value or one per device
    no_mmap: bool = False              # --no-mmap
    pipeline_parallel: int = 1         # vLLM --pipeline-parallel-size (TP = GPUs / PP)
    mmproj: str = "none"               # llama.cpp --mmproj: none | f16 | bf16 | q8_0 (calc_py/mmproj.py)


@dataclass
class _Model:
    arch: Architecture
    id: str | None
    name: str
    approximate: bool
    source: str | None = None
    weights: Any = None                # exact weights read from a GGUF header
    quant_label: str | None = None
    file_bytes: int | None = None      # a given GGUF's own size


def _resolve_model(s: Setup) -> _Model:
    given = [x for x in (s.model, s.config, s.params, s.gguf) if x not in (None, "", b"")]
    if len(given) > 1:
        raise CalcError("give one of --model, --config, --gguf or --params, not several", field="model")
    if s.gguf not in (None, "", b""):
        from .gguf_file import load, load_cached
        g = load_cached(s.gguf) if isinstance(s.gguf, bytes) else load(s.gguf)
        return _Model(g.architecture, None, g.name, False, None, g.weights, g.label,
                      gguf_source_bytes(s.gguf, g))
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
    if s.n_cpu_moe is not None and not (isinstance(s.n_cpu_moe, int) and 0 <= s.n_cpu_moe <= 10_000):
        raise CalcError("n-cpu-moe must be between 0 and the layer count", field="n-cpu-moe")
    if not isinstance(s.main_gpu, int) or not 0 <= s.main_gpu < 16:
        raise CalcError("main-gpu must be a GPU index between 0 and 15", field="main-gpu")
    if (s.split_mode or "layer").lower() not in ("layer", "row", "none"):
        raise CalcError("split-mode must be layer, row or none", field="split-mode")
    from .mmproj import CHOICES as _MMPROJ
    if not isinstance(s.mmproj, str) or s.mmproj.lower() not in _MMPROJ:
        raise CalcError(f"mmproj must be one of {', '.join(_MMPROJ)}", field="mmproj")


# ----------------------------------------------------------------------------
# memoised pure steps: the page recomputes on every input change, and the fit
# advice re-runs the estimate with one input changed, so the per-architecture
# parts (parameter count, fitted shape, KV layout) are computed once per key.
# Architecture is a frozen dataclass, so it is a dict key by value.
# ----------------------------------------------------------------------------

_count_params = lru_cache(maxsize=1024)(count_params)
_shape_for_params = lru_cache(maxsize=128)(shape_for_params)


# presentation helpers (calc_py/present.py); the old names stay importable from here
from .present import fmt_bytes, part_row as _part, weights_explain as _weights_explain  # noqa: E402


# ----------------------------------------------------------------------------
# engines
# ----------------------------------------------------------------------------

def _llamacpp(s: Setup, m: _Model, quant: Quant, engine: dict, notes: list[str]) -> dict[str, Any]:
    """llama.cpp and Ollama: placement, per-device buffers and sentences (calc_py/llamacpp_engine.py)."""
    from .llamacpp_engine import run
    return run(s, m, quant, engine, notes)


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
                                      source=cat.engine_text(engine, "overhead_summary", lang)), False, lang),
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
    plan = None
    if s.fit:                          # --fit on: estimate the layout llama.cpp's fit would pick
        s, plan = _apply_fit(s)
    _check_numbers(s)
    engine = cat.find_engine(s.engine)
    m = _resolve_model(s)
    if m.weights is not None:
        if engine["id"] not in ("llama.cpp", "ollama"):
            raise CalcError("a GGUF file is estimated for llama.cpp or Ollama; transformers and "
                            "vLLM load checkpoints", field="engine")
        quant = Quant(m.quant_label or "gguf", t("quant.from_file", s.lang, quant=m.quant_label), "gguf", {})
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
    mmproj_on = (s.mmproj or "none").lower() != "none"
    if mmproj_on and "mmproj" not in body:      # the projector file is llama.cpp's (and Ollama's)
        notes.append(t("note.mmproj_engine", s.lang, engine=engine["label"]))
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
        # the download: the GGUF file, or the safetensors checkpoint (calc_py/gguf_size.py)
        "file_bytes": int(m.file_bytes if m.file_bytes is not None else download_bytes(m.arch, quant)),
        "file_kind": "file" if m.file_bytes is not None else ("gguf" if quant.is_gguf else "safetensors"),
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
    if mmproj_on and "mmproj" in body:       # asked for: its bytes (0 when not counted) and facts
        result["mmproj_bytes"] = by.get("mmproj", 0)
        result["mmproj"] = body["mmproj"]
    _machine_result(s, engine, body, result, notes, with_fit, m, quant)
    if plan is not None:
        result["plan"] = plan
    from .speed import profile_json, speed_for_estimate      # tokens/s (calc_py/speed.py)
    gguf_engine = engine["id"] in ("llama.cpp", "ollama")
    w_speed = (m.weights or weights_for(m.arch, quant)) if gguf_engine else None
    result["speed"] = speed_for_estimate(s, m.arch, w_speed, result) if gguf_engine else None
    result["decode_profile"] = profile_json(m.arch, w_speed) if gguf_engine else None
    return result


def _machine_result(s: Setup, engine: dict, body: dict[str, Any], result: dict[str, Any],
                    notes: list[str], with_fit: bool, m: _Model | None = None, quant: Quant | None = None) -> None:
    """The machine's part of the result: ``devices``, ``host``, ``machine``, ``fit``, ``plan``.

    Absent without ``gpu``/``ram`` (the output is then what it was before machines).
    """
    from .llamacpp_engine import machine_of
    mach = machine_of(s.gpu, s.ram)
    if mach is None:
        return
    if "devices" in body:
        result["devices"], result["host"] = body["devices"], body["host"]
        dev_ok = all(d["fits"] for d in body["devices"])
        result["machine"] = {**mach.brief(), "fits": dev_ok and body["host"]["fits"] is not False}
    elif engine["id"] == "vllm" and mach.devices and m is not None:
        from .vllm_parallel import per_gpu        # tensor / pipeline parallel over the machine's GPUs
        d = engine["defaults"]
        n = len(mach.devices)
        pp = s.pipeline_parallel or 1
        if n % pp:
            raise CalcError(f"{n} GPUs do not split into {pp} pipeline stages", field="pipeline-parallel")
        result["vllm_parallel"] = per_gpu(
            m.arch, weights_for(m.arch, quant), tp=n // pp, pp=pp, kv_b=_torch_kv_dtype(s, engine)[1],
            dtype_bytes=2, max_model_len=s.context, usable=[x.usable_bytes for x in mach.devices],
            util=d["gpu_memory_utilization"], max_num_batched_tokens=s.ubatch or d["ubatch"])
    elif len(mach.devices) > 1:
        notes.append(t("note.torch_multi_gpu", s.lang, engine=engine["label"], gpu=mach.devices[0].label))
    if not mach.devices:
        return
    gpu = cat.find_gpu(mach.devices[0].gpu)
    if with_fit:
        from .fit import fit_verdict, machine_verdict
        if len(mach.devices) == 1 or "devices" not in body:
            result["fit"] = fit_verdict(s, result, gpu)
        else:
            result["fit"] = machine_verdict(s, result, mach)
        tiers = engine["defaults"].get("context_by_vram")
        if tiers:
            vram = sum(d.memory_bytes for d in mach.devices)     # tiers are by the cards' size
            ctx = ollama_default_context(tiers, vram)
            notes.append(t("note.ollama_context", s.lang, context=f"{ctx:,}",
                           gpu=cat.gpu_name(gpu, s.lang) if len(mach.devices) == 1 else mach.spec))


def _apply_fit(s: Setup) -> tuple[Setup, dict[str, Any]]:
    """(the Setup llama.cpp would run after ``--fit``, the plan) -- calc_py/fit_plan.py.

    ``context=0`` leaves the context to the fit (llama-server's ``-c 0``).
    """
    from .fit_plan import fit_plan
    from .llamacpp_engine import machine_of
    engine = cat.find_engine(s.engine)
    if engine["id"] not in ("llama.cpp", "ollama"):
        raise CalcError("--fit is llama.cpp's (and Ollama's) option", field="fit")
    mach = machine_of(s.gpu, s.ram)
    if mach is None or not mach.devices:
        raise CalcError("--fit needs the machine's GPUs (--gpu ...)", field="fit")
    _check_numbers(replace(s, context=1) if s.context == 0 else s)
    plan = fit_plan(s, mach)
    change: dict[str, Any] = {"fit": False, "context": max(1, plan["context"] // max(1, s.batch))}
    if plan["status"] == "fitted" and s.gpu_layers in (None, -1):
        change["gpu_layers"] = plan["gpu_layers"]
        if plan["tensor_split"]:
            change["tensor_split"] = tuple(float(x) for x in plan["tensor_split"])
        if plan["n_cpu_moe"]:
            change["n_cpu_moe"] = plan["n_cpu_moe"]
        elif plan["override_tensor"]:
            change["override_tensor"] = tuple(tuple(x.rsplit("=", 1)) for x in plan["override_tensor"])
    return replace(s, **change), plan


def ollama_default_context(tiers: list[dict[str, Any]], vram_bytes: int) -> int:
    """Ollama's VRAM-based default num_ctx (engines.json ``context_by_vram``)."""
    for tier in tiers:
        if tier["below_gib"] is None or vram_bytes < tier["below_gib"] * GiB:
            return int(tier["context"])
    return int(tiers[-1]["context"])
