"""The precomputed tables of the static site (models x quantization x context, GPUs).

Pure data, no HTML: ``site_src/tables.py`` renders these dicts into pages and
writes them as JSON/CSV. Every number is a field of an estimate computed here by
the calculator itself -- each cell is :func:`calc_py.api.estimate_query` of the
query its "open in calculator" link carries, so a cell, its link and the live
page always agree. Which GPUs fit is :func:`calc_py.api.compare_gpus` of that
result; the largest context is the same bisection as :func:`calc_py.fit.max_context`,
bounded by the model's own maximum and memoised across GPU budgets.

The settings of every table are the engines' defaults (``data/engines.json``):
llama.cpp with flash attention on, an f16 KV cache, one sequence, ubatch 512.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any, Iterable

from . import api
from . import catalog as cat
from .estimate import CONTEXT_MAX, Setup, estimate

GiB = 1 << 30

#: GGUF mixes of the per-model table (rows), smallest first; llama.cpp
GGUF_QUANTS = ("Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16")
#: checkpoint formats of the per-model table under vLLM
VLLM_QUANTS = ("bf16", "fp8", "awq")
#: context columns (tokens); the model's maximum is added, larger ones dropped
CONTEXTS = (4096, 8192, 16384, 32768, 131072)
#: the setting of the models index and of the engine comparison
SUMMARY_CONTEXT = 8192
SUMMARY_QUANTS = ("Q4_K_M", "Q8_0", "F16")
#: one setting, four engines: GGUF Q4_K_M where the engine loads GGUF files,
#: the BF16 checkpoint and its AWQ INT4 version where it loads safetensors
ENGINE_COMPARISON = (("llama.cpp", "Q4_K_M"), ("ollama", "Q4_K_M"),
                     ("transformers", "bf16"), ("transformers", "awq"),
                     ("vllm", "bf16"), ("vllm", "awq"))
#: "common consumer GPUs": the cards a cell names (the smallest that fits)
COMMON_CONSUMER_GPUS = ("rtx-4060", "rtx-3060-12gb", "rtx-4060-ti-16gb", "rtx-3090",
                        "rtx-4090", "rtx-5090")
#: quality order for "best quantization that fits" (GPU pages): best first
QUANT_LADDER = tuple(reversed(GGUF_QUANTS))
#: quantization of the "largest context" column (GPU pages)
MAX_CONTEXT_QUANT = "Q4_K_M"
DEFAULT_ENGINE = "llama.cpp"
STEP = 256  # context granularity of fit.max_context

CELL_FIELDS = ("total_bytes", "weights_bytes", "kv_cache_bytes", "compute_bytes",
               "overhead_bytes", "host_bytes", "model_bytes", "file_bytes")


def slug(model_id: str) -> str:
    """File name stem of a model's page: ``meta-llama/Llama-3.1-8B`` -> ``meta-llama--Llama-3.1-8B``."""
    return model_id.replace("/", "--")


def context_label(tokens: int) -> str:
    """``8192`` -> ``8k``; a context that is not a whole number of k stays in tokens."""
    return f"{tokens // 1024}k" if tokens % 1024 == 0 else f"{tokens:,}"


def table_max_context(max_context: int) -> int:
    """A model's maximum context as the tables use it: at most the calculator's limit."""
    return min(int(max_context), CONTEXT_MAX)


def contexts_for(max_context: int) -> list[int]:
    """The context columns of one model: the standard ones up to its maximum, then the maximum
    (capped at the calculator's limit, estimate.CONTEXT_MAX)."""
    max_context = table_max_context(max_context)
    cols = [c for c in CONTEXTS if c <= max_context]
    if max_context not in cols:
        cols.append(max_context)
    return cols


def query(model_id: str, engine: str, quant: str, context: int, gpu: str | None = None) -> dict[str, str]:
    """The calculator's URL query for one cell (the inputs that define it)."""
    q = {"model": model_id, "quant": quant, "context": str(context), "engine": engine}
    if gpu:
        q["gpu"] = gpu
    return q


@lru_cache(maxsize=1)
def common_gpus() -> tuple[dict[str, Any], ...]:
    """The common consumer GPUs, smallest usable memory first (ids checked against the catalog)."""
    rows = [cat.find_gpu(g) for g in COMMON_CONSUMER_GPUS]
    return tuple(sorted(rows, key=lambda g: (cat.usable_gpu_bytes(g), COMMON_CONSUMER_GPUS.index(g["id"]))))


