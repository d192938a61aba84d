"""Check calc_py.gguf_mix.plan_types against llama.cpp's real quantizer.

Why: the port in calc_py/gguf_mix.py is read off src/llama-quant.cpp; this
script asks the compiled quantizer itself (llama-cpp-python 0.3.36 = llama.cpp
b11312) which type it would give each tensor, using
``llama_model_quantize(..., params.dry_run = True)``, and diffs the answers.

How: for each test model it writes a *sparse* GGUF -- real KV metadata and
tensor infos (BF16 matrices, F32 vectors), the data section left as a hole via
``truncate`` -- so an 8B-shaped file costs a few KiB of disk. The dry run only
reads the header and prints one line per tensor
(``[  i/  n] name - [shape], type = bf16, size = ... -> ... (q4_K)``), which we
capture through ``llama_log_set``.

Besides the synthetic models, a few real catalog architectures are planned
from ``calc_py.inventory`` (Qwen3-30B-A3B, DeepSeek-V2-Lite for MLA, gemma-3-1b
for tied embeddings and a 1152-wide row, Qwen3.5-9B for a NextN/MTP block in
the file), their GGUF KV written as benchmarks/llamacpp_oracle.py does.

Every run also *records* what the quantizer chose (``--record PATH``, default
tests/data/oracle/quant_plans_b11312.json; ``--no-record`` to only compare):
per case the inputs plan_quantization takes and the tensor list (name, ne,
source type) once, per mix the chosen type of every tensor as run-length
groups over that list, the fallback count and the printed model / quant size,
plus the (case, mix) pairs the quantizer refused and why.
tests/test_quant_plans.py replays the file against calc_py without llama.cpp.

Run with the oracle venv (it has ``gguf`` and ``llama_cpp``):

    .venv-oracle/bin/python benchmarks/oracle_quant_check.py [--mix Q4_K_M ...] [--case llama3-8b ...]

(``make oracle`` runs it with no arguments: all cases x all mixes, recorded.)
Exit status 0 when every tensor of every (case, mix) matches.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import gguf  # noqa: E402  (oracle venv only)
import llama_cpp  # noqa: E402

from benchmarks.gguf_writer import (FTYPE_MOSTLY_BF16, add_kv, add_tensor_info,  # noqa: E402
                                    finish_sparse, llama_tensors)
from calc_py.ggml_types import get_type, tensor_bytes  # noqa: E402
from calc_py.gguf_mix import MIXES, plan_quantization  # noqa: E402
from calc_py.tensor import Tensor  # noqa: E402

LLAMA_CPP_BUILD = "b11312"
RECORD = REPO / "tests" / "data" / "oracle" / f"quant_plans_{LLAMA_CPP_BUILD}.json"
#: real catalog architectures planned besides the synthetic cases (case name, catalog id)
CATALOG_CASES = (
    ("catalog-qwen3-30b-a3b", "Qwen/Qwen3-30B-A3B"),
    ("catalog-deepseek-v2-lite", "deepseek-ai/DeepSeek-V2-Lite"),
    ("catalog-gemma-3-1b", "google/gemma-3-1b-it"),
    ("catalog-qwen3.5-9b", "Qwen/Qwen3.5-9B"),
)


# ---------------------------------------------------------------- test models

@dataclass
class Case:
    """One synthetic model: arch, the hyper-parameters llama.cpp reads, and its tensors."""

    name: str
    arch: str
    n_layer: int
    n_embd: int
    n_head: int
    n_head_kv: int
    n_ff: int
    tensors: list[Tensor]
    n_expert: int = 0
    n_expert_used: int = 0
    extra_kv: dict[str, tuple[str, object]] = field(default_factory=dict)
    #: source GGUF type per tensor where it is not the default (F32 for 1-D, else BF16)
    source_types: dict[str, str] = field(default_factory=dict)
    #: the whole arch KV list (key, kind, value) instead of the standard keys (catalog cases)
    kv: list[tuple[str, str, object]] | None = None
    #: {arch}.nextn_predict_layers (counted in n_layer = block_count)
    n_layer_nextn: int = 0
    #: where the case comes from: "synthetic" or "catalog:<model id>"
    origin: str = "synthetic"

    def source_type(self, t: Tensor) -> str:
        """The tensor's type in the source GGUF (what the quantizer reads)."""
        return self.source_types.get(t.name) or ("F32" if len([d for d in t.ne if d > 1]) < 2 else "BF16")

    def plan_inputs(self) -> dict:
        """The keywords of calc_py.gguf_mix.plan_quantization for this case (as recorded)."""
        return {"arch": self.arch, "n_layer": self.n_layer, "n_head": self.n_head, "n_head_kv": self.n_head_kv,
                "n_expert": self.n_expert, "n_layer_nextn": self.n_layer_nextn}

    def plan(self, mix: str):  # noqa: ANN201
        return plan_quantization(mix, self.tensors, **self.plan_inputs(),
                                 source_types={t.name: self.source_type(t) for t in self.tensors})


