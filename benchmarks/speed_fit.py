"""Fit calc_py/speed.py's efficiencies on published llama-bench runs; write calc_py/data/speed_fit.json.

    python benchmarks/speed_fit.py            # fit, print residuals and held-out errors, write the JSON
    python benchmarks/speed_fit.py --no-write # print only

Reads ``llama_bench.jsonl`` and ``gpu_specs.jsonl`` from the groundtruth folder
(``$GROUNDTRUTH_DIR``, ``tests/data/groundtruth`` or ``../shared/groundtruth``).
Standard library only.

What is fitted, and why this many constants (calc_py/speed.py has the model):

* decode, per backend b: a bandwidth efficiency ``eta_b`` and a fixed cost
  per layer per token ``tau_b``; per weight group g a multiplier ``m_g``
  shared by all backends (dequantising a K-quant costs more per byte than an
  F16 read everywhere), plus a per-(backend, group) correction that a ridge
  penalty pulls to 1 unless at least 3 rows of 2+ models ask for it; the KV
  read efficiency ``eta_b * m_kv`` (with a per-backend correction);
* prefill, per backend: matrix efficiency ``eps_b`` over the GPU's dense FP16
  tensor throughput, group multipliers (shared + ridge-shrunk corrections), an
  attention efficiency ``eps_attn_b`` (fitted on the deeper ppN rows) and a
  fixed cost per layer per micro-batch;
* host RAM: one read efficiency for CPU-resident layers/experts, fitted on the
  partial-offload and experts-on-CPU rows with everything else fixed.

All by Levenberg-Marquardt on log(predicted/measured) over every usable row
(never one row). Held out: each GPU in turn (fit without its rows, predict
them) and each model in turn.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import os
import re
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from calc_py import catalog as cat  # noqa: E402
from calc_py import speed as S  # noqa: E402
from calc_py.errors import CalcError  # noqa: E402
from calc_py.quants import resolve  # noqa: E402
from calc_py.weights import WeightTensor, gpu_layer_set, weights_for  # noqa: E402

GiB = 1 << 30
MiB = 1 << 20
OUT = REPO / "calc_py" / "data" / "speed_fit.json"


def groundtruth_dir() -> Path | None:
    for c in (os.environ.get("GROUNDTRUTH_DIR"), REPO / "tests" / "data" / "groundtruth",
              REPO.parent / "shared" / "groundtruth", Path("/work/shared/groundtruth")):
        if c and (Path(c) / "llama_bench.jsonl").exists():
            return Path(c)
    return None


def load(name: str) -> list[dict[str, Any]]:
    d = groundtruth_dir()
    if d is None or not (d / name).exists():
        return []
    return [json.loads(x) for x in (d / name).read_text(encoding="utf-8").splitlines() if x.strip()]


# ----------------------------------------------------------------------------
# which catalog model / mix / GPU a published row means
# ----------------------------------------------------------------------------

#: (architecture and size as llama-bench prints them, file repo or None) -> catalog model.
#: Shapes, not names, decide speed: Llama 3 and 3.1 8B/70B share every tensor shape;
#: DeepSeek-R1-Distill-Qwen-14B/32B are Qwen2.5-14B/32B shapes.
MODEL_RULES: tuple[tuple[str, str | None, str], ...] = (
    (r"^llama 8B", None, "meta-llama/Llama-3.1-8B"),
    (r"^llama 70B", None, "meta-llama/Llama-3.1-70B"),
    (r"^llama 7B", None, "meta-llama/Llama-2-7b-hf"),
    (r"^llama 1B", None, "meta-llama/Llama-3.2-1B-Instruct"),
    (r"^llama 3B", None, "meta-llama/Llama-3.2-3B"),
    (r"^qwen3 8B", None, "Qwen/Qwen3-8B"),
    (r"^qwen3 14B", None, "Qwen/Qwen3-14B"),
    (r"^qwen3 32B", None, "Qwen/Qwen3-32B"),
    (r"^qwen2 14B", None, "Qwen/Qwen2.5-14B"),
    (r"^qwen2 32B", None, "Qwen/Qwen2.5-32B"),
    (r"^qwen3moe 30B\.A3B", None, "Qwen/Qwen3-30B-A3B"),
    (r"^gpt-oss 20B", None, "openai/gpt-oss-20b"),
    (r"^gpt-oss 120B", None, "openai/gpt-oss-120b"),
    (r"^glm4moe 106B\.A12B", None, "zai-org/GLM-4.5-Air"),
    (r"^qwen35moe 35B\.A3B", None, "Qwen/Qwen3.5-35B-A3B"),
    (r"^qwen35moe 122B\.A10B", None, "Qwen/Qwen3.5-122B-A10B"),
    (r"^qwen35 27B", None, "Qwen/Qwen3.5-27B"),
    (r"^qwen3next 80B\.A3B", None, "Qwen/Qwen3-Next-80B-A3B-Instruct"),
    (r"^gemma3 27B", None, "google/gemma-3-27b-it"),
    (r"^phi3 14B", None, "microsoft/Phi-3-medium-4k-instruct"),
)

#: quant label as the row records it -> the llama-quantize mix whose tensor types we plan
MIX_OF = {"MXFP4": "MXFP4_MOE", "UD-Q4_K_XL": "Q4_K_M", "UD-Q8_K_XL": "Q8_0"}

#: published GPU strings -> catalog id (None: not in the catalog; EXTRA_SPECS or gpu_specs.jsonl then)
GPU_MAP = {
    "NVIDIA GeForce RTX 3070": "rtx-3070", "NVIDIA GeForce RTX 3080": "rtx-3080-10gb",
    "NVIDIA GeForce RTX 4070 Ti": "rtx-4070-ti", "NVIDIA GeForce RTX 4080": "rtx-4080",
    "NVIDIA GeForce RTX 4090": "rtx-4090", "RTX 4090": "rtx-4090", "RTX 5090": "rtx-5090",
    "NVIDIA GeForce RTX 5060 Ti": "rtx-5060-ti-16gb", "NVIDIA GeForce RTX 5070 Ti": "rtx-5070-ti",
    "NVIDIA RTX 5000 Ada Generation": "rtx-5000-ada", "NVIDIA RTX 6000 Ada Generation": "rtx-6000-ada",
    "NVIDIA RTX A6000": "rtx-a6000", "NVIDIA A40": "a40", "NVIDIA A100-SXM4-80GB": "a100-80gb",
    "NVIDIA A100 80GB PCIe": "a100-80gb-pcie", "NVIDIA H100 PCIe": "h100-pcie-80gb",
    "NVIDIA RTX PRO 6000 Blackwell Workstation Edition": "rtx-pro-6000-blackwell",
    "AMD Instinct MI300X": "mi300x", "Radeon RX 7900 XT": "rx-7900-xt",
    "AMD Radeon PRO W7900": "radeon-pro-w7900", "AMD Radeon Pro W7900": "radeon-pro-w7900",
    "W7900": "radeon-pro-w7900", "Intel Arc Pro B70 32GB GDDR6": "arc-pro-b70",
    "Intel(R) Arc(TM) A770 Graphics": "arc-a770-16gb", "Apple M1 7-Core GPU 8GB": "apple-m1-8gb",
    "Apple M1 Max 32-Core GPU 64GB": "apple-m1-max-64gb", "Apple M3 Max 40-Core GPU 64GB": "apple-m3-max-64gb",
    "M3 Max (40CU) ^": "apple-m3-max-64gb", "M2 (10CU)": "apple-m2-8gb", "M2 (10CU) ^": "apple-m2-8gb",
    "M3 Pro (18CU) ^": "apple-m3-pro-18gb", "RTX 3050 6GB": "rtx-3050-6gb",
    "AMD Instinct MI60 / MI50 (gfx906)": "mi50-16gb", "MI60 / MI50": "mi50-16gb", "MI100": "mi100",
    "Apple M1 Ultra (Mac Studio, 64-core GPU, 128GB)": "apple-m1-ultra-128gb",
    "Apple M3 Ultra (Mac Studio)": "apple-m3-ultra-512gb",
}
MULTI_GPU = {"NVIDIA GeForce RTX 5070 Ti + NVIDIA GeForce RTX 5060 Ti":
             ("NVIDIA GeForce RTX 5070 Ti", "NVIDIA GeForce RTX 5060 Ti")}

#: GPUs in the rows that neither the catalog nor gpu_specs.jsonl gives a bandwidth for,
#: derived from the memory configuration (bus width x data rate / 8).
EXTRA_SPECS = {
    "Orin (NVIDIA Jetson AGX Orin)": {"bandwidth_gbs": 204.8, "unified_memory": True, "fp16_tflops": None,
                                      "source": "256-bit LPDDR5 at 6400 MT/s = 204.8 GB/s (Jetson AGX Orin 64GB)"},
}

#: rows the text says ran with --n-cpu-moe although the ngl column prints 999 (row notes)
N_CPU_MOE = {"f55913994130-039": 22, "f55913994130-040": 22, "f55913994130-041": 31, "f55913994130-042": 31,
             "f56029580622-037": 22, "f56029580622-038": 22, "f56029580622-039": 31, "f56029580622-040": 31,
             "f53143770214-053": 2, "f53143770214-054": 2}
#: rows whose own source says they are anomalous (kept in the tables as outliers, not fitted)
_B70_70B = ("70B on the 32 GB Arc Pro B70: the author says these decode 'far below bandwidth "
            "expectations' (row f56029580622-005 notes; the Vulkan file is the same machine and files)")
OUTLIERS = {**{f"f56029580622-{i:03d}": _B70_70B for i in range(7, 11)},
            **{f"f55913994130-{i:03d}": _B70_70B for i in range(9, 13)}}
#: host RAM named by the row (DDR5-6000 dual channel on the i9-14900K host: 6000 x 8 x 2 = 96 GB/s)
HOST_BW = {"f56029580622": 96.0, "f55913994130": 96.0}


def _gpu_specs_index() -> dict[str, dict[str, Any]]:
    idx: dict[str, dict[str, Any]] = {}
    for r in load("gpu_specs.jsonl"):
        for a in r.get("aliases_as_written") or []:
            idx[a] = r
    return idx


def gpu_entry(name: str) -> tuple[dict[str, Any] | None, str]:
    """A catalog-shaped dict for a published GPU string: bandwidth and FP16 throughput
    from the catalog, gaps filled from gpu_specs.jsonl / EXTRA_SPECS; and where each came from."""
    gid = GPU_MAP.get(name)
    spec = _gpu_specs_index().get(name) or {}
    src: list[str] = []
    g: dict[str, Any] = {}
    if gid:
        c = next(x for x in cat.gpus() if x["id"] == gid)
        g = {"id": gid, "name": c["name"], "bandwidth_gbs": c.get("bandwidth_gbs"),
             "fp16_tflops": c.get("fp16_tflops"), "unified_memory": bool(c.get("unified_memory")),
             "vendor": c.get("vendor"), "segment": c.get("segment"), "backend": c.get("backend")}
        src.append(f"catalog {gid}")
    else:
        g = {"id": name, "name": name, "bandwidth_gbs": None, "fp16_tflops": None,
             "unified_memory": "780M" in name or "8060S" in name}
    if not g.get("bandwidth_gbs") and spec.get("memory_bandwidth_gbs"):
        g["bandwidth_gbs"] = spec["memory_bandwidth_gbs"]
        src.append("gpu_specs bandwidth")
    if not g.get("fp16_tflops") and spec.get("fp16_tensor_tflops_dense"):
        g["fp16_tflops"] = spec["fp16_tensor_tflops_dense"]
        src.append("gpu_specs fp16")
    extra = EXTRA_SPECS.get(name)
    if extra:
        for k in ("bandwidth_gbs", "fp16_tflops", "unified_memory"):
            if not g.get(k) and extra.get(k) is not None:
                g[k] = extra[k]
        src.append("derived: " + extra["source"])
    if not g.get("bandwidth_gbs"):
        return None, "no bandwidth"
    return g, "; ".join(src)


def model_for(r: dict[str, Any]) -> str | None:
    printed = r.get("model_as_printed") or ""
    for pat, repo, mid in MODEL_RULES:
        if re.search(pat, printed) and (repo is None or r.get("model_repo") == repo):
            return mid
    return None


def _printed_bytes(r: dict[str, Any]) -> float | None:
    m = re.match(r"\s*([\d.]+)\s*(GiB|MiB)", str(r.get("size_gib_as_printed") or ""))
    if not m:
        return None
    return float(m.group(1)) * (GiB if m.group(2) == "GiB" else MiB)


def parse_test(test: str) -> tuple[str, int, int] | None:
    """('tg'|'pp', n, depth at start) from llama-bench's test name; None for combined tests."""
    m = re.fullmatch(r"(tg|pp)(\d+)(?:\s*@\s*d(\d+))?", test.replace(" ", ""))
    if not m:
        return None
    return m.group(1), int(m.group(2)), int(m.group(3) or 0)