@lru_cache(maxsize=None)
def cell(model_id: str, engine: str, quant: str, context: int) -> dict[str, Any]:
    """One table cell: the estimate's byte counts and the smallest common GPU that fits.

    A setting the calculator refuses (say AWQ for an architecture without it)
    gives ``{"ok": False, "reason": ...}`` instead of a silent fallback. The
    returned dict is shared (memoised): do not modify it.
    """
    q = query(model_id, engine, quant, context)
    answer = api.estimate_query(q)
    if answer["notices"]:
        return {"ok": False, "engine": engine, "quant": quant, "context": context, "query": q,
                "reason": "; ".join(answer["notices"])}
    r = answer["result"]
    rows = api.compare_gpus(r)
    by_id = {g["id"]: g for g in rows}
    fits = frozenset(g["id"] for g in rows if g["fits"])
    smallest = next((g for g in common_gpus() if g["id"] in fits), None)
    largest = by_id[common_gpus()[-1]["id"]]
    out: dict[str, Any] = {"ok": True, "engine": engine, "quant": r["inputs"]["quant"],
                           "quant_label": _quant_label(r["inputs"]["quant"]),
                           "context": context, "query": q}
    out.update({k: int(r[k]) for k in CELL_FIELDS})
    out["smallest_common_gpu"] = smallest["id"] if smallest else None
    out["smallest_common_gpu_name"] = smallest["name"] if smallest else None
    # when no common card fits: how many of the largest one (compare_gpus' cards_needed)
    out["largest_common_gpu"] = largest["id"]
    out["largest_common_gpu_cards"] = int(largest["cards_needed"])
    out["fits"] = fits
    # decode tokens/s (empty cache, calc_py/speed.py) on every card that holds it; the smallest's in public
    out["speeds"] = {g["id"]: g["decode_tokens_per_s"] for g in rows if g.get("decode_tokens_per_s")}
    out["smallest_common_gpu_decode_tokens_per_s"] = out["speeds"].get(smallest["id"]) if smallest else None
    return out


@lru_cache(maxsize=None)
def _quant_label(quant_id: str) -> str:
    for q in api.catalog()["quants"]:
        if q["id"] == quant_id:
            return q["label"]
    return quant_id


def public_cell(c: dict[str, Any]) -> dict[str, Any]:
    """A cell as written to models.json (no internal fields)."""
    return {k: v for k, v in c.items() if k not in ("fits", "ok", "speeds")} | {"available": c["ok"]}


# ----------------------------------------------------------------------------
# models
# ----------------------------------------------------------------------------

def _architecture(entry) -> dict[str, Any]:
    a = entry.architecture
    return a.summary()


def models() -> list[Any]:
    """Supported catalog models, smallest parameter count first (ties by id)."""
    return sorted(cat.supported_models(), key=lambda m: (model_params(m.id), m.id.lower()))


@lru_cache(maxsize=None)
def model_params(model_id: str) -> int:
    return int(cat.find_model(model_id).brief()["params"])


def model_row(entry) -> dict[str, Any]:
    """One row of the models index: facts plus the summary cells."""
    b = entry.brief()
    return {"id": entry.id, "name": entry.name, "family": entry.family, "slug": slug(entry.id),
            "popular": entry.popular, "params": int(b["params"]), "arch": b["arch"],
            "attention": b["attention"], "experts": b["experts"],
            "max_context": int(b["max_context"]), "source": entry.source,
            "cells": {q: cell(entry.id, DEFAULT_ENGINE, q, SUMMARY_CONTEXT) for q in SUMMARY_QUANTS}}


def model_page(entry) -> dict[str, Any]:
    """Everything one model's page shows."""
    arch = _architecture(entry)
    ctxs = contexts_for(int(arch["max_context"]))
    grid = [{"quant": q, "engine": DEFAULT_ENGINE,
             "cells": [cell(entry.id, DEFAULT_ENGINE, q, c) for c in ctxs]} for q in GGUF_QUANTS]
    vllm = [{"quant": q, "engine": "vllm", "cells": [cell(entry.id, "vllm", q, c) for c in ctxs]}
            for q in VLLM_QUANTS]
    compare = [cell(entry.id, e, q, SUMMARY_CONTEXT) for e, q in ENGINE_COMPARISON]
    return {**model_row(entry), "architecture": arch, "contexts": ctxs, "grid": grid,
            "vllm": vllm, "compare": compare}


def model_cells(entry) -> Iterable[dict[str, Any]]:
    """Every cell of a model's page (grid, vLLM grid, engine comparison), each once."""
    page = model_page(entry)
    seen = set()
    for row in page["grid"] + page["vllm"]:
        for c in row["cells"]:
            key = (c["engine"], c["query"]["quant"], c["context"])
            if key not in seen:
                seen.add(key)
                yield c
    for c in page["compare"]:
        key = (c["engine"], c["query"]["quant"], c["context"])
        if key not in seen:
            seen.add(key)
            yield c


# ----------------------------------------------------------------------------
# GPUs (the reverse table)
# ----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _total_at(model_id: str, engine: str, quant: str, context: int) -> int:
    s = Setup(model=model_id, engine=engine, quant=quant, context=context)
    return int(estimate(s, with_fit=False)["total_bytes"])