def dense(name: str, arch: str, *, n_layer: int, n_embd: int, n_head: int, n_head_kv: int, n_ff: int,
          n_vocab: int, tied: bool = False) -> Case:
    """A llama-style dense decoder (Llama-3-8B by default shapes)."""
    ts = llama_tensors(n_layer=n_layer, n_embd=n_embd, n_head=n_head, n_head_kv=n_head_kv, n_ff=n_ff,
                       n_vocab=n_vocab, tied=tied)
    return Case(name, arch, n_layer, n_embd, n_head, n_head_kv, n_ff, ts)


def moe(name: str, *, n_expert: int, n_layer: int = 32, n_embd: int = 4096, n_ff: int = 14336) -> Case:
    """A Mixtral-style MoE on the llama arch: router + stacked *_exps expert tensors."""
    c = dense(name, "llama", n_layer=n_layer, n_embd=n_embd, n_head=32, n_head_kv=8, n_ff=n_ff, n_vocab=32000)
    ts = [t for t in c.tensors if not re.search(r"ffn_(gate|up|down)\.weight$", t.name)]
    for i in range(n_layer):
        p = f"blk.{i}."
        ts += [
            Tensor(p + "ffn_gate_inp.weight", (n_embd, n_expert), i),
            Tensor(p + "ffn_gate_exps.weight", (n_embd, n_ff, n_expert), i),
            Tensor(p + "ffn_up_exps.weight", (n_embd, n_ff, n_expert), i),
            Tensor(p + "ffn_down_exps.weight", (n_ff, n_embd, n_expert), i),
        ]
    c.tensors, c.n_expert, c.n_expert_used = ts, n_expert, 2
    return c


def falcon7b() -> Case:
    """Falcon-7B: fused attn_qkv, n_embd 4544 (not a multiple of 256 -> fallbacks), MQA."""
    n_layer, n_embd, n_ff, n_vocab = 32, 4544, 18176, 65024
    ts = [Tensor("token_embd.weight", (n_embd, n_vocab)), Tensor("output.weight", (n_embd, n_vocab)),
          Tensor("output_norm.weight", (n_embd,)), Tensor("output_norm.bias", (n_embd,))]
    for i in range(n_layer):
        p = f"blk.{i}."
        ts += [
            Tensor(p + "attn_norm.weight", (n_embd,), i),
            Tensor(p + "attn_norm.bias", (n_embd,), i),
            Tensor(p + "attn_qkv.weight", (n_embd, n_embd + 2 * 64), i),
            Tensor(p + "attn_output.weight", (n_embd, n_embd), i),
            Tensor(p + "ffn_up.weight", (n_embd, n_ff), i),
            Tensor(p + "ffn_down.weight", (n_ff, n_embd), i),
        ]
    return Case("falcon-7b", "falcon", n_layer, n_embd, 71, 1, n_ff, ts,
                extra_kv={"falcon.attention.layer_norm_epsilon": ("f32", 1e-5)})


