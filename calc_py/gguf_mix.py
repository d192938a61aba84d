"""Which ggml type llama.cpp's quantizer gives each tensor for a GGUF mix.

Why a port and not a table of "bits per weight": a mix such as Q4_K_M is not
one type. ``llama-quantize`` walks the tensors in a fixed order and, per
tensor, picks a type from the mix's default, the tensor's role (attn_v,
ffn_down, output ...), counters of how many such tensors it has already seen,
a few hyper-parameters (GQA ratio, expert count, the 70B heuristic) and the
row length (a row that is not a multiple of the block size falls back to a
32-block type). Getting any of this wrong shifts the file size by hundreds of
MiB, so this module follows llama.cpp line by line.

Source (llama.cpp build b11312, vendored by llama-cpp-python 0.3.36):

* ``src/llama-quant.cpp``: ``tensor_get_category``, ``tensor_allows_quantization``,
  ``tensor_type_fallback``, ``llama_tensor_get_type_impl``,
  ``llama_tensor_get_type``, ``tensor_requires_imatrix``,
  ``llama_ftype_get_default_type``, ``init_quantize_state_counters``,
  ``llama_model_quantize_impl``.
* ``src/llama-model-loader.h``: ``weight_name_comparer`` (iteration order).
* ``include/llama.h``: ``enum llama_ftype``; ``tools/quantize/quantize.cpp``:
  ``QUANT_OPTIONS`` (mix names).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from .ggml_types import GGML_TYPES, get_type
from .tensor import Tensor

__all__ = [
    "GgufMix",
    "MIXES",
    "QuantPlan",
    "plan_quantization",
    "plan_types",
    "tensor_category",
    "tensor_allows_quantization",
]


# --------------------------------------------------------------------------
# mixes
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class GgufMix:
    """One ``llama-quantize`` mix: its llama_ftype and its default tensor type."""

    name: str
    #: include/llama.h enum llama_ftype value (what general.file_type stores)
    ftype: int
    #: llama-quant.cpp llama_ftype_get_default_type(ftype), upper-case ggml name
    default_type: str
    #: quantize.cpp "COPY": params.only_copy -- every tensor keeps its source type
    only_copy: bool = False


# include/llama.h enum llama_ftype values
FTYPE_ALL_F32 = 0
FTYPE_MOSTLY_F16 = 1
FTYPE_MOSTLY_Q4_0 = 2
FTYPE_MOSTLY_Q4_1 = 3
FTYPE_MOSTLY_Q8_0 = 7
FTYPE_MOSTLY_Q5_0 = 8
FTYPE_MOSTLY_Q5_1 = 9
FTYPE_MOSTLY_Q2_K = 10
FTYPE_MOSTLY_Q3_K_S = 11
FTYPE_MOSTLY_Q3_K_M = 12
FTYPE_MOSTLY_Q3_K_L = 13
FTYPE_MOSTLY_Q4_K_S = 14
FTYPE_MOSTLY_Q4_K_M = 15
FTYPE_MOSTLY_Q5_K_S = 16
FTYPE_MOSTLY_Q5_K_M = 17
FTYPE_MOSTLY_Q6_K = 18
FTYPE_MOSTLY_IQ2_XXS = 19
FTYPE_MOSTLY_IQ2_XS = 20
FTYPE_MOSTLY_Q2_K_S = 21
FTYPE_MOSTLY_IQ3_XS = 22
FTYPE_MOSTLY_IQ3_XXS = 23
FTYPE_MOSTLY_IQ1_S = 24
FTYPE_MOSTLY_IQ4_NL = 25
FTYPE_MOSTLY_IQ3_S = 26
FTYPE_MOSTLY_IQ3_M = 27
FTYPE_MOSTLY_IQ2_S = 28
FTYPE_MOSTLY_IQ2_M = 29
FTYPE_MOSTLY_IQ4_XS = 30
FTYPE_MOSTLY_IQ1_M = 31
FTYPE_MOSTLY_BF16 = 32
FTYPE_MOSTLY_TQ1_0 = 36
FTYPE_MOSTLY_TQ2_0 = 37
FTYPE_MOSTLY_MXFP4_MOE = 38
# FTYPE_MOSTLY_NVFP4 = 39 exists in llama.h, but llama_ftype_get_default_type has no
# case for it (quantizing to it throws "invalid output file type"), and quantize.cpp
# does not offer it -- so it is deliberately not a mix here.
FTYPE_MOSTLY_Q1_0 = 40
FTYPE_MOSTLY_Q2_0 = 41

# name (tools/quantize/quantize.cpp QUANT_OPTIONS) -> ftype (include/llama.h) and
# default type (src/llama-quant.cpp llama_ftype_get_default_type)
_MIX_ROWS: tuple[tuple[str, int, str], ...] = (
    ("Q1_0", FTYPE_MOSTLY_Q1_0, "Q1_0"),
    ("Q2_0", FTYPE_MOSTLY_Q2_0, "Q2_0"),
    ("Q4_0", FTYPE_MOSTLY_Q4_0, "Q4_0"),
    ("Q4_1", FTYPE_MOSTLY_Q4_1, "Q4_1"),
    ("MXFP4_MOE", FTYPE_MOSTLY_MXFP4_MOE, "MXFP4"),
    ("Q5_0", FTYPE_MOSTLY_Q5_0, "Q5_0"),
    ("Q5_1", FTYPE_MOSTLY_Q5_1, "Q5_1"),
    ("IQ2_XXS", FTYPE_MOSTLY_IQ2_XXS, "IQ2_XXS"),
    ("IQ2_XS", FTYPE_MOSTLY_IQ2_XS, "IQ2_XS"),
    ("IQ2_S", FTYPE_MOSTLY_IQ2_S, "IQ2_XS"),      # sic: IQ2_S mix defaults to IQ2_XS
    ("IQ2_M", FTYPE_MOSTLY_IQ2_M, "IQ2_S"),       # sic: IQ2_M mix defaults to IQ2_S
    ("IQ1_S", FTYPE_MOSTLY_IQ1_S, "IQ1_S"),
    ("IQ1_M", FTYPE_MOSTLY_IQ1_M, "IQ1_M"),
    ("TQ1_0", FTYPE_MOSTLY_TQ1_0, "TQ1_0"),
    ("TQ2_0", FTYPE_MOSTLY_TQ2_0, "TQ2_0"),
    ("Q2_K", FTYPE_MOSTLY_Q2_K, "Q2_K"),
    ("Q2_K_S", FTYPE_MOSTLY_Q2_K_S, "Q2_K"),
    ("IQ3_XXS", FTYPE_MOSTLY_IQ3_XXS, "IQ3_XXS"),
    ("IQ3_S", FTYPE_MOSTLY_IQ3_S, "IQ3_S"),
    ("IQ3_M", FTYPE_MOSTLY_IQ3_M, "IQ3_S"),
    ("Q3_K", FTYPE_MOSTLY_Q3_K_M, "Q3_K"),        # quantize.cpp: "alias for Q3_K_M"
    ("IQ3_XS", FTYPE_MOSTLY_IQ3_XS, "IQ3_S"),     # sic: IQ3_XS mix defaults to IQ3_S
    ("Q3_K_S", FTYPE_MOSTLY_Q3_K_S, "Q3_K"),
    ("Q3_K_M", FTYPE_MOSTLY_Q3_K_M, "Q3_K"),
    ("Q3_K_L", FTYPE_MOSTLY_Q3_K_L, "Q3_K"),
    ("IQ4_NL", FTYPE_MOSTLY_IQ4_NL, "IQ4_NL"),
    ("IQ4_XS", FTYPE_MOSTLY_IQ4_XS, "IQ4_XS"),
    ("Q4_K", FTYPE_MOSTLY_Q4_K_M, "Q4_K"),        # quantize.cpp: "alias for Q4_K_M"
    ("Q4_K_S", FTYPE_MOSTLY_Q4_K_S, "Q4_K"),
    ("Q4_K_M", FTYPE_MOSTLY_Q4_K_M, "Q4_K"),
    ("Q5_K", FTYPE_MOSTLY_Q5_K_M, "Q5_K"),        # quantize.cpp: "alias for Q5_K_M"
    ("Q5_K_S", FTYPE_MOSTLY_Q5_K_S, "Q5_K"),
    ("Q5_K_M", FTYPE_MOSTLY_Q5_K_M, "Q5_K"),
    ("Q6_K", FTYPE_MOSTLY_Q6_K, "Q6_K"),
    ("Q8_0", FTYPE_MOSTLY_Q8_0, "Q8_0"),
    ("F16", FTYPE_MOSTLY_F16, "F16"),
    ("BF16", FTYPE_MOSTLY_BF16, "BF16"),
    ("F32", FTYPE_ALL_F32, "F32"),
)

#: mix name as ``llama-quantize`` spells it -> mix
MIXES: dict[str, GgufMix] = {name: GgufMix(name, ftype, dt) for name, ftype, dt in _MIX_ROWS}
# quantize.cpp QUANT_OPTIONS: { "COPY", LLAMA_FTYPE_ALL_F32, "only copy tensors, no quantizing" }
MIXES["COPY"] = GgufMix("COPY", FTYPE_ALL_F32, "F32", only_copy=True)

_IQ1_IQ2_FTYPES = frozenset({
    FTYPE_MOSTLY_IQ2_XXS, FTYPE_MOSTLY_IQ2_XS, FTYPE_MOSTLY_IQ1_S,
    FTYPE_MOSTLY_IQ2_S, FTYPE_MOSTLY_IQ2_M, FTYPE_MOSTLY_IQ1_M,
})


# --------------------------------------------------------------------------
# tensor categories and filters
# --------------------------------------------------------------------------

# llama-quant.cpp enum class tensor_category
TOKEN_EMBD = "TOKEN_EMBD"
ATTENTION_Q = "ATTENTION_Q"
ATTENTION_V = "ATTENTION_V"
ATTENTION_K = "ATTENTION_K"
ATTENTION_QKV = "ATTENTION_QKV"
ATTENTION_KV_B = "ATTENTION_KV_B"
ATTENTION_OUTPUT = "ATTENTION_OUTPUT"
FFN_UP = "FFN_UP"
FFN_GATE = "FFN_GATE"
FFN_DOWN = "FFN_DOWN"
OUTPUT = "OUTPUT"
OTHER = "OTHER"


def tensor_category(name: str) -> str:
    """``tensor_get_category``: substring tests, in llama.cpp's order (order matters)."""
    if name == "output.weight":  # tensor_name_match_output_weight
        return OUTPUT
    if name in ("token_embd.weight", "per_layer_token_embd.weight"):  # tensor_name_match_token_embd
        return TOKEN_EMBD
    for needle, cat in (
        ("attn_qkv.weight", ATTENTION_QKV),
        ("attn_kv_b.weight", ATTENTION_KV_B),
        ("attn_v.weight", ATTENTION_V),
        ("attn_k.weight", ATTENTION_K),
        ("attn_q.weight", ATTENTION_Q),
        ("attn_output.weight", ATTENTION_OUTPUT),
        ("ffn_up", FFN_UP),
        ("ffn_gate", FFN_GATE),
        ("ffn_down", FFN_DOWN),
    ):
        if needle in name:
            return cat
    return OTHER


