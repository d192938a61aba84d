"""Step 2: every weight tensor of an architecture, named and shaped as llama.cpp loads it.

The lists below transcribe each architecture's ``load_arch_tensors`` in
llama.cpp (``src/models/<arch>.cpp`` at build b11312, plus
``llama_model_base::create_tensor_qkv`` in ``src/llama-model.cpp``); shapes are
in ggml order (``ne[0]`` = row length). The oracle
(``benchmarks/llamacpp_oracle.py``) writes a GGUF header from exactly this
inventory and lets llama.cpp load it: a missing or mis-shaped tensor makes it
refuse, so the inventory is checked by the engine itself.

Tensors llama.cpp has but a Hugging Face checkpoint does not (``rope_freqs``,
``rope_factors_*``: they live in config.json there) are marked so the
parameter count matches the published one.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from .architecture import Architecture
from .tensor import Tensor

#: GGUF tensors that are not parameters of the Hugging Face checkpoint.
NOT_HF_PARAMS = ("rope_freqs.weight", "rope_factors_long.weight", "rope_factors_short.weight")


class _Builder:
    def __init__(self) -> None:
        self.tensors: list[Tensor] = []

    def add(self, name: str, *ne: int, layer: int | None = None) -> None:
        self.tensors.append(Tensor(name, tuple(int(x) for x in ne), layer))

    def blk(self, il: int, name: str, *ne: int) -> None:
        self.add(f"blk.{il}.{name}", *ne, layer=il)


def _embeddings(b: _Builder, a: Architecture, force_output: bool = False) -> None:
    b.add("token_embd.weight", a.n_embd, a.n_vocab)
    b.add("output_norm.weight", a.n_embd)
    if force_output or not a.tied_embeddings:
        b.add("output.weight", a.n_embd, a.n_vocab)


def _qkv(b: _Builder, a: Architecture, il: int, q_mult: int = 1) -> None:
    """create_tensor_qkv: separate q/k/v (+ optional biases)."""
    n_q = a.head_dim_k * a.n_head * q_mult
    n_k = a.head_dim_k * a.n_head_kv[il]
    n_v = a.head_dim_v * a.n_head_kv[il]
    b.blk(il, "attn_q.weight", a.n_embd, n_q)
    b.blk(il, "attn_k.weight", a.n_embd, n_k)
    b.blk(il, "attn_v.weight", a.n_embd, n_v)
    if a.qkv_bias:
        b.blk(il, "attn_q.bias", n_q)
        b.blk(il, "attn_k.bias", n_k)
        b.blk(il, "attn_v.bias", n_v)


def _attn_out(b: _Builder, a: Architecture, il: int) -> None:
    b.blk(il, "attn_output.weight", a.head_dim_v * a.n_head, a.n_embd)
    if a.out_bias:
        b.blk(il, "attn_output.bias", a.n_embd)


def _dense_ffn(b: _Builder, a: Architecture, il: int, bias: bool = False) -> None:
    n_ff = a.n_ff[il]
    b.blk(il, "ffn_gate.weight", a.n_embd, n_ff)
    b.blk(il, "ffn_down.weight", n_ff, a.n_embd)
    b.blk(il, "ffn_up.weight", a.n_embd, n_ff)
    if bias:
        b.blk(il, "ffn_gate.bias", n_ff)
        b.blk(il, "ffn_down.bias", a.n_embd)
        b.blk(il, "ffn_up.bias", n_ff)


def _experts(b: _Builder, a: Architecture, il: int) -> None:
    e, ff = a.n_expert, a.n_ff_exp
    b.blk(il, "ffn_gate_inp.weight", a.n_embd, e)
    if a.expert_bias:
        b.blk(il, "ffn_gate_inp.bias", e)
    if a.router_bias:
        if a.arch == "ernie4_5-moe":
            # {n_expert, 1}: the checkpoint's moe_statics.e_score_correction_bias is [1, n_expert]
            # and the converter keeps both dims (benchmarks/convert_check.py); llama.cpp asks for
            # {n_expert}, the same ggml shape
            b.blk(il, "exp_probs_b.bias", e, 1)
        else:
            b.blk(il, "exp_probs_b.bias", e)
    b.blk(il, "ffn_gate_exps.weight", a.n_embd, ff, e)
    b.blk(il, "ffn_down_exps.weight", ff, a.n_embd, e)
    b.blk(il, "ffn_up_exps.weight", a.n_embd, ff, e)
    if a.expert_bias:
        b.blk(il, "ffn_gate_exps.bias", ff, e)
        b.blk(il, "ffn_down_exps.bias", a.n_embd, e)
        b.blk(il, "ffn_up_exps.bias", ff, e)
    if a.n_ff_shexp:
        if a.shexp_gate:
            # {n_embd, 1}: what convert_hf_to_gguf.py writes (the HF [1, n_embd] weight
            # unsqueezed); llama.cpp asks for {n_embd}, the same ggml shape
            b.blk(il, "ffn_gate_inp_shexp.weight", a.n_embd, 1)
        b.blk(il, "ffn_gate_shexp.weight", a.n_embd, a.n_ff_shexp)
        b.blk(il, "ffn_down_shexp.weight", a.n_ff_shexp, a.n_embd)
        b.blk(il, "ffn_up_shexp.weight", a.n_embd, a.n_ff_shexp)


def _ffn(b: _Builder, a: Architecture, il: int, bias: bool = False) -> None:
    if a.is_moe and a.moe_layers[il]:
        _experts(b, a, il)
    else:
        _dense_ffn(b, a, il, bias)


def _llama_like(b: _Builder, a: Architecture) -> None:
    """llama, granite, qwen2, qwen3, qwen2moe, qwen3moe, minimax-m2, smollm3, and ernie4_5-moe
    (src/models/ernie4-5.cpp: llama's layer, dense FFN in the leading layers, then router +
    ``exp_probs_b`` + experts + shared experts moe_num_shared_experts * moe_intermediate_size wide)."""
    _embeddings(b, a)
    if a.rope_freqs:
        b.add("rope_freqs.weight", a.head_dim_k // 2)
    for il in range(a.n_layer):
        b.blk(il, "attn_norm.weight", a.n_embd)
        _qkv(b, a, il)
        if a.qk_norm:
            if a.arch == "minimax-m2":
                b.blk(il, "attn_q_norm.weight", a.head_dim_k * a.n_head)
                b.blk(il, "attn_k_norm.weight", a.n_embd_k_gqa(il))
            else:
                b.blk(il, "attn_q_norm.weight", a.head_dim_k)
                b.blk(il, "attn_k_norm.weight", a.head_dim_k)
        _attn_out(b, a, il)
        b.blk(il, "ffn_norm.weight", a.n_embd)
        _ffn(b, a, il, bias=a.arch == "granite" and a.out_bias)


def _olmo2(b: _Builder, a: Architecture) -> None:
    """olmo2 (models/olmo2.cpp): no pre-norms; post-attention and post-FFN norms;
    q/k norms over all heads ({n_head*head_dim}, {n_head_kv*head_dim}). Found by
    benchmarks/convert_check.py (calc_py had the llama layout before)."""
    _embeddings(b, a)
    for il in range(a.n_layer):
        _qkv(b, a, il)
        _attn_out(b, a, il)
        b.blk(il, "attn_q_norm.weight", a.head_dim_k * a.n_head)
        b.blk(il, "attn_k_norm.weight", a.n_embd_k_gqa(il))
        b.blk(il, "post_attention_norm.weight", a.n_embd)
        _dense_ffn(b, a, il)
        b.blk(il, "post_ffw_norm.weight", a.n_embd)


def _exaone4(b: _Builder, a: Architecture) -> None:
    """exaone4 (src/models/exaone4.cpp): no pre-norms; post-attention and post-FFN norms
    like olmo2 but per-head q/k norms ({head_dim}); ``rope_freqs`` {n_rot/2} with llama3
    rope scaling (conversion/exaone.py Exaone4Model.generate_extra_tensors; created for
    layer 0, TENSOR_DUPLICATED for the others); output tied unless the file has one."""
    _embeddings(b, a)
    if a.rope_freqs:
        b.add("rope_freqs.weight", a.head_dim_k // 2, layer=0)
    for il in range(a.n_layer):
        _qkv(b, a, il)
        _attn_out(b, a, il)
        b.blk(il, "post_attention_norm.weight", a.n_embd)
        b.blk(il, "attn_q_norm.weight", a.head_dim_k)
        b.blk(il, "attn_k_norm.weight", a.head_dim_k)
        _dense_ffn(b, a, il)
        b.blk(il, "post_ffw_norm.weight", a.n_embd)


def _gemma(b: _Builder, a: Architecture) -> None:
    """gemma (1), gemma2, gemma3: tied output; 2 and 3 add post-norms, 3 adds q/k norm."""
    _embeddings(b, a)
    for il in range(a.n_layer):
        b.blk(il, "attn_norm.weight", a.n_embd)
        _qkv(b, a, il)
        if a.arch == "gemma3":
            b.blk(il, "attn_q_norm.weight", a.head_dim_k)
            b.blk(il, "attn_k_norm.weight", a.head_dim_k)
        _attn_out(b, a, il)
        if a.arch != "gemma":
            b.blk(il, "post_attention_norm.weight", a.n_embd)
        b.blk(il, "ffn_norm.weight", a.n_embd)
        _dense_ffn(b, a, il)
        if a.arch != "gemma":
            b.blk(il, "post_ffw_norm.weight", a.n_embd)


def _phi3(b: _Builder, a: Architecture) -> None:
    """phi3: fused attn_qkv and fused gate+up in ffn_up (models/phi3.cpp).

    Longrope models (Phi-3.5-mini, Phi-4-mini) carry ``rope_factors_long`` /
    ``rope_factors_short`` {n_rot/2} F32: the converter writes them
    (conversion/phi.py generate_extra_tensors) and models/phi3.cpp creates them
    for layer 0 (``TENSOR_DUPLICATED`` for the other layers: one copy per buffer
    type). Found by benchmarks/convert_check.py (384 bytes on Phi-3.5-mini).
    """
    _embeddings(b, a)
    n_factors = a.rope_factors
    if n_factors:
        b.add("rope_factors_long.weight", n_factors, layer=0)
        b.add("rope_factors_short.weight", n_factors, layer=0)
    for il in range(a.n_layer):
        b.blk(il, "attn_norm.weight", a.n_embd)
        n_kv = a.head_dim_k * a.n_head_kv[il]
        b.blk(il, "attn_qkv.weight", a.n_embd, a.n_embd + 2 * n_kv)
        _attn_out(b, a, il)
        b.blk(il, "ffn_norm.weight", a.n_embd)
        b.blk(il, "ffn_down.weight", a.n_ff[il], a.n_embd)
        b.blk(il, "ffn_up.weight", a.n_embd, 2 * a.n_ff[il])


def _deepseek2(b: _Builder, a: Architecture) -> None:
    """deepseek2 with MLA: split attn_k_b / attn_v_b as current converters write them."""
    _embeddings(b, a)
    nope = a.head_dim_k - a.rope_dim
    for il in range(a.n_layer):
        b.blk(il, "attn_norm.weight", a.n_embd)
        if a.q_lora_rank:
            b.blk(il, "attn_q_a_norm.weight", a.q_lora_rank)
        b.blk(il, "attn_kv_a_norm.weight", a.kv_lora_rank)
        if a.q_lora_rank:
            b.blk(il, "attn_q_a.weight", a.n_embd, a.q_lora_rank)
            b.blk(il, "attn_q_b.weight", a.q_lora_rank, a.n_head * a.head_dim_k)
        else:
            b.blk(il, "attn_q.weight", a.n_embd, a.n_head * a.head_dim_k)
        b.blk(il, "attn_kv_a_mqa.weight", a.n_embd, a.kv_lora_rank + a.rope_dim)
        b.blk(il, "attn_k_b.weight", nope, a.kv_lora_rank, a.n_head)
        b.blk(il, "attn_v_b.weight", a.kv_lora_rank, a.head_dim_v, a.n_head)
        b.blk(il, "attn_output.weight", a.n_head * a.head_dim_v, a.n_embd)
        b.blk(il, "ffn_norm.weight", a.n_embd)
        _ffn(b, a, il)


def _gpt_oss(b: _Builder, a: Architecture) -> None:
    """gpt-oss (models/openai-moe.cpp): sinks, biases everywhere, untied output."""
    _embeddings(b, a, force_output=True)
    for il in range(a.n_layer):
        b.blk(il, "attn_norm.weight", a.n_embd)
        b.blk(il, "post_attention_norm.weight", a.n_embd)
        _qkv(b, a, il)
        _attn_out(b, a, il)
        b.blk(il, "attn_sinks.weight", a.n_head)
        _experts(b, a, il)


def _llama4(b: _Builder, a: Architecture) -> None:
    """llama4: models/llama4.cpp; ``rope_freqs`` {n_rot/2} with llama3 rope scaling
    (Scout; conversion/llama.py writes it, found by benchmarks/convert_check.py)."""
    _embeddings(b, a)
    if a.rope_freqs:
        b.add("rope_freqs.weight", a.head_dim_k // 2)
    for il in range(a.n_layer):
        b.blk(il, "attn_norm.weight", a.n_embd)
        _qkv(b, a, il)
        _attn_out(b, a, il)
        b.blk(il, "ffn_norm.weight", a.n_embd)
        _ffn(b, a, il)


def _glm4moe(b: _Builder, a: Architecture) -> None:
    _embeddings(b, a)
    for il in range(a.n_layer):
        b.blk(il, "attn_norm.weight", a.n_embd)
        _qkv(b, a, il)
        if a.qk_norm:
            b.blk(il, "attn_q_norm.weight", a.head_dim_k)
            b.blk(il, "attn_k_norm.weight", a.head_dim_k)
        _attn_out(b, a, il)
        b.blk(il, "post_attention_norm.weight", a.n_embd)
        _ffn(b, a, il)


def _command_r(b: _Builder, a: Architecture) -> None:
    """command-r / cohere2: parallel attention+FFN, one norm per layer, tied output."""
    _embeddings(b, a)
    for il in range(a.n_layer):
        b.blk(il, "attn_norm.weight", a.n_embd)
        _qkv(b, a, il)
        if a.qk_norm and a.arch == "command-r":
            b.blk(il, "attn_q_norm.weight", a.head_dim_k, a.n_head)
            b.blk(il, "attn_k_norm.weight", a.head_dim_k, a.n_head_kv[il])
        _attn_out(b, a, il)
        _dense_ffn(b, a, il)


def _qwen3next(b: _Builder, a: Architecture) -> None:
    """qwen3next / qwen35 / qwen35moe: gated attention every Nth layer, gated DeltaNet elsewhere."""
    _embeddings(b, a)
    key_dim = a.ssm_d_state * a.ssm_n_group
    value_dim = a.ssm_d_inner
    conv_dim = 2 * key_dim + value_dim
    head_v_dim = value_dim // a.ssm_dt_rank if a.ssm_dt_rank else 0
    for il in range(a.n_layer):
        b.blk(il, "attn_norm.weight", a.n_embd)
        b.blk(il, "post_attention_norm.weight", a.n_embd)
        if not a.recurrent_layers[il]:
            _qkv(b, a, il, q_mult=2)   # q carries its output gate: n_head*head_dim*2
            _attn_out(b, a, il)
            b.blk(il, "attn_q_norm.weight", a.head_dim_k)
            b.blk(il, "attn_k_norm.weight", a.head_dim_k)
        else:
            b.blk(il, "attn_qkv.weight", a.n_embd, conv_dim)
            b.blk(il, "attn_gate.weight", a.n_embd, value_dim)
            b.blk(il, "ssm_conv1d.weight", a.ssm_d_conv, conv_dim)
            b.blk(il, "ssm_dt.bias", a.ssm_dt_rank)
            b.blk(il, "ssm_a", a.ssm_dt_rank)
            if a.arch == "qwen3next":
                b.blk(il, "ssm_ba.weight", a.n_embd, 2 * a.ssm_dt_rank)
            else:
                b.blk(il, "ssm_beta.weight", a.n_embd, a.ssm_dt_rank)
                b.blk(il, "ssm_alpha.weight", a.n_embd, a.ssm_dt_rank)
            b.blk(il, "ssm_norm.weight", head_v_dim)
            b.blk(il, "ssm_out.weight", value_dim, a.n_embd)
        _ffn(b, a, il)


_BUILDERS = {
    "llama": _llama_like, "granite": _llama_like, "qwen2": _llama_like, "qwen3": _llama_like,
    "qwen2moe": _llama_like, "qwen3moe": _llama_like, "minimax-m2": _llama_like,
    "olmo2": _olmo2, "smollm3": _llama_like,
    "gemma": _gemma, "gemma2": _gemma, "gemma3": _gemma,
    "phi3": _phi3, "deepseek2": _deepseek2, "gpt-oss": _gpt_oss, "llama4": _llama4,
    "glm4moe": _glm4moe, "command-r": _command_r, "cohere2": _command_r,
    "qwen3next": _qwen3next, "qwen35": _qwen3next, "qwen35moe": _qwen3next,
    "exaone4": _exaone4, "ernie4_5-moe": _llama_like,
}


def _with_nextn_layers(a: Architecture) -> Architecture:
    """``a`` with its NextN blocks as ordinary layers n_layer .. n_layer_all-1.

    Every MTP block b11312 loads is a full-attention decoder block of the
    trunk's kind plus the NextN tensors: ``load_block_mtp`` in
    src/models/qwen35.cpp / qwen35moe.cpp / qwen3next.cpp (``load_block_trunk``
    with full attention: ``is_recr_impl[i]`` is false for i >= n_layer()), and
    the ``i >= n_layer`` branch of src/models/glm4-moe.cpp ``load_arch_tensors``
    (MoE, since i >= n_layer_dense_lead).
    """
    n = a.n_layer_nextn
    kv_full = max((h for h in a.n_head_kv if h), default=a.n_head)
    ext = lambda xs, v: tuple(xs) + (v,) * n  # noqa: E731
    dense_ff = max(a.n_ff) if a.n_ff else 0
    return replace(
        a, n_layer=a.n_layer + n, n_layer_nextn=0,
        n_head_kv=ext(a.n_head_kv, kv_full),
        n_ff=ext(a.n_ff, 0 if a.is_moe else dense_ff),
        moe_layers=ext(a.moe_layers, True) if a.moe_layers else a.moe_layers,
        recurrent_layers=ext(a.recurrent_layers, False) if a.recurrent_layers else a.recurrent_layers,
        swa_layers=ext(a.swa_layers, False) if a.swa_layers else a.swa_layers,
    )


def _nextn_tensors(b: _Builder, a: Architecture, il: int) -> None:
    """LLM_TENSOR_NEXTN_*: eh_proj {2*n_embd, n_embd}, enorm, hnorm, [embed_tokens,
    shared_head_head {n_embd, n_vocab}], shared_head_norm -- glm4-moe.cpp order.

    The optional embed_tokens / shared_head_head (TENSOR_NOT_REQUIRED): the Qwen
    converter maps only fc / pre_fc_norm_* / norm (conversion/qwen.py
    _QwenMtpMixin.filter_tensors); with them left out Qwen3-Next counts
    81,324,862,720 parameters, its published safetensors total to the
    parameter. The GLM-4.5 checkpoints carry both in their MTP layer: with them
    GLM-4.5-Air counts 110,468,824,832, the "model params = 110.469 B" of its
    published llama.cpp load log (catalog params_source); without them 1.1 % short.
    """
    b.blk(il, "nextn.eh_proj.weight", 2 * a.n_embd, a.n_embd)
    b.blk(il, "nextn.enorm.weight", a.n_embd)
    b.blk(il, "nextn.hnorm.weight", a.n_embd)
    if a.arch == "glm4moe":
        b.blk(il, "nextn.embed_tokens.weight", a.n_embd, a.n_vocab)
        b.blk(il, "nextn.shared_head_head.weight", a.n_embd, a.n_vocab)
    b.blk(il, "nextn.shared_head_norm.weight", a.n_embd)


def _build(a: Architecture) -> tuple[Tensor, ...]:
    builder = _BUILDERS.get(a.arch)
    if builder is None:
        raise ValueError(f"no tensor inventory for llama.cpp architecture {a.arch!r}")
    b = _Builder()
    builder(b, a)
    return tuple(b.tensors)


@lru_cache(maxsize=256)
def tensors(a: Architecture) -> tuple[Tensor, ...]:
    """The weight tensors llama.cpp loads for ``a`` by default, in load order.

    NextN/MTP blocks are left out: b11312 creates them with TENSOR_SKIP unless
    ``load_mtp`` is set (``--spec-type draft-mtp``; llama_model_loader::
    create_tensor: "model has unused tensor ... -- ignoring"), so they take no
    memory. :func:`file_tensors` has them.
    """
    return _build(a)


@lru_cache(maxsize=256)
def file_tensors(a: Architecture) -> tuple[Tensor, ...]:
    """Every tensor the converted GGUF file holds: :func:`tensors` plus the NextN blocks.

    What convert_hf_to_gguf.py (b11312) writes without ``--no-mtp`` and what
    llama-quantize therefore sees (its ffn counters run over block_count =
    :func:`block_count`).
    """
    if not a.n_layer_nextn:
        return tensors(a)
    full = _build(_with_nextn_layers(a))
    b = _Builder()
    for il in range(a.n_layer, a.n_layer + a.n_layer_nextn):
        _nextn_tensors(b, a, il)
    return full + tuple(b.tensors)


def block_count(a: Architecture) -> int:
    """GGUF ``{arch}.block_count`` (hparams.n_layer_all): trunk + NextN blocks."""
    return a.n_layer + a.n_layer_nextn


def is_nextn(a: Architecture, t: Tensor) -> bool:
    """True for a tensor of a NextN/MTP block (layer index >= n_layer)."""
    return t.layer is not None and t.layer >= a.n_layer


def count_params(a: Architecture) -> int:
    """Parameters as a Hugging Face checkpoint counts them (safetensors total, MTP block included)."""
    return sum(t.n_elements for t in file_tensors(a) if t.name not in NOT_HF_PARAMS)