def gpt_oss_20b() -> Case:
    """gpt-oss-20b: 32 experts already in MXFP4 in the source, 2-D expert biases, row 2880 (not 256-aligned)."""
    n_layer, n_embd, n_exp, n_ff_exp, n_vocab, hd = 24, 2880, 32, 2880, 201088, 64
    n_head, n_head_kv = 64, 8
    ts = [Tensor("token_embd.weight", (n_embd, n_vocab)), Tensor("output.weight", (n_embd, n_vocab)),
          Tensor("output_norm.weight", (n_embd,))]
    src: dict[str, str] = {}
    for i in range(n_layer):
        p = f"blk.{i}."
        ts += [
            Tensor(p + "attn_norm.weight", (n_embd,), i),
            Tensor(p + "attn_q.weight", (n_embd, n_head * hd), i),
            Tensor(p + "attn_q.bias", (n_head * hd,), i),
            Tensor(p + "attn_k.weight", (n_embd, n_head_kv * hd), i),
            Tensor(p + "attn_k.bias", (n_head_kv * hd,), i),
            Tensor(p + "attn_v.weight", (n_embd, n_head_kv * hd), i),
            Tensor(p + "attn_v.bias", (n_head_kv * hd,), i),
            Tensor(p + "attn_output.weight", (n_head * hd, n_embd), i),
            Tensor(p + "attn_output.bias", (n_embd,), i),
            Tensor(p + "attn_sinks.weight", (n_head,), i),
            Tensor(p + "post_attention_norm.weight", (n_embd,), i),
            Tensor(p + "ffn_gate_inp.weight", (n_embd, n_exp), i),
            Tensor(p + "ffn_gate_inp.bias", (n_exp,), i),
            Tensor(p + "ffn_gate_exps.weight", (n_embd, n_ff_exp, n_exp), i),
            Tensor(p + "ffn_gate_exps.bias", (n_ff_exp, n_exp), i),
            Tensor(p + "ffn_up_exps.weight", (n_embd, n_ff_exp, n_exp), i),
            Tensor(p + "ffn_up_exps.bias", (n_ff_exp, n_exp), i),
            Tensor(p + "ffn_down_exps.weight", (n_ff_exp, n_embd, n_exp), i),
            Tensor(p + "ffn_down_exps.bias", (n_embd, n_exp), i),
        ]
        for role in ("gate", "up", "down"):
            src[f"{p}ffn_{role}_exps.weight"] = "MXFP4"
            src[f"{p}ffn_{role}_exps.bias"] = "F32"
    return Case("gpt-oss-20b", "gpt-oss", n_layer, n_embd, n_head, n_head_kv, n_ff_exp, ts,
                n_expert=n_exp, n_expert_used=4, source_types=src,
                extra_kv={"gpt-oss.expert_feed_forward_length": ("u32", n_ff_exp),
                          "gpt-oss.attention.sliding_window": ("u32", 128),
                          "gpt-oss.attention.key_length": ("u32", hd),
                          "gpt-oss.attention.value_length": ("u32", hd)})


def qwen3_30b_a3b() -> Case:
    """Qwen3-30B-A3B: 128 experts, 48 layers, GQA 8, q/k norms."""
    n_layer, n_embd, n_exp, n_ff_exp, n_vocab, hd = 48, 2048, 128, 768, 151936, 128
    n_head, n_head_kv = 32, 4
    ts = [Tensor("token_embd.weight", (n_embd, n_vocab)), Tensor("output.weight", (n_embd, n_vocab)),
          Tensor("output_norm.weight", (n_embd,))]
    for i in range(n_layer):
        p = f"blk.{i}."
        ts += [
            Tensor(p + "attn_norm.weight", (n_embd,), i),
            Tensor(p + "attn_q.weight", (n_embd, n_head * hd), i),
            Tensor(p + "attn_q_norm.weight", (hd,), i),
            Tensor(p + "attn_k.weight", (n_embd, n_head_kv * hd), i),
            Tensor(p + "attn_k_norm.weight", (hd,), i),
            Tensor(p + "attn_v.weight", (n_embd, n_head_kv * hd), i),
            Tensor(p + "attn_output.weight", (n_head * hd, n_embd), i),
            Tensor(p + "ffn_norm.weight", (n_embd,), i),
            Tensor(p + "ffn_gate_inp.weight", (n_embd, n_exp), i),
            Tensor(p + "ffn_gate_exps.weight", (n_embd, n_ff_exp, n_exp), i),
            Tensor(p + "ffn_up_exps.weight", (n_embd, n_ff_exp, n_exp), i),
            Tensor(p + "ffn_down_exps.weight", (n_ff_exp, n_embd, n_exp), i),
        ]
    return Case("qwen3-30b-a3b", "qwen3moe", n_layer, n_embd, n_head, n_head_kv, 6144, ts,
                n_expert=n_exp, n_expert_used=8,
                extra_kv={"qwen3moe.expert_feed_forward_length": ("u32", n_ff_exp),
                          "qwen3moe.attention.key_length": ("u32", hd),
                          "qwen3moe.attention.value_length": ("u32", hd)})