# ----------------------------------------------------------------------------
# one prepared row
# ----------------------------------------------------------------------------

@dataclass
class BenchRow:
    id: str
    source: str
    gpu: str
    gpu_key: str
    backend: str
    model: str
    quant: str
    test: str
    kind: str                   # tg | pp
    category: str               # single | unified | multi_gpu | partial | experts_cpu
    measured: float
    x: S.SpeedInputs
    specs: dict[int, S.DeviceSpec]
    weight_scale: float
    model_bytes: float          # printed (else ours) file tensor bytes, for the naive rule
    bandwidth_gbs: float        # first GPU's, for the naive rule
    spec_source: str
    old_build: bool = False
    status: str = "ok"          # ok | outlier (kept, shown, left out of the fit and the headline)
    reason: str = ""

    def predict(self, fit: dict[str, Any]) -> float | None:
        if self.old_build and "_old" in fit:
            fit = fit["_old"]
        if self.kind == "tg":
            t = sum(S.decode_seconds(self.x, self.specs, fit).values())
        else:
            t = S.prefill_seconds(self.x, self.specs, fit)
        return 1.0 / t if t else None

    def naive(self) -> float | None:
        if self.kind != "tg":
            return None
        return S.naive_decode_tokens_per_s(self.model_bytes, self.bandwidth_gbs)


