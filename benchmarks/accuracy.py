"""Predicted vs published: every usable shared/groundtruth row, part by part.

    python benchmarks/accuracy.py            # table + summary, writes the JSON
    python benchmarks/accuracy.py --fit      # also prints each fit's inputs and residuals
    python benchmarks/accuracy.py --quiet    # summary only

Writes ``benchmarks/out/accuracy.json`` and ``calc_py/data/accuracy.json`` (the
site renders the latter). Standard library only. Row -> catalog mapping and
exclusions live in ``benchmarks/groundtruth_map.json``; every skipped row is
listed with its reason. Error = (predicted - measured) / measured.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from calc_py import catalog as cat  # noqa: E402
from calc_py.activations import (transformers_activation, transformers_overhead,  # noqa: E402
                                 vllm_activation, vllm_cuda_graphs, vllm_non_torch)
from calc_py.compute import host_weight_copies, llamacpp_compute  # noqa: E402
from calc_py.errors import CalcError  # noqa: E402
from calc_py.gguf_mix import MIXES  # noqa: E402
from calc_py.inventory import count_params, file_tensors  # noqa: E402
from calc_py.kv_cache import llamacpp_kv, pad, torch_kv_bytes, torch_kv_bytes_per_token  # noqa: E402
from calc_py.quants import resolve  # noqa: E402
from calc_py.simple import rule_bits, rule_of_thumb  # noqa: E402
from calc_py.weights import gguf_file_weights, place_llamacpp, weights_for  # noqa: E402

MiB = 1 << 20
GiB = 1 << 30
MAP = json.loads((REPO / "benchmarks" / "groundtruth_map.json").read_text(encoding="utf-8"))

# GGUF file sizes (header, tokenizer, tensor infos, padding): calc_py/gguf_size.py,
# checked row by row in benchmarks/accuracy_files.py.


def groundtruth_dir() -> Path | None:
    for c in (os.environ.get("GROUNDTRUTH_DIR"), REPO / "tests" / "data" / "groundtruth",
              REPO.parent / "shared" / "groundtruth", Path("/work/shared/groundtruth")):
        if c and (Path(c) / "gguf_sizes.jsonl").exists():
            return Path(c)
    return None


def load(name: str) -> list[dict[str, Any]]:
    d = groundtruth_dir()
    if d is None or not (d / name).exists():
        return []
    return [json.loads(l) for l in (d / name).read_text(encoding="utf-8").splitlines() if l.strip()]


@dataclass
class Rec:
    file: str
    id: str
    engine: str
    part: str
    predicted: int
    measured: int
    rot: int | None = None
    status: str = "ok"            # ok | outlier
    reason: str = ""
    precision_pct: float = 0.0    # half-width of the printed rounding
    model: str = ""

    @property
    def err_pct(self) -> float:
        return (self.predicted - self.measured) / self.measured * 100 if self.measured else 0.0

    @property
    def err_mib(self) -> float:
        return (self.predicted - self.measured) / MiB

    @property
    def rot_err_pct(self) -> float | None:
        if self.rot is None or not self.measured:
            return None
        return (self.rot - self.measured) / self.measured * 100

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "id": self.id, "engine": self.engine, "part": self.part,
                "model": self.model, "predicted": self.predicted, "measured": self.measured,
                "err_pct": round(self.err_pct, 4), "err_mib": round(self.err_mib, 2),
                "rule_of_thumb": self.rot,
                "rot_err_pct": None if self.rot_err_pct is None else round(self.rot_err_pct, 2),
                "precision_pct": round(self.precision_pct, 4), "status": self.status,
                "reason": self.reason}


@dataclass
class Report:
    recs: list[Rec] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    fits: dict[str, Any] = field(default_factory=dict)

    def skip(self, file: str, rid: str, why: str) -> None:
        self.skipped.append({"file": file, "id": rid, "why": why})


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------

def model_for(name: str | None) -> tuple[Any, dict]:
    """(catalog entry or None, mapping info) for a row's model string."""
    if not name:
        return None, {"why": "no model named"}
    info = MAP["models"].get(name)
    if info is not None:
        if info.get("catalog") is None:
            return None, info
        return cat.find_model(info["catalog"]), info
    try:
        return cat.find_model(name), {}
    except CalcError:
        return None, {"why": "not in calc_py/data/models.json"}


def tokenizer_kind(a) -> str:
    """SentencePiece vocabularies (Llama-2/Mistral/Mixtral/Phi-3 <= 32768 tokens, Gemma) vs BPE."""
    return "spm" if a.arch.startswith("gemma") or a.n_vocab <= 32768 else "bpe"


def gguf_tensor_bytes(a, mix: str, file: bool = False, **opts) -> int:
    """Tensor bytes after ``llama-quantize MIX`` (calc_py.weights.gguf_file_weights).

    ``file``: the whole converted file (NextN/MTP blocks included, quantizer
    counters over block_count = n_layer + n_layer_nextn), as published files
    are; otherwise the trunk-only GGUF the CPU oracle writes and loads.
    """
    w = gguf_file_weights(a, mix, mtp_in_file=file, **opts)
    return w.file_total if file else w.total


def published_rules(row_id: str) -> dict:
    """plan_quantization options that model how a published GGUF was made (groundtruth_map.json)."""
    rules = MAP.get("gguf_quantizer_rules", {})
    out = {}
    for opt in ("legacy_qkv", "keep_quantized_source"):
        rows = rules.get(opt, {}).get("rows")
        if rows == "all" or (isinstance(rows, list) and row_id in rows):
            out[opt] = True
    return out


def label_bits(label: str) -> float:
    b = rule_bits(label)
    if b != 16 or label.upper() in ("F16", "BF16"):
        return b
    m = re.search(r"(\d+)", label)
    return float(m.group(1)) if m else 16.0