def catalog_case(name: str, model_id: str) -> Case:
    """A real catalog architecture: calc_py.inventory's tensors of the *file* (NextN/MTP
    blocks included), the GGUF KV of benchmarks/llamacpp_oracle.metadata, and the
    source types convert_hf_to_gguf.py writes (calc_py.weights._source_types:
    1-D / norms / biases / ssm_a / routers / conv kernels F32, gpt-oss experts
    MXFP4, else BF16). n_head / n_head_kv are what llama.cpp reads back
    from that KV (MLA: head_count_kv = 1)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from llamacpp_oracle import metadata

    from calc_py.catalog import find_model
    from calc_py.inventory import block_count, file_tensors

    a = find_model(model_id).architecture
    p = a.arch
    kv = [(k, kind, v) for k, kind, v in metadata(a) if k != f"{p}.block_count"]
    kv.append((f"{p}.block_count", "u32", block_count(a)))
    if a.n_layer_nextn:
        kv.append((f"{p}.nextn_predict_layers", "u32", a.n_layer_nextn))
    val = {k: v for k, _, v in kv}

    def first(v: object) -> int:
        return int(v[0]) if isinstance(v, list) else int(v)

    from calc_py.weights import _source_types

    ts = list(file_tensors(a))
    src = _source_types(a)     # the converter's types (tests/test_conformance.py checks them)
    return Case(name, p, block_count(a), a.n_embd, first(val[f"{p}.attention.head_count"]),
                first(val[f"{p}.attention.head_count_kv"]), 0, ts, n_expert=a.n_expert,
                n_expert_used=a.n_expert_used, source_types=src, kv=kv, n_layer_nextn=a.n_layer_nextn,
                origin=f"catalog:{model_id}")


def cases() -> dict[str, Case]:
    llama = dict(n_layer=32, n_embd=4096, n_head=32, n_head_kv=8, n_ff=14336, n_vocab=128256)
    out = [
        dense("llama3-8b", "llama", **llama),
        dense("llama3-8b-tied", "llama", **llama, tied=True),
        # row 4160 = 130*32: every 256-block type must fall back
        dense("llama-odd-row", "llama", n_layer=32, n_embd=4160, n_head=32, n_head_kv=8, n_ff=14336,
              n_vocab=32000),
        # no GQA: attn_v rules keyed on n_gqa() >= 4 do not fire
        dense("llama2-7b-mha", "llama", n_layer=32, n_embd=4096, n_head=32, n_head_kv=32, n_ff=11008,
              n_vocab=32000),
        # LLM_TYPE_70B heuristic (shapes shrunk; only n_layer and GQA matter)
        dense("llama-70b-shape", "llama", n_layer=80, n_embd=1024, n_head=64, n_head_kv=8, n_ff=2816,
              n_vocab=32000),
        dense("qwen2-7b", "qwen2", n_layer=28, n_embd=3584, n_head=28, n_head_kv=4, n_ff=18944,
              n_vocab=152064),
        moe("mixtral-8x", n_expert=8),
        moe("moe-32x", n_expert=32, n_layer=24, n_embd=2048, n_ff=1024),
        falcon7b(),
        gpt_oss_20b(),
        qwen3_30b_a3b(),
    ]
    out += [catalog_case(n, m) for n, m in CATALOG_CASES]
    return {c.name: c for c in out}


# ---------------------------------------------------------------- sparse GGUF

def write_sparse_gguf(case: Case, path: Path) -> None:
    """Header + KV + tensor infos (the source types), the data section a hole."""
    w = gguf.GGUFWriter(str(path), case.arch)
    if case.kv is not None:
        add_kv(w, [("general.file_type", "u32", FTYPE_MOSTLY_BF16), *case.kv])
    else:
        add_kv(w, _standard_kv(case))
    for t in case.tensors:
        ty = case.source_type(t)
        add_tensor_info(w, t, ty, tensor_bytes(ty, t.ne))
    finish_sparse(w, path)


def _standard_kv(case: Case) -> list[tuple[str, str, object]]:
    a = case.arch
    kv: list[tuple[str, str, object]] = [
        (f"{a}.block_count", "u32", case.n_layer),
        (f"{a}.context_length", "u32", 4096),
        (f"{a}.embedding_length", "u32", case.n_embd),
        (f"{a}.feed_forward_length", "u32", case.n_ff),
        (f"{a}.attention.head_count", "u32", case.n_head),
        (f"{a}.attention.head_count_kv", "u32", case.n_head_kv),
        (f"{a}.attention.layer_norm_rms_epsilon", "f32", 1e-5),
        ("general.file_type", "u32", FTYPE_MOSTLY_BF16),
    ]
    if case.n_expert:
        kv += [(f"{a}.expert_count", "u32", case.n_expert), (f"{a}.expert_used_count", "u32", case.n_expert_used)]
    kv += [(k, kind, v) for k, (kind, v) in case.extra_kv.items()]
    return kv


# ---------------------------------------------------------------- the oracle

from llama_log import LOG as _LOG, capture as _capture  # noqa: E402


_LINE = re.compile(
    r"\[\s*\d+/\s*\d+\]\s+(?P<name>\S+)\s+-\s+\[[^\]]*\],\s+type =\s+(?P<src>\S+),\s+"
    r"size =\s+[\d.]+ MiB(?:\s+->\s+[\d.]+ MiB \((?P<dst>[^)]+)\))?"
)


_FALLBACK = re.compile(r"WARNING: (\d+) of \d+ tensor\(s\) required fallback quantization")
_SIZES = re.compile(r"model size\s+=\s+(?P<model>[\d.]+) MiB \((?P<model_bpw>[\d.]+) BPW\)\s*\n"
                    r".*quant size\s+=\s+(?P<quant>[\d.]+) MiB \((?P<quant_bpw>[\d.]+) BPW\)")

#: llama_model_quantize_params as set for every call (the rest: llama_model_quantize_default_params)
QUANT_PARAMS = {"dry_run": True, "nthread": 1}


@dataclass
class OracleResult:
    types: dict[str, str]
    n_fallback: int
    #: "model size" / "quant size" lines: MiB and BPW as printed (%.2f)
    model_size_mib: str
    model_bpw: str
    quant_size_mib: str
    quant_bpw: str


class QuantizeRefused(RuntimeError):
    """llama_model_quantize returned non-zero; ``reason`` is its "failed to quantize: ..." text."""

    def __init__(self, mix: str, log: str) -> None:
        reasons = re.findall(r"failed to quantize: (.*)", log)
        self.reason = reasons[-1].strip() if reasons else log.strip().splitlines()[-1]
        super().__init__(f"llama_model_quantize failed for {mix}: {self.reason}\n{log[-2000:]}")


def quantize_params(mix: str):  # noqa: ANN201 - a ctypes struct
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = MIXES[mix].ftype
    params.only_copy = MIXES[mix].only_copy
    for k, v in QUANT_PARAMS.items():
        setattr(params, k, v)
    return params


def params_record() -> dict:
    """Every field of the llama_model_quantize_params used (pointers as null / set)."""
    params = quantize_params(next(iter(MIXES)))
    out: dict[str, object] = {}
    for f, *_ in params._fields_:
        v = getattr(params, f)
        if isinstance(v, (bool, int, float)):
            out[f] = v
        else:
            out[f] = None if not v else "set"
    out["ftype"] = "MIXES[mix].ftype (recorded per mix)"
    out["only_copy"] = "MIXES[mix].only_copy (True for COPY only)"
    out["output_tensor_type"] = f"{out['output_tensor_type']} (GGML_TYPE_COUNT: no --output-tensor-type)"
    out["token_embedding_type"] = f"{out['token_embedding_type']} (GGML_TYPE_COUNT: no --token-embedding-type)"
    return out


def oracle_types(src: Path, mix: str) -> OracleResult:
    """Per-tensor target types, fallback count and sizes from llama_model_quantize(dry_run=True)."""
    params = quantize_params(mix)
    _LOG.clear()
    rc = llama_cpp.llama_model_quantize(str(src).encode(), os.devnull.encode(), ctypes.byref(params))
    text = "".join(_LOG)
    if rc != 0:
        raise QuantizeRefused(mix, text)
    out: dict[str, str] = {}
    for m in _LINE.finditer(text):
        out[m["name"]] = get_type(m["dst"] or m["src"]).name
    fb = _FALLBACK.search(text)
    sz = _SIZES.search(text)
    if sz is None:
        raise RuntimeError(f"no size lines in the dry-run log for {mix}:\n{text[-2000:]}")
    return OracleResult(out, int(fb.group(1)) if fb else 0, sz["model"], sz["model_bpw"],
                        sz["quant"], sz["quant_bpw"])


# ---------------------------------------------------------------- the record

def record_order(tensors: list[Tensor]) -> list[Tensor]:
    """Role-major order for the record: tensors outside the blocks by name, then per role
    (``blk.N.`` stripped) every layer in turn -- so a mix's types form long runs."""
    def key(t: Tensor) -> tuple:
        m = re.match(r"blk\.(\d+)\.(.*)", t.name)
        return (1, m.group(2), int(m.group(1))) if m else (0, t.name, 0)
    return sorted(tensors, key=key)


