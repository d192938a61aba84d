"""What runs on my machine: every catalog model at the best quantization that fits, ranked.

For each catalog model (llama.cpp, GGUF mixes largest first):

* ``kind: "gpu"`` -- the largest mix whose every layer fits on the GPUs at the asked
  context, with the largest context that still fits (llama.cpp's default layer
  split by free memory, :mod:`calc_py.placement`), and its llama-server command;
* ``kind: "offload"`` -- otherwise, with ``--ram`` given: Q4_K_M placed by
  llama.cpp's ``--fit`` (:mod:`calc_py.fit_plan`: experts / layers in system RAM),
  when the host part fits the RAM.

Models that fit neither way are left out. Speed: a mix is planned only when its
nominal bits per weight could fit at all (a lower bound on the weights), and the
largest context comes from two evaluations per model (bytes grow linearly with
the context outside sliding windows) plus a check, not a search over every
context; benchmarks/plan_speed.py prints the time over the whole catalog.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import catalog as cat
from .errors import CalcError
from .estimate import Setup
from .fit_plan import _QUANT_LADDER, all_on_gpus
from .machine import parse_machine

#: bits per weight of each mix as llama.cpp's quantize tool lists them (tools/quantize/quantize.cpp
#: QUANT_OPTIONS, for a 7B/8B model), used only as a lower bound (x 0.85) to skip mixes too big to fit
NOMINAL_BPW = {"Q8_0": 8.5, "Q6_K": 6.56, "Q5_K_M": 5.69, "Q4_K_M": 4.89, "IQ4_XS": 4.25, "Q3_K_M": 3.91,
               "IQ3_XXS": 3.06, "Q2_K": 2.96, "IQ2_XXS": 2.06}


def _device_totals(s: Setup, context: int) -> list[tuple[int, int]]:
    """(total, usable) per device with every layer on the GPUs at ``context``."""
    from .estimate import _resolve_model
    from .llamacpp_engine import machine_of, place_setup, settings, size
    from .quants import resolve
    from .weights import weights_for
    s2 = replace(s, context=context)
    mach = machine_of(s2.gpu, s2.ram)
    engine = cat.find_engine(s2.engine)
    m = _resolve_model(s2)
    w = weights_for(m.arch, resolve(s2.quant, engine["id"]))
    p = place_setup(s2, m.arch, w, mach)
    sz = size(s2, m.arch, w, p, engine, settings(s2, engine))
    from .llamacpp_engine import MMPROJ_DEVICE, setup_projector
    proj = setup_projector(s2, m)[0]           # a counted vision projector sits on the first GPU
    mm = proj.total if proj is not None else 0
    return [(d.total + (mm if k == MMPROJ_DEVICE else 0), dev.usable_bytes)
            for k, (d, dev) in enumerate(zip(sz.devices, mach.devices))]


def largest_context(s: Setup, lo: int, hi: int) -> int:
    """Largest multiple of 256 in [lo, hi] that keeps every device within its memory (lo fits)."""
    at_hi = _device_totals(s, hi)
    if all(t <= u for t, u in at_hi):
        return hi
    at_lo = _device_totals(s, lo)
    best = hi
    for (t_lo, u), (t_hi, _) in zip(at_lo, at_hi):
        if t_hi > u:
            slope = (t_hi - t_lo) / max(1, hi - lo)
            best = min(best, lo + int((u - t_lo) / slope) if slope > 0 else hi)
    best = max(lo, best // 256 * 256)
    while best > lo and not all(t <= u for t, u in _device_totals(s, best)):
        best = max(lo, best - 256)
    # sliding-window caches grow slower than linear: step up while the next one fits
    while best + 256 <= hi and all(t <= u for t, u in _device_totals(s, best + 256)):
        best += 256
    return best


def _gpu_row(m, s: Setup, total_usable: int, n_params: int) -> dict[str, Any] | None:
    for q in _QUANT_LADDER:
        if n_params * NOMINAL_BPW[q] * 0.85 / 8 > total_usable:
            continue
        try:
            ok, split = all_on_gpus(s, quant=q)
        except CalcError:
            continue
        if not ok:
            continue
        sq = replace(s, quant=q)
        ctx = largest_context(sq, s.context, m.architecture.max_context)
        n_gpu = m.architecture.n_layer + 1
        ts = split if len(split) > 1 else None
        cmd = f"llama-server -m {m.id.split('/')[-1]}-{q}.gguf -c {ctx} -ngl {n_gpu}"
        if ts:
            cmd += " -ts " + ",".join(map(str, ts))
        return {"model": m.id, "name": m.name, "params": n_params, "quant": q, "context": ctx, "kind": "gpu",
                "plan": {"context": ctx, "gpu_layers": n_gpu, "tensor_split": ts, "n_cpu_moe": None,
                         "override_tensor": [], "command": cmd}}
    return None


def _offload_row(m, s: Setup, n_params: int) -> dict[str, Any] | None:
    from .estimate import estimate
    try:
        r = estimate(replace(s, quant="Q4_K_M", fit=True), with_fit=False)
    except CalcError:
        return None
    plan = r["plan"]
    if plan["status"] == "failed" or not all(d["fits"] for d in r["devices"]) or r["host"]["fits"] is False:
        return None
    return {"model": m.id, "name": m.name, "params": n_params, "quant": "Q4_K_M", "context": plan["context"],
            "kind": "offload",
            "plan": {k: plan[k] for k in ("context", "gpu_layers", "tensor_split", "n_cpu_moe",
                                          "override_tensor", "command")},
            "host_bytes": r["host"]["total_bytes"]}


def what_fits(gpu: str, ram: Any = None, context: int = 8192, lang: str = "en") -> list[dict[str, Any]]:
    """Every catalog model that runs on the machine, ranked: fully on the GPUs first (largest model
    first), then with experts/layers in RAM. Each: ``model``, ``name``, ``params``, ``quant``,
    ``context``, ``kind`` ("gpu" | "offload"), ``plan`` (``context``, ``gpu_layers``,
    ``tensor_split``, ``n_cpu_moe``, ``override_tensor``, ``command``)."""
    mach = parse_machine(gpu, ram)
    if mach is None or not mach.devices:
        raise CalcError("whatfits needs the machine's GPUs (--gpu ...)", field="gpu")
    total_usable = sum(d.usable_bytes for d in mach.devices)
    gpu_rows, off_rows = [], []
    for m in cat.supported_models():
        a = m.architecture
        ctx = min(context, a.max_context)
        n_params = m.brief()["params"]
        s = Setup(model=m.id, context=ctx, gpu=mach.spec, ram=None if mach.unified else ram, lang=lang)
        try:
            row = _gpu_row(m, s, total_usable, n_params)
        except CalcError:
            continue
        if row is not None:
            gpu_rows.append(row)
        elif mach.ram_bytes is not None and n_params * NOMINAL_BPW["Q4_K_M"] * 0.85 / 8 <= total_usable + mach.ram_bytes:
            row = _offload_row(m, replace(s, context=ctx), n_params)
            if row is not None:
                off_rows.append(row)
    gpu_rows.sort(key=lambda r: (-r["params"], r["model"]))
    off_rows.sort(key=lambda r: (-r["params"], r["model"]))
    return gpu_rows + off_rows