def gguf_label(label: str) -> tuple[str | None, dict, str]:
    """(mix, quantize options, why) for a quant label as printed in a row."""
    lab = label.strip()
    for key, v in MAP["gguf_labels"].items():
        if lab == key or (key.endswith("-") and lab.startswith(key)) or (key.startswith("(") and key in lab) \
                or (key == "mmproj" and lab.startswith("mmproj")):
            opts = {k: v[k] for k in ("token_embedding_type", "output_tensor_type") if k in v}
            return v.get("mix"), opts, v["why"]
    up = lab.upper()
    if up in MIXES:
        return up, {}, ""
    return None, {}, f"label {lab!r} is not a llama-quantize mix"


def _precision(r: dict) -> float:
    """Half-width of the printed rounding, % of the value."""
    s = (r.get("size_as_printed") or "").split("(")[0]
    if r["unit_assumed"].startswith("bytes"):
        return 0.0
    nums = re.findall(r"[\d.]+", s)
    if not nums:
        return 0.5
    halfw = 0.0
    for n in nums:
        dec = len(n.split(".")[1]) if "." in n else 0
        halfw += 0.5 * 10 ** (-dec)
    total = sum(float(n) for n in nums)
    return halfw / total * 100 if total else 0.5


# ----------------------------------------------------------------------------
# GGUF file sizes
# ----------------------------------------------------------------------------

def _is_tensor_bytes_row(r: dict) -> bool:
    n = (r.get("notes") or "").lower()
    return "llama-bench" in n or "'model size'" in n or "file size' line" in n


def gguf_rows(rep: Report) -> None:
    """File-size rows: benchmarks/accuracy_files.py (file_bytes vs listings, stock vs custom)."""
    import accuracy_files
    accuracy_files.gguf_rows(rep, sys.modules[__name__])


# ----------------------------------------------------------------------------
# llama.cpp GPU runs
# ----------------------------------------------------------------------------

def _mib(v) -> float:
    return float(sum(v) if isinstance(v, list) else v)


def _buf(r: dict, pred) -> float:
    return sum(_mib(v) for k, v in r["buffers_mib"].items() if pred(k))


def llamacpp_overhead_fit(rep: Report | None = None) -> float:
    """Process memory (nvidia-smi) minus llama.cpp's CUDA0 buffers, CUDA rows with both."""
    samples = []
    g1 = None
    for r in load("llamacpp_gpu_logs.jsonl"):
        meas = r.get("measured_used_mib") or {}
        if r.get("backend") != "CUDA" or not meas:
            continue
        proc = next((v for k, v in meas.items() if "process" in k and isinstance(v, (int, float))), None)
        tot = next((v for k, v in meas.items() if "total" in k.lower() and isinstance(v, (int, float))), None)
        b = r["buffers_mib"]
        if "CUDA0 model" in b and "CUDA0 compute" in b:
            kv = _buf(r, lambda k: "KV" in k and not k.startswith("MTP"))
            bufs = _mib(b["CUDA0 model"]) + kv + _mib(b["CUDA0 compute"])
            if r["id"].endswith("G1-stock"):
                g1 = (_mib(b["CUDA0 model"]), _mib(b["CUDA0 compute"]))
        elif g1 is not None and r["id"].startswith("friday-gemma4-12b") and "KV total" in b:
            # same model file and ubatch as G1: model and compute buffers as printed there
            bufs = g1[0] + _mib(b["KV total"]) + g1[1]
            proc = (tot - 10) if tot is not None else None   # row notes: per-process ~10 MiB lower
        else:
            continue
        if proc is None:
            continue
        samples.append((r["id"], proc, round(bufs, 2), round(proc - bufs, 2)))
    value = statistics.median(s[-1] for s in samples) if samples else 160.0
    if rep is not None:
        rep.fits["llamacpp_cuda_overhead_mib"] = {
            "value": value, "form": "process memory - (CUDA0 model + KV + compute buffers)",
            "rows": [{"id": s[0], "process_mib": s[1], "buffers_mib": s[2], "residual_mib": s[3]}
                     for s in samples]}
    return value