def _category_is_attn_v(cat: str) -> bool:
    """``category_is_attn_v``: V-like tensors, the ones more sensitive to quantization."""
    return cat in (ATTENTION_V, ATTENTION_QKV, ATTENTION_KV_B)


def _n_dims(ne: Sequence[int]) -> int:
    """``ggml_n_dims``: trailing dimensions of size 1 do not count (so [4096, 1] is 1-D)."""
    for i in range(len(ne) - 1, 0, -1):
        if ne[i] > 1:
            return i + 1
    return 1


# llama-quant.cpp tensor_allows_quantization: substrings that keep a tensor as-is
_NOT_QUANTIZED_SUBSTRINGS: tuple[str, ...] = (
    "_norm.weight",              # norm tensors
    "ffn_gate_inp.weight",       # expert gating
    "ffn_gate_tid2eid.weight",   # DeepSeek-V4 i32 token-id -> expert-id table
    "altup", "laurel",           # gemma3n, very small
    "per_layer_model_proj",      # gemma3n, "not too big"
    "ssm_conv1d",                # Mamba/Kimi conv1d
    "shortconv.conv.weight",     # LFM2 conv
    "indexer.k_proj.weight", "indexer.q_proj.weight",  # MiniMax indexer
    # RWKV small 2-D weights
    "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight",
    "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight",
    "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight",
    "time_mix_g1.weight", "time_mix_g2.weight",
    "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight",
    "attn_rel_b.weight",         # T5 relative position bias
    # multimodal
    ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos",
    ".patch_embd", ".patch_merger",
    # audio codebook
    "a.rvq.codebook", "mm.a.code_embd",
)