def runs(types: list[str]) -> list[list]:
    """Run-length groups: ["Q4_K", "Q4_K", "Q6_K"] -> [["Q4_K", 2], ["Q6_K", 1]]."""
    out: list[list] = []
    for t in types:
        if out and out[-1][0] == t:
            out[-1][1] += 1
        else:
            out.append([t, 1])
    return out


def write_record(path: Path, recorded: list[dict]) -> None:
    """One line per tensor and per mix, so a re-record diffs readably and the file stays small."""
    head = {
        "about": "llama.cpp's own per-tensor quantization plans (llama_model_quantize, dry run) for "
                 "sparse BF16 GGUFs; written by benchmarks/oracle_quant_check.py, replayed against "
                 "calc_py.gguf_mix.plan_quantization by tests/test_quant_plans.py",
        "llama_cpp_build": LLAMA_CPP_BUILD,
        "llama_cpp_python": llama_cpp.__version__,
        "gguf_py": _gguf_version(),
        "quantize_params": params_record(),
        "source_gguf": "general.file_type = 32 (MOSTLY_BF16); each tensor's type in cases[].tensors; "
                       "data section a hole (the dry run reads only the header)",
        "format": {
            "cases[].plan_inputs": "keywords of plan_quantization besides mix, tensors and source_types",
            "cases[].tensors": "[name, ne (ggml order), source type]; role-major order (non-block tensors "
                               "by name, then per name with blk.N. stripped, layer by layer), not the GGUF's",
            "cases[].mixes[MIX].types": "run-length groups [type, count] aligned with cases[].tensors",
            "cases[].mixes[MIX].n_fallback": "the 'WARNING: N of M tensor(s) required fallback' count (0 if absent)",
            "cases[].mixes[MIX].quant_size_mib": "the 'quant size = X MiB' line (%.2f of bytes / 2^20)",
            "cases[].refused[MIX]": "llama_model_quantize returned non-zero: its 'failed to quantize:' text",
        },
    }
    parts = ["{"]
    for k, v in head.items():
        parts.append(f"{json.dumps(k)}: {json.dumps(v)},")
    parts.append('"cases": [')
    for ci, c in enumerate(recorded):
        parts.append("{")
        for k in ("name", "origin", "plan_inputs", "n_tensors"):
            parts.append(f"{json.dumps(k)}: {json.dumps(c[k])},")
        parts.append('"tensors": [')
        parts.append(",\n".join(json.dumps(t, separators=(",", ":")) for t in c["tensors"]))
        parts.append("],")
        parts.append('"mixes": {')
        parts.append(",\n".join(f"{json.dumps(m)}: {json.dumps(r, separators=(',', ':'))}"
                                for m, r in c["mixes"].items()))
        parts.append("},")
        parts.append(f'"refused": {json.dumps(c["refused"])}')
        parts.append("}" + ("," if ci < len(recorded) - 1 else ""))
    parts.append("]}")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(parts) + "\n"
    json.loads(text)  # well-formed
    path.write_text(text)


