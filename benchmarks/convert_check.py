"""An oracle that can disagree with us: llama.cpp's own converter on tiny checkpoints.

Why: benchmarks/llamacpp_oracle.py writes each GGUF header from calc_py's own
inventory, so it cannot notice a tensor we typed wrongly, left out, or that the
real converter adds. Here the expected value comes from the real tools' path:

1. for every llama.cpp architecture of the catalog (one case per distinct
   tiny architecture), shrink the catalog config.json (2-5 layers, hidden 256,
   a few experts; some rows a multiple of 256, some not), build the model with
   transformers' own class and random weights, save it as safetensors;
2. convert it with the ``convert_hf_to_gguf.py`` shipped in the llama-cpp-python
   0.3.36 sdist (vendor/llama.cpp = build b11312, the build the other oracles
   use), ``--outtype bf16`` and ``--outtype f16``;
3. read each GGUF with gguf-py: every tensor's name, shape and type;
4. run llama.cpp's quantizer on the BF16 file (``llama_model_quantize``,
   dry run, through benchmarks/oracle_quant_check.py) for every mix, and once
   for real on gpt-oss (``requantizing from type mxfp4 is disabled``).

The results go to tests/data/conformance/convert_b11312.json with the versions;
tests/test_conformance.py replays them against calc_py without torch.

Where a checkpoint part has no transformers module (the MTP/NextN blocks: the
HF classes drop ``mtp.*`` / ``model.layers.N`` beyond num_hidden_layers), the
tensors are added to the safetensors under the checkpoint's real names (the
names the converter's filter_tensors maps), marked in the record. The tokenizer
is not part of the comparison: ``set_vocab`` is replaced by an empty vocabulary
(``tokenizer.ggml.model = none``), which changes no tensor.

Run: ``make conformance`` (the oracle venv plus torch, transformers, safetensors).
Options: ``--case SUBSTR`` (repeatable), ``--sdist DIR`` (vendor/llama.cpp),
``--no-quant``, ``--keep DIR``.
"""
from __future__ import annotations

import argparse
import copy
import ctypes
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from calc_py.architecture import from_config  # noqa: E402
from calc_py.catalog import supported_models  # noqa: E402

LLAMA_CPP_BUILD = "b11312"
OUT = REPO / "tests" / "data" / "conformance" / f"convert_{LLAMA_CPP_BUILD}.json"
SDIST_DEFAULT = REPO / ".oracle-work" / "llama_cpp_python-0.3.36" / "vendor" / "llama.cpp"

# ----------------------------------------------------------------- tiny configs

#: config keys that are per-layer lists and must follow the new layer count
_LAYER_LISTS = ("layer_types", "no_rope_layers", "mlp_only_layers")


def _text_config(cfg: dict) -> dict:
    """The text model's config (multimodal outer configs: their text_config), as a model_type
    transformers builds with AutoModelForCausalLM."""
    out = {k: v for k, v in cfg.items() if k not in ("text_config", "vision_config", "architectures",
                                                      "auto_map", "quantization_config")}
    text = cfg.get("text_config")
    if isinstance(text, dict):
        out.update({k: v for k, v in text.items() if k not in ("architectures",)})
        out["model_type"] = text.get("model_type") or cfg["model_type"]
    mt = out["model_type"]
    # outer multimodal model types -> the text class of the same tensors
    out["model_type"] = {"gemma3": "gemma3_text", "llama4": "llama4_text", "mistral3": "mistral",
                         "qwen3_5": "qwen3_5_text", "qwen3_5_moe": "qwen3_5_moe_text",
                         "kimi_k2": "deepseek_v3"}.get(mt, mt)
    return out