# Runs we can re-predict: row id -> (catalog model, mix, options). Rows not
# listed are skipped with the reason in SKIP_LLAMACPP or "model not in catalog".
LLAMACPP_RUNS: dict[str, dict[str, Any]] = {
    "ik_llama.cpp#514-mainline-qwen3-30b-2gpu": {"model": "Qwen/Qwen3-30B-A3B", "mix": "Q4_K_M", "imatrix": True, "compute_experts_cpu": True},
    "file4721687721-qwen3-235b-vulkan": {"model": "Qwen/Qwen3-235B-A22B", "mix": "Q3_K_S", "imatrix": True},
    "file35226446042-gemma3-1b-vulkan": {"model": "google/gemma-3-1b-it", "mix": "Q8_0", "swa_full": True},
    "file59932672849-gptoss20b-metal": {"model": "openai/gpt-oss-20b", "mix": "MXFP4_MOE"},
    "file20705324730-gptoss120b-lmstudio-metal": {"model": "openai/gpt-oss-120b", "mix": "MXFP4_MOE", "swa_full": True},
    "file7095883341-r1distill-qwen1.5b-vulkan-2060": {"model": "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "mix": "Q6_K", "imatrix": True},
    "ik_llama.cpp-disc357-mainline-235b-q8-a6000": {"model": "Qwen/Qwen3-235B-A22B", "mix": "Q8_0", "cpu_ffn_layers": (13, 94)},
    "ik_llama.cpp-disc357-mainline-235b-q6-ngl0": {"model": "Qwen/Qwen3-235B-A22B", "mix": "Q6_K", "imatrix": True},
    "ik_llama.cpp-disc357-mainline-235b-q6-1x3090": {"model": "Qwen/Qwen3-235B-A22B", "mix": "Q6_K", "imatrix": True, "cpu_ffn_layers": (5, 94)},
    "ik_llama.cpp-disc357-mainline-235b-q6-2x3090": {"model": "Qwen/Qwen3-235B-A22B", "mix": "Q6_K", "imatrix": True, "cpu_ffn_layers": (14, 94)},
    "ik_llama.cpp#370-mainline-235b-q8-q8kv-a6000": {"model": "Qwen/Qwen3-235B-A22B", "mix": "Q8_0", "cpu_ffn_layers": (14, 94)},
    "ik_llama.cpp-disc562-mainline-llama31-8b-vulkan": {"model": "meta-llama/Llama-3.1-8B", "mix": "Q4_0"},
    "ik_llama.cpp#822-mainline-gptoss20b-3070": {"model": "openai/gpt-oss-20b", "mix": "MXFP4_MOE", "experts_on_cpu": True},
    "ik_llama.cpp-ik-fork-gemma3-27b": {"model": "google/gemma-3-27b-it", "mix": "Q4_K_M", "ik": True},
    "ik_llama.cpp-ik-fork-qwen3-32b-smrow": {"model": "Qwen/Qwen3-32B", "mix": "Q5_K_M", "ik": True},
    "ik_llama.cpp-ik-fork-llama3-8b-fa0": {"model": "meta-llama/Meta-Llama-3-8B", "mix": "Q5_K_S", "ik": True},
    "ik_llama.cpp-ik-fork-qwen3-235b-2x5090-c65536-ub4096": {"model": "Qwen/Qwen3-235B-A22B", "mix": "Q4_K_M", "ik": True, "imatrix": True},
    "ik_llama.cpp-ik-fork-qwen3-235b-2x5090-c4096-ub4096": {"model": "Qwen/Qwen3-235B-A22B", "mix": "Q4_K_M", "ik": True, "imatrix": True},
    "ik_llama.cpp-ik-fork-qwen3-235b-iq3k-5090-ub2048": {"model": "Qwen/Qwen3-235B-A22B", "mix": None, "ik": True},
    "ik_llama.cpp-ik-fork-qwen3-235b-iq3k-5090-4090-ub2048": {"model": "Qwen/Qwen3-235B-A22B", "mix": None, "ik": True},
    "ik_llama.cpp-ik-fork-qwen3-30b-a3b-3090ti": {"model": "Qwen/Qwen3-30B-A3B", "mix": None, "ik": True},
    "ik_llama.cpp-ik-fork-gptoss120b-5060ti": {"model": "openai/gpt-oss-120b", "mix": None, "ik": True},
    "file65995731123-qwen3-1.7b-4080laptop": {"model": "Qwen/Qwen3-1.7B", "mix": "Q4_K_M", "breakdown_only": True},
}

#: checks whose prediction depends on something the row shows we do not model
LLAMACPP_OUTLIERS = {
    ("file65995731123-qwen3-1.7b-4080laptop", "kv_cache"):
        "llama-cli default context (no -c): n_ctx not printed in the row",
}


def _kv_types(r: dict) -> tuple[str, str]:
    tk = (r.get("type_k") or "f16").lower()
    tv = (r.get("type_v") or tk).lower()
    return tk, tv


def _fa(r: dict) -> bool:
    v = str(r.get("flash_attn")).lower()
    return not (v in ("0", "false", "off", "none", "disabled") or v.startswith("0"))


def _experts_cpu_bytes(a, mix: str, opts: dict) -> int:
    w = gguf_file_weights(a, mix, **opts)
    return sum(wt.nbytes for wt in w.tensors if "_exps." in wt.tensor.name)


#: b11312 builds the KQ mask as an F16 graph input with flash attention (src/llama-graph.cpp
#: build_attn_inp_kq_mask); earlier builds made an F32 input and cast it on the device. The rows'
#: host buffers show F32 through 2026-05 (file56781022437: 276.29 MiB at 131072 cells = 4 B/cell)
#: and F16 by 2026-09 (file70309044572 ROCm_Host: 1616.34 MiB at 393216 cells x 2048 = 2 B/cell).
F16_MASK_FROM = "2026-06"


def _compute_evidence(r: dict, spec: dict) -> str:
    if spec.get("ik") or r["id"].startswith("ik_llama.cpp-ik-fork"):
        return "ik_llama.cpp (weak: its own graph and allocator)"
    return f"mainline {r.get('backend')}"


def compute_row(rep: Report, r: dict, spec: dict, a, model_id: str, mix: str, n_ctx: int, n_seq: int,
                ub: int, fa: bool, tk: str, tv: str) -> None:
    """CUDA0/CUDA_Host compute (or the backend's equivalents) against compute.llamacpp_compute.

    Mainline CUDA rows become records (parts ``compute`` and ``compute_host``); other
    backends and ik_llama.cpp rows are secondary evidence, listed in the fit with their label.
    """
    b = r["buffers_mib"]
    backend = r.get("backend") or ""
    dev_key = next((k for k in b if re.match(rf"^{backend}0 compute$", k) or k == f"{backend} compute"), None)
    host_key = next((k for k in b if k == f"{backend}_Host compute"), None)
    if dev_key is None:
        return
    ngl = str(r.get("n_gpu_layers"))
    n_gpu = a.n_layer + 1 if ngl in ("None", "99", "999", "max", "100", "-1") else int(ngl)
    w = weights_for(a, resolve(mix, "llama.cpp"))
    lo_hi = spec.get("cpu_ffn_layers")
    hw = host_weight_copies(a, w, n_gpu, experts_on_cpu=bool(spec.get("experts_on_cpu")
                                                             or spec.get("compute_experts_cpu")),
                            layers_on_cpu=frozenset(range(*lo_hi)) if lo_hi else frozenset())
    a_kv = a
    if spec.get("ik") or spec.get("swa_full"):
        a_kv = replace(a, n_swa=0, swa_layers=(False,) * a.n_layer) if a.has_swa else a
    kv = llamacpp_kv(a_kv, n_ctx, n_seq, kv_type=tk, kv_type_v=tv, flash_attn=fa, n_ubatch=ub)
    # a full-size SWA cache (old builds, ik_llama.cpp) still gets its own SWA mask, at full size
    swa_cells = kv.cells if (a_kv is not a) else kv.swa_cells
    comp = llamacpp_compute(a, kv.cells, swa_cells, min(ub, pad(n_ctx, 256)), fa, n_seq,
                            all_on_gpu=n_gpu > a.n_layer, type_k=tk, type_v=tv, host_weights=hw)
    ev = _compute_evidence(r, spec)
    old_mask = fa and str(r.get("posted") or "") < F16_MASK_FROM
    host_pred = comp.host
    if old_mask:      # the row's build: F32 mask input (4 B per cell instead of 2)
        host_pred += (kv.cells + (swa_cells if a.has_swa else 0)) * min(ub, pad(n_ctx, 256)) * 2
    meas_dev = _mib(b[dev_key])
    meas_host = _mib(b[host_key]) if host_key else None
    fit = rep.fits.setdefault("llamacpp_compute", {
        "form": "device = max(logits, attention, ffn phases of compute.llamacpp_compute_cpu) + CUDA's "
                "FA F16 K/V copies (non-F16 KV) + the largest host weight copied in per phase (op offload); "
                "host = KQ mask(s) + f32 input embeddings + int32 inputs",
        "constants": "none fitted: every term is a tensor of the reserve graph",
        "rows": []})
    status, reason = "ok", ""
    if ngl == "0":
        status, reason = "outlier", "-ngl 0: that build ran the output matmul on the CPU (CPU compute 304.75 MiB)"
    fit["rows"].append({
        "id": r["id"], "evidence": ev, "build": r.get("llamacpp_build"), "posted": r.get("posted"),
        "model": model_id, "n_ctx": n_ctx, "n_ubatch": ub, "flash_attn": fa, "type_k": tk,
        "peak": comp.peak_kind, "phases_mib": {k: round(v / MiB, 2) for k, v in comp.phases.items()},
        "host_weight_copies_mib": {k: round(v / MiB, 2) for k, v in hw.items() if v},
        "device_pred_mib": round(comp.device / MiB, 2), "device_meas_mib": meas_dev,
        "device_err_pct": round((comp.device / MiB - meas_dev) / meas_dev * 100, 2),
        "host_pred_mib": round(host_pred / MiB, 2), "host_meas_mib": meas_host,
        "host_err_pct": None if not meas_host else round((host_pred / MiB - meas_host) / meas_host * 100, 2),
        "host_mask": "F32 (build before the F16 mask input)" if old_mask or not fa else "F16",
        "status": status, "reason": reason})
    if ev != "mainline CUDA":
        return
    rec = Rec("llamacpp_gpu_logs", r["id"], "llama.cpp", "compute", comp.device, int(round(meas_dev * MiB)),
              None, status, reason, precision_pct=0.01, model=model_id)
    rep.recs.append(rec)
    if meas_host:
        rec = Rec("llamacpp_gpu_logs", r["id"], "llama.cpp", "compute_host", host_pred,
                  int(round(meas_host * MiB)), None, status, reason, precision_pct=0.05, model=model_id)
        if old_mask and status == "ok":
            rec.reason = "build before the F16 KQ-mask input: mask counted at 4 B per cell, as that build made it"
        rep.recs.append(rec)


def llamacpp_rows(rep: Report, overhead_mib: float) -> None:
    for r in load("llamacpp_gpu_logs.jsonl"):
        spec = LLAMACPP_RUNS.get(r["id"])
        if spec is None:
            m, info = model_for(r["model"])
            rep.skip("llamacpp_gpu_logs", r["id"],
                     f"model {r['model']!r} not in the catalog or not a plain llama-quantize mix "
                     f"(UD/ik-only types)" if m is None else "not mapped")
            continue
        m = cat.find_model(spec["model"])
        a = m.architecture
        b = r["buffers_mib"]
        mix = spec.get("mix")
        tk, tv = _kv_types(r)
        fa = _fa(r)
        n_ctx = int(r.get("n_ctx") or 4096)
        n_seq = int(r.get("n_seq_max") or 1)
        ub = int(r.get("n_ubatch") or 512)
        ik = spec.get("ik", False)
        # ik_llama.cpp and builds before the SWA cache (LM Studio 1.44, b4879: 'using full-size SWA
        # cache') keep every layer at n_ctx cells
        full_swa = (ik or spec.get("swa_full")) and a.has_swa
        a_kv = replace(a, n_swa=0, swa_layers=(False,) * a.n_layer) if full_swa else a
        rid = r["id"]
        rot = rule_of_thumb(count_params(a), label_bits(mix or "Q4_K_M"), n_ctx)

        def add(part: str, pred: int, meas_mib: float, rot_v: int | None = None, prec: float = 0.0):
            rec = Rec("llamacpp_gpu_logs", rid, "llama.cpp", part, int(pred), int(round(meas_mib * MiB)),
                      rot_v, precision_pct=prec, model=m.id)
            if (rid, part) in LLAMACPP_OUTLIERS:
                rec.status, rec.reason = "outlier", LLAMACPP_OUTLIERS[(rid, part)]
            rep.recs.append(rec)

        # KV: exact check (every buffer labelled KV, SWA included, draft/recurrent excluded)
        kv_meas = _buf(r, lambda k: "KV" in k and not k.startswith("MTP") and "draft" not in k)
        if kv_meas and not spec.get("breakdown_only"):
            kv = llamacpp_kv(a_kv, n_ctx, n_seq, kv_type=tk, kv_type_v=tv, flash_attn=fa,
                             unified=True, n_ubatch=ub)
            add("kv_cache", kv.total, kv_meas, rot["kv_cache_bytes"], 0.01)
        if mix is None:
            rep.skip("llamacpp_gpu_logs", rid + ":weights", "ik_llama.cpp-only quant types (IQ*_K): weights not comparable")
            continue
        opts = {"has_imatrix": bool(spec.get("imatrix"))}
        total_w = gguf_file_weights(a, mix, **opts).total     # what llama.cpp loads of the file
        # all model buffers = file tensors only without mmap overlap (a CPU_Mapped range spans the
        # GPU tensors between host tensors when -ot is used; Metal_Mapped maps the whole file) and
        # without a tied duplicate
        mapped_overlap = any("Metal_Mapped" in k for k in b) or (
            r.get("tensor_overrides") not in (False, None) and any("_Mapped" in k for k in b))
        w_meas = _buf(r, lambda k: k.endswith("model") and "mmproj" not in k)
        if w_meas and not spec.get("breakdown_only") and not mapped_overlap and not a.tied_embeddings:
            add("weights_all_buffers", total_w, w_meas, rot["weights_bytes"], 0.01)
        single = [k for k in b if re.match(r"(CUDA|Vulkan|Metal|ROCm)\d* ?(_Mapped)? ?model", k)]
        overrides = r.get("tensor_overrides") not in (False, None)
        full = str(r.get("n_gpu_layers")) in ("99", "999", "max", "100", "-1") or r.get("n_gpu_layers") is None
        dev_keys = [k for k in b if re.match(r"^(CUDA0|Vulkan0|Metal_Mapped) model$", k)]
        if len(dev_keys) == 1 and not overrides and full and "CUDA1 model" not in b \
                and not any("Split" in k for k in b):
            w = weights_for(a, resolve(mix, "llama.cpp"))
            place = place_llamacpp(a, w, a.n_layer + 1)
            add("weights_device", place.device_bytes, _mib(b[dev_keys[0]]), None, 0.01)
        if spec.get("experts_on_cpu"):
            w = weights_for(a, resolve(mix, "llama.cpp"))
            place = place_llamacpp(a, w, a.n_layer + 1)
            dev_w = place.device_bytes - _experts_cpu_bytes(a, mix, opts)
            add("weights_device", dev_w, _mib(b["CUDA0 model"]), None, 0.01)
            kv = llamacpp_kv(a, n_ctx, n_seq, kv_type=tk, kv_type_v=tv, flash_attn=fa, n_ubatch=ub)
            comp = llamacpp_compute(a, kv.cells, kv.swa_cells, ub, fa, n_seq, all_on_gpu=True,
                                    type_k=tk, type_v=tv,
                                    host_weights=host_weight_copies(a, w, a.n_layer + 1, experts_on_cpu=True))
            meas = r["measured_used_mib"]
            proc = next(v for k, v in meas.items() if "process" in k)
            ours = dev_w + kv.total + comp.device + int(overhead_mib * MiB)
            add("total_process", ours, proc, rot["total_bytes"], 0.05)
        compute_row(rep, r, spec, a, m.id, mix, n_ctx, n_seq, ub, fa, tk, tv)
        # llama.cpp's own memory breakdown table ("self" = model + context + compute)
        for line in r.get("memory_breakdown") or []:
            mm = re.search(r"CUDA0[^|]*\|\s*(\d+)\s*=\s*(\d+)\s*\+\s*\(\s*(\d+)\s*=\s*(\d+)\s*\+\s*(\d+)\s*\+\s*(\d+)\s*\)", line)
            if not mm or not spec.get("breakdown_only") or r.get("tensor_overrides") not in (False, None):
                continue
            model_mib, ctx_mib, comp_mib = (float(x) for x in mm.group(4, 5, 6))
            w = weights_for(a, resolve(mix, "llama.cpp"))
            place = place_llamacpp(a, w, a.n_layer + 1)
            add("weights_device", place.device_bytes, model_mib, None, 0.1)
            if r.get("n_ctx"):
                kv = llamacpp_kv(a, n_ctx, n_seq, kv_type=tk, kv_type_v=tv, flash_attn=fa, n_ubatch=ub)
                add("kv_cache", kv.total, ctx_mib, None, 0.1)


# ----------------------------------------------------------------------------
# vLLM start-ups
# ----------------------------------------------------------------------------

VLLM_V = "0.19"


def _vllm_setup(r: dict):
    m, info = model_for(r.get("model"))
    if m is None:
        return None, None, info
    quant = info.get("quant") or ("mxfp4" if r.get("quantization") == "mxfp4" else "bf16")
    return m, quant, info


def vllm_rows(rep: Report) -> None:
    for r in load("vllm_logs.jsonl"):
        rid = r["id"]
        if r.get("engine") != "vllm":
            rep.skip("vllm_logs", rid, f"engine {r.get('engine')}: not vLLM")
            continue
        m, quant, info = _vllm_setup(r)
        if m is None:
            rep.skip("vllm_logs", rid, f"model {r.get('model')!r}: {info.get('why')}")
            continue
        a = m.architecture
        tp = int(r.get("tensor_parallel_size") or 1)
        v019 = str(r.get("vllm_version") or "").startswith(VLLM_V)
        kvd = (r.get("kv_cache_dtype") or "auto").lower()
        kv_b = 1 if kvd.startswith("fp8") else (4 if r.get("dtype") == "float32" else 2)
        failed = r.get("status") != "ok"
        rot = rule_of_thumb(count_params(a), rule_bits(quant), int(r.get("max_model_len") or 4096))

        def add(part, pred, meas_gib, status="ok", reason="", rot_v=None):
            rec = Rec("vllm_logs", rid, "vllm", part, int(pred), int(round(meas_gib * GiB)), rot_v,
                      status, reason, precision_pct=0.005 / meas_gib * 100 if meas_gib else 0, model=m.id)
            rep.recs.append(rec)

        # KV bytes per token (exact where the model is dense full attention)
        if r.get("kv_cache_gib") and r.get("kv_cache_tokens") and r["kv_cache_gib"] > 0:
            meas = r["kv_cache_gib"] * GiB / r["kv_cache_tokens"]
            pred = torch_kv_bytes_per_token(a, kv_b, tp)
            status, reason = "ok", ""
            if a.has_swa:
                status, reason = "outlier", ("sliding-window model: vLLM's hybrid KV manager reports tokens "
                                             "for the full-attention group only (pages shared across groups)")
            rec = Rec("vllm_logs", rid, "vllm", "kv_per_token", int(pred), 1, None, status, reason,
                      precision_pct=0.005 / r["kv_cache_gib"] * 100, model=m.id)
            rec.measured = meas  # type: ignore[assignment]  (float: bytes per token)
            rep.recs.append(rec)
        if r.get("weights_gib") and info.get("weights", True):
            w = weights_for(a, resolve(quant, "vllm")).total / tp
            add("weights", w, r["weights_gib"], rot_v=int(rot["weights_bytes"] / tp))
        if not v019:
            continue   # profiling/graph numbers below are fitted for 0.19
        if r.get("activation_peak_gib"):
            mnbt = int(r.get("max_num_batched_tokens") or 8192)
            add("activation_peak", vllm_activation(a, mnbt, kv_b, tp), r["activation_peak_gib"],
                *(("outlier", "failed start-up") if failed else ("ok", "")))
        if r.get("non_torch_gib") is not None and r.get("cuda_graph_gib") is not None and not failed:
            pred = vllm_non_torch(tp) + vllm_cuda_graphs(a)
            add("non_torch_plus_graphs", pred, r["non_torch_gib"] + r["cuda_graph_gib"],
                rot_v=rot["overhead_bytes"])


def vllm_fits(rep: Report) -> None:
    """Least squares for the activation and graph constants (printed with residuals)."""
    act, cg, nt = [], [], []
    for r in load("vllm_logs.jsonl"):
        if r.get("engine") != "vllm" or not str(r.get("vllm_version") or "").startswith(VLLM_V):
            continue
        m, quant, info = _vllm_setup(r)
        if m is None or r.get("status") != "ok":
            continue
        a = m.architecture
        tp = int(r.get("tensor_parallel_size") or 1)
        if r.get("activation_peak_gib") and not a.is_moe:
            x1 = 1024 * a.n_vocab
            x2 = int(r.get("max_num_batched_tokens") or 8192) * a.n_embd
            act.append((r["id"], x1, x2, r["activation_peak_gib"] * GiB))
        if r.get("cuda_graph_gib"):
            cg.append((r["id"], a.n_layer, r["cuda_graph_gib"] * 1024))
        if r.get("non_torch_gib") is not None:
            nt.append((r["id"], tp, r["non_torch_gib"] * 1024))
    # two-parameter least squares without intercept: y = k1 x1 + k2 x2
    s11 = sum(x1 * x1 for _, x1, _, _ in act); s22 = sum(x2 * x2 for _, _, x2, _ in act)
    s12 = sum(x1 * x2 for _, x1, x2, _ in act)
    s1y = sum(x1 * y for _, x1, _, y in act); s2y = sum(x2 * y for _, _, x2, y in act)
    det = s11 * s22 - s12 * s12
    k1 = (s1y * s22 - s2y * s12) / det if det else 14.0
    k2 = (s2y * s11 - s1y * s12) / det if det else 0.0
    rep.fits["vllm_activation"] = {
        "form": "peak = k_sampler x max_num_seqs(1024) x n_vocab + k_hidden x max_num_batched_tokens x n_embd (+ fused-MoE caches)",
        "k_sampler": k1, "k_hidden": k2, "fitted_on": "dense-model v0.19 rows, status ok",
        "rows": [{"id": i, "x_sampler": x1, "x_hidden": x2, "measured_gib": y / GiB,
                  "fit_gib": (k1 * x1 + k2 * x2) / GiB} for i, x1, x2, y in act]}
    n = len(cg)
    if n >= 2:
        mx = sum(x for _, x, _ in cg) / n; my = sum(y for _, _, y in cg) / n
        sl = sum((x - mx) * (y - my) for _, x, y in cg) / sum((x - mx) ** 2 for _, x, _ in cg)
        b0 = my - sl * mx
        rep.fits["vllm_cuda_graphs"] = {
            "form": "graphs_mib = base + per_layer x n_layer", "base_mib": b0, "per_layer_mib": sl,
            "rows": [{"id": i, "n_layer": x, "measured_mib": y, "fit_mib": b0 + sl * x} for i, x, y in cg]}
    t1 = [y for _, tp, y in nt if tp == 1]; tn = [y for _, tp, y in nt if tp > 1]
    rep.fits["vllm_non_torch"] = {"tp1_median_mib": statistics.median(t1) if t1 else None,
                                  "tp_gt1_median_mib": statistics.median(tn) if tn else None,
                                  "rows": [{"id": i, "tp": tp, "mib": y} for i, tp, y in nt]}


# ----------------------------------------------------------------------------
# transformers
# ----------------------------------------------------------------------------

def transformers_rows(rep: Report) -> None:
    samples = []
    for r in load("transformers_measured.jsonl"):
        rid = r["id"]
        m, info = model_for(r.get("model"))
        if m is None:
            rep.skip("transformers_measured", rid, f"model {r.get('model')!r}: {info.get('why')}")
            continue
        try:
            seq = int(str(r.get("seq_len")))
        except ValueError:
            seq = None
        if not r.get("value_bytes") or seq is None or not r.get("batch"):
            rep.skip("transformers_measured", rid, "no byte value or no stated prompt length (method not stated)")
            continue
        dq = (r.get("dtype_or_quant") or "").lower()
        quant = "gptq" if dq.startswith("gptq") else ("fp16" if "16" in dq else None)
        if quant is None:
            rep.skip("transformers_measured", rid, f"format {r.get('dtype_or_quant')!r} not modelled")
            continue
        a = m.architecture
        b, s, new = int(r["batch"]), seq, int(r.get("new_tokens") or 1)
        legacy = (r.get("posted") or "2023") < "2024" and "optimum" in rid   # 2023 benchmark script
        w = weights_for(a, resolve(quant, "transformers")).total
        kv = torch_kv_bytes(a, s + (new if new > 1 else 0), b, 2)
        act = transformers_activation(a, s, b, 2, legacy=legacy, new_tokens=new)
        rest = r["value_bytes"] - (w + kv + act)
        samples.append((rid, quant, b, s, new, w, kv, act, r["value_bytes"], rest))
    ov = statistics.median(x[-1] for x in samples if x[1] == "fp16") / MiB if samples else 500
    rep.fits["transformers_overhead_mib"] = {
        "value": ov, "form": "measured - (weights + KV + activation), fp16 rows (NVML peak incl. CUDA context)",
        "rows": [{"id": x[0], "quant": x[1], "batch": x[2], "seq": x[3], "new": x[4],
                  "weights": x[5], "kv": x[6], "act": x[7], "measured": x[8], "residual_mib": x[9] / MiB}
                 for x in samples]}
    for rid, quant, b, s, new, w, kv, act, meas, _ in samples:
        m = cat.find_model("meta-llama/Llama-2-13b-hf")
        a = m.architecture
        rot = rule_of_thumb(count_params(a), rule_bits(quant), s + new)["total_bytes"]
        pred = w + kv + act + transformers_overhead()
        rec = Rec("transformers_measured", rid, "transformers", "peak_total", pred, meas, rot,
                  precision_pct=0.0, model=m.id)
        if quant == "gptq":
            rec.status, rec.reason = "outlier", ("GPTQ kernels add static buffers (exllama temp_state/temp_dq) "
                                                 "that we do not model; README says so")
        rep.recs.append(rec)


# ----------------------------------------------------------------------------
# llama.cpp CPU oracle (exact, produced by benchmarks/llamacpp_oracle.py)
# ----------------------------------------------------------------------------

def oracle_rows(rep: Report) -> None:
    """tests/data/oracle/*.json (benchmarks/llamacpp_oracle.py): llama.cpp CPU, exact bytes."""
    d = REPO / "tests" / "data" / "oracle"
    if not d.exists():
        return
    for f in sorted(d.glob("*.json")):
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for mdl in data.get("models", []):
            try:
                a = cat.find_model(mdl["model"]).architecture
            except (CalcError, KeyError):
                continue
            mix = (mdl.get("mix") or "").upper()
            for i, rec in enumerate(mdl.get("records", [])):
                st = rec.get("settings", {})
                cpu = (rec.get("breakdown") or {}).get("CPU") or {}
                rid = f"oracle:{mdl['model']}:{mix}:{i}"
                if i == 0 and mix in MIXES and cpu.get("model"):
                    rep.recs.append(Rec("oracle", rid, "llama.cpp-cpu", "gguf_tensor_bytes",
                                        gguf_tensor_bytes(a, mix), int(cpu["model"]), model=mdl["model"]))
                if cpu.get("context") and st.get("n_ctx"):
                    a_kv = replace(a, n_swa=0, swa_layers=(False,) * a.n_layer) \
                        if (st.get("swa_full") and a.has_swa) else a
                    kv = llamacpp_kv(a_kv, int(st["n_ctx"]), int(st.get("n_seq_max") or 1),
                                     kv_type=st.get("type_k") or "f16", kv_type_v=st.get("type_v"),
                                     flash_attn=bool(st.get("flash_attn", True)),
                                     unified=bool(st.get("kv_unified", True)) or int(st.get("n_seq_max") or 1) == 1,
                                     n_ubatch=int(st.get("n_ubatch") or 512))
                    rep.recs.append(Rec("oracle", rid, "llama.cpp-cpu", "kv_cache", kv.total,
                                        int(cpu["context"]), model=mdl["model"]))


# ----------------------------------------------------------------------------
# summary and output
# ----------------------------------------------------------------------------

def _stats(xs: list[float]) -> dict[str, float] | None:
    if not xs:
        return None
    s = sorted(abs(x) for x in xs)
    p90 = s[min(len(s) - 1, int(round(0.9 * (len(s) - 1))))]
    return {"n": len(s), "median": round(statistics.median(s), 3), "p90": round(p90, 3), "max": round(s[-1], 3)}


def summarize(rep: Report) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[Rec]] = {}
    for r in rep.recs:
        groups.setdefault((r.engine, r.part), []).append(r)
    out = []
    for (eng, part), rs in sorted(groups.items()):
        ok = [r for r in rs if r.status == "ok"]
        out.append({"engine": eng, "part": part, "rows": len(rs), "outliers": len(rs) - len(ok),
                    "ours": _stats([r.err_pct for r in ok]),
                    "rule_of_thumb": _stats([r.rot_err_pct for r in ok if r.rot_err_pct is not None]),
                    "ours_all_rows": _stats([r.err_pct for r in rs])})
    return out


