"""Record llama.cpp's own memory numbers for every catalog architecture.

Why: calc_py claims byte-exact agreement with llama.cpp. This script makes the
engine itself the judge. For each catalog model it writes a *sparse* GGUF whose
tensors are exactly ``calc_py.inventory.tensors(arch)`` with the types of
``calc_py.weights.gguf_weights(arch, MIX)`` (a missing or mis-shaped tensor
makes llama.cpp refuse to load -- that checks the inventory), loads it with
``llama_model_params.no_alloc = True`` (llama.cpp's simulation mode: nothing is
read or allocated, sizes are computed as if it were) on the CPU backend, then
creates contexts over a grid of settings and records what llama.cpp reports:

* exact bytes from ``llama_get_memory_breakdown()`` (src/llama-ext.h; a C++
  function returning ``std::map<ggml_backend_buffer_type_t,
  llama_memory_breakdown_data>`` by value -- called through ctypes with the
  Itanium ABI's hidden return pointer, the red-black tree walked by hand):
  model, context (KV cache + recurrent state) and compute bytes per buffer type;
* the 2-decimal MiB log lines for the K / V / R / S split and the output buffer
  (``llama_kv_cache: size = ...``, ``llama_memory_recurrent: size = ...``,
  ``output buffer size``), captured through ``llama_log_set``.

Records go to tests/data/oracle/llamacpp_b11312.json; tests/test_oracle.py
replays them against calc_py without llama.cpp.

Run: ``make oracle`` (= ``.venv-oracle/bin/python benchmarks/llamacpp_oracle.py``).
Options: ``--model SUBSTR`` (repeatable), ``--quick`` (2 settings per model).
"""
from __future__ import annotations

import argparse
import ctypes
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import gguf  # noqa: E402  (oracle venv only)
import llama_cpp  # noqa: E402

from benchmarks.gguf_writer import add_kv, add_tensor_info, finish_sparse  # noqa: E402
from calc_py.architecture import Architecture  # noqa: E402
from calc_py.catalog import supported_models  # noqa: E402
from calc_py.gguf_mix import MIXES  # noqa: E402
from calc_py.weights import gguf_file_weights  # noqa: E402

LLAMA_CPP_BUILD = "b11312"
OUT = REPO / "tests" / "data" / "oracle" / "llamacpp_b11312.json"
WORK = REPO / ".oracle-work"
MIX = "Q4_K_M"
#: mixes whose model bytes are recorded besides MIX (one small context each: the
#: breakdown's ``model`` bytes); tests/test_oracle.py checks every one exactly
MODEL_MIXES = ("F16", "Q8_0", "Q4_0", "Q2_K")

# ggml_type ids (ggml/include/ggml.h enum ggml_type)
GGML_TYPE = {"f32": 0, "f16": 1, "q4_0": 2, "q8_0": 8, "bf16": 30}

# -------------------------------------------------------------------- logging

from llama_log import LOG as _LOG, capture as _capture  # noqa: E402


_KV_LINE = re.compile(
    r"llama_kv_cache: size =\s*([\d.]+) MiB \(\s*(\d+) cells,\s*(\d+) layers,\s*(\d+)/\s*(\d+) seqs\), "
    r"K \((\w+)\):\s*([\d.]+) MiB, V \((\w+)\):\s*([\d.]+) MiB")
_RS_LINE = re.compile(
    r"llama_memory_recurrent: size =\s*([\d.]+) MiB \(\s*(\d+) cells,\s*(\d+) layers,\s*(\d+) seqs\s+(\d+) rs_seq\), "
    r"R \((\w+)\):\s*([\d.]+) MiB, S \((\w+)\):\s*([\d.]+) MiB, P \((\w+)\):\s*([\d.]+) MiB")
_OUT_LINE = re.compile(r"(\S+)\s+output buffer size =\s*([\d.]+) MiB")
_MODEL_LINE = re.compile(r"(\S+)\s+model buffer size =\s*([\d.]+) MiB")
_COMPUTE_LINE = re.compile(r"(\S+)\s+compute buffer size =\s*([\d.]+) MiB")
_ISWA_LINE = re.compile(r"creating\s+(non-SWA|SWA) KV cache, size = (\d+) cells")

# ------------------------------------------------- llama_get_memory_breakdown

