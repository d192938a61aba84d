"""The JSON-shaped interface shared by the CLI, the build and the page (Pyodide).

Everything a front end needs is one call away and returns plain JSON-able dicts,
so the page's JavaScript only moves strings in and dicts out (no formula in JS).

Contract (stable; tests, the site and automation rely on it):

``estimate_query(query) -> dict``
    ``query`` maps the CLI's long flags (without ``--``) to strings, exactly as
    they appear in a URL query: ``model``, ``params``, ``quant``, ``context``,
    ``engine``, ``batch``, ``ubatch``, ``flash-attn``, ``kv-cache``,
    ``gpu-layers``, ``gpu`` and the machine keys below. Missing keys take defaults. A value that is
    invalid (unknown model, hostile text, absurd number) is replaced by the
    default and reported in ``notices`` -- this never raises.
    Returns ``{"inputs": {normalised query, same keys, strings},
    "notices": [str, ...], "result": <estimate dict>}``.

``estimate_query(query, config=TEXT)``
    ``config``: a config.json's text, or a link fragment of
    :mod:`calc_py.config_link` (``c1.``...); it stands for ``model``/``params``.
    The answer gains ``config`` (``model_type``, ``arch``, ``fields`` the link
    carries, ``fragment``, ``defaults_used``, ``notes``, ``vision``); a config
    calc_py cannot read gives ``{"error": ..., "supported": [model_type, ...],
    "result": None}`` instead.

``estimate(**kwargs) -> dict``  (strict; raises ``CalcError`` on bad input)
    The estimate dict, identical to ``python -m calc_py estimate --json``:
    integer fields ``params``, ``model_bytes``, ``weights_bytes``,
    ``kv_cache_bytes``, ``compute_bytes``, ``overhead_bytes``, ``total_bytes``,
    ``host_bytes``, ``file_bytes`` (the download: GGUF file or safetensors
    checkpoint; ``file_kind`` says which, or "file" for a given GGUF's own size);
    plus ``parts`` (list of ``{"part", "bytes", "label",
    "explain", "verified"}`` for weights, kv_cache, compute, overhead),
    ``host_parts``, ``model`` (facts about the architecture), ``inputs``,
    ``approximate`` (bool), ``rule_of_thumb`` (the original article's figures),
    ``fit`` (verdict against ``gpu`` or null) and ``notes``.

Machine keys (query keys = CLI long flags; all optional, strings):
    ``gpu`` (``rtx-4090``, ``2xrtx-3090``, ``rtx-4090,rtx-3090``: llama.cpp's
    device order), ``ram`` (GiB), ``tensor-split`` (``3,1``), ``split-mode``
    (layer|row|none), ``main-gpu``, ``n-cpu-moe``, ``cpu-moe`` (on), ``override-tensor``
    (``PATTERN=DEVICE[,...]``, DEVICE ``CPU``/``CUDA1``/an index), ``fit`` (on),
    ``fit-target`` (MiB, one or one per GPU), ``no-mmap`` (on), ``mmproj`` (none | f16 |
    bf16 | q8_0: a vision projector, llama.cpp/Ollama only). ``context=0`` with
    ``fit=on`` leaves the context to the fit. Hostile values fall back like the others.

    With ``mmproj`` (not none) the estimate dict gains ``mmproj_bytes`` (0 when the
    projector is not modelled) and ``mmproj`` (``outtype``, ``kind``, ``bytes``,
    ``n_tensors``, ``types``, ``device`` (index of the GPU it loads on), ``compute_counted``;
    null when not modelled); a counted projector is one more part (``part`` "mmproj"),
    is in ``total_bytes``, and on a machine its device gains ``mmproj_bytes`` in its total.

    With ``gpu`` (or ``ram``) the estimate dict gains (every other field keeps
    its meaning; ``total_bytes`` and the parts are the sums over the GPUs):

    ``devices``: one object per GPU in llama.cpp's order: ``name`` ("CUDA0",
    "ROCm0", "MTL0"), ``gpu`` (catalog id), ``label``, ``weights_bytes``,
    ``kv_cache_bytes``, ``compute_bytes``, ``overhead_bytes``, ``total_bytes``,
    ``usable_bytes``, ``headroom_bytes``, ``fits`` (bool), ``layers`` ([first,
    last] of its repeating layers, or the list when not contiguous, [] for none),
    ``n_layers``, ``output`` (holds the output layer), ``unified``. Empty with
    ``ram`` alone.
    ``host``: ``weights_bytes`` (CPU weights; mmap'd file pages unless
    ``no-mmap``), ``kv_cache_bytes``, ``compute_bytes`` (pinned host compute
    buffer), ``output_bytes`` (logits buffer), ``total_bytes``, ``ram_bytes``
    (null when unknown), ``fits`` (null when RAM is unknown), ``mmap``, ``unified``,
    ``pool_bytes`` / ``pool_used_bytes`` (unified memory: the one pool, host +
    GPUs; else null).
    ``machine``: ``gpu`` (canonical machine string), ``unified``, ``ram_bytes``,
    ``pool_bytes``, ``devices`` (name, gpu, label, memory_bytes, usable_bytes),
    ``fits`` (every device and the host).
    ``fit`` (the verdict) keeps its keys; on several GPUs ``headroom_bytes`` is
    the tightest device's and ``devices`` lists each device's fit.
    With ``fit=on``: ``plan``: ``status`` (fitted | unchanged | untouched |
    failed), ``reason`` (null | fits | user_ngl | user_ts | user_ot | row |
    too_big), ``context``, ``gpu_layers``, ``tensor_split`` (layers per GPU or
    null), ``n_cpu_moe`` (when the overrides equal ``--n-cpu-moe N``, else null),
    ``override_tensor`` (["PATTERN=DEVICE", ...]), ``experts_on_cpu_layers``,
    ``margins_mib``, ``devices`` (name, gpu, layers, used_bytes, free_bytes,
    margin_bytes, meets_target), ``extras_not_counted`` (["MTP", "mmproj"]; with a counted
    ``mmproj`` its weights are in the first GPU's margin and "mmproj-compute" stays),
    ``command`` (the llama-server command line), ``messages``, ``dry_runs``;
    and the rest of the result describes that plan's layout.

vLLM on the machine's GPUs (``engine=vllm``, key ``pipeline-parallel``, TP = GPUs / PP)
    adds ``vllm_parallel``: ``tensor_parallel``, ``pipeline_parallel``, ``kv_tokens`` (of
    the tightest GPU), ``max_concurrency`` at ``context``, ``max_model_len_auto``, ``fits``
    and ``gpus`` (per rank: ``pp_stage``, ``layers``, ``weights_bytes``,
    ``activation_bytes``, ``overhead_bytes``, ``kv_budget_bytes``, ``kv_bytes_per_token``,
    ``kv_tokens``, ``usable_bytes``, ``fits``).

``what_fits(gpu, ram=None, context=8192) -> list[dict]``  (strict)
    ``python -m calc_py whatfits --json``: every catalog model that runs on the
    machine, ranked -- ``model``, ``name``, ``params``, ``quant``, ``context``,
    ``kind`` ("gpu": everything on the GPUs at the best mix, with the largest
    context; "offload": Q4_K_M placed by --fit with experts/layers in RAM) and
    ``plan`` (``context``, ``gpu_layers``, ``tensor_split``, ``n_cpu_moe``,
    ``override_tensor``, ``command``).

``compare_gpus(result, vendor=None) -> list[dict]``
    Every catalog GPU against ``result``: ``id``, ``name``, ``vendor``,
    ``memory_bytes``, ``usable_bytes``, ``fits``, ``headroom_bytes``,
    ``cards_needed``.

``catalog(lang="en") -> dict``
    What pickers need: ``models``, ``gpus``, ``quants``, ``engines``,
    ``kv_types``, ``defaults``. Each GPU's ``name`` is as a reader of ``lang``
    sees it (:func:`calc_py.catalog.gpu_name`; English: the catalog's name).

``options() -> dict``
    ``catalog()`` without ``models`` and ``gpus`` (cheap: lays out no model).
"""
from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache
from typing import Any, Mapping