def _gguf_version() -> str:
    try:
        from importlib.metadata import version
        return version("gguf")
    except Exception:  # noqa: BLE001
        return "?"


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mix", action="append", help="mix name (default: all in MIXES)")
    ap.add_argument("--case", action="append", help="test model (default: all)")
    ap.add_argument("--workdir", default=None, help="where the sparse GGUFs go (default: a temp dir)")
    ap.add_argument("--record", default=None, metavar="PATH",
                    help=f"write the quantizer's plans here (default: {RECORD.relative_to(REPO)} when no "
                         "--mix/--case narrows the run)")
    ap.add_argument("--no-record", action="store_true", help="only compare, write nothing")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every mismatching tensor")
    args = ap.parse_args(argv)
    record = None if args.no_record else (
        Path(args.record) if args.record else (RECORD if not (args.mix or args.case) else None))

    llama_cpp.llama_log_set(_capture, ctypes.c_void_p(0))
    all_cases = cases()
    sel_cases = [all_cases[c] for c in (args.case or all_cases)]
    mixes = args.mix or list(MIXES)

    tmp = tempfile.TemporaryDirectory(dir=args.workdir)
    failures = 0
    total = 0
    recorded: list[dict] = []
    for case in sel_cases:
        path = Path(tmp.name) / f"{case.name}.gguf"
        write_sparse_gguf(case, path)
        rec = {"name": case.name, "origin": case.origin, "plan_inputs": case.plan_inputs(),
               "n_tensors": len(case.tensors),
               "tensors": [[t.name, list(t.ne), case.source_type(t)] for t in record_order(case.tensors)],
               "mixes": {}, "refused": {}}
        recorded.append(rec)
        for mix in mixes:
            try:
                res = oracle_types(path, mix)
            except QuantizeRefused as e:
                rec["refused"][mix] = e.reason
                # the port must then raise too (e.g. Q1_0 has no fallback for odd rows)
                try:
                    case.plan(mix)
                except ValueError:
                    print(f"{case.name:22s} {mix:10s} both refuse ({e.reason}): OK")
                    continue
                print(f"{case.name:22s} {mix:10s} ORACLE FAILED, port did not: {e.reason}")
                total += 1
                failures += 1
                continue
            want = res.types
            plan = case.plan(mix)
            got = plan.types
            total += 1
            missing = sorted(set(t.name for t in case.tensors) - set(want))
            if not missing:
                rec["mixes"][mix] = {"ftype": MIXES[mix].ftype,
                                     "types": runs([want[t.name] for t in record_order(case.tensors)]),
                                     "n_fallback": res.n_fallback,
                                     "quant_size_mib": res.quant_size_mib, "quant_bpw": res.quant_bpw,
                                     "model_size_mib": res.model_size_mib, "model_bpw": res.model_bpw}
            bad = [n for n in want if got.get(n) != want[n]]
            fb_ok = plan.n_fallback == res.n_fallback
            size = f"{sum(tensor_bytes(got[t.name], t.ne) for t in case.tensors) / 2**20:.2f}"
            size_ok = size == res.quant_size_mib
            status = "OK" if not bad and not missing and fb_ok and size_ok else f"{len(bad)} MISMATCH"
            if missing:
                status += f" (oracle listed {len(want)}/{len(case.tensors)} tensors; not recorded)"
            if not fb_ok:
                status += f" (fallbacks: llama.cpp {res.n_fallback}, port {plan.n_fallback})"
            if not size_ok:
                status += f" (quant size: llama.cpp {res.quant_size_mib} MiB, port {size} MiB)"
            print(f"{case.name:22s} {mix:10s} {len(want):4d} tensors  {res.n_fallback:3d} fallbacks  "
                  f"{res.quant_size_mib:>10s} MiB  {status}")
            if bad or missing or not fb_ok or not size_ok:
                failures += 1
                for n in bad[: None if args.verbose else 5]:
                    print(f"    {n:36s} llama.cpp={want[n]:8s} port={got.get(n)}")
        path.unlink()
    tmp.cleanup()
    print(f"\n{total - failures}/{total} (case, mix) pairs match exactly "
          f"(per-tensor types, fallback count, quant size); {failures} failing")
    if record is not None:
        write_record(record, recorded)
        n_mix = sum(len(c["mixes"]) for c in recorded)
        n_ref = sum(len(c["refused"]) for c in recorded)
        print(f"recorded {len(recorded)} cases, {n_mix} plans, {n_ref} refusals -> {record} "
              f"({record.stat().st_size / 1e6:.2f} MB)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
