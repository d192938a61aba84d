"""Step 8: does it fit, and if not, what would.

The solvers only re-run :func:`calc_py.estimate.estimate` with one input
changed (context, quantization, KV type, GPU layers), relying on each part
being monotone in that input -- the property tests check exactly that.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from math import ceil
from typing import Any

from . import catalog as cat
from .errors import CalcError
from .i18n import t

GiB = 1 << 30

#: quantizations tried, largest first, when the chosen one does not fit
_QUANT_LADDER_GGUF = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "IQ4_XS", "Q3_K_M", "IQ3_XXS", "Q2_K", "IQ2_XXS")
_QUANT_LADDER_HF = ("bf16", "fp8", "int8", "awq")


def _fmt(n: int) -> str:
    return f"{n / GiB:.2f} GiB"


def _need(setup, gpu_budget: int, **change) -> tuple[int, dict[str, Any]]:
    from .estimate import estimate
    r = estimate(replace(setup, gpu=None, **change), with_fit=False)
    return r["total_bytes"], r


def max_context(setup, budget: int) -> int:
    """Largest context (multiple of 256) whose total fits ``budget``; 0 if none."""
    lo, hi = 0, max(256, setup.context)
    if _need(setup, budget, context=256)[0] > budget:
        return 0
    lo = 256
    # grow the bracket (the answer may exceed the asked context)
    while hi < 10_000_000 and _need(setup, budget, context=hi)[0] <= budget:
        lo, hi = hi, hi * 2
    hi = min(hi, 10_000_000)
    while hi - lo > 256:
        mid = (lo + hi) // 2 // 256 * 256
        if _need(setup, budget, context=mid)[0] <= budget:
            lo = mid
        else:
            hi = mid
    return lo


def vllm_kv_tokens(result: dict[str, Any], usable: int) -> int:
    """Tokens of KV that vLLM would allocate on a card of ``usable`` bytes."""
    util = result["inputs"].get("gpu_memory_utilization", 0.9)
    per_token = result["inputs"].get("kv_bytes_per_token") or 1
    overhead = result["overhead_bytes"]
    free = int(usable * util) - result["weights_bytes"] - result["compute_bytes"] - overhead
    return max(0, free // per_token)


def fit_verdict(setup, result: dict[str, Any], gpu: dict[str, Any]) -> dict[str, Any]:
    usable = cat.usable_gpu_bytes(gpu)
    engine = result["engine"]["id"]
    budget = usable
    if engine == "vllm":
        budget = int(usable * result["inputs"].get("gpu_memory_utilization", 0.9)) + \
            0  # CUDA graphs are inside our overhead part
    need = result["total_bytes"]
    headroom = budget - need
    fits = headroom >= 0
    per_card_fixed = result["overhead_bytes"] + result["compute_bytes"]
    share = max(1, budget - per_card_fixed)
    cards = 1 if fits else max(2, ceil((need - per_card_fixed) / share))
    split = None
    if not fits and engine in ("llama.cpp", "ollama"):
        # the real layer split over n cards (calc_py/fit_plan.py), not "fixed parts per card + a share"
        from .fit_plan import cards_needed
        try:
            real = cards_needed(setup, gpu["id"], max_cards=8)
        except CalcError:
            real = None
        if real:
            cards, split = real
    verdict: dict[str, Any] = {
        "gpu": gpu["id"], "name": gpu["name"], "memory_bytes": int(gpu["memory_bytes"]),
        "usable_bytes": usable, "budget_bytes": budget, "fits": fits,
        "headroom_bytes": headroom, "cards_needed": cards, "cards_split": split,
        "message": t("fit.fits" if fits else "fit.no", setup.lang, gpu=cat.gpu_name(gpu, setup.lang),
                     headroom=_fmt(headroom), short=_fmt(-headroom)),
        "advice": [],
    }
    if engine == "vllm":
        tokens = vllm_kv_tokens(result, usable)
        verdict["kv_tokens_fit"] = tokens
        verdict["advice"].append(t("vllm.kv_tokens", setup.lang, tokens=f"{tokens:,}",
                                   concurrency=tokens / max(1, setup.context)))
    smallest = smallest_fitting_gpu(result, gpu["vendor"])
    verdict["smallest_fit"] = smallest and {"id": smallest["id"], "name": smallest["name"]}
    if not fits:
        verdict["advice"].extend(_advice(setup, result, budget, cards))
        if smallest:
            verdict["advice"].append(t("advice.smallest", setup.lang, gpu=cat.gpu_name(smallest, setup.lang)))
    return verdict


def smallest_fitting_gpu(result: dict[str, Any], vendor: str | None = None) -> dict[str, Any] | None:
    """The catalog GPU with the least usable memory that still holds ``result``.

    Same vendor first (a person with an AMD card asks about AMD cards), any
    vendor otherwise; None when no single card holds it.
    """
    rows = [g for g in compare_gpus(result) if g["fits"]]
    same = [g for g in rows if g["vendor"] == vendor] if vendor else []
    pool = same or rows
    return min(pool, key=lambda g: (g["usable_bytes"], g["id"])) if pool else None


def _advice(setup, result: dict[str, Any], budget: int, cards: int) -> list[str]:
    lang = setup.lang
    out: list[str] = []
    ctx = max_context(setup, budget)
    if ctx >= 1024:
        out.append(t("advice.context", lang, context=f"{ctx:,}"))
    gguf = result["engine"]["id"] in ("llama.cpp", "ollama")
    ladder = _QUANT_LADDER_GGUF if gguf else _QUANT_LADDER_HF
    for q in ladder:
        if q.lower() == result["inputs"]["quant"].lower():
            continue
        try:
            need, _ = _need(setup, budget, quant=q)
        except CalcError:
            continue
        if need <= budget:
            out.append(t("advice.quant", lang, quant=q))
            break
    if gguf and (setup.kv_cache or "f16") == "f16":
        try:
            if _need(setup, budget, kv_cache="q8_0")[0] <= budget:
                out.append(t("advice.kv", lang))
        except CalcError:
            pass
    if gguf:
        n_layer = result["model"]["layers"]
        lo, hi = 0, n_layer + 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if _need(setup, budget, gpu_layers=mid)[0] <= budget:
                lo = mid
            else:
                hi = mid - 1
        if 0 < lo <= n_layer:
            out.append(t("advice.layers", lang, layers=lo, total=n_layer))
    out.append(t("advice.cards", lang, cards=cards))
    return out


@lru_cache(maxsize=1)
def _gpu_rows() -> tuple[tuple[str, str, str, str, int, int], ...]:
    """(id, name, vendor, segment, memory_bytes, usable_bytes) of every catalog GPU, once."""
    return tuple((g["id"], g["name"], g["vendor"], g["segment"], int(g["memory_bytes"]),
                  cat.usable_gpu_bytes(g)) for g in cat.gpus())


def compare_gpus(result: dict[str, Any], vendor: str | None = None) -> list[dict[str, Any]]:
    """Every catalog GPU against one result (no re-estimation: fast enough per keystroke)."""
    need = result["total_bytes"]
    util = result["inputs"].get("gpu_memory_utilization") if result["engine"]["id"] == "vllm" else None
    fixed = result["overhead_bytes"] + result["compute_bytes"]
    from .speed import decode_tokens_per_s_on      # bytes per token computed once, in the estimate
    profile = result.get("decode_profile")
    rows = []
    for gid, name, gvendor, segment, memory, usable in _gpu_rows():
        if vendor and gvendor != vendor:
            continue
        budget = int(usable * util) if util else usable
        headroom = budget - need
        share = max(1, budget - fixed)
        cards = 1 if headroom >= 0 else max(2, ceil((need - fixed) / share))
        rows.append({"id": gid, "name": name, "vendor": gvendor,
                     "segment": segment, "memory_bytes": memory,
                     "usable_bytes": usable, "fits": headroom >= 0, "headroom_bytes": headroom,
                     "cards_needed": cards,
                     "decode_tokens_per_s": decode_tokens_per_s_on(profile, gid) if headroom >= 0 else None})
    return rows


def machine_verdict(setup, result: dict[str, Any], machine) -> dict[str, Any]:
    """Fit on a machine of several GPUs: every device against its usable memory, the host against RAM.

    Same keys as :func:`fit_verdict` (``gpu`` is the first card, ``usable_bytes``
    and ``budget_bytes`` the sum over the cards, ``headroom_bytes`` the
    smallest headroom of any device) plus ``devices`` (name, fits, headroom).
    """
    lang = setup.lang
    devs = result["devices"]
    host = result["host"]
    usable = sum(d["usable_bytes"] for d in devs)
    worst = min(devs, key=lambda d: d["headroom_bytes"])
    fits = all(d["fits"] for d in devs) and host["fits"] is not False
    if fits:
        message = t("fit.machine.fits", lang, gpu=machine.spec, headroom=_fmt(worst["headroom_bytes"]),
                    device=worst["name"])
    elif not all(d["fits"] for d in devs):
        message = t("fit.machine.no", lang, gpu=machine.spec, device=worst["name"],
                    short=_fmt(-worst["headroom_bytes"]))
    else:
        message = t("fit.machine.host_no", lang, gpu=machine.spec, need=_fmt(host["total_bytes"]),
                    ram=_fmt(host["ram_bytes"] or 0))
    return {
        "gpu": machine.devices[0].gpu, "name": machine.spec,
        "memory_bytes": sum(d.memory_bytes for d in machine.devices),
        "usable_bytes": usable, "budget_bytes": usable, "fits": fits,
        "headroom_bytes": worst["headroom_bytes"], "cards_needed": len(devs),
        "devices": [{"name": d["name"], "fits": d["fits"], "headroom_bytes": d["headroom_bytes"]} for d in devs],
        "message": message, "advice": [], "smallest_fit": None,
    }