#: builds before b3000 (mid-2024) paid a larger fixed cost per layer and token (kernel launches
#: before CUDA graphs were used for decode, ggml-cuda.cu USE_CUDA_GRAPH, llama.cpp PR #6766);
#: those rows get their own per-layer cost so they do not bias today's
OLD_BUILD = 3000


def build_number(r: dict[str, Any]) -> int | None:
    m = re.match(r"b?(\d+)", str(r.get("llamacpp_build") or ""))
    n = int(m.group(1)) if m else None
    return n if n and n > 1 else None     # "1 (hash)": a shallow clone, number unknown


def _source(rid: str) -> str:
    if rid.startswith("xiongjiedai"):
        return rid.rsplit("-", 2)[0]          # one notebook per GPU configuration
    return rid.rsplit("-", 1)[0]


def _device_of_split(a, n_dev: int, ngl: int | None, n_cpu_moe: int) -> Callable[[WeightTensor], int]:
    """Layer split over ``n_dev`` GPUs in order (llama.cpp's default -sm layer, equal shares)."""
    n = a.n_layer + 1 if ngl is None else min(int(ngl), a.n_layer + 1)
    gpu_layers, out_gpu = gpu_layer_set(a, n)
    ordered = sorted(gpu_layers)

    def dev_of_layer(il: int) -> int:
        return ordered.index(il) * n_dev // max(1, len(ordered))

    def device_of(wt: WeightTensor) -> int:
        t = wt.tensor
        if t.name == "token_embd.weight":
            return S.HOST
        if t.layer is None:
            return n_dev - 1 if out_gpu else S.HOST
        if "_exps" in t.name and t.layer < n_cpu_moe:
            return S.HOST
        return dev_of_layer(t.layer) if t.layer in gpu_layers else S.HOST

    return device_of