_LIBDIR = Path(llama_cpp.__file__).parent / "lib"
_libllama = ctypes.CDLL(str(_LIBDIR / "libllama.so"), mode=ctypes.RTLD_GLOBAL)
_libggml_base = ctypes.CDLL(str(_LIBDIR / "libggml-base.so"), mode=ctypes.RTLD_GLOBAL)
# llama_memory_breakdown llama_get_memory_breakdown(const llama_context *) -- mangled C++ name
_breakdown_fn = getattr(_libllama, "_Z26llama_get_memory_breakdownPK13llama_context")
_breakdown_fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p]   # (hidden sret, ctx)
_breakdown_fn.restype = ctypes.c_void_p
_buft_name = _libggml_base.ggml_backend_buft_name
_buft_name.argtypes = [ctypes.c_void_p]
_buft_name.restype = ctypes.c_char_p


def memory_breakdown(ctx: ctypes.c_void_p) -> dict[str, dict[str, int]]:
    """{buffer type name: {model, context, compute}} in exact bytes.

    libstdc++ std::map layout (48 bytes): key_compare (8), header node {color,
    parent=root, left, right} (32), node_count (8). A node is the 32-byte
    _Rb_tree_node_base then the value pair<buft*, {model, context, compute}>.
    The map is leaked (a few nodes per call).
    """
    buf = ctypes.create_string_buffer(64)
    _breakdown_fn(ctypes.addressof(buf), ctx)
    root = ctypes.c_void_p.from_buffer(buf, 16).value
    count = ctypes.c_size_t.from_buffer(buf, 40).value
    out: dict[str, dict[str, int]] = {}
    stack = [root] if root else []
    while stack:
        node = stack.pop()
        left = ctypes.c_void_p.from_address(node + 16).value
        right = ctypes.c_void_p.from_address(node + 24).value
        buft = ctypes.c_void_p.from_address(node + 32).value
        model, context, compute = (ctypes.c_size_t.from_address(node + 40 + 8 * i).value for i in range(3))
        name = _buft_name(buft).decode() if buft else "?"
        out[name] = {"model": model, "context": context, "compute": compute}
        stack += [p for p in (left, right) if p]
    assert len(out) == count, (out, count)
    return out


# ---------------------------------------------------------------- sparse GGUF

def _uniform(xs: list[int]) -> bool:
    return len(set(xs)) <= 1