# tensor_allows_quantization: `if (arch == LLM_ARCH_GLM5_NEXT)` extra exclusions
_GLM5_NEXT_NOT_QUANTIZED: tuple[str, ...] = (
    "hc_", "indexer.attn_q_b", "indexer.attn_k", "indexer.proj",
    "indexer_compressor_gate", "indexer_compressor_ape",
    "ssm_f_a.weight", "ssm_f_b.weight", "ssm_g_a.weight", "ssm_g_b.weight",
    "ssm_beta.weight", "attn_kv_a_mqa.weight", "attn_k_b.weight", "attn_v_b.weight",
)

# src/llama-arch.cpp LLM_ARCH_NAMES spellings of the architectures the rules name
ARCH_FALCON = "falcon"
ARCH_BAILINGMOE3 = "bailingmoe3"
ARCH_GLM5_NEXT = "glm5-next"


def tensor_allows_quantization(
    name: str,
    ne: Sequence[int],
    *,
    arch: str,
    only_copy: bool = False,
    quantize_output_tensor: bool = True,
) -> bool:
    """``tensor_allows_quantization``: may this tensor change type at all?

    Tensors failing it keep their source type whatever the mix (norms, 1-D
    biases, router weights, conv kernels ...).
    """
    if only_copy:
        return False
    # "quantize only 2D and 3D tensors (experts)"
    if _n_dims(ne) < 2:
        return False
    # `name.rfind("weight") == name.size() - 6` -- ends with "weight"; the unsigned
    # wrap-around also makes a 5-character name pass (npos == size()-6), kept for fidelity
    quantize = name.endswith("weight") or len(name) == 5
    if not quantize:
        return False
    if not quantize_output_tensor and name == "output.weight":
        return False
    if any(s in name for s in _NOT_QUANTIZED_SUBSTRINGS):
        return False
    # LLM_TN(arch)(LLM_TENSOR_POS_EMBD / LLM_TENSOR_TOKEN_TYPES, "weight"): fixed names
    if name in ("position_embd.weight", "token_types.weight"):
        return False
    if arch == ARCH_GLM5_NEXT and any(s in name for s in _GLM5_NEXT_NOT_QUANTIZED):
        return False
    return True


# --------------------------------------------------------------------------
# hyper-parameter derived facts
# --------------------------------------------------------------------------

def _is_llm_type_70b(arch: str, n_layer: int, n_head: int, n_head_kv: int, n_expert: int) -> bool:
    """Whether llama.cpp classifies the model as ``LLM_TYPE_70B`` (the only type the quantizer reads).

    From the per-arch ``load_arch_hparams`` in src/models/: llama.cpp (80 layers,
    GQA, not 8 experts), qwen2.cpp (80), deci.cpp (80), olmo.cpp (80), jais2.cpp (68).
    ``n_layer`` here is ``hparams.n_layer()`` (= block_count - nextn layers).
    """
    if arch == "llama":
        return n_expert != 8 and n_layer == 80 and n_head != n_head_kv
    if arch in ("qwen2", "deci", "olmo"):
        return n_layer == 80
    if arch == "jais2":
        return n_layer == 68
    return False