def prepare(rows: list[dict[str, Any]] | None = None) -> tuple[list[BenchRow], list[dict[str, str]]]:
    """Every published row we can predict, and every one we cannot (with why)."""
    rows = load("llama_bench.jsonl") if rows is None else rows
    out: list[BenchRow] = []
    skipped: list[dict[str, str]] = []

    def skip(r, why):
        skipped.append({"file": "llama_bench", "id": r["id"], "why": why})

    # same source, GPU, model, quant and test with several values: a parameter the row does not
    # record (ubatch / batch sweeps in PR tables) -- not comparable
    seen: dict[tuple, list[float]] = {}
    for r in rows:
        seen.setdefault((_source(r["id"]), r["gpu"], r.get("gpu_count"), r["model_as_printed"], r["quant"],
                         r["test"], r.get("size_gib_as_printed")), []).append(r["tokens_per_s"])
    for r in rows:
        rid = r["id"]
        key = (_source(rid), r["gpu"], r.get("gpu_count"), r["model_as_printed"], r["quant"], r["test"],
               r.get("size_gib_as_printed"))
        vals = seen[key]
        notes = r.get("notes") or ""
        if "power limit" in notes and "600W" not in notes:
            skip(r, "GPU power-limit sweep below the card's default 600 W")
            continue
        if _source(rid) == "gh-llamacpp-pr24216":
            skip(r, "cuBLAS-refactor PR table: its rows sweep a batch size the row does not record")
            continue
        if "MODE_30W" in notes:
            skip(r, "Jetson run in its 30 W power mode (the MAX-mode run of the same test is kept)")
            continue
        if len(vals) > 1 and max(vals) > 1.2 * min(vals) and "power limit" not in notes:
            skip(r, "several values for the same test: a batch/ubatch sweep the row does not record")
            continue
        pt = parse_test(r["test"])
        if pt is None:
            skip(r, f"combined test {r['test']!r} not modelled")
            continue
        kind, n, d0 = pt
        mid = model_for(r)
        if mid is None:
            skip(r, f"model {r['model_as_printed']!r} not in the catalog")
            continue
        try:
            a = cat.find_model(mid).architecture
            mix = MIX_OF.get(r["quant"], r["quant"])
            if a.arch == "gpt-oss" and mix.startswith("Q8"):
                mix = "MXFP4_MOE"     # gpt-oss files keep the experts in MXFP4 (groundtruth README)
            w = weights_for(a, resolve(mix, "llama.cpp"))
        except CalcError as e:
            skip(r, f"cannot plan {r['quant']}: {e}")
            continue
        printed = _printed_bytes(r)
        scale = printed / w.total if printed else 1.0
        if printed and not 0.8 < scale < 1.25:
            skip(r, f"printed size {r['size_gib_as_printed']} is {scale:.2f}x our {mix} plan: another model")
            continue
        names = MULTI_GPU.get(r["gpu"]) or (r["gpu"],) * int(r.get("gpu_count") or 1)
        entries = []
        why = ""
        for nm in names:
            g, src = gpu_entry(nm)
            if g is None:
                why = f"GPU {nm!r}: {src}"
                break
            entries.append((g, src))
        if why:
            skip(r, why)
            continue
        gpus = [g for g, _ in entries]
        backend = str(r["backend"]).lower()
        ngl = r.get("ngl")
        ncm = N_CPU_MOE.get(rid, 0)
        full = ngl is None or int(ngl) >= a.n_layer + 1
        dev_of = _device_of_split(a, len(gpus), None if full else int(ngl), ncm)
        if kind == "tg":       # tgN from an empty cache: the mean depth is N/2
            depth = d0 + n // 2
            x = S.speed_inputs(a, w, dev_of, depth=depth, n_prompt=1, weight_scale=scale)
        else:
            x = S.speed_inputs(a, w, dev_of, depth=d0, n_prompt=n, weight_scale=scale)
        try:
            specs = S.device_specs(gpus, HOST_BW.get(_source(rid), S.DEFAULT_RAM_BANDWIDTH_GBS), backend)
        except CalcError as e:
            skip(r, str(e))
            continue
        if kind == "pp" and any(s.fp16_tflops is None for i, s in specs.items() if i != S.HOST):
            skip(r, "no FP16 throughput for this GPU (prefill not predicted)")
            continue
        if kind == "tg" and full:
            bound = 1.0 / sum(sum(v.values()) / (specs[d].bandwidth_gbs * 1e9) for d, v in x.reads.items())
            if r["tokens_per_s"] > bound * len(gpus):
                skip(r, f"{r['tokens_per_s']} t/s is above the memory-bandwidth bound ({bound:.1f} t/s): "
                        "not a decode of this model")
                continue
        if len(gpus) > 1:
            category = "multi_gpu"
        elif ncm:
            category = "experts_cpu"
        elif not full:
            category = "partial"
        elif gpus[0].get("unified_memory"):
            category = "unified"
        else:
            category = "single"
        out.append(BenchRow(rid, _source(rid), r["gpu"], gpus[0]["id"], backend, mid, r["quant"], r["test"],
                            kind, category, float(r["tokens_per_s"]), x, specs, scale,
                            printed or float(w.total), float(gpus[0]["bandwidth_gbs"]),
                            "; ".join(sorted({s for _, s in entries})),
                            old_build=(build_number(r) or OLD_BUILD) < OLD_BUILD,
                            status="outlier" if rid in OUTLIERS else "ok", reason=OUTLIERS.get(rid, "")))
    return out, skipped


