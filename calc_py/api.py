"""The JSON-shaped interface shared by the CLI, the build and the page (Pyodide).

Everything a front end needs is one call away and returns plain JSON-able dicts,
so the page's JavaScript only moves strings in and dicts out (no formula in JS).

Contract (stable; tests, the site and automation rely on it):

``estimate_query(query) -> dict``
    ``query`` maps the CLI's long flags (without ``--``) to strings, exactly as
    they appear in a URL query: ``model``, ``params``, ``quant``, ``context``,
    ``engine``, ``batch``, ``ubatch``, ``flash-attn``, ``kv-cache``,
    ``gpu-layers``, ``gpu``. Missing keys take defaults. A value that is
    invalid (unknown model, hostile text, absurd number) is replaced by the
    default and reported in ``notices`` -- this never raises.
    Returns ``{"inputs": {normalised query, same keys, strings},
    "notices": [str, ...], "result": <estimate dict>}``.

``estimate(**kwargs) -> dict``  (strict; raises ``CalcError`` on bad input)
    The estimate dict, identical to ``python -m calc_py estimate --json``:
    integer fields ``params``, ``model_bytes``, ``weights_bytes``,
    ``kv_cache_bytes``, ``compute_bytes``, ``overhead_bytes``, ``total_bytes``,
    ``host_bytes``; plus ``parts`` (list of ``{"part", "bytes", "label",
    "explain", "verified"}`` for weights, kv_cache, compute, overhead),
    ``host_parts``, ``model`` (facts about the architecture), ``inputs``,
    ``approximate`` (bool), ``rule_of_thumb`` (the original article's figures),
    ``fit`` (verdict against ``gpu`` or null) and ``notes``.

``compare_gpus(result, vendor=None) -> list[dict]``
    Every catalog GPU against ``result``: ``id``, ``name``, ``vendor``,
    ``memory_bytes``, ``usable_bytes``, ``fits``, ``headroom_bytes``,
    ``cards_needed``.

``catalog() -> dict``
    What pickers need: ``models``, ``gpus``, ``quants``, ``engines``,
    ``kv_types``, ``defaults``.

``options() -> dict``
    ``catalog()`` without ``models`` and ``gpus`` (cheap: lays out no model).
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Mapping

from . import catalog as cat
from .errors import CalcError
from .estimate import CONTEXT_MAX, Setup, estimate as _estimate
from .fit import compare_gpus as _compare_gpus
from .i18n import t
from .kv_cache import LLAMACPP_KV_TYPES, TORCH_KV_BYTES
from .quants import catalog as _quant_catalog

#: query keys = the CLI's long flags
KEYS = ("model", "params", "quant", "context", "engine", "batch", "ubatch", "flash-attn",
        "kv-cache", "gpu-layers", "gpu")

DEFAULTS: dict[str, str] = {
    "model": "meta-llama/Llama-3.1-8B", "params": "", "quant": "Q4_K_M", "context": "8192",
    "engine": "llama.cpp", "batch": "1", "ubatch": "", "flash-attn": "", "kv-cache": "",
    "gpu-layers": "", "gpu": "rtx-4090",
}
_DEFAULT_QUANT = {"llama.cpp": "Q4_K_M", "ollama": "Q4_K_M", "transformers": "bf16", "vllm": "bf16"}
_MAX_VALUE_LEN = 200


def _safe(value: str) -> str:
    """A value as it may be echoed in a notice: short, printable."""
    v = "".join(ch if ch.isprintable() else "?" for ch in value)
    return v if len(v) <= 60 else v[:57] + "..."


def parse_int(text: str, field: str, lo: int, hi: int) -> int:
    s = text.strip().lower().replace(",", "").replace("_", "")
    mult = 1
    if s.endswith("k"):
        s, mult = s[:-1], 1024
    elif s.endswith("m"):
        s, mult = s[:-1], 1024 * 1024
    try:
        v = float(s)
    except ValueError:
        raise CalcError(f"{field} must be a whole number", field=field)
    if not math.isfinite(v) or v != int(v):
        raise CalcError(f"{field} must be a whole number", field=field)
    n = int(v) * mult
    if not lo <= n <= hi:
        raise CalcError(f"{field} must be between {lo:,} and {hi:,}", field=field)
    return n


def parse_float(text: str, field: str, lo: float, hi: float) -> float:
    try:
        v = float(text.strip())
    except ValueError:
        raise CalcError(f"{field} must be a number", field=field)
    if not math.isfinite(v) or not lo <= v <= hi:
        raise CalcError(f"{field} must be between {lo:g} and {hi:g}", field=field)
    return v


def parse_bool(text: str, field: str) -> bool | None:
    s = text.strip().lower()
    if s in ("", "auto"):
        return None
    if s in ("on", "true", "1", "yes"):
        return True
    if s in ("off", "false", "0", "no"):
        return False
    raise CalcError(f"{field} must be on, off or auto", field=field)


def setup_from_strings(q: Mapping[str, str], lang: str = "en") -> Setup:
    """A strict Setup from flag-keyed strings (raises CalcError on the first bad value)."""
    g = lambda k: (q.get(k) or "").strip()
    engine = cat.find_engine(g("engine") or "llama.cpp")["id"]
    model = g("model") or None
    params = parse_float(g("params"), "params", 0.1, 2000) if g("params") and not model else None
    if model:
        cat.find_model(model)
    gpu = g("gpu") or None
    if gpu:
        gpu = cat.find_gpu(gpu)["id"]
    return Setup(
        model=model, params=params,
        quant=g("quant") or _DEFAULT_QUANT[engine],
        context=parse_int(g("context") or "8192", "context", 1, CONTEXT_MAX),
        engine=engine,
        batch=parse_int(g("batch") or "1", "batch", 1, 4096),
        ubatch=parse_int(g("ubatch"), "ubatch", 1, 65536) if g("ubatch") else None,
        flash_attn=parse_bool(g("flash-attn"), "flash-attn"),
        kv_cache=g("kv-cache") or None,
        gpu_layers=parse_int(g("gpu-layers"), "gpu-layers", -1, 10_000) if g("gpu-layers") else None,
        gpu=gpu, lang=lang)


def estimate_query(query: Mapping[str, Any], lang: str = "en", gguf: bytes | None = None) -> dict[str, Any]:
    """Lenient: bad values fall back to defaults, each with a notice. Never raises.

    ``gguf``: the first bytes of a GGUF file (its header); it replaces
    ``model``/``params``. A bad header gives ``{"error": ..., "truncated": bool}``
    instead of a result, so the page can read more of the file or say why not.
    """
    if gguf is not None:
        from .gguf_file import load_cached
        try:
            load_cached(bytes(gguf))
        except CalcError as err:
            return {"error": err.message, "truncated": "truncated" in err.message,
                    "inputs": {}, "notices": [], "result": None}
    q: dict[str, str] = {}
    notices: list[str] = []
    for k in KEYS:
        v = query.get(k)
        if v is None:
            continue
        v = str(v)
        if len(v) > _MAX_VALUE_LEN:
            notices.append(t("notice.invalid", lang, field=k, value=_safe(v), reason=t("notice.too_long", lang),
                             default=DEFAULTS[k] or "default"))
            continue
        q[k] = v
    if not q.get("model") and not q.get("params"):
        q["model"] = DEFAULTS["model"]
    for _ in range(len(KEYS) + 2):
        try:
            setup = setup_from_strings(q, lang)
            if gguf is not None:
                setup = replace(setup, model=None, params=None, gguf=bytes(gguf))
            result = _estimate(setup)
            break
        except CalcError as err:
            field = err.field if err.field in KEYS else None
            if field is None:
                field = "model" if q.get("model") else "params"
            bad = q.pop(field, "")
            default = DEFAULTS.get(field, "")
            if field in ("model", "params"):
                q.pop("model", None)
                q.pop("params", None)
                q["model"] = DEFAULTS["model"]
                default = DEFAULTS["model"]
            notices.append(t("notice.invalid", lang, field=field, value=_safe(bad),
                             reason=err.message, default=default or "default"))
    else:   # pragma: no cover - defaults always estimate
        setup = setup_from_strings({"model": DEFAULTS["model"]}, lang)
        result = _estimate(setup)
    inputs = {k: "" for k in KEYS}
    inputs.update({
        "model": setup.model or "", "params": "" if setup.model or setup.params is None else f"{setup.params:g}",
        "quant": result["inputs"]["quant"], "context": str(setup.context),
        "engine": setup.engine, "batch": str(setup.batch),
        "ubatch": str(setup.ubatch) if setup.ubatch else "",
        "flash-attn": "" if setup.flash_attn is None else ("on" if setup.flash_attn else "off"),
        "kv-cache": setup.kv_cache or "", "gpu-layers": "" if setup.gpu_layers is None else str(setup.gpu_layers),
        "gpu": setup.gpu or "",
    })
    return {"inputs": inputs, "notices": notices, "result": result}


def estimate(**kwargs: Any) -> dict[str, Any]:
    """Strict: the CLI's --json dict; raises CalcError on bad input."""
    return _estimate(Setup(**kwargs))


def compare_gpus(result: dict[str, Any], vendor: str | None = None) -> list[dict[str, Any]]:
    return _compare_gpus(result, vendor)


def options() -> dict[str, Any]:
    """The part of :func:`catalog` that lays out no model: ``quants``, ``engines``,
    ``kv_types``, ``defaults``, ``default_quant`` (what the page's selects need)."""
    return {
        "quants": [{k: q.get(k) for k in ("id", "label", "kind", "group", "engines")}
                   for q in _quant_catalog()],
        "engines": [{k: e[k] for k in ("id", "label", "version", "defaults")} for e in cat.engines()],
        "kv_types": {"gguf": list(LLAMACPP_KV_TYPES), "torch": list(TORCH_KV_BYTES)},
        "defaults": dict(DEFAULTS),
        "default_quant": dict(_DEFAULT_QUANT),
    }


def catalog() -> dict[str, Any]:
    return {
        "models": [m.brief() for m in cat.supported_models()],
        "gpus": [{k: g[k] for k in ("id", "name", "vendor", "segment", "memory_bytes",
                                     "memory_stated", "memory_unit")}
                 | {"usable_bytes": cat.usable_gpu_bytes(g)} for g in cat.gpus()],
        **options(),
    }
