"""Step 1 of the memory model: what the network *is*, read from a config.json.

Everything downstream (weights tensor by tensor, KV cache, compute buffers) is
derived from this one normalised description, never from a parameter count.
The field names follow llama.cpp's hyper-parameters (``n_embd``, ``n_head_kv``,
``n_ff``, ``n_swa`` ...) because llama.cpp is the engine we check ourselves
against byte for byte; the parser below maps Hugging Face's many spellings
(``num_key_value_heads``, ``n_routed_experts``, ``text_config`` nesting ...) onto
them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, asdict
from pathlib import Path
from typing import Any, Mapping

from .config_fields import (Config, check_architecture, derived_head_dim, read_dtype, read_flag,
                            read_int, read_list, read_str)
from .errors import CalcError

# Hugging Face model_type -> llama.cpp architecture name (src/llama-arch.cpp,
# LLM_ARCH_NAMES). Families whose tensors llama.cpp lays out like Llama's map
# to "llama" (Mistral, Mixtral -- convert_hf_to_gguf.py writes them as llama).
HF_TO_LLAMA_ARCH: dict[str, str] = {
    "llama": "llama", "mistral": "llama", "mixtral": "llama", "mistral3": "llama",
    "codellama": "llama",
    "granite": "granite",
    "qwen2": "qwen2", "qwen2_moe": "qwen2moe",
    "qwen3": "qwen3", "qwen3_moe": "qwen3moe",
    "qwen3_next": "qwen3next", "qwen3_5": "qwen35", "qwen3_5_text": "qwen35",
    "qwen3_5_moe": "qwen35moe", "qwen3_5_moe_text": "qwen35moe",
    "gemma": "gemma", "gemma2": "gemma2", "gemma3": "gemma3", "gemma3_text": "gemma3",
    "phi3": "phi3",
    "deepseek_v2": "deepseek2", "deepseek_v3": "deepseek2", "kimi_k2": "deepseek2",
    "gpt_oss": "gpt-oss",
    "llama4": "llama4", "llama4_text": "llama4",
    "glm4_moe": "glm4moe",
    "cohere": "command-r", "cohere2": "cohere2",
    "minimax_m2": "minimax-m2",
    "olmo2": "olmo2",
    "smollm3": "smollm3",
    "exaone4": "exaone4",
    "ernie4_5_moe": "ernie4_5-moe",
}

# Default of tie_word_embeddings per model_type when config.json omits it:
# transformers' PretrainedConfig defaults to True, most decoder configs
# override it to False (e.g. LlamaConfig, Qwen2Config); Gemma and Cohere keep True.
_TIED_DEFAULT = {"gemma", "gemma2", "gemma3", "gemma3_text", "cohere", "cohere2", "ernie4_5_moe"}

# Families whose q/k/v projections always carry a bias (transformers'
# Qwen2Attention: bias=True for q,k,v; o_proj bias=False).
_QKV_BIAS_ALWAYS = {"qwen2", "qwen2_moe"}

# Families with per-head RMSNorm on q and k (transformers Qwen3Attention.q_norm,
# Gemma3Attention.q_norm, ...).
_QK_NORM_ALWAYS = {"qwen3", "qwen3_moe", "gemma3", "gemma3_text", "qwen3_next",
                   "qwen3_5", "qwen3_5_text", "qwen3_5_moe", "qwen3_5_moe_text",
                   "olmo2", "exaone4"}

# Where llama.cpp implements a sliding-window (or chunked) KV cache for the
# family, and the layer pattern it uses when config.json gives none
# (models/gemma2.cpp load_swa_pattern(ml, 2); gemma3.cpp 6; openai-moe.cpp 2;
# llama4.cpp 4 chunked; cohere2.cpp 4). Other families run full attention in
# llama.cpp even when config.json names a window (phi3.cpp: "Phi SWA is
# currently disabled"; Mistral/Qwen2 windows are not used by the llama/qwen2
# graphs).
_SWA_PATTERN = {"gemma2": 2, "gemma3": 6, "gpt-oss": 2, "llama4": 4, "cohere2": 4}


@dataclass(frozen=True)
class Architecture:
    """A decoder-only transformer (dense, MoE, MLA, SWA or hybrid), per layer.

    Per-layer tuples exist where real models vary by layer: KV heads (0 on a
    recurrent layer), dense FFN width (0 on an MoE layer), whether the layer
    is sliding-window, recurrent or MoE.
    """

    arch: str                      # llama.cpp architecture name
    hf_model_type: str
    n_layer: int
    n_embd: int
    n_vocab: int
    n_head: int
    n_head_kv: tuple[int, ...]     # per layer; 0 = no attention KV in that layer
    head_dim_k: int
    head_dim_v: int
    n_ff: tuple[int, ...]          # dense FFN width per layer; 0 on MoE layers
    max_context: int
    tied_embeddings: bool = False
    qkv_bias: bool = False
    out_bias: bool = False
    qk_norm: bool = False
    gated_ffn: bool = True
    # mixture of experts
    n_expert: int = 0
    n_expert_used: int = 0
    n_ff_exp: int = 0
    n_ff_shexp: int = 0            # total width of the shared expert(s)
    moe_layers: tuple[bool, ...] = ()
    expert_bias: bool = False      # per-expert biases (gpt-oss)
    router_bias: bool = False      # exp_probs_b (DeepSeek-V3 noaux_tc, GLM-4.5)
    shexp_gate: bool = False       # sigmoid gate on the shared expert (Qwen2-MoE, Qwen3-Next)
    # multi-head latent attention (DeepSeek-V2/V3, Kimi K2)
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    rope_dim: int = 0              # qk_rope_head_dim
    # sliding window
    n_swa: int = 0
    swa_layers: tuple[bool, ...] = ()
    swa_chunked: bool = False      # Llama 4: chunked attention, not a sliding window
    # hybrid: recurrent / linear-attention layers (Qwen3-Next gated DeltaNet)
    recurrent_layers: tuple[bool, ...] = ()
    ssm_d_conv: int = 0
    ssm_d_state: int = 0           # head_k_dim
    ssm_n_group: int = 0           # number of key heads
    ssm_dt_rank: int = 0           # number of value heads
    ssm_d_inner: int = 0           # value_dim = head_v_dim * n_v_heads
    rope_freqs: bool = False       # llama3-style rope scaling tensor in the GGUF
    rope_factors: int = 0          # phi3 longrope: floats in rope_factors_long/short (rotary dims / 2)
    # multi-token-prediction (NextN) blocks the converter appends after the
    # n_layer trunk blocks (GGUF block_count = n_layer + n_layer_nextn). llama.cpp
    # loads them only with --spec-type draft-mtp and gives them no KV in the main
    # context; they are in the file and in the published parameter count.
    n_layer_nextn: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)
    # the checkpoint's dtype name from config.json (torch_dtype / dtype), "" if absent
    torch_dtype: str = ""
    # transformers class defaults used for fields config.json left out:
    # (field, value, "transformers <version> <file> <Class>") -- said in the notes
    defaults_used: tuple[tuple[str, str, str], ...] = ()

    # --- derived facts -------------------------------------------------
    @property
    def is_moe(self) -> bool:
        return self.n_expert > 0

    @property
    def is_mla(self) -> bool:
        return self.kv_lora_rank > 0

    @property
    def is_hybrid(self) -> bool:
        return any(self.recurrent_layers)

    @property
    def has_swa(self) -> bool:
        return self.n_swa > 0 and any(self.swa_layers)

    def n_embd_k_gqa(self, il: int) -> int:
        """K width stored per token in layer ``il`` (llama_hparams::n_embd_k_gqa)."""
        if self.is_mla:
            # llama.cpp caches the compressed latent plus the rope part in K
            # (src/llama-kv-cache.cpp: has_v = !is_mla; models/deepseek2.cpp).
            return self.kv_lora_rank + self.rope_dim
        return self.head_dim_k * self.n_head_kv[il]

    def n_embd_v_gqa(self, il: int) -> int:
        if self.is_mla:
            return 0   # V is a view of K's latent part, no separate tensor
        return self.head_dim_v * self.n_head_kv[il]

    def attention_kind(self) -> str:
        if self.is_hybrid:
            return "hybrid"
        if self.is_mla:
            return "MLA"
        kv = max(self.n_head_kv) if self.n_head_kv else 0
        base = "MHA" if kv == self.n_head else ("MQA" if kv == 1 else "GQA")
        if self.has_swa:
            return base + (" + chunked" if self.swa_chunked else " + SWA")
        return base

    def summary(self) -> dict[str, Any]:
        """The facts a person checks against the model card."""
        kv = [h for h in self.n_head_kv if h]
        return {
            "arch": self.arch, "model_type": self.hf_model_type,
            "layers": self.n_layer, "hidden": self.n_embd, "vocab": self.n_vocab,
            "heads": self.n_head, "kv_heads": max(kv) if kv else 0,
            "head_dim": self.head_dim_k, "attention": self.attention_kind(),
            "experts": self.n_expert, "experts_used": self.n_expert_used,
            "sliding_window": self.n_swa if self.has_swa else 0,
            "swa_layers": sum(self.swa_layers) if self.has_swa else 0,
            "recurrent_layers": sum(self.recurrent_layers),
            "kv_lora_rank": self.kv_lora_rank,
            "max_context": self.max_context,
            "tied_embeddings": self.tied_embeddings,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ----------------------------------------------------------------------------
# config.json parsing
# ----------------------------------------------------------------------------

def load_config(source: str | Path | Mapping[str, Any]) -> dict[str, Any]:
    """A config.json as a dict, from a path, a JSON string or a mapping."""
    if isinstance(source, Mapping):
        return dict(source)
    text: str
    path = Path(str(source))
    try:
        if isinstance(source, Path) or (len(str(source)) < 4096 and path.exists()):
            text = path.read_text(encoding="utf-8")
        elif str(source).lstrip().startswith("{"):
            text = str(source)
        else:
            raise CalcError(f"config file not found: {source}", field="config")
    except OSError as exc:
        raise CalcError(f"cannot read config file {source}: {exc.strerror}", field="config")
    except UnicodeDecodeError:
        raise CalcError(f"config file {source} is not UTF-8 text (a config.json is JSON)", field="config")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:   # JSONDecodeError, 5000-digit integers
        raise CalcError(f"config is not valid JSON: {str(exc)[:200]}", field="config")
    except RecursionError:
        raise CalcError("config is not valid JSON: nested too deeply", field="config")
    if not isinstance(data, dict):
        raise CalcError("config.json must be a JSON object", field="config")
    return data


def _flatten(config: Mapping[str, Any]) -> Config:
    """Merge a multimodal config's text_config over its top level (a checked
    :class:`Config`, which knows the model_type whose transformers defaults apply)."""
    flat = {k: v for k, v in config.items() if k not in ("text_config", "vision_config")}
    text = config.get("text_config")
    if text is not None and not isinstance(text, Mapping):
        raise CalcError("config.json field 'text_config' must be a JSON object", field="config")
    if isinstance(text, Mapping):
        flat.update(text)
        flat["_outer_model_type"] = read_str(config, "model_type")
    model_type = read_str(flat, "model_type")
    return Config(flat, model_type if model_type in HF_TO_LLAMA_ARCH else "")


def _int(cfg: Mapping[str, Any], *keys: str, default: int | None = None,
         required: bool = True, lo: int = 0) -> int:
    """A checked integer field (calc_py.config_fields.read_int: types, NaN, limits,
    transformers' class default when missing)."""
    return read_int(cfg, *keys, default=default, required=required, lo=lo)


def _layer_flags(n_layer: int, predicate) -> tuple[bool, ...]:
    return tuple(bool(predicate(il)) for il in range(n_layer))


def from_config(config: Mapping[str, Any]) -> Architecture:
    """Normalise a Hugging Face config.json into an :class:`Architecture`."""
    if not isinstance(config, Mapping):
        raise CalcError("config.json must be a JSON object", field="config")
    cfg = _flatten(config)
    model_type = read_str(cfg, "model_type")
    outer = read_str(cfg, "_outer_model_type") or model_type
    arch = HF_TO_LLAMA_ARCH.get(model_type) or HF_TO_LLAMA_ARCH.get(outer)
    if arch is None:
        if not model_type:
            raise CalcError("config.json has no model_type", field="config")
        known = ", ".join(sorted(HF_TO_LLAMA_ARCH))
        raise CalcError(f"model_type {model_type!r} is not supported yet (supported: {known})",
                        field="config")

    n_layer = _int(cfg, "num_hidden_layers", "n_layer", "num_layers", lo=1)
    n_embd = _int(cfg, "hidden_size", "n_embd", "d_model", lo=1)
    n_vocab = _int(cfg, "vocab_size", lo=1)
    n_head = _int(cfg, "num_attention_heads", "n_head", lo=1)
    if n_layer == 0 or n_embd == 0 or n_vocab == 0 or n_head == 0:
        raise CalcError("config.json has a zero layer count, hidden size, vocabulary or head count",
                        field="config")
    if n_layer > 1000 or n_embd > 200_000 or n_vocab > 10_000_000 or n_head > 4096:
        raise CalcError("config.json describes an impossibly large model", field="config")
    kv_heads = _int(cfg, "num_key_value_heads", "n_head_kv", default=n_head)
    if read_flag(cfg, "multi_query"):
        kv_heads = 1
    head_dim = _int(cfg, "head_dim", required=False) or derived_head_dim(n_embd, n_head)
    head_dim_v = head_dim
    n_ff_dense = _int(cfg, "intermediate_size", "n_inner", "ffn_dim", default=4 * n_embd)
    max_ctx = _int(cfg, "max_position_embeddings", "max_sequence_length", "seq_length",
                   default=4096)
    notes: list[str] = []

    tied = read_flag(cfg, "tie_word_embeddings",
                     default=model_type in _TIED_DEFAULT or outer in _TIED_DEFAULT)
    qkv_bias = (read_flag(cfg, "attention_bias") or read_flag(cfg, "qkv_bias")
                or model_type in _QKV_BIAS_ALWAYS)
    out_bias = False
    qk_norm = model_type in _QK_NORM_ALWAYS or read_flag(cfg, "use_qk_norm")

    # ---- mixture of experts ---------------------------------------------
    n_expert = _int(cfg, "num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts",
                    default=0)
    n_expert_used = _int(cfg, "num_experts_per_tok", "num_experts_per_token", "moe_k", default=0)
    n_ff_exp = _int(cfg, "moe_intermediate_size", required=False) or (n_ff_dense if n_expert else 0)
    n_ff_shexp = 0
    moe_layers: tuple[bool, ...] = (False,) * n_layer
    router_bias = False
    shexp_gate = False
    expert_bias = False
    n_ff = [n_ff_dense] * n_layer
    if n_expert:
        if n_expert_used == 0 or n_expert_used > n_expert:
            raise CalcError("config.json: num_experts_per_tok must be between 1 and the expert count",
                            field="config")
        first_dense = _int(cfg, "first_k_dense_replace", default=0)
        step = _int(cfg, "decoder_sparse_step", default=1) or 1
        mlp_only = set(read_list(cfg, "mlp_only_layers", (int,)) or [])
        interleave = _int(cfg, "interleave_moe_layer_step", default=0)
        if interleave:
            moe_layers = _layer_flags(n_layer, lambda il: (il + 1) % interleave == 0)
        else:
            moe_layers = _layer_flags(
                n_layer, lambda il: il >= first_dense and il not in mlp_only and (il + 1) % step == 0)
        shared = _int(cfg, "n_shared_experts", "num_shared_experts", default=0)
        if _int(cfg, "shared_expert_intermediate_size", default=0):
            n_ff_shexp = _int(cfg, "shared_expert_intermediate_size")
            shexp_gate = True
        elif shared:
            n_ff_shexp = shared * n_ff_exp
        if arch == "llama4":
            # Llama4TextConfig: intermediate_size = expert width,
            # intermediate_size_mlp = dense layers' width; one shared expert.
            n_ff_exp = n_ff_dense
            n_ff_shexp = n_ff_dense
            n_ff_dense = _int(cfg, "intermediate_size_mlp", default=n_ff_dense)
        if arch == "gpt-oss":
            expert_bias = True
        # exp_probs_b: DeepSeek-V3's noaux_tc, GLM-4.5 (always), MiniMax-M2's
        # use_routing_bias (models/minimax-m2.cpp creates ffn_exp_probs_b as a
        # required tensor -- found by the oracle: the GGUF would not load without it).
        router_bias = ((read_str(cfg, "topk_method") == "noaux_tc") or arch == "glm4moe"
                       or read_flag(cfg, "use_routing_bias"))
        if arch == "ernie4_5-moe":
            # Ernie4_5_MoeDecoderLayer: MoE where (il + 1) % moe_layer_interval == 0 and
            # moe_layer_start_index <= il <= moe_layer_end_index; the shared experts are one
            # MLP of moe_num_shared_experts * moe_intermediate_size. The converter writes
            # exp_probs_b from moe_statics.e_score_correction_bias (conversion/ernie.py,
            # src/models/ernie4-5.cpp: ffn_exp_probs_b), F32 in the published checkpoint.
            start = _int(cfg, "moe_layer_start_index", default=0)
            interval = _int(cfg, "moe_layer_interval", default=1, lo=1)
            end = _int(cfg, "moe_layer_end_index", default=-1, lo=-1)
            end = n_layer - 1 if end < 0 else end
            moe_layers = _layer_flags(n_layer, lambda il: start <= il <= end and (il + 1) % interval == 0)
            n_ff_shexp = _int(cfg, "moe_num_shared_experts", default=0) * n_ff_exp
            router_bias = True
        n_ff = [0 if moe_layers[il] else n_ff_dense for il in range(n_layer)]

    # ---- multi-head latent attention -------------------------------------
    q_lora = kv_lora = rope_dim = 0
    if _int(cfg, "kv_lora_rank", default=0):
        kv_lora = _int(cfg, "kv_lora_rank")
        q_lora = _int(cfg, "q_lora_rank", default=0)
        rope_dim = _int(cfg, "qk_rope_head_dim")
        nope = _int(cfg, "qk_nope_head_dim")
        head_dim = nope + rope_dim
        head_dim_v = _int(cfg, "v_head_dim", default=head_dim)
        kv_heads = n_head

    # ---- sliding window ---------------------------------------------------
    n_swa = 0
    swa_layers: tuple[bool, ...] = (False,) * n_layer
    chunked = False
    layer_types = read_list(cfg, "layer_types", (str,))
    if arch in _SWA_PATTERN:
        if arch == "llama4":
            n_swa = _int(cfg, "attention_chunk_size", default=8192)
            chunked = True
            nope = read_list(cfg, "no_rope_layers", (int, bool))
            if isinstance(nope, list) and len(nope) == n_layer:
                # no_rope_layers[i] == 0 marks a NoPE (global) layer
                swa_layers = tuple(bool(x) for x in nope)
            else:
                swa_layers = _layer_flags(n_layer, lambda il: (il + 1) % 4 != 0)
        else:
            n_swa = _int(cfg, "sliding_window", default=4096 if arch == "gemma2" else 0)
            if isinstance(layer_types, list) and len(layer_types) == n_layer:
                swa_layers = tuple(t == "sliding_attention" for t in layer_types)
            else:
                pattern = _int(cfg, "sliding_window_pattern", "_sliding_window_pattern",
                               default=_SWA_PATTERN[arch], lo=1)
                swa_layers = _layer_flags(n_layer, lambda il: il % pattern < pattern - 1)
        if n_swa == 0:
            swa_layers = (False,) * n_layer

    if arch == "exaone4" and n_layer == 64:
        # src/models/exaone4.cpp load_arch_hparams: only the 64-layer model (EXAONE 4.0
        # 32B) runs sliding-window layers (swa_type STANDARD, n_swa 4096 unless the GGUF's
        # sliding_window says otherwise, load_swa_pattern(ml, 4)); any other layer count is
        # full attention everywhere. The pattern array is what conversion/exaone.py
        # Exaone4Model writes: layer_types, else sliding_window_pattern ("LLLG" or 4),
        # and only when config.json has a sliding_window.
        window = _int(cfg, "sliding_window", required=False)
        n_swa = window or 4096
        swa_layers = _layer_flags(n_layer, lambda il: il % 4 < 3)
        raw_pattern = cfg.get("sliding_window_pattern")
        if window and isinstance(layer_types, list) and len(layer_types) == n_layer:
            swa_layers = tuple(t == "sliding_attention" for t in layer_types)
        elif window and isinstance(raw_pattern, str) and raw_pattern:
            swa_layers = _layer_flags(n_layer, lambda il: raw_pattern[il % len(raw_pattern)] == "L")
        elif window and raw_pattern is not None:
            every = _int(cfg, "sliding_window_pattern", lo=1)
            swa_layers = _layer_flags(n_layer, lambda il: (il + 1) % every != 0)

    # ---- hybrid linear attention (Qwen3-Next / Qwen3.5) ---------------------
    recurrent = (False,) * n_layer
    ssm = dict(d_conv=0, d_state=0, n_group=0, dt_rank=0, d_inner=0)
    if arch in ("qwen3next", "qwen35", "qwen35moe"):
        if isinstance(layer_types, list) and len(layer_types) == n_layer:
            recurrent = tuple(t == "linear_attention" for t in layer_types)
        else:
            interval = _int(cfg, "full_attention_interval", default=4, lo=1)
            recurrent = _layer_flags(n_layer, lambda il: (il + 1) % interval != 0)
        head_k = _int(cfg, "linear_key_head_dim", default=128)
        head_v = _int(cfg, "linear_value_head_dim", default=128)
        n_k = _int(cfg, "linear_num_key_heads", default=16)
        n_v = _int(cfg, "linear_num_value_heads", default=32)
        ssm = dict(d_conv=_int(cfg, "linear_conv_kernel_dim", default=4), d_state=head_k,
                   n_group=n_k, dt_rank=n_v, d_inner=head_v * n_v)
        if head_k != head_v:
            notes.append("linear-attention key and value head dims differ; llama.cpp assumes equal")

    n_head_kv = tuple(0 if recurrent[il] else kv_heads for il in range(n_layer))

    if arch == "gpt-oss":
        qkv_bias = out_bias = True
    if arch == "granite":
        out_bias = bool(cfg.get("attention_bias"))
    rope_scaling = cfg.get("rope_scaling") or {}
    if not isinstance(rope_scaling, Mapping):
        raise CalcError("config.json field 'rope_scaling' must be a JSON object", field="config")
    rope_freqs = isinstance(rope_scaling, Mapping) and rope_scaling.get("rope_type") == "llama3"
    # phi3 longrope (Phi-3.5-mini, Phi-4-mini): convert_hf_to_gguf.py writes F32
    # rope_factors_long/short of int(partial_rotary_factor * n_embd) // n_head / 2
    # floats (conversion/phi.py Phi3MiniModel.generate_extra_tensors); found by
    # benchmarks/convert_check.py.
    rope_factors = 0
    if arch == "phi3" and rope_scaling.get("long_factor"):
        rot = int(float(cfg.get("partial_rotary_factor") or 1.0) * n_embd) // n_head
        rope_factors = rot // 2

    # NextN / MTP blocks that b11312's convert_hf_to_gguf.py writes by default
    # (without --no-mtp): conversion/glm.py Glm4MoeModel (num_nextn_predict_layers),
    # conversion/qwen.py _QwenMtpMixin (mtp_num_hidden_layers, else the number of
    # mtp.layers.N in the checkpoint: one for Qwen3-Next, whose published total
    # includes it). DeepSeek-V2/V3 (conversion/deepseek.py DeepseekV2Model,
    # skip_mtp = True) drop theirs.
    n_nextn = 0
    if arch == "glm4moe":
        n_nextn = _int(cfg, "num_nextn_predict_layers", default=0)
    elif arch in ("qwen35", "qwen35moe"):
        n_nextn = _int(cfg, "mtp_num_hidden_layers", default=0)
    elif arch == "qwen3next":
        n_nextn = _int(cfg, "mtp_num_hidden_layers", default=0) or 1

    return check_architecture(Architecture(
        arch=arch, hf_model_type=model_type, n_layer=n_layer, n_embd=n_embd,
        n_vocab=n_vocab, n_head=n_head, n_head_kv=n_head_kv, head_dim_k=head_dim,
        head_dim_v=head_dim_v, n_ff=tuple(n_ff), max_context=max_ctx,
        tied_embeddings=bool(tied), qkv_bias=qkv_bias, out_bias=out_bias, qk_norm=qk_norm,
        n_expert=n_expert, n_expert_used=n_expert_used, n_ff_exp=n_ff_exp if n_expert else 0,
        n_ff_shexp=n_ff_shexp, moe_layers=moe_layers, expert_bias=expert_bias,
        router_bias=router_bias, shexp_gate=shexp_gate,
        q_lora_rank=q_lora, kv_lora_rank=kv_lora, rope_dim=rope_dim,
        n_swa=n_swa, swa_layers=swa_layers, swa_chunked=chunked,
        recurrent_layers=recurrent, ssm_d_conv=ssm["d_conv"], ssm_d_state=ssm["d_state"],
        ssm_n_group=ssm["n_group"], ssm_dt_rank=ssm["dt_rank"], ssm_d_inner=ssm["d_inner"],
        rope_freqs=rope_freqs, rope_factors=rope_factors, n_layer_nextn=n_nextn, notes=tuple(notes),
        torch_dtype=read_dtype(cfg), defaults_used=tuple(cfg.defaults_used),
    ))