# ----------------------------------------------------------------------------
# parameters <-> fit dict
# ----------------------------------------------------------------------------

RIDGE = 4.0          # penalty weight on log corrections (a correction needs rows to move)
MIN_ROWS = 3         # rows (of >= 2 models) a (backend, group) correction needs to be free


@dataclass
class Space:
    names: list[str]
    start: list[float]
    ridge: set[str]

    def index(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.names)}


def _groups_used(rows: list[BenchRow], kind: str) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        if r.kind != kind:
            continue
        src = r.x.reads if kind == "tg" else r.x.flops
        tot = sum(sum(v.values()) for d, v in src.items() if d != S.HOST) or 1.0
        for d, v in src.items():
            for g, b in v.items():
                if d != S.HOST and b / tot > 0.25:
                    out.setdefault((r.backend, g), set()).add(r.model + "|" + r.id)
    return out


def make_space(rows: list[BenchRow], kind: str) -> Space:
    backends = sorted({r.backend for r in rows if r.kind == kind})
    used = _groups_used(rows, kind)
    names: list[str] = []
    start: list[float] = []
    ridge: set[str] = set()
    pre = "d" if kind == "tg" else "p"
    old = {r.backend for r in rows if r.kind == kind and r.old_build}
    for b in backends:
        if b in old:
            names.append(f"{pre}.tauold.{b}"); start.append(math.log(100.0 if kind == "tg" else 400.0))
        names += [f"{pre}.eta.{b}", f"{pre}.tau.{b}"]
        start += [math.log(0.7 if kind == "tg" else 0.4), math.log(8.0 if kind == "tg" else 200.0)]
        if kind == "tg":
            names.append(f"{pre}.kvx.{b}"); start.append(0.0); ridge.add(names[-1])
            names.append(f"{pre}.c0.{b}"); start.append(math.log(200.0))
        else:
            names.append(f"{pre}.attn.{b}"); start.append(math.log(0.1))
    by_group: dict[str, set[str]] = {}
    for (_, g), ids in used.items():
        by_group.setdefault(g, set()).update(ids)
    for g in sorted(set(by_group) - {"kquant"}):
        # a group's multiplier, like every correction, needs rows of two or more models
        ids = by_group[g]
        if len(ids) >= MIN_ROWS and len({i.split("|")[0] for i in ids}) >= 2:
            names.append(f"{pre}.m.{g}"); start.append(0.0)
    if kind == "tg":
        names.append(f"{pre}.m.kv"); start.append(0.0)
    # extra fixed cost of MoE / recurrent layers (fraction of a dense layer's), shared by backends
    for k, flag in (("moe", "moe_layers"), ("rec", "rec_layers")):
        ms = {r.model for r in rows if r.kind == kind and sum(getattr(r.x, flag).values())}
        if len(ms) >= 2:
            names.append(f"{pre}.k{k}"); start.append(math.log(0.5))
    for (b, g), ids in sorted(used.items()):
        models = {i.split("|")[0] for i in ids}
        if len(ids) >= MIN_ROWS and len(models) >= 2 and b in backends and (g == "kquant" or f"{pre}.m.{g}" in names):
            names.append(f"{pre}.x.{b}.{g}"); start.append(0.0); ridge.add(names[-1])
    return Space(names, start, ridge)