def build(fit: bool = False) -> Report:
    rep = Report()
    gguf_rows(rep)
    ov = llamacpp_overhead_fit(rep)
    llamacpp_rows(rep, float(cat.find_engine("llama.cpp")["overhead_mib"]))
    rep.fits["llamacpp_cuda_overhead_mib"]["engines_json"] = cat.find_engine("llama.cpp")["overhead_mib"]
    vllm_fits(rep)
    vllm_rows(rep)
    transformers_rows(rep)
    oracle_rows(rep)
    __import__("accuracy_speed").add_to_report(rep)   # llama-bench speed rows (benchmarks/accuracy_speed.py)
    return rep


def versions() -> dict[str, str]:
    return {e["id"]: e["version"] for e in cat.engines()}


def to_json(rep: Report) -> dict[str, Any]:
    return {"schema": "benchmarks/accuracy.py: predicted vs published per row and part; err_pct = "
                      "(predicted - measured)/measured x 100; summary is |err| over rows with status ok",
            "groundtruth": str(groundtruth_dir()), "engine_versions": versions(),
            "summary": summarize(rep), "records": [r.as_dict() for r in rep.recs],
            "skipped": rep.skipped, "fits": rep.fits}


def _fmt(n: float) -> str:
    return f"{n / GiB:9.3f}G" if abs(n) >= GiB else f"{n / MiB:9.1f}M"