def metadata(a: Architecture) -> list[tuple[str, str, object]]:
    """(key, kind, value) the arch's load_hparams / load_arch_hparams read.

    Key names: src/llama-arch.cpp LLM_KV_NAMES; which keys each arch needs:
    llama_model_base::load_hparams (src/llama-model.cpp) and
    src/models/<arch>.cpp load_arch_hparams.
    """
    p = a.arch
    kv: list[tuple[str, str, object]] = []
    u32 = lambda k, v: kv.append((f"{p}.{k}", "u32", int(v)))  # noqa: E731
    arr = lambda k, v: kv.append((f"{p}.{k}", "arr_u32", [int(x) for x in v]))  # noqa: E731
    u32("context_length", a.max_context)
    u32("embedding_length", a.n_embd)
    u32("block_count", a.n_layer)
    dense = [f for f in a.n_ff if f]
    if not dense:
        u32("feed_forward_length", a.n_ff_exp)      # llama arch (Mixtral) reads experts' width here
    elif _uniform(dense):
        u32("feed_forward_length", dense[0])
    else:
        arr("feed_forward_length", a.n_ff)
    u32("attention.head_count", a.n_head)
    if a.is_mla:
        # conversion/deepseek.py: MLA converts into MQA (1 KV head), key_length =
        # kv_lora_rank + rope, value_length = kv_lora_rank; the *_mla lengths are the real heads
        u32("attention.head_count_kv", 1)
        u32("attention.key_length", a.kv_lora_rank + a.rope_dim)
        u32("attention.value_length", a.kv_lora_rank)
        u32("attention.key_length_mla", a.head_dim_k)
        u32("attention.value_length_mla", a.head_dim_v)
        u32("attention.kv_lora_rank", a.kv_lora_rank)
        if a.q_lora_rank:
            u32("attention.q_lora_rank", a.q_lora_rank)
        u32("rope.dimension_count", a.rope_dim)
    else:
        # hybrids: the converter writes one scalar; 0 on a recurrent layer comes
        # from is_recr, not from head_count_kv (llama_hparams::n_head_kv(il))
        hkv = [h for h in a.n_head_kv if h] if a.is_hybrid else list(a.n_head_kv)
        if _uniform(hkv):
            u32("attention.head_count_kv", hkv[0])
        else:
            arr("attention.head_count_kv", hkv)
        u32("attention.key_length", a.head_dim_k)
        u32("attention.value_length", a.head_dim_v)
        rot = a.head_dim_k
        if p in ("qwen3next", "qwen35", "qwen35moe"):
            rot = a.head_dim_k // 4     # partial_rotary_factor 0.25 (not a memory input)
        if p == "phi3" and a.rope_factors:
            rot = 2 * a.rope_factors    # partial_rotary_factor (Phi-4-mini 0.75): rope_factors_* are {n_rot/2}
        u32("rope.dimension_count", rot)
    if p in ("command-r", "cohere2"):
        kv.append((f"{p}.attention.layer_norm_epsilon", "f32", 1e-5))
    else:
        kv.append((f"{p}.attention.layer_norm_rms_epsilon", "f32", 1e-6))
    if a.is_moe:
        u32("expert_count", a.n_expert)
        u32("expert_used_count", a.n_expert_used)
        u32("expert_feed_forward_length", a.n_ff_exp)
        if a.n_ff_shexp:
            if p in ("deepseek2", "glm4moe"):
                u32("expert_shared_count", a.n_ff_shexp // a.n_ff_exp)
            else:
                u32("expert_shared_feed_forward_length", a.n_ff_shexp)
        elif p in ("deepseek2", "glm4moe"):
            u32("expert_shared_count", 0)
        lead = 0
        while lead < a.n_layer and not a.moe_layers[lead]:
            lead += 1
        if p in ("deepseek2", "glm4moe"):
            u32("leading_dense_block_count", lead)
        if p == "llama4":
            step = next((il + 1 for il in range(a.n_layer) if a.moe_layers[il]), 1)
            u32("interleave_moe_layer_step", step)
        if p == "ernie4_5-moe":
            # conversion/ernie.py: moe_layer_interval, moe_layer_start_index (src/models/ernie4-5.cpp
            # load_arch_hparams requires the step; MoE tensors for every i >= the dense lead)
            moe = [il for il in range(a.n_layer) if a.moe_layers[il]]
            u32("interleave_moe_layer_step", moe[1] - moe[0] if len(moe) > 1 else 1)
            u32("leading_dense_block_count", lead)
    if a.has_swa:
        u32("attention.sliding_window", a.n_swa)
        kv.append((f"{p}.attention.sliding_window_pattern", "arr_bool", [bool(x) for x in a.swa_layers]))
    elif p == "gpt-oss":
        u32("attention.sliding_window", 128)
    elif p == "llama4":
        u32("attention.sliding_window", 0)
    if a.is_hybrid:
        u32("ssm.conv_kernel", a.ssm_d_conv)
        u32("ssm.inner_size", a.ssm_d_inner)
        u32("ssm.state_size", a.ssm_d_state)
        u32("ssm.time_step_rank", a.ssm_dt_rank)
        u32("ssm.group_count", a.ssm_n_group)
        period = next((il + 1 for il in range(a.n_layer) if not a.recurrent_layers[il]), 4)
        u32("full_attention_interval", period)
        if p in ("qwen35", "qwen35moe"):
            arr("rope.dimension_sections", [11, 11, 10, 0])
    if p == "minimax-m2":
        # no default in load_arch_hparams: build_moe_ffn aborts on gating func NONE
        u32("expert_gating_func", 2)   # LLAMA_EXPERT_GATING_FUNC_TYPE_SIGMOID
    return kv


_SPECIAL = ["<unk>", "<s>", "</s>", "<|endoftext|>", "<|end|>", "<|user|>", "<|assistant|>", "<|system|>"]


def vocab(n_vocab: int) -> tuple[list[str], list[float], list[int]]:
    """A stand-in SPM vocabulary of exactly n_vocab tokens (byte tokens for the newline)."""
    toks = list(_SPECIAL) + [f"<0x{b:02X}>" for b in range(256)]
    types = [2, 3, 3, 3, 3, 3, 3, 3] + [6] * 256
    toks += [f"t{i}" for i in range(n_vocab - len(toks))]
    types += [1] * (n_vocab - len(types))
    return toks[:n_vocab], [0.0] * n_vocab, types[:n_vocab]


def write_gguf(a: Architecture, path: Path, mix: str) -> int:
    """Header + KV + tensor infos with calc_py's types; data left as a hole. Returns data bytes."""
    w = gguf.GGUFWriter(str(path), a.arch)
    w.add_name("calc_py oracle")
    w.add_uint32("general.file_type", MIXES[mix].ftype)
    add_kv(w, metadata(a))
    toks, scores, types = vocab(a.n_vocab)
    w.add_tokenizer_model("llama")
    w.add_token_list(toks)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    for wt in gguf_file_weights(a, mix, mtp_in_file=False).tensors:
        add_tensor_info(w, wt.tensor, wt.type, wt.nbytes)
    return finish_sparse(w, path)


# ------------------------------------------------------------------ the grid

@dataclass(frozen=True)
class Setting:
    n_ctx: int
    flash_attn: bool
    type_k: str
    type_v: str
    n_ubatch: int
    n_seq_max: int
    kv_unified: bool
    swa_full: bool = False
    n_batch: int = 2048


def grid(a: Architecture, quick: bool) -> list[Setting]:
    """Covers every axis: n_ctx 4096/32768/max, FA on/off, f16/q8_0/q4_0, ubatch 512/2048,
    1/4 sequences, unified on/off (a quantized V needs FA in llama.cpp)."""
    big = min(a.max_context, 131072)
    s = [
        Setting(4096, True, "f16", "f16", 512, 1, False),
        Setting(4096, False, "f16", "f16", 512, 1, False),
    ]
    if quick:
        return s
    s += [
        Setting(32768, True, "q8_0", "q8_0", 512, 1, False),
        Setting(32768, True, "q4_0", "q4_0", 2048, 1, False),
        Setting(big, True, "f16", "f16", 512, 1, False),
        Setting(big, False, "f16", "f16", 2048, 1, False),
        Setting(32768, True, "f16", "f16", 512, 4, False),
        Setting(32768, True, "f16", "f16", 512, 4, True),
        Setting(4096, False, "q8_0", "f16", 2048, 4, True),
        Setting(32768, False, "f16", "f16", 512, 4, False),
    ]
    if a.has_swa:
        s.append(Setting(32768, True, "f16", "f16", 512, 1, False, swa_full=True))
    return s


def load_model(path: Path) -> ctypes.c_void_p:
    mp = llama_cpp.llama_model_default_params()
    mp.n_gpu_layers = 0
    mp.no_alloc = True
    mp.load_mode = 0             # LLAMA_LOAD_MODE_NONE: the no_alloc pass maps nothing (llama-model.cpp asserts !no_alloc with mmap)
    mp.use_extra_bufts = False   # no CPU_REPACK buffers: weights stay in the plain CPU buffer
    mp.check_tensors = False
    model = llama_cpp.llama_model_load_from_file(str(path).encode(), mp)
    return model


def measure(model: ctypes.c_void_p, s: Setting) -> dict:
    cp = llama_cpp.llama_context_default_params()
    cp.n_ctx = s.n_ctx
    cp.n_batch = s.n_batch
    cp.n_ubatch = s.n_ubatch
    cp.n_seq_max = s.n_seq_max
    cp.flash_attn_type = 1 if s.flash_attn else 0
    cp.type_k = GGML_TYPE[s.type_k]
    cp.type_v = GGML_TYPE[s.type_v]
    cp.kv_unified = s.kv_unified
    cp.swa_full = s.swa_full
    cp.n_threads = cp.n_threads_batch = 1
    _LOG.clear()
    ctx = llama_cpp.llama_init_from_model(model, cp)
    log = "".join(_LOG)
    if not ctx:
        return {"error": log[-1500:]}
    rec: dict = {"breakdown": memory_breakdown(ctx)}
    kvs = [dict(zip(("size_mib", "cells", "layers", "n_seq", "n_stream", "type_k", "k_mib", "type_v", "v_mib"),
                    m.groups())) for m in _KV_LINE.finditer(log)]
    rec["kv_log"] = [{k: (v if k.startswith("type") else float(v) if "mib" in k else int(v))
                      for k, v in d.items()} for d in kvs]
    iswa = _ISWA_LINE.findall(log)
    if iswa:
        rec["iswa_log"] = {kind: int(n) for kind, n in iswa}
    rs = _RS_LINE.search(log)
    if rs:
        g = rs.groups()
        rec["rs_log"] = {"size_mib": float(g[0]), "cells": int(g[1]), "layers": int(g[2]),
                         "n_seq": int(g[3]), "n_rs_seq": int(g[4]), "type_r": g[5], "r_mib": float(g[6]),
                         "type_s": g[7], "s_mib": float(g[8]), "p_mib": float(g[10])}
    rec["output_log"] = {b: float(v) for b, v in _OUT_LINE.findall(log)}
    rec["compute_log"] = {b: float(v) for b, v in _COMPUTE_LINE.findall(log)}
    llama_cpp.llama_free(ctx)
    return rec


def model_bytes_by_mix(a: Architecture, path: Path) -> dict[str, int | str]:
    """{mix: model bytes llama.cpp allocates (breakdown ``model``, one 512-cell context)}
    for :data:`MODEL_MIXES`; a mix calc_py refuses (no fallback type) is skipped."""
    out: dict[str, int | str] = {}
    for mix in MODEL_MIXES:
        try:
            write_gguf(a, path, mix)
        except ValueError as e:
            out[mix] = f"calc_py refuses: {e}"
            continue
        model = load_model(path)
        if not model:
            out[mix] = "load failed"
            path.unlink()
            continue
        r = measure(model, Setting(512, True, "f16", "f16", 512, 1, False, n_batch=512))
        llama_cpp.llama_model_free(model)
        path.unlink()
        out[mix] = sum(b["model"] for b in r["breakdown"].values()) if "breakdown" in r else r["error"][-300:]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", action="append", help="substring of catalog ids to run (default: all)")
    ap.add_argument("--quick", action="store_true", help="two settings per model")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--mix", default=MIX)
    ap.add_argument("--keep-log", action="store_true", help="print llama.cpp's log on a load failure")
    ap.add_argument("--no-model-mixes", action="store_true", help="skip the model bytes of MODEL_MIXES")
    args = ap.parse_args(argv)

    llama_cpp.llama_log_set(_capture, ctypes.c_void_p(0))
    llama_cpp.llama_backend_init()
    WORK.mkdir(exist_ok=True)
    out_path = Path(args.out)
    old: dict = {}
    if out_path.exists() and args.model:
        old = {m["model"]: m for m in json.loads(out_path.read_text())["models"]}

    results: list[dict] = []
    failed: list[str] = []
    for entry in supported_models():
        if args.model and not any(s.lower() in entry.id.lower() for s in args.model):
            continue
        a = entry.architecture
        path = WORK / "oracle.gguf"
        t0 = time.time()
        write_gguf(a, path, args.mix)
        _LOG.clear()
        model = load_model(path)
        load_log = "".join(_LOG)
        if not model:
            err = [ln for ln in load_log.splitlines() if "error" in ln.lower() or "failed" in ln.lower()]
            print(f"{entry.id:50s} LOAD FAILED: {' | '.join(err[-3:])}")
            if args.keep_log:
                print(load_log[-4000:])
            failed.append(entry.id)
            results.append({"model": entry.id, "arch": a.arch, "mix": args.mix, "load_error": "\n".join(err[-5:])})
            path.unlink()
            continue
        model_log = {b: float(v) for b, v in _MODEL_LINE.findall(load_log)}
        recs = []
        for s in grid(a, args.quick):
            r = measure(model, s)
            r["settings"] = s.__dict__.copy()
            recs.append(r)
        llama_cpp.llama_model_free(model)
        path.unlink()
        mix_bytes = {} if args.no_model_mixes else model_bytes_by_mix(a, path)
        results.append({"model": entry.id, "arch": a.arch, "mix": args.mix, "model_log_mib": model_log,
                        "records": recs, "model_bytes_by_mix": mix_bytes})
        errs = sum(1 for r in recs if "error" in r)
        print(f"{entry.id:50s} {a.arch:10s} {len(recs)} records ({errs} ctx errors) {time.time() - t0:.1f}s",
              flush=True)

    if old:
        done = {r["model"] for r in results}
        results = [m for k, m in old.items() if k not in done] + results
    doc = {
        "about": "llama.cpp's own memory numbers for calc_py's tensor inventory; written by "
                 "benchmarks/llamacpp_oracle.py, replayed by tests/test_oracle.py",
        "llama_cpp_build": LLAMA_CPP_BUILD,
        "llama_cpp_python": llama_cpp.__version__,
        "backend": "CPU (n_gpu_layers=0, no_alloc=True, use_extra_bufts=False)",
        "units": {"breakdown": "exact bytes from llama_get_memory_breakdown()",
                  "*_mib / *_log": "MiB as llama.cpp logs them (%.2f)"},
        "models": sorted(results, key=lambda m: m["model"]),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"\n{len(results)} models, {sum(len(m.get('records', [])) for m in results)} records -> {out_path}; "
          f"{len(failed)} failed to load: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