from . import catalog as cat
from .errors import CalcError
from .estimate import CONTEXT_MAX, Setup, estimate as _estimate
from .fit import compare_gpus as _compare_gpus
from .i18n import t
from .kv_cache import LLAMACPP_KV_TYPES, TORCH_KV_BYTES
from .machine import GiB, parse_fit_target, parse_machine, parse_overrides, parse_ram, parse_tensor_split
from .quants import catalog as _quant_catalog

#: query keys = the CLI's long flags
KEYS = ("model", "params", "quant", "context", "engine", "batch", "ubatch", "flash-attn",
        "kv-cache", "gpu-layers", "gpu", "ram", "tensor-split", "split-mode", "main-gpu", "n-cpu-moe",
        "cpu-moe", "override-tensor", "fit", "fit-target", "no-mmap", "pipeline-parallel", "mmproj")

DEFAULTS: dict[str, str] = {
    "model": "meta-llama/Llama-3.1-8B", "params": "", "quant": "Q4_K_M", "context": "8192",
    "engine": "llama.cpp", "batch": "1", "ubatch": "", "flash-attn": "", "kv-cache": "",
    "gpu-layers": "", "gpu": "rtx-4090", "ram": "", "tensor-split": "", "split-mode": "", "main-gpu": "",
    "n-cpu-moe": "", "cpu-moe": "", "override-tensor": "", "fit": "", "fit-target": "", "no-mmap": "",
    "pipeline-parallel": "", "mmproj": "",
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
    ram = g("ram") or None
    machine = parse_machine(gpu, ram)
    if gpu:
        gpu = machine.spec            # canonical: catalog ids, counts folded ("2xrtx-3090")
    n_dev = len(machine.devices) if machine and machine.devices else None
    return Setup(
        model=model, params=params,
        quant=g("quant") or _DEFAULT_QUANT[engine],
        context=(0 if g("context").lower() in ("0", "auto") and parse_bool(g("fit"), "fit")
                 else parse_int(g("context") or "8192", "context", 1, CONTEXT_MAX)),
        engine=engine,
        batch=parse_int(g("batch") or "1", "batch", 1, 4096),
        ubatch=parse_int(g("ubatch"), "ubatch", 1, 65536) if g("ubatch") else None,
        flash_attn=parse_bool(g("flash-attn"), "flash-attn"),
        kv_cache=g("kv-cache") or None,
        gpu_layers=parse_int(g("gpu-layers"), "gpu-layers", -1, 10_000) if g("gpu-layers") else None,
        gpu=gpu, lang=lang,
        ram=parse_ram(ram) / GiB if ram else None,
        tensor_split=parse_tensor_split(g("tensor-split"), n_dev),
        split_mode=(g("split-mode") or "layer").lower(),
        main_gpu=parse_int(g("main-gpu"), "main-gpu", 0, 15) if g("main-gpu") else 0,
        n_cpu_moe=parse_int(g("n-cpu-moe"), "n-cpu-moe", 0, 10_000) if g("n-cpu-moe") else None,
        cpu_moe=bool(parse_bool(g("cpu-moe"), "cpu-moe")),
        override_tensor=parse_overrides(g("override-tensor")),
        fit=bool(parse_bool(g("fit"), "fit")),
        fit_target=parse_fit_target(g("fit-target"), n_dev),
        no_mmap=bool(parse_bool(g("no-mmap"), "no-mmap")),
        pipeline_parallel=parse_int(g("pipeline-parallel"), "pipeline-parallel", 1, 16) if g("pipeline-parallel") else 1,
        mmproj=g("mmproj").lower() or "none")


def _join(xs) -> str:
    return ",".join(f"{x:g}" if isinstance(x, float) else str(x) for x in xs)


#: the longest config.json text the query interface reads (real ones are a few KB)
MAX_CONFIG_CHARS = 1_000_000


@lru_cache(maxsize=16)
def read_config(source: str) -> dict[str, Any]:
    """A config.json's text or a ``c1.`` link fragment, as the page hands it over:
    ``{"config": dict, "info": {...}}``; CalcError when calc_py cannot use it.
    Never reads a file (unlike ``architecture.load_config``): the text is the config.
    Memoised, since the page re-estimates the same config on every input change."""
    import json
    from . import config_link
    from .architecture import from_config
    text = source.strip()
    if len(text) > MAX_CONFIG_CHARS:
        raise CalcError(f"config.json is longer than {MAX_CONFIG_CHARS:,} characters", field="config")
    if text.startswith(config_link.PREFIX):
        data = config_link.from_fragment(text)
    else:
        config_link.check_nesting(text)   # before json.loads: deep nesting exhausts Pyodide's C stack
        try:
            data = json.loads(text)
        except ValueError as exc:   # JSONDecodeError
            raise CalcError(f"config is not valid JSON: {exc}", field="config")
        except RecursionError:
            raise CalcError("config is nested too deeply", field="config")
        if not isinstance(data, dict):
            raise CalcError("config.json must be a JSON object", field="config")
    try:
        arch = from_config(data)
        fields = config_link.read_fields(data)
    except RecursionError:
        raise CalcError("config is nested too deeply", field="config")
    names = [f"{k}.{sub}" if isinstance(v, dict) and k in config_link.NESTED else k
             for k, v in fields.items() for sub in (v if isinstance(v, dict) and k in config_link.NESTED else [None])]
    info = {
        "model_type": arch.hf_model_type, "arch": arch.arch,
        "fields": [n.removesuffix(".None") for n in names],
        # a multimodal config's link keeps saying so (the encoder itself is not read)
        "fragment": config_link.encode(fields | ({"vision_config": {}} if isinstance(data.get("vision_config"), dict)
                                                 else {})),
        "defaults_used": [list(d) for d in getattr(arch, "defaults_used", ())],
        "notes": [str(n) for n in arch.notes],
        "vision": isinstance(data.get("vision_config"), dict),
    }
    return {"config": data, "info": info}


def supported_model_types() -> list[str]:
    """The config.json model_type values calc_py lays out."""
    from .architecture import HF_TO_LLAMA_ARCH
    return sorted(HF_TO_LLAMA_ARCH)


def estimate_query(query: Mapping[str, Any], lang: str = "en", gguf: bytes | None = None,
                   config: str | None = None) -> dict[str, Any]:
    """Lenient: bad values fall back to defaults, each with a notice. Never raises.

    ``gguf``: the first bytes of a GGUF file (its header); it replaces
    ``model``/``params``. A bad header gives ``{"error": ..., "truncated": bool}``
    instead of a result, so the page can read more of the file or say why not.
    ``config``: a config.json's text or link fragment (see :func:`read_config`),
    which also replaces ``model``/``params``; one calc_py cannot read gives
    ``{"error": ..., "supported": [...]}`` and no result.
    """
    cfg = None
    if config is not None:
        try:
            cfg = read_config(str(config))
        except CalcError as err:
            return {"error": err.message, "supported": supported_model_types(), "truncated": False,
                    "inputs": {}, "notices": [], "result": None}
        query = {k: v for k, v in query.items() if k not in ("model", "params")}
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
            elif cfg is not None:
                setup = replace(setup, model=None, params=None, config=cfg["config"])
            result = _estimate(setup)
            break
        except CalcError as err:
            field = err.field if err.field in KEYS else None
            if cfg is not None and field in (None, "model", "params"):
                # the config itself cannot be estimated: no other model's numbers instead
                return {"error": err.message, "supported": supported_model_types(), "truncated": False,
                        "inputs": {}, "notices": [], "result": None}
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
        "ram": "" if setup.ram is None else f"{setup.ram:g}",
        "tensor-split": _join(setup.tensor_split or ()),
        "split-mode": "" if setup.split_mode == "layer" else setup.split_mode,
        "main-gpu": str(setup.main_gpu) if setup.main_gpu else "",
        "n-cpu-moe": "" if setup.n_cpu_moe is None else str(setup.n_cpu_moe),
        "cpu-moe": "on" if setup.cpu_moe else "",
        "override-tensor": ",".join(f"{p}={d}" for p, d in setup.override_tensor or ()),
        "fit": "on" if setup.fit else "",
        "fit-target": _join(setup.fit_target or ()),
        "no-mmap": "on" if setup.no_mmap else "",
        "pipeline-parallel": "" if setup.pipeline_parallel == 1 else str(setup.pipeline_parallel),
        "mmproj": "" if setup.mmproj == "none" else setup.mmproj,
    })
    answer = {"inputs": inputs, "notices": notices, "result": result}
    if cfg is not None:
        answer["inputs"]["model"] = answer["inputs"]["params"] = ""
        answer["config"] = cfg["info"]
    return answer


def estimate(**kwargs: Any) -> dict[str, Any]:
    """Strict: the CLI's --json dict; raises CalcError on bad input."""
    return _estimate(Setup(**kwargs))


def compare_gpus(result: dict[str, Any], vendor: str | None = None) -> list[dict[str, Any]]:
    return _compare_gpus(result, vendor)


def what_fits(gpu: str, ram: Any = None, context: int = 8192, lang: str = "en") -> list[dict[str, Any]]:
    """Strict: every catalog model that runs on the machine, ranked (calc_py/whatfits.py)."""
    from .whatfits import what_fits as _what_fits
    return _what_fits(gpu, ram, context, lang)


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


def catalog(lang: str = "en") -> dict[str, Any]:
    return {
        "models": [m.brief() for m in cat.supported_models()],
        "gpus": [{k: g[k] for k in ("id", "name", "vendor", "segment", "memory_bytes",
                                     "memory_stated", "memory_unit")}
                 | {"name": cat.gpu_name(g, lang), "usable_bytes": cat.usable_gpu_bytes(g)} for g in cat.gpus()],
        **options(),
    }