def _placement_main(argv: list[str]) -> int:
    from benchmarks.accuracy_placement import main as placement_main
    return placement_main(argv)


def _g(x: float | None) -> str:
    """A summary figure as the docs print it: three significant digits, blank where none."""
    if x is None or x != x:
        return ""
    return f"{x:.3g}"


def summary_table_rows(summary: list[dict]) -> list[str]:
    """docs/accuracy.md's summary table body (both languages), from accuracy.json's summary."""
    rows = []
    for s in summary:
        o, t = s.get("ours") or {}, s.get("rule_of_thumb") or {}
        cells = [s["engine"], s["part"], str(s["rows"]), str(s["outliers"]),
                 *(_g(o.get(k)) for k in ("median", "p90", "max")),
                 *(_g(t.get(k)) for k in ("median", "p90", "max"))]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


#: the docs whose summary table is written from accuracy.json (--write-docs)
SUMMARY_DOCS = (REPO / "docs" / "accuracy.md", REPO / "docs" / "zh-CN" / "accuracy.md")


def summary_table_span(lines: list[str]) -> tuple[int, int]:
    """Where a doc's summary table body is: the rows after its first |---| line."""
    start = next(i for i, ln in enumerate(lines) if ln.startswith("|---")) + 1
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("|"))
    return start, end