def _use_more_bits(i_layer: int, n_layers: int) -> bool:
    """llama_tensor_get_type_impl's ``use_more_bits``: first/last eighth and every third layer between.

    C++ ``/`` and ``%`` on ints truncate toward zero; the operands here are
    non-negative except ``i_layer - n_layers/8`` which can be negative, so we
    use a truncating modulo for that term.
    """
    q8 = n_layers // 8
    d = i_layer - q8
    rem = d - int(d / 3) * 3 if d < 0 else d % 3
    return i_layer < q8 or i_layer >= 7 * n_layers // 8 or rem == 2


_BLK_RE = re.compile(r"blk\.([+-]?\d+)")


def _name_layer(name: str) -> int | None:
    """``sscanf(name, "blk.%d.", &i)`` -- layer number at the start of the name, else None."""
    m = _BLK_RE.match(name)
    return int(m.group(1)) if m else None


def _weight_order_key(name: str) -> tuple[int, str]:
    """``llama_model_loader::weight_name_comparer``: by layer (non-block tensors = -1), then by name.

    The quantizer visits tensors in this order, and the attn_v / ffn_down
    counters that drive use_more_bits depend on it.
    """
    layer = _name_layer(name)
    # std::string operator< compares bytes; UTF-8 byte order == code point order == str order
    return (-1 if layer is None else layer, name)


# --------------------------------------------------------------------------
# the port
# --------------------------------------------------------------------------

@dataclass
class QuantPlan:
    """Outcome of planning a quantization: per-tensor types plus the warnings llama.cpp would print."""

    mix: GgufMix
    #: tensor name -> upper-case ggml type name, in the input's order
    types: dict[str, str]
    #: names of tensors whose row length forced tensor_type_fallback (qs.n_fallback)
    fallbacks: list[str] = field(default_factory=list)
    #: names whose target type needs an importance matrix (tensor_requires_imatrix);
    #: without one llama-quantize refuses to run (only --dry-run completes)
    requires_imatrix: list[str] = field(default_factory=list)

    @property
    def n_fallback(self) -> int:
        return len(self.fallbacks)


@dataclass
class _State:
    """``quantize_state_impl``: the counters carried from tensor to tensor."""

    n_attention_wv: int = 0
    n_ffn_down: int = 0
    n_ffn_gate: int = 0
    n_ffn_up: int = 0
    i_attention_wv: int = 0
    i_ffn_down: int = 0
    i_ffn_gate: int = 0
    i_ffn_up: int = 0
    has_imatrix: bool = False
    has_tied_embeddings: bool = True


@dataclass(frozen=True)
class _Model:
    """The hyper-parameters ``llama_tensor_get_type_impl`` reads from ``qs.model``."""

    arch: str
    n_layer_all: int
    n_gqa: int          # hparams.n_gqa() == n_head(0)/n_head_kv(0), 0 when n_head_kv == 0
    n_expert: int       # hparams.n_expert (raw)
    is_70b: bool


