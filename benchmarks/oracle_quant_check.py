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

Run with the oracle venv (it has ``gguf`` and ``llama_cpp``):

    .venv-oracle/bin/python benchmarks/oracle_quant_check.py [--mix Q4_K_M ...] [--case llama3-8b ...]

Exit status 0 when every tensor of every (case, mix) matches.
"""
from __future__ import annotations

import argparse
import ctypes
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

from calc_py.ggml_types import get_type, tensor_bytes  # noqa: E402
from calc_py.gguf_mix import MIXES, plan_quantization  # noqa: E402
from calc_py.tensor import Tensor  # noqa: E402


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


def dense(name: str, arch: str, *, n_layer: int, n_embd: int, n_head: int, n_head_kv: int, n_ff: int,
          n_vocab: int, tied: bool = False) -> Case:
    """A llama-style dense decoder (Llama-3-8B by default shapes)."""
    ts = [Tensor("token_embd.weight", (n_embd, n_vocab)), Tensor("output_norm.weight", (n_embd,))]
    if not tied:
        ts.append(Tensor("output.weight", (n_embd, n_vocab)))
    kv = n_embd // n_head * n_head_kv
    for i in range(n_layer):
        p = f"blk.{i}."
        ts += [
            Tensor(p + "attn_norm.weight", (n_embd,), i),
            Tensor(p + "attn_q.weight", (n_embd, n_embd), i),
            Tensor(p + "attn_k.weight", (n_embd, kv), i),
            Tensor(p + "attn_v.weight", (n_embd, kv), i),
            Tensor(p + "attn_output.weight", (n_embd, n_embd), i),
            Tensor(p + "ffn_norm.weight", (n_embd,), i),
            Tensor(p + "ffn_gate.weight", (n_embd, n_ff), i),
            Tensor(p + "ffn_up.weight", (n_embd, n_ff), i),
            Tensor(p + "ffn_down.weight", (n_ff, n_embd), i),
        ]
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
    return {c.name: c for c in out}


# ---------------------------------------------------------------- sparse GGUF

def write_sparse_gguf(case: Case, path: Path) -> None:
    """Header + KV + tensor infos, then extend the file (a hole) to the full data length."""
    w = gguf.GGUFWriter(str(path), case.arch)
    a = case.arch
    w.add_uint32(f"{a}.block_count", case.n_layer)
    w.add_uint32(f"{a}.context_length", 4096)
    w.add_uint32(f"{a}.embedding_length", case.n_embd)
    w.add_uint32(f"{a}.feed_forward_length", case.n_ff)
    w.add_uint32(f"{a}.attention.head_count", case.n_head)
    w.add_uint32(f"{a}.attention.head_count_kv", case.n_head_kv)
    w.add_float32(f"{a}.attention.layer_norm_rms_epsilon", 1e-5)
    w.add_uint32("general.file_type", 32)  # LLAMA_FTYPE_MOSTLY_BF16
    if case.n_expert:
        w.add_uint32(f"{a}.expert_count", case.n_expert)
        w.add_uint32(f"{a}.expert_used_count", case.n_expert_used)
    for k, (kind, v) in case.extra_kv.items():
        {"f32": w.add_float32, "u32": w.add_uint32, "str": w.add_string}[kind](k, v)

    for t in case.tensors:
        ty = case.source_types.get(t.name) or ("F32" if len([d for d in t.ne if d > 1]) < 2 else "BF16")
        nbytes = tensor_bytes(ty, t.ne)
        w.add_tensor_info(t.name, tuple(reversed(t.ne)), _np_dtype(ty), nbytes,
                          raw_dtype=gguf.GGMLQuantizationType[ty])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    fout = w.fout[0]
    fout.flush()
    pos = fout.tell()
    align = w.data_alignment
    data_start = (pos + align - 1) // align * align
    data_len = sum(gguf.GGUFWriter.ggml_pad(ti.nbytes, align) for ti in w.tensors[0].values())
    fout.close()
    w.fout = None
    os.truncate(path, data_start + data_len)


def _np_dtype(ty: str):  # noqa: ANN202 - numpy only lives in the oracle venv
    import numpy as np
    # any non-uint8 dtype: add_tensor_info then takes the shape as element counts
    return np.float32 if ty == "F32" else np.float16


# ---------------------------------------------------------------- the oracle

_LOG: list[str] = []


@llama_cpp.llama_log_callback
def _capture(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:  # noqa: ARG001
    _LOG.append(text.decode("utf-8", "replace"))


_LINE = re.compile(
    r"\[\s*\d+/\s*\d+\]\s+(?P<name>\S+)\s+-\s+\[[^\]]*\],\s+type =\s+(?P<src>\S+),\s+"
    r"size =\s+[\d.]+ MiB(?:\s+->\s+[\d.]+ MiB \((?P<dst>[^)]+)\))?"
)


_FALLBACK = re.compile(r"WARNING: (\d+) of \d+ tensor\(s\) required fallback quantization")


def oracle_types(src: Path, mix: str) -> tuple[dict[str, str], int]:
    """Per-tensor target types and the fallback count from llama_model_quantize(dry_run=True)."""
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = MIXES[mix].ftype
    params.dry_run = True
    params.nthread = 1
    params.only_copy = MIXES[mix].only_copy
    _LOG.clear()
    rc = llama_cpp.llama_model_quantize(str(src).encode(), os.devnull.encode(), ctypes.byref(params))
    text = "".join(_LOG)
    if rc != 0:
        raise RuntimeError(f"llama_model_quantize failed for {mix}:\n{text[-2000:]}")
    out: dict[str, str] = {}
    for m in _LINE.finditer(text):
        out[m["name"]] = get_type(m["dst"] or m["src"]).name
    fb = _FALLBACK.search(text)
    return out, int(fb.group(1)) if fb else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mix", action="append", help="mix name (default: all in MIXES)")
    ap.add_argument("--case", action="append", help="test model (default: all)")
    ap.add_argument("--workdir", default=None, help="where the sparse GGUFs go (default: a temp dir)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every mismatching tensor")
    args = ap.parse_args(argv)

    llama_cpp.llama_log_set(_capture, ctypes.c_void_p(0))
    all_cases = cases()
    sel_cases = [all_cases[c] for c in (args.case or all_cases)]
    mixes = args.mix or list(MIXES)

    tmp = tempfile.TemporaryDirectory(dir=args.workdir)
    failures = 0
    total = 0
    for case in sel_cases:
        path = Path(tmp.name) / f"{case.name}.gguf"
        write_sparse_gguf(case, path)
        for mix in mixes:
            try:
                want, want_fallback = oracle_types(path, mix)
            except RuntimeError as e:
                # the port must then raise too (e.g. Q1_0 has no fallback for odd rows)
                try:
                    plan_quantization(mix, case.tensors, arch=case.arch, n_layer=case.n_layer,
                                      n_head=case.n_head, n_head_kv=case.n_head_kv, n_expert=case.n_expert,
                                      source_types=case.source_types)
                except ValueError:
                    reason = re.findall(r"failed to quantize: (.*)", str(e))
                    print(f"{case.name:16s} {mix:10s} both refuse ({reason[-1] if reason else '?'}): OK")
                    continue
                print(f"{case.name:16s} {mix:10s} ORACLE FAILED, port did not: {str(e).splitlines()[-1]}")
                total += 1
                failures += 1
                continue
            plan = plan_quantization(mix, case.tensors, arch=case.arch, n_layer=case.n_layer,
                                     n_head=case.n_head, n_head_kv=case.n_head_kv, n_expert=case.n_expert,
                                      source_types=case.source_types)
            got = plan.types
            total += 1
            bad = [n for n in want if got.get(n) != want[n]]
            missing = len(want) != len(case.tensors)
            fb_ok = plan.n_fallback == want_fallback
            status = "OK" if not bad and not missing and fb_ok else f"{len(bad)} MISMATCH"
            if missing:
                status += f" (oracle listed {len(want)}/{len(case.tensors)} tensors)"
            if not fb_ok:
                status += f" (fallbacks: llama.cpp {want_fallback}, port {plan.n_fallback})"
            print(f"{case.name:16s} {mix:10s} {len(want):4d} tensors  {want_fallback:3d} fallbacks  {status}")
            if bad or missing or not fb_ok:
                failures += 1
                for n in bad[: None if args.verbose else 5]:
                    print(f"    {n:36s} llama.cpp={want[n]:8s} port={got.get(n)}")
        path.unlink()
    tmp.cleanup()
    print(f"\n{total - failures}/{total} (case, mix) pairs match exactly "
          f"(per-tensor types and fallback count); {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