def fit_dict(space: Space, theta: list[float], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The speed_fit.json shape from a parameter vector (decode or prefill half; ``base`` holds the other)."""
    ix = space.index()
    v = {n: theta[i] for n, i in ix.items()}
    if base:
        base = {k: v for k, v in base.items() if k != "_old"}
    f = json.loads(json.dumps(base)) if base else {"backends": {}, "host": {"eta": 0.6, "per_layer_us": 0.0}}
    backs = f.setdefault("backends", {})
    for pre, key in (("d", "layer_cost"), ("p", "layer_cost_pp")):
        for k, name in (("moe", "moe"), ("rec", "recurrent")):
            if f"{pre}.k{k}" in v:
                f.setdefault(key, {})[name] = math.exp(v[f"{pre}.k{k}"])
    for n in space.names:
        parts = n.split(".")
        if parts[1] in ("eta", "tau", "attn"):
            b = parts[2]
            p = backs.setdefault(b, _blank())
            pre = parts[0]
            if pre == "d":    # a memory cannot be read faster than its nominal bandwidth: eta <= 1
                eta = math.exp(v[f"d.eta.{b}"])
                p["eta"] = {g: min(1.0, eta * math.exp(v.get(f"d.m.{g}", 0.0) + v.get(f"d.x.{b}.{g}", 0.0)))
                            for g in S.GROUPS}
                p["eta_kv"] = min(1.0, eta * math.exp(v.get("d.m.kv", 0.0) + v.get(f"d.kvx.{b}", 0.0)))
                p["per_layer_us"] = math.exp(v[f"d.tau.{b}"])
                p["per_token_us"] = math.exp(v[f"d.c0.{b}"])
                if f"d.tauold.{b}" in v:
                    p["per_layer_us_old_builds"] = math.exp(v[f"d.tauold.{b}"])
            else:
                eps = math.exp(v[f"p.eta.{b}"])
                # quantized matmuls run on int8 tensor cores (twice the FP16 rate): eff <= 2
                p["eff"] = {g: min(2.0, eps * math.exp(v.get(f"p.m.{g}", 0.0) + v.get(f"p.x.{b}.{g}", 0.0)))
                            for g in S.GROUPS}
                p["eff_attn"] = min(1.0, math.exp(v[f"p.attn.{b}"]))
                p["pp_per_layer_us"] = math.exp(v[f"p.tau.{b}"])
                if f"p.tauold.{b}" in v:
                    p["pp_per_layer_us_old_builds"] = math.exp(v[f"p.tauold.{b}"])
    _fill_default(f)
    return with_old_builds(f)


def with_old_builds(f: dict[str, Any]) -> dict[str, Any]:
    """``f`` plus ``f['_old']``: the same constants with the old builds' fixed costs (rows before b3000)."""
    f.pop("_old", None)
    old = json.loads(json.dumps(f))
    for p in old["backends"].values():
        for k in ("per_layer_us", "pp_per_layer_us"):
            if f"{k}_old_builds" in p:
                p[k] = p[f"{k}_old_builds"]
    f["_old"] = old
    return f


def _blank() -> dict[str, Any]:
    return {"eta": {g: 0.6 for g in S.GROUPS}, "eta_kv": 0.6, "per_layer_us": 8.0, "per_token_us": 200.0,
            "eff": {g: 0.4 for g in S.GROUPS}, "eff_attn": 0.1, "pp_per_layer_us": 200.0}


def _fill_default(f: dict[str, Any]) -> None:
    """'default': the median over the fitted backends (for a backend the rows never show)."""
    backs = {b: p for b, p in f["backends"].items() if b not in ("default", "_old")}
    if not backs:
        return
    gm = statistics.median
    d = {"eta": {g: gm([p["eta"][g] for p in backs.values()]) for g in S.GROUPS},
         "eff": {g: gm([p["eff"][g] for p in backs.values()]) for g in S.GROUPS}}
    for k in ("eta_kv", "per_layer_us", "per_token_us", "eff_attn", "pp_per_layer_us"):
        d[k] = gm([p[k] for p in backs.values()])
    f["backends"]["default"] = d
    f["default_backend"] = "default"


# ----------------------------------------------------------------------------
# Levenberg-Marquardt on log residuals (numeric Jacobian, standard library)
# ----------------------------------------------------------------------------

def _solve(A: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    M = [row[:] + [b[i]] for i, row in enumerate(A)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(M[r][c]))
        M[c], M[p] = M[p], M[c]
        if abs(M[c][c]) < 1e-300:
            continue
        for r in range(n):
            if r != c:
                k = M[r][c] / M[c][c]
                if k:
                    for j in range(c, n + 1):
                        M[r][j] -= k * M[c][j]
    return [M[i][n] / M[i][i] if abs(M[i][i]) > 1e-300 else 0.0 for i in range(n)]


#: pseudo-Huber scale on log residuals: rows off by more than ~20 % count less than squared
#: (a few published rows are far off for reasons no constant can explain: swapping, old builds)
HUBER = 0.2


def _robust(r: float) -> float:
    rho = 2 * HUBER * HUBER * (math.sqrt(1 + (r / HUBER) ** 2) - 1)
    return math.copysign(math.sqrt(rho), r)


def residuals(space: Space, theta: list[float], rows: list[BenchRow], base: dict[str, Any] | None) -> list[float]:
    f = fit_dict(space, theta, base)
    out = []
    for r in rows:
        p = r.predict(f)
        out.append(_robust(math.log(p / r.measured)) if p else 5.0)
    w = math.sqrt(RIDGE)
    out += [w * theta[i] for i, n in enumerate(space.names) if n in space.ridge]
    return out


def lm(space: Space, rows: list[BenchRow], base: dict[str, Any] | None = None, theta0: list[float] | None = None,
       iters: int = 40) -> list[float]:
    theta = list(theta0 or space.start)
    lam = 1e-2
    r = residuals(space, theta, rows, base)
    cost = sum(x * x for x in r)
    n = len(theta)
    for _ in range(iters):
        J = []
        for j in range(n):
            t2 = theta[:]
            t2[j] += 1e-4
            rj = residuals(space, t2, rows, base)
            J.append([(a - b) / 1e-4 for a, b in zip(rj, r)])
        JTJ = [[sum(J[i][k] * J[j][k] for k in range(len(r))) for j in range(n)] for i in range(n)]
        JTr = [sum(J[i][k] * r[k] for k in range(len(r))) for i in range(n)]
        improved = False
        for _ in range(8):
            A = [[JTJ[i][j] + (lam * (JTJ[i][i] + 1e-9) if i == j else 0.0) for j in range(n)] for i in range(n)]
            step = _solve(A, [-x for x in JTr])
            t_new = [max(-12.0, min(12.0, a + s)) for a, s in zip(theta, step)]
            r_new = residuals(space, t_new, rows, base)
            c_new = sum(x * x for x in r_new)
            if c_new < cost:
                theta, r, lam = t_new, r_new, max(lam / 3, 1e-7)
                improved = cost - c_new > 1e-9 * max(1.0, cost)
                cost = c_new
                break
            lam *= 4
        if not improved:
            break
    return theta


# ----------------------------------------------------------------------------
# the fit, its residuals, held-out errors
# ----------------------------------------------------------------------------

FIT_CATEGORIES = ("single", "unified")


def fit_rows(rows: list[BenchRow]) -> list[BenchRow]:
    return [r for r in rows if r.category in FIT_CATEGORIES and r.status == "ok"]


def fit_all(rows: list[BenchRow], start: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(fit dict, the parameter spaces and vectors) from ``rows`` (all categories; filtered here)."""
    fr = fit_rows(rows)
    tg = [r for r in fr if r.kind == "tg"]
    pp = [r for r in fr if r.kind == "pp"]
    sd, sp = make_space(fr, "tg"), make_space(fr, "pp")
    t0d = t0p = None
    if start:
        t0d, t0p = start.get("theta_d"), start.get("theta_p")
        if t0d and len(t0d) != len(sd.names):
            t0d = None
        if t0p and len(t0p) != len(sp.names):
            t0p = None
    th_d = lm(sd, tg, None, t0d)
    f = fit_dict(sd, th_d)
    th_p = lm(sp, pp, f, t0p)
    f = fit_dict(sp, th_p, f)
    # host RAM efficiency on the rows that read weights from host RAM (everything else fixed)
    host_rows = [r for r in rows if r.kind == "tg" and r.category in ("partial", "experts_cpu") and r.status == "ok"]
    if host_rows:
        best = None
        for k in range(5, 101):
            eta = k / 100
            f["host"]["eta"] = eta
            c = sum(math.log(r.predict(f) / r.measured) ** 2 for r in host_rows)
            if best is None or c < best[0]:
                best = (c, eta)
        f["host"]["eta"] = best[1]
    return f, {"space_d": sd, "theta_d": th_d, "space_p": sp, "theta_p": th_p}


def err_pct(pred: float | None, meas: float) -> float | None:
    return None if pred is None else (pred - meas) / meas * 100


def stats(xs: list[float]) -> dict[str, float] | None:
    if not xs:
        return None
    s = sorted(abs(x) for x in xs)
    p90 = s[min(len(s) - 1, int(round(0.9 * (len(s) - 1))))]
    return {"n": len(s), "median": round(statistics.median(s), 2), "p90": round(p90, 2), "max": round(s[-1], 2)}


def held_out(rows: list[BenchRow], key: Callable[[BenchRow], str], start: dict[str, Any]) -> dict[str, float]:
    """Row id -> error % when the rows sharing ``key`` are left out of the fit."""
    out: dict[str, float] = {}
    fr = fit_rows(rows)
    for k in sorted({key(r) for r in fr}):
        train = [r for r in rows if key(r) != k]
        if not [r for r in fit_rows(train) if r.kind == "tg"]:
            continue
        f, _ = fit_all(train, start)
        for r in fr:
            if key(r) == k:
                e = err_pct(r.predict(f), r.measured)
                if e is not None:
                    out[r.id] = e
    return out


def test_class(r: BenchRow) -> str:
    """tg128 | pp512 | depth (tgN / ppN / pp@d: the KV read or attention grows)."""
    pt = parse_test(r.test)
    if pt and pt[0] == "tg" and pt[1] <= 128 and not pt[2]:
        return "tg128"
    if pt and pt[0] == "pp" and pt[1] <= 512 and not pt[2]:
        return "pp512"
    return f"{r.kind}_depth"


def provenance(rows: list[BenchRow], skipped: list[dict[str, str]], f: dict[str, Any],
               ho_gpu: dict[str, float], ho_model: dict[str, float]) -> dict[str, Any]:
    fr = fit_rows(rows)
    res = []
    for r in fr:
        p = r.predict(f)
        res.append({"id": r.id, "gpu": r.gpu_key, "backend": r.backend, "model": r.model, "quant": r.quant,
                    "test": r.test, "measured": r.measured, "predicted": round(p, 2) if p else None,
                    "err_pct": round(err_pct(p, r.measured), 2) if p else None,
                    "held_out_gpu_err_pct": None if r.id not in ho_gpu else round(ho_gpu[r.id], 2),
                    "held_out_model_err_pct": None if r.id not in ho_model else round(ho_model[r.id], 2)})
    summary = {}
    for kind in ("tg", "pp"):
        rs = [x for x, r in zip(res, fr) if r.kind == kind and x["err_pct"] is not None]
        summary[kind] = {"fit": stats([x["err_pct"] for x in rs]),
                         "held_out_gpu": stats([x["held_out_gpu_err_pct"] for x in rs
                                                if x["held_out_gpu_err_pct"] is not None]),
                         "held_out_model": stats([x["held_out_model_err_pct"] for x in rs
                                                  if x["held_out_model_err_pct"] is not None])}
    return {"fitted_on": f"{len(fr)} llama_bench.jsonl rows (single-GPU full offload and unified memory); "
                         f"host RAM efficiency on {sum(1 for r in rows if r.category in ('partial', 'experts_cpu') and r.kind == 'tg')} "
                         "partial-offload / experts-on-CPU tg rows",
            "method": "Levenberg-Marquardt on log(predicted/measured); ridge on per-(backend, group) corrections",
            "ridge": RIDGE, "min_rows_per_correction": MIN_ROWS,
            "summary_abs_err_pct": summary, "rows": res, "n_skipped": len(skipped)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--no-holdout", action="store_true", help="skip the leave-one-out refits")
    args = ap.parse_args(argv)
    if groundtruth_dir() is None:
        print("no groundtruth found (set GROUNDTRUTH_DIR)", file=sys.stderr)
        return 2
    rows, skipped = prepare()
    f, st = fit_all(rows)
    ho_gpu = ho_model = {}
    if not args.no_holdout:
        ho_gpu = held_out(rows, lambda r: r.gpu_key, st)
        ho_model = held_out(rows, lambda r: r.model, st)
    prov = provenance(rows, skipped, f, ho_gpu, ho_model)
    print(f"{'row':44} {'gpu':22} {'be':6} {'model':32} {'quant':8} {'test':12} {'meas':>9} {'pred':>9} "
          f"{'err%':>7} {'hoGPU%':>7} {'hoMod%':>7}")
    for x in prov["rows"]:
        print(f"{x['id'][:44]:44} {x['gpu'][:22]:22} {x['backend']:6} {x['model'][-32:]:32} {x['quant']:8} "
              f"{x['test']:12} {x['measured']:9.2f} {x['predicted'] or 0:9.2f} {x['err_pct'] or 0:7.1f} "
              f"{'' if x['held_out_gpu_err_pct'] is None else format(x['held_out_gpu_err_pct'], '7.1f'):>7} "
              f"{'' if x['held_out_model_err_pct'] is None else format(x['held_out_model_err_pct'], '7.1f'):>7}")
    print("\n|error| % (fit rows / leave-one-GPU-out / leave-one-model-out):")
    for k, v in prov["summary_abs_err_pct"].items():
        print(f"  {k}: {json.dumps(v)}")
    print("\nconstants:")
    print(json.dumps({"backends": f["backends"], "host": f["host"], "layer_cost": f.get("layer_cost"),
                      "layer_cost_pp": f.get("layer_cost_pp")}, indent=1))
    if not args.no_write:
        data = {"schema": "calc_py/speed.py constants, fitted by benchmarks/speed_fit.py on published llama-bench "
                          "runs (shared/groundtruth/llama_bench.jsonl); per backend: eta[group] = decode bandwidth "
                          "efficiency, eta_kv = KV read efficiency, per_layer_us = fixed decode cost per layer and "
                          "token, eff[group] = prefill matmul efficiency over dense FP16 tensor TFLOPS, eff_attn = "
                          "attention efficiency, pp_per_layer_us = fixed prefill cost per layer and micro-batch; "
                          "host.eta = host RAM read efficiency for CPU-resident weights",
                "fitted": _dt.date.today().isoformat(), "source": "benchmarks/speed_fit.py",
                "default_backend": "default", "old_build_below": OLD_BUILD,
                "backends": f["backends"], "host": f["host"],
                "layer_cost": f.get("layer_cost", {}), "layer_cost_pp": f.get("layer_cost_pp", {}),
                "provenance": prov}
        OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