def tiny_config(cfg: dict) -> tuple[dict, list[str]]:
    """A 2-5 layer, hidden-256 config of the same architecture, and notes on what was kept.

    Shapes: hidden 256 (a multiple of 256: no fallback), dense FFN 384 and expert FFN 128
    (not: ffn_down rows fall back), head_dim 64, vocab 512, GQA 4 where the model has GQA.
    """
    c = _text_config(cfg)
    mt = c["model_type"]
    notes: list[str] = []
    h0 = int(c.get("num_attention_heads") or 0)
    kv0 = int(c.get("num_key_value_heads") or h0)
    n_layer = 4
    c.update(hidden_size=256, vocab_size=512, intermediate_size=384)
    if kv0 == h0:
        heads, kv = 4, 4
    elif kv0 == 1:
        heads, kv = 4, 1
    else:
        heads, kv = 8, 2
    c.update(num_attention_heads=heads, num_key_value_heads=kv)
    if mt != "phi3":
        c["head_dim"] = 64
    else:
        c.pop("head_dim", None)
    for k in ("torch_dtype", "dtype"):
        c.pop(k, None)
    c["torch_dtype"] = "bfloat16"
    c["max_position_embeddings"] = min(int(c.get("max_position_embeddings") or 4096), 131072)
    # --- experts
    n_exp_key = next((k for k in ("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts")
                      if c.get(k)), None)
    if n_exp_key:
        n_exp = 8 if int(c[n_exp_key]) == 8 else 4     # keep Mixtral's 8 (the quantizer's n_expert == 8 rules)
        c[n_exp_key] = n_exp
        for k in ("num_experts_per_tok", "experts_per_token", "num_experts_per_token", "moe_k"):
            if k in c:
                c[k] = 2
        if "moe_k" not in c:        # ERNIE 4.5 names it moe_k only
            c.setdefault("num_experts_per_tok", 2)
        if "moe_intermediate_size" in c:
            c["moe_intermediate_size"] = 128
        if c.get("shared_expert_intermediate_size"):
            c["shared_expert_intermediate_size"] = 256
        if "n_group" in c:
            c["n_group"], c["topk_group"] = 1, 1
        if c.get("first_k_dense_replace"):
            c["first_k_dense_replace"] = 1
        if mt == "ernie4_5_moe":
            # conversion/ernie.py writes expert_shared_feed_forward_length as
            # intermediate_size // num_key_value_heads (21B-A3B: 12288 // 4 = 3072 = 2 x 1536,
            # the shared experts' width); keep that true so llama.cpp could load the file
            c["intermediate_size"] = 128 * int(c.get("moe_num_shared_experts") or 0) * kv or 384
            if c.get("moe_layer_start_index"):
                c["moe_layer_start_index"] = 1
            c.pop("moe_layer_end_index", None)
            if isinstance(c.get("moe_capacity"), list):
                c["moe_capacity"] = [4, 4, 4]
            notes.append("intermediate_size = moe_intermediate_size x moe_num_shared_experts x kv heads "
                         "(the converter's shared-expert width rule)")
    if mt == "llama4_text":
        c.update(intermediate_size=256, intermediate_size_mlp=384, num_local_experts=4)
        step = int(c.get("interleave_moe_layer_step") or 1)
        c["no_rope_layers"] = [0 if (i + 1) % 4 == 0 else 1 for i in range(n_layer)]
        if step > 1:
            c["interleave_moe_layer_step"] = 2
    if mt == "exaone4":
        # src/models/exaone4.cpp asks for attn_output {n_embd, n_embd}: n_head * head_dim = n_embd
        c["head_dim"] = 256 // heads
    if mt == "gpt_oss":
        c["intermediate_size"] = 256       # gpt-oss: intermediate_size is the experts' width (MXFP4 blocks of 32)
    # --- MLA
    if c.get("kv_lora_rank"):
        c.update(kv_lora_rank=64, qk_rope_head_dim=32, qk_nope_head_dim=64, v_head_dim=64,
                 num_key_value_heads=heads)
        c.pop("head_dim", None)
        if c.get("q_lora_rank"):
            c["q_lora_rank"] = 96
        rs = c.get("rope_scaling")
        if isinstance(rs, dict) and rs.get("original_max_position_embeddings"):
            c["max_position_embeddings"] = int(rs["original_max_position_embeddings"]) * int(rs.get("factor", 1))
    # --- hybrid linear attention
    if "linear_num_value_heads" in c:
        c.update(linear_num_key_heads=2, linear_num_value_heads=4, linear_key_head_dim=64,
                 linear_value_head_dim=64)
    # --- sliding windows
    if c.get("sliding_window"):
        c["sliding_window"] = 64
    if mt in ("gemma2", "gemma3_text", "cohere2") or c.get("layer_types"):
        n_layer = 6 if mt in ("gemma3_text",) else 4
    if mt == "phi3":
        rs = c.get("rope_scaling")
        if isinstance(rs, dict) and rs.get("long_factor"):
            rot = int(float(c.get("partial_rotary_factor", 1.0)) * 256) // heads
            rs = dict(rs, long_factor=[1.0 + i / 100 for i in range(rot // 2)],
                      short_factor=[1.0] * (rot // 2))
            c["rope_scaling"] = rs
            notes.append(f"rope long/short factors shrunk to {rot // 2} entries (rotary dims / 2)")
    if c.get("kv_lora_rank") and not c.get("q_lora_rank"):
        # models/deepseek2.cpp load_arch_hparams reads q_lora_rank unless n_layer is 26 or 27
        # ("lite variants"); the converter writes it only when the config has one
        n_layer = 27
        notes.append("27 layers: llama.cpp recognises a q_lora-less DeepSeek-V2 by its layer count")
    c["num_hidden_layers"] = n_layer
    lt = cfg.get("layer_types") or (cfg.get("text_config") or {}).get("layer_types")
    if isinstance(lt, list) and lt:
        period = next((i + 1 for i, t in enumerate(lt) if t != lt[0]), len(lt))
        c["layer_types"] = [lt[i % max(period, 1)] if period < len(lt) else lt[i] for i in range(n_layer)]
    elif "layer_types" in c:
        c.pop("layer_types")
    if mt == "gemma3_text":
        c["layer_types"] = ["sliding_attention" if (i + 1) % 6 else "full_attention" for i in range(n_layer)]
        c.pop("sliding_window_pattern", None)
    if c.get("mlp_only_layers"):
        c["mlp_only_layers"] = [0]
    for k in ("num_nextn_predict_layers", "mtp_num_hidden_layers"):
        if c.get(k):
            c[k] = 1
    c.pop("_name_or_path", None)
    # special token ids must lie inside the shrunk vocabulary (nn.Embedding's padding_idx)
    for k in [k for k in c if k.endswith("_token_id") or k.endswith("_token_index")]:
        v = c[k]
        if isinstance(v, int):
            c[k] = v % 512
        elif isinstance(v, list):
            c[k] = [x % 512 for x in v if isinstance(x, int)]
    return c, notes


def _arch_key(tiny: dict):  # noqa: ANN202
    a = from_config(tiny)
    return (a.hf_model_type, replace(a, max_context=0, notes=(), hf_model_type=""))


def cases() -> list[dict]:
    """One case per distinct tiny architecture over the supported catalog (first model wins)."""
    out: list[dict] = []
    seen = set()
    for m in supported_models():
        tiny, notes = tiny_config(copy.deepcopy(m.config))
        try:
            key = _arch_key(tiny)
        except Exception as e:  # noqa: BLE001
            print(f"skip {m.id}: calc_py cannot read its tiny config: {e}")
            continue
        key = (repr(key[1]), tiny["model_type"], bool(tiny.get("rope_scaling")))
        if key in seen:
            continue
        seen.add(key)
        name = f"{from_config(tiny).arch}:{m.id.split('/')[-1]}"
        out.append({"name": name, "catalog_model": m.id, "tiny_config": tiny, "notes": notes})
    return out


# ----------------------------------------------------------------- checkpoints

def build_checkpoint(case: dict, d: Path) -> dict:
    """Random-weight safetensors of the tiny config with transformers' class; returns provenance."""
    import torch
    import transformers
    from safetensors.torch import load_file, save_file

    tiny = dict(case["tiny_config"])
    mt = tiny["model_type"]
    n_layer = tiny["num_hidden_layers"]
    n_mtp = int(tiny.get("num_nextn_predict_layers") or tiny.get("mtp_num_hidden_layers") or 0)
    if mt == "qwen3_next":
        n_mtp = 1   # the published checkpoint carries mtp.layers.0 without mtp_num_hidden_layers
    build = dict(tiny)
    if n_mtp:
        # one more decoder layer to take the MTP block's layer weights from
        build["num_hidden_layers"] = n_layer + n_mtp
        if mt in ("qwen3_next", "qwen3_5_text", "qwen3_5_moe_text") and not build.get("layer_types"):
            k = int(build.get("full_attention_interval") or 4)
            build["layer_types"] = ["linear_attention" if (i + 1) % k else "full_attention"
                                    for i in range(n_layer)]
        if isinstance(build.get("layer_types"), list):
            # the MTP block is a full-attention decoder block
            build["layer_types"] = list(build["layer_types"]) + ["full_attention"] * n_mtp
    kwargs = {k: v for k, v in build.items() if k != "model_type"}
    config = transformers.AutoConfig.for_model(mt, **kwargs)
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_config(config, torch_dtype=torch.bfloat16)
    cls = type(model).__name__
    model.save_pretrained(d, safe_serialization=True)
    prov = {"transformers_class": cls, "config_class": type(config).__name__, "added_tensors": []}
    files = sorted(d.glob("*.safetensors"))
    sd: dict = {}
    for f in files:
        sd.update(load_file(str(f)))
        f.unlink()
    for f in d.glob("*.safetensors.index.json"):
        f.unlink()
    cfgj = json.loads((d / "config.json").read_text())
    if n_mtp:
        cfgj["num_hidden_layers"] = n_layer
        if isinstance(cfgj.get("layer_types"), list):
            cfgj["layer_types"] = cfgj["layer_types"][:n_layer]
        h = tiny["hidden_size"]
        extra: dict = {}
        if mt in ("qwen3_next", "qwen3_5_text", "qwen3_5_moe_text"):
            # conversion/qwen.py _QwenMtpMixin.filter_tensors: mtp.layers.N.* + mtp.{fc,pre_fc_norm_*,norm}
            for k in list(sd):
                p = f"model.layers.{n_layer}."
                if k.startswith(p):
                    extra["mtp.layers.0." + k[len(p):]] = sd.pop(k)
            extra["mtp.fc.weight"] = torch.randn(h, 2 * h, dtype=torch.bfloat16) * 0.02
            for n in ("pre_fc_norm_embedding", "pre_fc_norm_hidden", "norm"):
                extra[f"mtp.{n}.weight"] = torch.zeros(h, dtype=torch.bfloat16)
        else:
            # GLM-4.5 / DeepSeek-V3 style: model.layers.<n_layer>.{eh_proj,enorm,hnorm,shared_head.*,embed_tokens}
            p = f"model.layers.{n_layer}."
            v = tiny["vocab_size"]
            extra[p + "eh_proj.weight"] = torch.randn(h, 2 * h, dtype=torch.bfloat16) * 0.02
            extra[p + "enorm.weight"] = torch.ones(h, dtype=torch.bfloat16)
            extra[p + "hnorm.weight"] = torch.ones(h, dtype=torch.bfloat16)
            extra[p + "shared_head.norm.weight"] = torch.ones(h, dtype=torch.bfloat16)
            extra[p + "shared_head.head.weight"] = torch.randn(v, h, dtype=torch.bfloat16) * 0.02
            extra[p + "embed_tokens.weight"] = torch.randn(v, h, dtype=torch.bfloat16) * 0.02
        sd.update(extra)
        prov["added_tensors"] = sorted(extra)
        prov["mtp_note"] = ("the MTP/NextN block under the published checkpoint's names (transformers has "
                            "no module for it); its decoder-layer weights from transformers' own layer class")
    if mt == "gpt_oss":
        sd, added = _gpt_oss_mxfp4(sd)
        cfgj["quantization_config"] = {"quant_method": "mxfp4",
                                       "modules_to_not_convert": ["model.layers.*.self_attn", "model.layers.*.mlp.router",
                                                                  "model.embed_tokens", "lm_head"]}
        prov["added_tensors"] = added
        prov["mxfp4_note"] = ("experts stored as the published checkpoint stores them: *_blocks (uint8, 16 bytes "
                              "per 32 values) and *_scales (uint8 E8M0), quantization_config.quant_method = mxfp4")
    (d / "config.json").write_text(json.dumps(cfgj, indent=1))
    # conversion/gemma.py Gemma3Model.modify_tensors trims token_embd to the tokenizer's size
    # (len(model.vocab) + len(added_tokens)): a stand-in tokenizer.json of exactly vocab_size
    v = int(tiny["vocab_size"])
    (d / "tokenizer.json").write_text(json.dumps({"model": {"vocab": {f"t{i}": i for i in range(v)}},
                                                  "added_tokens": []}))
    save_file({k: v.contiguous() for k, v in sd.items()}, str(d / "model.safetensors"), metadata={"format": "pt"})
    return prov


def _gpt_oss_mxfp4(sd: dict) -> tuple[dict, list[str]]:
    """Replace gpt-oss's bf16 expert matrices by MXFP4 blocks/scales with the checkpoint's layout.

    HF layout (openai/gpt-oss-*): ``experts.gate_up_proj_blocks`` [E, 2*ff, n_embd/32, 16],
    ``..._scales`` [E, 2*ff, n_embd/32]; ``down_proj_blocks`` [E, n_embd, ff/32, 16].
    """
    import torch

    out, added = {}, []
    for k, v in sd.items():
        if k.endswith("mlp.experts.gate_up_proj") or k.endswith("mlp.experts.down_proj"):
            # transformers stores [E, in, out]; the checkpoint's blocks are [E, out, in/32, 16]
            e, n_in, n_out = v.shape
            blocks = torch.randint(0, 256, (e, n_out, n_in // 32, 16), dtype=torch.uint8)
            scales = torch.full((e, n_out, n_in // 32), 120, dtype=torch.uint8)
            out[k + "_blocks"], out[k + "_scales"] = blocks, scales
            added += [k + "_blocks", k + "_scales"]
        else:
            out[k] = v
    return out, added


# ----------------------------------------------------------------- converting

_DRIVER = r"""
import sys, runpy
vendor = sys.argv[1]
sys.path.insert(0, vendor)
sys.argv = [vendor + "/convert_hf_to_gguf.py"] + sys.argv[2:]
import convert_hf_to_gguf as c
orig = c.get_model_class
def patched(name, mmproj=False):
    cls = orig(name, mmproj=mmproj)
    def set_vocab(self):
        # the tokenizer is not compared: an empty vocabulary changes no tensor
        self.gguf_writer.add_tokenizer_model("none")
    cls.set_vocab = set_vocab
    return cls
c.get_model_class = patched
c.main()
"""


def convert(vendor: Path, model_dir: Path, out: Path, outtype: str) -> str:
    r = subprocess.run([sys.executable, "-c", _DRIVER, str(vendor), str(model_dir), "--outtype", outtype,
                        "--outfile", str(out)], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"convert_hf_to_gguf.py failed ({outtype}):\n{r.stderr[-3000:]}")
    return r.stderr


def read_gguf(path: Path) -> tuple[list[list], dict]:
    """[[name, ne (ggml order), type], ...] in file order, and a few KV values."""
    try:
        import gguf
    except ImportError:     # before the oracle venv has gguf: the sdist's own gguf-py
        sys.path.insert(0, str(SDIST_DEFAULT / "gguf-py"))
        import gguf

    r = gguf.GGUFReader(str(path))
    ts = [[t.name, [int(x) for x in t.shape], t.tensor_type.name] for t in r.tensors]
    kv = {}
    for key in r.fields:
        if key.endswith((".block_count", ".nextn_predict_layers", ".expert_count")) or key == "general.file_type":
            f = r.fields[key]
            kv[key] = int(f.parts[f.data[0]][0])
    return ts, kv


# ----------------------------------------------------------------- quantizer

def quant_plans(path: Path, tensors: list[list]) -> tuple[dict, dict]:
    """Per mix the quantizer's per-tensor types (dry run) on the converted BF16 file."""
    import llama_cpp
    from llama_log import capture
    from oracle_quant_check import QuantizeRefused, oracle_types, runs

    from calc_py.gguf_mix import MIXES

    llama_cpp.llama_log_set(capture, ctypes.c_void_p(0))
    plans, refused = {}, {}
    for mix in MIXES:
        try:
            res = oracle_types(path, mix)
        except QuantizeRefused as e:
            refused[mix] = e.reason
            continue
        plans[mix] = {"types": runs([res.types[n] for n, _, _ in tensors]), "n_fallback": res.n_fallback,
                      "quant_size_mib": res.quant_size_mib}
    return plans, refused


def real_quantize(path: Path, mix: str, **params: object) -> dict:
    """A real (not dry) llama_model_quantize run: the output's expert tensor types, or its refusal."""
    import llama_cpp
    from llama_log import LOG, capture

    from calc_py.gguf_mix import MIXES

    llama_cpp.llama_log_set(capture, ctypes.c_void_p(0))
    qp = llama_cpp.llama_model_quantize_default_params()
    qp.ftype = MIXES[mix].ftype
    qp.nthread = 1
    for k, v in params.items():
        setattr(qp, k, v)
    out = path.with_suffix(f".{mix}.gguf")
    LOG.clear()
    rc = llama_cpp.llama_model_quantize(str(path).encode(), str(out).encode(), ctypes.byref(qp))
    text = "".join(LOG)
    if rc != 0:
        import re
        why = re.findall(r"failed to quantize: (.*)", text)
        return {"refused": why[-1].strip() if why else text.strip().splitlines()[-1]}
    ts, _ = read_gguf(out)
    out.unlink()
    return {"expert_types": {n: t for n, _, t in ts if "_exps.weight" in n}}


# ----------------------------------------------------------------- main

def _versions(vendor: Path) -> dict:
    from importlib.metadata import version

    v = {}
    for p in ("torch", "transformers", "safetensors", "gguf", "llama_cpp_python", "numpy"):
        try:
            v[p] = version(p.replace("_", "-"))
        except Exception:  # noqa: BLE001
            v[p] = None
    gv = vendor / "gguf-py" / "pyproject.toml"
    if gv.exists():
        import re
        m = re.search(r'^version\s*=\s*"([^"]+)"', gv.read_text(), re.M)
        v["gguf_py_vendored"] = m.group(1) if m else None
    return v


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", action="append", help="substring of case names (default: all)")
    ap.add_argument("--sdist", default=str(SDIST_DEFAULT), help="the sdist's vendor/llama.cpp")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--no-quant", action="store_true")
    ap.add_argument("--keep", default=None, help="keep checkpoints and GGUFs under this folder")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    vendor = Path(args.sdist)
    all_cases = cases()
    if args.list:
        for c in all_cases:
            print(c["name"], c["tiny_config"]["model_type"])
        return 0
    sel = [c for c in all_cases if not args.case or any(s.lower() in c["name"].lower() for s in args.case)]
    out_path = Path(args.out)
    old = {}
    if out_path.exists() and args.case:
        old = {c["name"]: c for c in json.loads(out_path.read_text())["cases"]}
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="convert-check-"))
    root.mkdir(parents=True, exist_ok=True)
    results = []
    for case in sel:
        t0 = time.time()
        d = root / case["name"].replace(":", "_").replace("/", "_")
        d.mkdir(exist_ok=True)
        rec = dict(case)
        try:
            rec["source"] = build_checkpoint(case, d / "hf")
            for outtype in ("bf16", "f16"):
                g = d / f"{outtype}.gguf"
                convert(vendor, d / "hf", g, outtype)
                rec[f"converter_{outtype}"], rec[f"kv_{outtype}"] = read_gguf(g)
            if not args.no_quant:
                rec["quantizer"], rec["quantizer_refused"] = quant_plans(d / "bf16.gguf", rec["converter_bf16"])
                if case["tiny_config"]["model_type"] == "gpt_oss":
                    rec["real_quantize"] = {
                        "Q4_K_M": real_quantize(d / "bf16.gguf", "Q4_K_M"),
                        "Q4_K_M allow_requantize": real_quantize(d / "bf16.gguf", "Q4_K_M", allow_requantize=True),
                    }
        except Exception as e:  # noqa: BLE001
            rec["error"] = f"{type(e).__name__}: {e}"[-3000:]
            print(f"{case['name']:45s} ERROR {rec['error'][-600:]}", flush=True)
        if not args.keep:
            import shutil
            shutil.rmtree(d, ignore_errors=True)
        results.append(rec)
        n = len(rec.get("converter_bf16", []))
        print(f"{case['name']:45s} {n:4d} tensors, {len(rec.get('quantizer', {}))} plans, "
              f"{time.time() - t0:.1f}s", flush=True)
    if old:
        done = {r["name"] for r in results}
        results = [c for k, c in old.items() if k not in done] + results
    try:
        import llama_cpp
        llama_cpp_version = llama_cpp.__version__
    except ImportError:
        llama_cpp_version = None
    doc = {
        "about": "llama.cpp's own converter (convert_hf_to_gguf.py) and quantizer on tiny random-weight "
                 "checkpoints built with transformers' classes; written by benchmarks/convert_check.py, "
                 "replayed against calc_py by tests/test_conformance.py",
        "llama_cpp_build": LLAMA_CPP_BUILD,
        "llama_cpp_python": llama_cpp_version,
        "converter": "vendor/llama.cpp/convert_hf_to_gguf.py of the llama-cpp-python 0.3.36 sdist, "
                     "set_vocab replaced by an empty vocabulary",
        "versions": _versions(vendor),
        "format": {
            "cases[].tiny_config": "the config.json calc_py reads (text config; transformers built it)",
            "cases[].converter_bf16 / converter_f16": "[name, ne (ggml order), ggml type] in file order",
            "cases[].quantizer[MIX].types": "run-length groups [type, count] aligned with converter_bf16",
            "cases[].quantizer_refused[MIX]": "llama_model_quantize (dry run) returned non-zero: why",
            "cases[].source": "transformers class used, tensors added under the checkpoint's names",
        },
        "cases": sorted(results, key=lambda c: c["name"]),
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"{len(results)} cases -> {out_path} ({out_path.stat().st_size / 1e6:.2f} MB)")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