def max_context_upto(model_id: str, budget: int, quant: str = MAX_CONTEXT_QUANT,
                     engine: str = DEFAULT_ENGINE, cap: int | None = None) -> int:
    """Largest context, a multiple of 256 and at most ``cap`` (default: the model's
    maximum), whose total fits ``budget``; 0 if not even 256 tokens fit.

    Equal to ``min(fit.max_context(setup, budget), cap // 256 * 256)`` -- the
    same monotone bisection on the same estimate -- but every total is memoised,
    so the 49 distinct budgets of the GPU catalog share their probes.
    """
    if cap is None:
        cap = table_max_context(cat.find_model(model_id).architecture.max_context)
    hi_k = cap // STEP
    if hi_k < 1 or _total_at(model_id, engine, quant, STEP) > budget:
        return 0
    if _total_at(model_id, engine, quant, hi_k * STEP) <= budget:
        return hi_k * STEP
    lo_k = 1                      # fits
    while hi_k - lo_k > 1:        # hi_k never fits
        mid = (lo_k + hi_k) // 2
        if _total_at(model_id, engine, quant, mid * STEP) <= budget:
            lo_k = mid
        else:
            hi_k = mid
    return lo_k * STEP


def best_quant(model_id: str, gpu_id: str, context: int = SUMMARY_CONTEXT) -> dict[str, Any] | None:
    """The highest-precision GGUF mix of the ladder that fits ``gpu_id`` (llama.cpp), or None."""
    for q in QUANT_LADDER:
        c = cell(model_id, DEFAULT_ENGINE, q, context)
        if c["ok"] and gpu_id in c["fits"]:
            return c
    return None


def gpu_summary(gpu: dict[str, Any]) -> dict[str, Any]:
    return {"id": gpu["id"], "name": gpu["name"], "vendor": gpu["vendor"], "segment": gpu["segment"],
            "memory_bytes": int(gpu["memory_bytes"]), "memory_stated": gpu.get("memory_stated") or "",
            "usable_bytes": int(cat.usable_gpu_bytes(gpu)), "source": gpu.get("source") or ""}


def gpu_page(gpu: dict[str, Any]) -> dict[str, Any]:
    """For one GPU, each model: the best quantization at 8k and the largest context at Q4_K_M."""
    g = gpu_summary(gpu)
    rows = []
    for m in models():
        best = best_quant(m.id, gpu["id"])
        ctx = max_context_upto(m.id, g["usable_bytes"])
        max_ctx = table_max_context(m.architecture.max_context)
        rows.append({"model": m.id, "name": m.name, "slug": slug(m.id), "params": model_params(m.id),
                     "max_context": max_ctx,
                     "best_quant": best["query"]["quant"] if best else None,
                     "best_quant_total_bytes": best["total_bytes"] if best else None,
                     "best_quant_decode_tokens_per_s": best["speeds"].get(gpu["id"]) if best else None,
                     "best_quant_query": query(m.id, DEFAULT_ENGINE, best["query"]["quant"],
                                               SUMMARY_CONTEXT, gpu["id"]) if best else None,
                     "max_context_q4": ctx,
                     "max_context_is_model_max": ctx > 0 and ctx == max_ctx // STEP * STEP,
                     "max_context_query": query(m.id, DEFAULT_ENGINE, MAX_CONTEXT_QUANT, ctx, gpu["id"])
                     if ctx else None})
    n_fit = sum(1 for r in rows if r["best_quant"])
    return {**g, "rows": rows, "models_fitting": n_fit}


def gpus() -> list[dict[str, Any]]:
    return list(cat.gpus())


def settings() -> dict[str, Any]:
    """What every table assumes, for the pages' notes and the data files' schema."""
    engines = {e["id"]: e for e in cat.engines()}
    e = engines[DEFAULT_ENGINE]
    return {"engine": DEFAULT_ENGINE, "engine_label": e["label"], "engine_version": e["version"],
            "defaults": dict(e["defaults"]), "summary_context": SUMMARY_CONTEXT,
            "summary_quants": list(SUMMARY_QUANTS),
            "gguf_quants": list(GGUF_QUANTS), "vllm_quants": list(VLLM_QUANTS),
            "contexts": list(CONTEXTS), "common_consumer_gpus": list(COMMON_CONSUMER_GPUS),
            "engine_comparison": [{"engine": en, "quant": q, "engine_label": engines[en]["label"],
                                   "engine_version": engines[en]["version"]}
                                  for en, q in ENGINE_COMPARISON],
            "max_context_quant": MAX_CONTEXT_QUANT, "quant_ladder": list(QUANT_LADDER),
            "vllm_gpu_memory_utilization": engines["vllm"]["defaults"]["gpu_memory_utilization"]}