def _get_type_impl(qs: _State, m: _Model, new_type: str, name: str, ne: Sequence[int],
                   ftype: int, cat: str, output_tensor_type: str | None,
                   token_embedding_type: str | None, legacy_qkv: bool = False) -> str:
    """``llama_tensor_get_type_impl``: the mix rules proper.

    ``legacy_qkv``: the rule of llama.cpp before ``llama-quant.cpp`` sorted tensors
    into ``tensor_category`` (2024-2025 builds, which made the published phi-3 /
    phi-4 GGUFs). There ``llama_tensor_get_type`` matched ``attn_v.weight`` by
    name only, so a fused ``attn_qkv.weight`` skipped the attn_v rules (and the
    IQ1/IQ2 attn_v rule) and took its own branch: Q3_K_M/Q3_K_L/IQ3_M -> Q4_K,
    Q4_K_M -> Q5_K, Q5_K_M -> Q6_K, every other mix its default type. At b11312
    ``category_is_attn_v`` includes ATTENTION_QKV, so that branch is dead code.
    Evidence: the pre-refactor source (public copies of llama-quant.cpp, e.g.
    code-index file ids 44322876222, 51802121103) and the published phi-4 and
    Phi-3.5-mini listings gguf-0464..0503 (b11312 rules: up to +7.2 %; legacy
    rules: within 0.5 %).
    """
    arch = m.arch
    attn_v_like = _category_is_attn_v(cat) and not (legacy_qkv and cat == ATTENTION_QKV)
    n_expert_hp = m.n_expert
    n_expert = max(1, n_expert_hp)
    n_gqa = m.n_gqa

    def layer_info(i_layer: int, n_layer: int) -> tuple[int, int]:
        # MoE experts are not consecutive, so the layer comes from the name
        if n_expert > 1:
            parsed = _name_layer(name)
            if parsed is None:
                raise ValueError(f"Failed to determine layer for tensor {name}")
            if parsed < 0 or parsed >= n_layer:
                raise ValueError(f"Bad layer {parsed} for tensor {name}. Must be in [0, {n_layer})")
            i_layer = parsed
        return i_layer, n_layer

    # glm5-next: attn_q_a / attn_q_b / nextn.eh_proj never below Q8_0
    if arch == ARCH_GLM5_NEXT and ("attn_q_a" in name or "attn_q_b" in name or "nextn.eh_proj" in name):
        if new_type not in ("F32", "BF16", "F16"):
            return "Q8_0"

    if cat == OUTPUT or (qs.has_tied_embeddings and cat == TOKEN_EMBD):
        # tied embeddings: token_embd doubles as the output projection, so it gets the output rule
        if output_tensor_type is not None:
            new_type = output_tensor_type
        else:
            nx = ne[0]
            qk_k = GGML_TYPES[new_type].block_size
            if ftype == FTYPE_MOSTLY_MXFP4_MOE:
                new_type = "Q8_0"
            elif arch == ARCH_FALCON or nx % qk_k != 0:
                new_type = "Q8_0"
            elif ftype in (FTYPE_MOSTLY_IQ2_XXS, FTYPE_MOSTLY_IQ2_XS, FTYPE_MOSTLY_IQ3_XXS,
                           FTYPE_MOSTLY_IQ1_S, FTYPE_MOSTLY_IQ2_S, FTYPE_MOSTLY_IQ2_M,
                           FTYPE_MOSTLY_IQ1_M):
                new_type = "Q5_K"
            elif new_type != "Q8_0":
                new_type = "Q6_K"
    elif ftype == FTYPE_MOSTLY_MXFP4_MOE:
        # MoE tensors (3-D) -> MXFP4, everything else -> Q8_0
        is_bailingmoe3_expert = arch == ARCH_BAILINGMOE3 and cat in (FFN_UP, FFN_GATE, FFN_DOWN)
        ne2 = ne[2] if len(ne) > 2 else 1
        if ne2 > 1 and (arch != ARCH_BAILINGMOE3 or is_bailingmoe3_expert):
            new_type = "MXFP4"
        else:
            new_type = "Q8_0"
    elif cat == TOKEN_EMBD:
        if token_embedding_type is not None:
            new_type = token_embedding_type
        elif ftype in (FTYPE_MOSTLY_IQ2_XXS, FTYPE_MOSTLY_IQ2_XS, FTYPE_MOSTLY_IQ1_S, FTYPE_MOSTLY_IQ1_M):
            new_type = "Q2_K"
        elif ftype in (FTYPE_MOSTLY_IQ2_S, FTYPE_MOSTLY_IQ2_M):
            new_type = "IQ3_S"
        elif ftype == FTYPE_MOSTLY_IQ3_XXS:
            new_type = "IQ3_S"
        elif ftype in (FTYPE_MOSTLY_TQ1_0, FTYPE_MOSTLY_TQ2_0, FTYPE_MOSTLY_Q2_0):
            new_type = "Q4_K"
    elif ftype in _IQ1_IQ2_FTYPES:
        iq2s_or_m = ftype in (FTYPE_MOSTLY_IQ2_S, FTYPE_MOSTLY_IQ2_M)
        if attn_v_like:
            if n_gqa >= 4 or n_expert_hp >= 4:
                new_type = "Q4_K"
            else:
                new_type = "IQ3_S" if iq2s_or_m else "Q2_K"
            qs.i_attention_wv += 1
        elif n_expert_hp == 8 and cat == ATTENTION_K:
            new_type = "Q4_K"
        elif cat == FFN_DOWN:
            if qs.i_ffn_down < qs.n_ffn_down // 8:
                new_type = "IQ3_S" if iq2s_or_m else "Q2_K"
            qs.i_ffn_down += 1
        elif cat == ATTENTION_OUTPUT:
            if n_expert_hp == 8:
                new_type = "Q5_K"
            elif ftype in (FTYPE_MOSTLY_IQ1_S, FTYPE_MOSTLY_IQ1_M):
                new_type = "IQ2_XXS"
            elif iq2s_or_m:
                new_type = "IQ3_S"
    elif attn_v_like:
        if ftype == FTYPE_MOSTLY_Q2_K:
            new_type = "Q4_K" if n_gqa >= 4 else "Q3_K"
        elif ftype == FTYPE_MOSTLY_Q2_K_S and n_gqa >= 4:
            new_type = "Q4_K"
        elif ftype == FTYPE_MOSTLY_IQ3_XXS:
            new_type = "Q4_K" if n_gqa >= 4 else ("IQ3_S" if not qs.has_imatrix else "IQ3_XXS")
        elif ftype in (FTYPE_MOSTLY_IQ3_XS, FTYPE_MOSTLY_IQ3_S) and n_gqa >= 4:
            new_type = "Q4_K"
        elif ftype == FTYPE_MOSTLY_IQ3_M:
            new_type = "Q4_K"
        elif ftype == FTYPE_MOSTLY_Q3_K_M:
            new_type = "Q5_K" if qs.i_attention_wv < 2 else "Q4_K"
        elif ftype == FTYPE_MOSTLY_Q3_K_L:
            new_type = "Q5_K"
        elif ftype in (FTYPE_MOSTLY_IQ4_NL, FTYPE_MOSTLY_IQ4_XS) and n_gqa >= 4:
            new_type = "Q5_K"
        elif (ftype in (FTYPE_MOSTLY_Q4_K_M, FTYPE_MOSTLY_Q5_K_M)
              and _use_more_bits(qs.i_attention_wv, qs.n_attention_wv)):
            new_type = "Q6_K"
        elif ftype == FTYPE_MOSTLY_Q4_K_S and qs.i_attention_wv < 4:
            new_type = "Q5_K"
        if m.is_70b:
            # 8 heads share attn_v in the 70B: more bits cost little
            if new_type in ("Q3_K", "Q4_K"):
                new_type = "Q5_K"
        if n_expert_hp == 8:
            # "for the 8-expert model, bumping this to Q8_0 trades just ~128MB"
            new_type = "Q8_0"
        qs.i_attention_wv += 1
    elif cat == ATTENTION_K:
        if n_expert_hp == 8:
            new_type = "Q8_0"
        elif ftype == FTYPE_MOSTLY_IQ3_XS:
            new_type = "IQ3_XXS"
        elif ftype == FTYPE_MOSTLY_IQ3_XXS:
            new_type = "IQ2_S"
    elif cat == ATTENTION_Q:
        if ftype == FTYPE_MOSTLY_IQ3_XS:
            new_type = "IQ3_XXS"
        elif ftype == FTYPE_MOSTLY_IQ3_XXS:
            new_type = "IQ2_S"
    elif cat == FFN_DOWN:
        i_layer, n_layer = layer_info(qs.i_ffn_down, qs.n_ffn_down)
        if ftype == FTYPE_MOSTLY_Q2_K:
            new_type = "Q3_K"
        elif ftype == FTYPE_MOSTLY_Q2_K_S:
            if i_layer < n_layer // 8:
                new_type = "Q4_K"
        elif ftype == FTYPE_MOSTLY_IQ3_XXS and not qs.has_imatrix:
            new_type = "Q4_K" if i_layer < n_layer // 8 else "Q3_K"
        elif ftype == FTYPE_MOSTLY_Q3_K_M:
            if i_layer < n_layer // 16:
                new_type = "Q5_K"
            elif arch != ARCH_FALCON or _use_more_bits(i_layer, n_layer):
                new_type = "Q4_K"
            else:
                new_type = "Q3_K"
        elif ftype == FTYPE_MOSTLY_IQ3_M and (
                i_layer < n_layer // 8 or (n_expert_hp == 8 and _use_more_bits(i_layer, n_layer))):
            new_type = "Q4_K"
        elif ftype == FTYPE_MOSTLY_Q3_K_L:
            new_type = "Q4_K" if arch == ARCH_FALCON else "Q5_K"
        elif ftype == FTYPE_MOSTLY_Q4_K_M:
            if arch == ARCH_FALCON:
                if i_layer < n_layer // 16:
                    new_type = "Q6_K"
                elif _use_more_bits(i_layer, n_layer):
                    new_type = "Q5_K"
                else:
                    new_type = "Q4_K"
            elif _use_more_bits(i_layer, n_layer):
                new_type = "Q6_K"
        elif (i_layer < n_layer // 8 and ftype in (FTYPE_MOSTLY_IQ4_NL, FTYPE_MOSTLY_IQ4_XS)
              and not qs.has_imatrix):
            new_type = "Q5_K"
        elif ftype == FTYPE_MOSTLY_Q5_K_M and _use_more_bits(i_layer, n_layer):
            new_type = "Q6_K"
        elif ftype == FTYPE_MOSTLY_Q4_K_S and arch != ARCH_FALCON and i_layer < n_layer // 8:
            new_type = "Q5_K"
        elif (ftype in (FTYPE_MOSTLY_Q4_0, FTYPE_MOSTLY_Q5_0)
              and qs.has_imatrix and i_layer < n_layer // 8):
            new_type = "Q4_1" if ftype == FTYPE_MOSTLY_Q4_0 else "Q5_1"
        qs.i_ffn_down += 1
    elif cat == ATTENTION_OUTPUT:
        if arch != ARCH_FALCON:
            if n_expert_hp == 8:
                if ftype in (FTYPE_MOSTLY_Q2_K, FTYPE_MOSTLY_IQ3_XS, FTYPE_MOSTLY_IQ3_XXS,
                             FTYPE_MOSTLY_Q3_K_S, FTYPE_MOSTLY_Q3_K_M, FTYPE_MOSTLY_IQ4_NL,
                             FTYPE_MOSTLY_Q4_K_S, FTYPE_MOSTLY_Q4_K_M, FTYPE_MOSTLY_IQ3_S,
                             FTYPE_MOSTLY_IQ3_M, FTYPE_MOSTLY_IQ4_XS):
                    new_type = "Q5_K"
            else:
                if ftype == FTYPE_MOSTLY_Q2_K:
                    new_type = "Q3_K"
                elif ftype == FTYPE_MOSTLY_IQ3_XXS:
                    new_type = "IQ3_S"
                elif ftype == FTYPE_MOSTLY_Q3_K_M:
                    new_type = "Q4_K"
                elif ftype == FTYPE_MOSTLY_Q3_K_L:
                    new_type = "Q5_K"
                elif ftype == FTYPE_MOSTLY_IQ3_M:
                    new_type = "Q4_K"
        elif ftype == FTYPE_MOSTLY_Q3_K_L:
            new_type = "Q4_K"
    elif cat == ATTENTION_QKV:
        if ftype in (FTYPE_MOSTLY_Q3_K_M, FTYPE_MOSTLY_Q3_K_L, FTYPE_MOSTLY_IQ3_M):
            new_type = "Q4_K"
        elif ftype == FTYPE_MOSTLY_Q4_K_M:
            new_type = "Q5_K"
        elif ftype == FTYPE_MOSTLY_Q5_K_M:
            new_type = "Q6_K"
    elif cat == FFN_GATE:
        i_layer, n_layer = layer_info(qs.i_ffn_gate, qs.n_ffn_gate)
        if ftype == FTYPE_MOSTLY_IQ3_XS and n_layer // 8 <= i_layer < 7 * n_layer // 8:
            new_type = "IQ3_XXS"
        qs.i_ffn_gate += 1
    elif cat == FFN_UP:
        i_layer, n_layer = layer_info(qs.i_ffn_up, qs.n_ffn_up)
        if ftype == FTYPE_MOSTLY_IQ3_XS and n_layer // 8 <= i_layer < 7 * n_layer // 8:
            new_type = "IQ3_XXS"
        qs.i_ffn_up += 1

    return new_type


# tensor_type_fallback: 256-block types -> a 32-block type of similar size
_FALLBACK: dict[str, str] = {
    "IQ1_S": "IQ4_NL", "IQ1_M": "IQ4_NL", "IQ2_XXS": "IQ4_NL", "IQ2_XS": "IQ4_NL",
    "IQ2_S": "IQ4_NL", "IQ3_XXS": "IQ4_NL", "IQ3_S": "IQ4_NL", "IQ4_XS": "IQ4_NL",
    "Q2_0": "Q4_0", "Q2_K": "Q4_0", "Q3_K": "Q4_0", "TQ1_0": "Q4_0", "TQ2_0": "Q4_0",
    "Q4_K": "Q5_0",
    "Q5_K": "Q5_1",
    "Q6_K": "Q8_0",
}


def _type_fallback(name: str, ncols: int, target: str, fallbacks: list[str]) -> str:
    """``tensor_type_fallback``: a row that does not fill whole blocks gets a compatible type."""
    qk_k = GGML_TYPES[target].block_size
    if ncols % qk_k == 0:
        return target
    fallbacks.append(name)  # ++qs.n_fallback
    if target in _FALLBACK:
        ret = _FALLBACK[target]
    elif qk_k <= 32:
        # already a 32-block type: nothing smaller to demote to; the F16 check below applies
        ret = target
    else:
        raise ValueError(f"no tensor type fallback is defined for type {GGML_TYPES[target].ggml_name}")
    if ncols % GGML_TYPES[ret].block_size != 0:
        ret = "F16"  # "must use F16 due to unusual shape"
    return ret


def _requires_imatrix(name: str, dst_type: str, ftype: int) -> bool:
    """``tensor_requires_imatrix``: very low-bit targets are garbage without an importance matrix."""
    if name in ("token_embd.weight", "per_layer_token_embd.weight", "output.weight"):
        return False
    if dst_type in ("IQ3_XXS", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ1_M", "IQ1_S"):
        return True
    if dst_type == "Q2_K":
        # "the only exception is Q2_K tensors that are part of a Q2_K_S file"
        return ftype == FTYPE_MOSTLY_Q2_K_S
    return False


def _first(x: int | Sequence[int]) -> int:
    """Layer-0 value of a scalar-or-per-layer hyper-parameter (n_gqa() reads layer 0)."""
    return int(x) if isinstance(x, int) else int(x[0])


def _norm_type(t: str | None) -> str | None:
    return None if t is None else get_type(t).name


def plan_quantization(
    mix: str,
    tensors: Sequence[Tensor],
    *,
    arch: str,
    n_layer: int,
    n_head: int | Sequence[int],
    n_head_kv: int | Sequence[int],
    n_expert: int = 0,
    source_types: Mapping[str, str] | None = None,
    has_imatrix: bool = False,
    n_layer_nextn: int = 0,
    pure: bool = False,
    output_tensor_type: str | None = None,
    token_embedding_type: str | None = None,
    quantize_output_tensor: bool = True,
    tensor_type_overrides: Sequence[tuple[str, str]] = (),
    legacy_qkv: bool = False,
    keep_quantized_source: bool = False,
) -> QuantPlan:
    """Run llama.cpp's type selection for every tensor and keep its warnings too.

    Parameters mirror what ``llama_model_quantize_impl`` reads:

    * ``n_layer``: GGUF ``{arch}.block_count`` (hparams.n_layer_all; the ffn
      counters' denominator). ``n_layer_nextn``: ``{arch}.nextn_predict_layers``,
      only used for the 70B classification (hparams.n_layer()).
    * ``n_head`` / ``n_head_kv``: scalar or per-layer list; only layer 0 matters
      (``hparams.n_gqa()``).
    * ``n_expert``: ``{arch}.expert_count`` (0 for dense models).
    * ``has_imatrix``: an importance matrix was given (``--imatrix``).
    * ``pure`` / ``output_tensor_type`` / ``token_embedding_type`` /
      ``quantize_output_tensor`` / ``tensor_type_overrides``: the
      ``--pure``, ``--output-tensor-type``, ``--token-embedding-type``,
      ``--leave-output-tensor`` (False) and ``--tensor-type PATTERN=TYPE``
      options. Patterns are searched with Python ``re`` (llama.cpp uses
      std::regex ECMAScript; equal for ordinary patterns); first match wins.

    Two options model published files that b11312 itself would not produce
    (both off by default, i.e. b11312 exactly):

    * ``legacy_qkv``: fused ``attn_qkv`` tensors get the pre-``tensor_category``
      rule (see :func:`_get_type_impl`); only matters for architectures with
      a fused attn_qkv (phi3, the recurrent layers of qwen3next/qwen35).
    * ``keep_quantized_source``: a tensor whose *source* type (``source_types``)
      is already quantized is copied unchanged. That is what the published
      gpt-oss GGUFs show (unsloth's Q2_K..Q5_K_M, the llama-bench rows
      gguf-0249..0251: MoE experts stay MXFP4 whatever the label). b11312 does
      not do it on its own: ``llama_model_quantize_impl`` plans the mix type for
      the MXFP4 experts (``--dry-run`` prints the re-quantized size) and, on a
      real run, throws "requantizing from type mxfp4 is disabled" unless
      ``--allow-requantize`` is given, in which case it re-quantizes. The same
      file comes out of ``--tensor-type "_exps\\.weight$=mxfp4"`` (a manual
      type equal to the source type is copied, ``quantize = cur_type != new_type``).
    """
    try:
        gm = MIXES[mix]
    except KeyError:
        raise ValueError(f"unknown GGUF mix {mix!r}; known: {', '.join(MIXES)}") from None

    ftype = gm.ftype
    default_type = gm.default_type
    out_tt = _norm_type(output_tensor_type)
    tok_tt = _norm_type(token_embedding_type)
    patterns = [(re.compile(p), get_type(t).name) for p, t in tensor_type_overrides]

    h0, hkv0 = _first(n_head), _first(n_head_kv)
    model = _Model(
        arch=arch,
        n_layer_all=n_layer,
        n_gqa=0 if hkv0 == 0 else h0 // hkv0,
        n_expert=n_expert,
        is_70b=_is_llm_type_70b(arch, n_layer - n_layer_nextn, h0, hkv0, n_expert),
    )

    def source_type(t: Tensor) -> str:
        if source_types is not None and t.name in source_types:
            return get_type(source_types[t.name]).name
        return "F32" if _n_dims(t.ne) < 2 else "BF16"

    # llama_model_quantize_impl iterates ml.weights_map (sorted by weight_name_comparer)
    ordered = sorted(tensors, key=lambda t: _weight_order_key(t.name))

    # init_quantize_state_counters: counted over *all* tensors, quantizable or not
    qs = _State(has_imatrix=has_imatrix)
    for t in ordered:
        cat = tensor_category(t.name)
        if _category_is_attn_v(cat):
            qs.n_attention_wv += 1
        if cat == OUTPUT:
            qs.has_tied_embeddings = False
    qs.n_ffn_down = qs.n_ffn_gate = qs.n_ffn_up = n_layer

    fallbacks: list[str] = []
    chosen: dict[str, str] = {}
    needs_imatrix: list[str] = []
    default_is_quantized = GGML_TYPES[default_type].is_quantized

    for t in ordered:
        name, cat = t.name, tensor_category(t.name)
        if keep_quantized_source and GGML_TYPES[source_type(t)].is_quantized:
            chosen[name] = source_type(t)
            continue
        if not tensor_allows_quantization(name, t.ne, arch=arch, only_copy=gm.only_copy,
                                          quantize_output_tensor=quantize_output_tensor):
            chosen[name] = source_type(t)
            continue
        # llama_tensor_get_type (outer wrapper)
        if tok_tt is not None and cat == TOKEN_EMBD:
            named = name == "per_layer_token_embd.weight" and any(p.search(name) for p, _ in patterns)
            if not named:
                chosen[name] = tok_tt
                continue
        if out_tt is not None and cat == OUTPUT:
            chosen[name] = out_tt
            continue
        new_type = default_type
        if default_is_quantized:
            manual = False
            for p, qtype in patterns:
                if p.search(name):
                    new_type = qtype
                    manual = True
                    break
            if not manual and not pure:
                new_type = _get_type_impl(qs, model, new_type, name, t.ne, ftype, cat, out_tt, tok_tt,
                                          legacy_qkv=legacy_qkv)
            new_type = _type_fallback(name, t.ne[0], new_type, fallbacks)
        chosen[name] = new_type
        if _requires_imatrix(name, new_type, ftype):
            needs_imatrix.append(name)

    return QuantPlan(
        mix=gm,
        types={t.name: chosen[t.name] for t in tensors},
        fallbacks=fallbacks,
        requires_imatrix=needs_imatrix,
    )


def plan_types(
    mix: str,
    tensors: Sequence[Tensor],
    *,
    arch: str,
    n_layer: int,
    n_head: int | Sequence[int],
    n_head_kv: int | Sequence[int],
    n_expert: int = 0,
    source_types: Mapping[str, str] | None = None,
    **options: object,
) -> dict[str, str]:
    """tensor name -> ggml type name chosen by llama.cpp's quantizer for this mix.

    ``options`` are the extra keywords of :func:`plan_quantization`
    (``has_imatrix``, ``n_layer_nextn``, ``pure``, ``output_tensor_type``,
    ``token_embedding_type``, ``quantize_output_tensor``,
    ``tensor_type_overrides``, ``legacy_qkv``, ``keep_quantized_source``);
    all default to what a plain
    ``llama-quantize in.gguf out.gguf MIX`` does.
    """
    return plan_quantization(
        mix, tensors, arch=arch, n_layer=n_layer, n_head=n_head, n_head_kv=n_head_kv,
        n_expert=n_expert, source_types=source_types, **options,  # type: ignore[arg-type]
    ).types
