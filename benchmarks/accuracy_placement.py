"""Placement over several devices: predicted vs published, buffer by buffer and device by device.

    python benchmarks/accuracy_placement.py          # table + excluded rows with reasons
    python benchmarks/accuracy_placement.py --json   # the records as JSON

Rows: shared/groundtruth ``placement_logs.jsonl`` and the multi-device /
partial-offload / ``--fit`` rows of ``llamacpp_gpu_logs.jsonl``. A row is
reproduced when it names a catalog model (or its shape twin) and a stock
llama-quantize mix; then every printed per-device model buffer is compared
with calc_py's per-device weights and every printed KV (+ recurrent state)
buffer with calc_py's per-device KV. Rows with custom "UD" mixes keep the
layout check: their per-device KV depends only on which layers each device
holds, not on the mix. Everything goes through calc_py's own path
(:func:`calc_py.estimate.estimate` with the row's machine and flags, and
:mod:`calc_py.placement` for the split-buffer breakdown).

Per-row settings that the log shows but the row's fields do not carry are
written in ``ROWS`` with the line they come from. Error = (predicted -
measured) / measured.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from calc_py.estimate import Setup, estimate  # noqa: E402  (estimate: the --fit example)
from calc_py.placement import HOST  # noqa: E402
from calc_py.weights import cuda_alloc_bytes  # noqa: E402

MiB = 1 << 20

#: one entry per reproduced row: the Setup that row ran, and which printed buffer is which
ROWS: list[dict[str, Any]] = [
    {"id": "llama.cpp#13661-qwen3-30b-q8-4xk80-row", "file": "placement_logs.jsonl",
     "setup": dict(model="Qwen/Qwen3-30B-A3B", quant="Q8_0", context=30016, gpu="4xtesla-k80",
                   split_mode="row", flash_attn=False, kv_cache="f16", ubatch=512),
     "cells": 30016,
     "why": "Q8_0 is a fixed mix; row split over 4 K80 GPUs, default split by free memory (4 equal); "
            "that build (5261, FA off) padded the cache to 32 cells: 703.5 MiB / 12 layers = 30016 cells, "
            "so the KV is compared at the row's own cell count"},
    {"id": "ik_llama.cpp#514-mainline-qwen3-30b-2gpu", "file": "llamacpp_gpu_logs.jsonl",
     "setup": dict(model="Qwen/Qwen3-30B-A3B", quant="Q4_K_M", context=16384, gpu="rtx-4090,rtx-5090",
                   tensor_split="12,37", override_tensor=r".ffn_.*_exps.=CPU", flash_attn=False,
                   kv_cache="f16", ubatch=512),
     "imatrix": True,
     "why": "unsloth Q4_K_M (imatrix) = llama-quantize's mix; the split is not printed, the KV gives it "
            "(384 / 1152 MiB = 12 / 36 attention layers): -ts 12,37 reproduces what free memory chose"},
    {"id": "ik_llama.cpp-disc357-mainline-235b-q6-2x3090", "file": "llamacpp_gpu_logs.jsonl",
     "setup": dict(model="Qwen/Qwen3-235B-A22B", quant="Q6_K", context=16384, gpu="2xrtx-3090",
                   override_tensor=r"blk\.(0|1|2|3|4|5|6)\.ffn.*=CUDA0,blk\.(7|8|9|10|11|12|13)\.ffn.*=CUDA1,"
                                   r"blk\.1[4-9]\.ffn.*=CPU,blk\.[2-9][0-9]\.ffn.*=CPU",
                   flash_attn=True, kv_cache="q8_0", ubatch=512),
     "imatrix": True,
     "why": "Q6_K (imatrix) stock mix; two equal cards split by free memory; -ot sends FFNs 0-6 to CUDA0, "
            "7-13 to CUDA1, the rest to the CPU (command in the row)"},
    {"id": "ik_llama.cpp-disc357-mainline-235b-q6-ngl0", "file": "llamacpp_gpu_logs.jsonl",
     "setup": dict(model="Qwen/Qwen3-235B-A22B", quant="Q6_K", context=16384, gpu="2xrtx-3090", gpu_layers=0,
                   flash_attn=True, kv_cache="q8_0", ubatch=512),
     "why": "-ngl 0 on two GPUs: every layer and its KV on the CPU, the GPUs hold no weights"},
    {"id": "file43121383699-minimax-m21-4x3090", "file": "llamacpp_gpu_logs.jsonl",
     "setup": dict(model="MiniMaxAI/MiniMax-M2.5", quant="IQ4_NL", context=120000, gpu="4xrtx-3090",
                   tensor_split="1,1,1,1",
                   override_tensor=r"blk.(1|2|3|4|5|6|7|8|9|10).ffn_.*_exps.weight=CPU,"
                                   r"blk.(17|18|19|20|21|22|23|24|25).ffn_.*_exps.weight=CPU,"
                                   r"blk.(33|34|35|36|37|38|39|40|41).ffn_.*_exps.weight=CPU,"
                                   r"blk.(49|50|51|52|53|54|55|56|57).ffn_.*_exps.weight=CPU",
                   flash_attn=True, kv_cache="f16", ubatch=512, no_mmap=True),
     "breakdown": True, "imatrix": True,
     "why": "MiniMax-M2.1 shares MiniMax-M2.5's config shape (62 layers, 3072 hidden, 256 experts x 1536, "
            "8 KV heads x 128; an inference: no M2.1 config in shared/models); IQ4_NL stock mix made with an "
            "imatrix (without one llama-quantize gives the first n_layer/8 ffn_down Q5_K: +144 MiB on CUDA0, "
            "+1.2 %, while CUDA1-3 match to 0.01 %); the row prints llama.cpp's memory breakdown"},
    {"id": "lso-q35-122b-4xp100-smrow-f16", "file": "placement_logs.jsonl",
     "setup": dict(model="Qwen/Qwen3.5-122B-A10B", quant="Q4_K_M", context=32768, gpu="4xtesla-p100-16gb",
                   split_mode="row",
                   override_tensor=r"blk\.([0-9]|1[0-3]|2[0-4]|3[1-9]|4[0-7])\.ffn_.*_exps\.weight=CPU",
                   flash_attn=True, kv_cache="f16", ubatch=1586),
     "weights_out": True,
     "why": "row split over 4 P100s, experts of 36 layers on the CPU: KV + recurrent state per device checked; "
            "weights left out -- unsloth's Qwen3.5 'Q4_K_M' is not llama-quantize's plan (its split buffers, "
            "the attention/SSM/shared-expert matrices, are 1.6-1.7x the stock mix's and its experts 2 % "
            "larger: an inference from the printed buffers, unsloth quantizes Qwen3.5 with its own per-tensor "
            "types)"},
    {"id": "llama.cpp#16865-qwen3coder30b-1m-3xmi50-row", "file": "placement_logs.jsonl",
     "setup": dict(model="Qwen/Qwen3-30B-A3B", quant="Q4_K_M", context=131072, gpu="3xmi50-32gb",
                   split_mode="row", flash_attn=True, kv_cache="f16", ubatch=512),
     "layout_only": True,
     "why": "UD-Q2_K_XL (custom mix): weights not comparable; Qwen3-Coder-30B-A3B-1M has Qwen3-30B-A3B's "
            "shapes, so the per-device KV checks which layers each of 3 equal cards holds"},
]

#: rows looked at and left out, with the reason
EXCLUDED: dict[str, str] = {
    "lso-q35-122b-fused-gateup-q4km-4xp100-ts11-12-13-14":
        "a locally made GGUF with fused ffn_gate_up experts: calc_py's qwen35moe inventory has separate gate/up",
    "file63190901554-qwen38-flashnext-2x3090-ot-bands": "Qwen3.8-Flash-Next is not in the catalog (and a UD mix)",
    "ruashots-flashnext-2x3090-configB-ctx73728": "Qwen3.8-Flash-Next is not in the catalog (and a UD mix)",
    "ruashots-flashnext-2x3090-configC-q2kxl": "Qwen3.8-Flash-Next is not in the catalog (and a UD mix)",
    "ruashots-flashnext-2x3090-rungB-bands0-8-25-32": "Qwen3.8-Flash-Next is not in the catalog (and a UD mix)",
    "file68709099771-qwen38-27b-q8-2xmi355x-ts1-1": "Qwen3.8-27B is not in the catalog",
    "dfch-llmops-glm52-q5kxl-4xrtxpro6000-ctx768000":
        "UD-Q5_K_XL mix; GLM-5.2's KV is printed as two caches per device (MLA + indexer) that calc_py's "
        "DeepSeek-sparse-attention layout does not model yet",
    "dfch-llmops-glm52-q4kxl-4xrtxpro6000-ctx768000-nommap": "same as the ctx768000 row (UD mix, two KV caches)",
    "dfch-llmops-glm52-q5kxl-4xrtxpro6000-ctx131072": "same as the ctx768000 row (UD mix, two KV caches)",
    "dfch-llmops-glm52-q5kxl-4xrtxpro6000-ctx896000": "same as the ctx768000 row (UD mix, two KV caches)",
    "file63363462237-glm52-q4kxl-4xv620-rocm-otexps": "UD mix; GLM-5.2's two KV caches (see above); llama-bench context",
    "lso-mi25-qwen36-35b-a3b-4xrocm-modelbufs": "UD-Q4_K_XL mix and no KV printed: nothing mix-independent to check",
    "file1349331823-llama4-scout-q2kxl-2xd700-vulkan-ngl11-nkvo-ctx256000":
        "UD mix, and -nkvo (KV in host memory) is not an input of calc_py",
    "file1349331823-llama4-scout-q2kxl-2xd700-vulkan-ngl11-nkvo-ctx64000": "UD mix, -nkvo",
    "file1349331823-llama4-scout-q2kxl-2xd700-vulkan-ngl14": "UD mix, -nkvo, no KV printed",
    "llama.cpp#23679-qwen36-35b-a3b-2x4090": "UD-IQ4_NL mix, settings not in the excerpt",
}


@dataclass
class Rec:
    id: str
    part: str        # e.g. "CUDA0 model", "CUDA1 KV"
    predicted: int
    measured: int
    kind: str        # weights | kv | layout

    @property
    def err_pct(self) -> float:
        return (self.predicted - self.measured) / self.measured * 100 if self.measured else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "part": self.part, "kind": self.kind, "predicted": self.predicted,
                "measured": self.measured, "err_pct": round(self.err_pct, 4)}


def _groundtruth_dir() -> Path | None:
    from benchmarks.accuracy import groundtruth_dir
    return groundtruth_dir()


def _load(name: str) -> dict[str, dict[str, Any]]:
    d = _groundtruth_dir()
    if d is None or not (d / name).exists():
        return {}
    rows = [json.loads(x) for x in (d / name).read_text(encoding="utf-8").splitlines() if x.strip()]
    return {r["id"]: r for r in rows}


def _mib(v) -> float:
    return float(sum(v) if isinstance(v, list) else v)


def _weights(s: Setup, imatrix: bool):
    """The file's tensors: llama-quantize's plan for the mix, with or without an imatrix."""
    from calc_py.estimate import _resolve_model
    from calc_py.weights import gguf_file_weights
    m = _resolve_model(s)
    return m.arch, gguf_file_weights(m.arch, s.quant, has_imatrix=imatrix)


def _devices(s: Setup, imatrix: bool) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """calc_py's per-device and host objects (the --json contract) for the row's Setup and file.

    The same steps as estimate() (placement -> llamacpp_devices -> devices_json); only the
    quantizer's imatrix option, which the Setup does not carry, is the row's.
    """
    from calc_py import catalog as cat
    from calc_py.llamacpp_engine import devices_json, machine_of, place_setup, settings, size
    a, w = _weights(s, imatrix)
    engine = cat.find_engine(s.engine)
    mach = machine_of(s.gpu, s.ram)
    p = place_setup(s, a, w, mach)
    st = settings(s, engine)
    sz = size(s, a, w, p, engine, st)
    devs, host = devices_json(sz, mach)
    return devs, host, {"kv_cells": sz.kv_all.cells}


def _split_breakdown(s: Setup, imatrix: bool) -> tuple[list[int], list[int]]:
    """Per device: bytes in its own buffer, bytes of the split buffer named after it (-sm row)."""
    from calc_py.llamacpp_engine import machine_of, place_setup
    a, w = _weights(s, imatrix)
    mach = machine_of(s.gpu, s.ram)
    p = place_setup(s, a, w, mach)
    own = [0] * len(p.devices)
    split = [0] * len(p.devices)
    for wt in w.tensors:
        d = p.device_of(wt)
        if d == HOST:
            continue
        (split if wt.tensor.name in p.split_tensors else own)[d] += cuda_alloc_bytes(wt)
    return own, split


def reproduce(spec: dict[str, Any], row: dict[str, Any]) -> list[Rec]:
    """Records for one reproduced row (what it printed per device vs our numbers)."""
    s = Setup(**spec["setup"])
    imatrix = bool(spec.get("imatrix"))
    devs, host, info = _devices(s, imatrix)
    b = row.get("buffers_mib") or {}
    out: list[Rec] = []
    rid = row["id"]
    scale = 1.0
    if spec.get("cells"):          # the row's build padded the cache differently: compare per cell
        scale = spec["cells"] / info["kv_cells"]
    if spec.get("breakdown"):
        import re
        for line in row.get("memory_breakdown") or []:
            mm = re.search(r"- (\w+) \([^)]*\)\s*\|\s*\d+\s*=\s*\d+\s*\+\s*\(\s*\d+\s*=\s*(\d+)\s*\+\s*(\d+)\s*\+\s*(\d+)",
                           line)
            if not mm:
                continue
            name = mm.group(1)
            d = next(x for x in devs if x["name"] == name)
            if not spec.get("layout_only"):
                out.append(Rec(rid, f"{name} model", d["weights_bytes"], int(mm.group(2)) * MiB, "weights"))
            out.append(Rec(rid, f"{name} context", d["kv_cache_bytes"], int(mm.group(3)) * MiB, "kv"))
        return out
    own, split = _split_breakdown(s, imatrix)
    for d in devs:
        name = d["name"]
        kv_keys = [k for k in (f"{name} KV", f"{name} RS") if k in b]
        if kv_keys:
            meas = sum(_mib(b[k]) for k in kv_keys)
            out.append(Rec(rid, " + ".join(kv_keys), int(round(d["kv_cache_bytes"] * scale)),
                           int(round(meas * MiB)), "kv"))
        if spec.get("layout_only") or spec.get("weights_out"):
            continue
        i = int(name[len(name.rstrip("0123456789")):])
        if f"{name} model" in b:
            pred = own[i] if f"{name}_Split model" in b or s.split_mode == "row" else d["weights_bytes"]
            out.append(Rec(rid, f"{name} model", pred, int(round(_mib(b[f'{name} model']) * MiB)), "weights"))
        if f"{name}_Split model" in b:
            out.append(Rec(rid, f"{name}_Split model", split[i], int(round(_mib(b[f'{name}_Split model']) * MiB)),
                           "weights"))
    if "CPU KV" in b:
        out.append(Rec(rid, "CPU KV", int(round(host["kv_cache_bytes"] * scale)),
                       int(round(_mib(b["CPU KV"]) * MiB)), "kv"))
        for d in devs:
            out.append(Rec(rid, f"{d['name']} weights (none printed)", d["weights_bytes"], 0, "layout"))
    return out


def fit_example() -> dict[str, Any] | None:
    """tools/fit-params/README.md's run (row llama.cpp-fit-params-readme-qwen3-30b-f16-4090) through our --fit.

    The README's card had 20386 MiB free when fitting (its line: "19187 MiB used, 1199 MiB free"):
    other processes held 3691 MiB of the 24077. Our free memory is usable - CUDA context
    (24080 - 150), so --fit-target 4568 gives the README's target of 20386 - 1024 MiB.
    """
    rows = _load("llamacpp_gpu_logs.jsonl")
    row = rows.get("llama.cpp-fit-params-readme-qwen3-30b-f16-4090")
    if row is None:
        return None
    s = Setup(model="Qwen/Qwen3-30B-A3B", quant="F16", context=0, gpu="rtx-4090", fit=True,
              fit_target=(4568,))
    r = estimate(s, with_fit=False)
    plan = r["plan"]
    printed = next(x for x in row["excerpt"] if x.startswith("-c "))
    return {"id": row["id"], "printed": printed, "ours": plan["command"],
            "context": plan["context"], "experts_on_cpu_layers": plan["experts_on_cpu_layers"],
            "gpu_layers": plan["gpu_layers"],
            "note": "build 6895 counted -ngl without the output layer (48 = all repeating layers, output "
                    "on the CPU); since PR #18148 the output is the first layer offloaded, so today's "
                    "fit writes -ngl 49 and the output's 594 MiB on the GPU costs the partial layer 14 "
                    "its whole FFN (pattern ATTN) instead of only its experts"}


def build() -> tuple[list[Rec], list[dict[str, str]]]:
    rows = {**_load("llamacpp_gpu_logs.jsonl"), **_load("placement_logs.jsonl")}
    recs: list[Rec] = []
    skipped: list[dict[str, str]] = []
    done = set()
    for spec in ROWS:
        row = rows.get(spec["id"])
        if row is None:
            skipped.append({"id": spec["id"], "why": "row not in the ground truth"})
            continue
        recs.extend(reproduce(spec, row))
        done.add(spec["id"])
    for rid, why in EXCLUDED.items():
        if rid in rows:
            skipped.append({"id": rid, "why": why})
    return recs, skipped


def summary(recs: list[Rec]) -> dict[str, Any]:
    out = {}
    for kind in ("weights", "kv"):
        errs = sorted(abs(r.err_pct) for r in recs if r.kind == kind)
        if errs:
            out[kind] = {"n": len(errs), "median": round(errs[len(errs) // 2], 3), "max": round(errs[-1], 3)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if _groundtruth_dir() is None:
        print("no groundtruth found (set GROUNDTRUTH_DIR)", file=sys.stderr)
        return 2
    recs, skipped = build()
    fit = fit_example()
    if args.json:
        print(json.dumps({"records": [r.as_dict() for r in recs], "skipped": skipped, "fit": fit,
                          "summary": summary(recs)}, indent=1))
        return 0
    print(f"{'row id':48} {'buffer':26} {'predicted MiB':>14} {'measured MiB':>13} {'err %':>8}")
    for r in recs:
        err = f"{r.err_pct:8.3f}" if r.measured else "   (none)"
        print(f"{r.id[:48]:48} {r.part[:26]:26} {r.predicted / MiB:14.2f} {r.measured / MiB:13.2f} {err}")
    print("\nsummary |err| %:", json.dumps(summary(recs)))
    if fit:
        print(f"\n--fit example ({fit['id']}):\n  printed: {fit['printed']}\n  ours:    {fit['ours'][:160]}...")
        print(f"  context {fit['context']}, -ngl {fit['gpu_layers']}, experts on CPU: layers "
              f"{fit['experts_on_cpu_layers'][0]}..{fit['experts_on_cpu_layers'][-1]}\n  {fit['note']}")
    print(f"\nexcluded rows: {len(skipped)}")
    for x in skipped:
        print(f"  {x['id'][:60]:60} {x['why'][:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