def write_summary_docs(summary: list[dict]) -> None:
    """Replace the body of the summary table in each doc."""
    body = summary_table_rows(summary)
    for doc in SUMMARY_DOCS:
        lines = doc.read_text(encoding="utf-8").split("\n")
        start, end = summary_table_span(lines)
        doc.write_text("\n".join(lines[:start] + body + lines[end:]), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fit", action="store_true", help="print fits' inputs and residuals")
    ap.add_argument("--quiet", action="store_true", help="summary only")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--write-docs", action="store_true",
                    help="also rewrite the summary table of docs/accuracy.md (both languages)")
    args = ap.parse_args(argv)
    if groundtruth_dir() is None:
        print("no groundtruth found (set GROUNDTRUTH_DIR)", file=sys.stderr)
        return 2
    rep = build()
    if not args.quiet:
        print(f"{'row id':58} {'part':22} {'predicted':>11} {'measured':>11} {'err%':>8} {'MiB':>9} {'rot err%':>9}  status")
        for r in rep.recs:
            if r.part == "kv_per_token":
                p, mm = f"{r.predicted:>10d}B", f"{r.measured:>10.1f}B"
            else:
                p, mm = _fmt(r.predicted), _fmt(r.measured)
            rot = "" if r.rot_err_pct is None else f"{r.rot_err_pct:9.1f}"
            print(f"{r.id[:58]:58} {r.part:22} {p:>11} {mm:>11} {r.err_pct:8.2f} {r.err_mib:9.1f} {rot:>9}  "
                  f"{r.status}{(': ' + r.reason[:60]) if r.reason else ''}")
        print(f"\nskipped rows: {len(rep.skipped)}")
        for s in rep.skipped:
            print(f"  {s['file']:22} {s['id'][:60]:60} {s['why'][:90]}")
    if not args.quiet and "llamacpp_compute" in rep.fits:
        print("\nllama.cpp compute buffers, per row (device = <backend>0 compute, host = <backend>_Host compute):")
        print(f"{'row id':50} {'evidence':22} {'peak':9} {'dev pred':>9} {'meas':>9} {'err%':>7} | "
              f"{'host pred':>9} {'meas':>9} {'err%':>7}  status")
        for x in rep.fits["llamacpp_compute"]["rows"]:
            he = "" if x["host_err_pct"] is None else f"{x['host_err_pct']:7.2f}"
            hm = "" if x["host_meas_mib"] is None else f"{x['host_meas_mib']:9.2f}"
            print(f"{x['id'][:50]:50} {x['evidence'][:22]:22} {x['peak']:9} {x['device_pred_mib']:9.2f} "
                  f"{x['device_meas_mib']:9.2f} {x['device_err_pct']:7.2f} | {x['host_pred_mib']:9.2f} {hm:>9} "
                  f"{he:>7}  {x['status']}")
    if args.fit:
        print("\nfits:")
        print(json.dumps(rep.fits, indent=1, default=float))
    import accuracy_files
    accuracy_files.print_files(rep)
    print("\nsummary, |error| % over rows with status ok (ours vs the article's rule of thumb):")
    print(f"{'engine':14} {'part':22} {'n':>4} {'out':>4} {'median':>8} {'p90':>8} {'max':>8} | {'rot med':>8} {'rot p90':>8} {'rot max':>8}")
    for s in summarize(rep):
        o, t = s["ours"] or {}, s["rule_of_thumb"] or {}
        print(f"{s['engine']:14} {s['part']:22} {s['rows']:4d} {s['outliers']:4d} "
              f"{o.get('median', float('nan')):8.3f} {o.get('p90', float('nan')):8.3f} {o.get('max', float('nan')):8.3f} | "
              f"{t.get('median', float('nan')):8.2f} {t.get('p90', float('nan')):8.2f} {t.get('max', float('nan')):8.2f}")
    if not args.quiet:   # several devices, device by device: benchmarks/accuracy_placement.py
        print("\nplacement over several devices (benchmarks/accuracy_placement.py):"); _placement_main([])
    if not args.no_write:
        data = json.dumps(to_json(rep), indent=1, default=float)
        (REPO / "benchmarks" / "out").mkdir(parents=True, exist_ok=True)
        (REPO / "benchmarks" / "out" / "accuracy.json").write_text(data + "\n", encoding="utf-8")
        (REPO / "calc_py" / "data" / "accuracy.json").write_text(data + "\n", encoding="utf-8")
    if args.write_docs:
        write_summary_docs(summarize(rep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
