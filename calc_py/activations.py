"""Step 5b: activation memory and runtime overhead of the PyTorch engines (transformers, vLLM).

Unlike llama.cpp, these engines do not reserve a fixed compute buffer: the
caching allocator grows to the peak of one forward pass (plus, for vLLM, the
sampler's warm-up). The *forms* below come from the engines' code; the few
constants are fitted in ``benchmarks/accuracy.py --fit`` on
shared/groundtruth and each names the rows it rests on. The fitted numbers
live in ``data/engines.json`` (``fit`` blocks) so the page and the benchmark
read the same values.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from .architecture import Architecture

MiB = 1 << 20


@lru_cache(maxsize=1)
def _fits() -> dict[str, Any]:
    data = json.loads((resources.files("calc_py") / "data" / "engines.json").read_text(encoding="utf-8"))
    return {e["id"]: e.get("fit", {}) for e in data["engines"]}


def _fit(engine: str, key: str) -> float:
    return float(_fits()[engine][key]["value"])


def _moe_ffn_width(a: Architecture) -> int:
    return a.n_ff_exp * a.n_expert_used + (a.n_ff_shexp or 0)


# ----------------------------------------------------------------------------
# transformers
# ----------------------------------------------------------------------------

def transformers_activation(a: Architecture, prompt_tokens: int, batch: int,
                            dtype_bytes: int, *, legacy: bool = False,
                            new_tokens: int = 0) -> int:
    """Peak extra memory of a transformers ``generate``, above weights and the KV cache.

    Current transformers (>= 4.45, DynamicCache, SDPA): the prefill holds the
    residual stream, q/k/v or the MLP's gate/up/act for all prompt tokens of
    one layer at a time (LlamaDecoderLayer), and f32 logits of the last
    token only (``logits_to_keep=1`` in GenerationMixin).

    ``legacy=True`` is the 2023 behaviour (transformers <= 4.35, eager
    attention, tuple ``past_key_values``): the prefill computes logits for
    *every* prompt token (fp16 then an f32 copy, ``logits.float()`` in
    LlamaForCausalLM), eager attention materialises ``n_head x s x s``
    scores (fp16 + f32 softmax), and each decode step's ``torch.cat`` of the
    past with the new key/value briefly holds two copies of the cache. That
    second copy is returned here as activation so that callers add the cache
    once (groundtruth transformers_measured.jsonl rows tf-optimum-llama2-13b-*
    say so in their notes).
    """
    t = prompt_tokens * batch
    hidden = t * a.n_embd * dtype_bytes
    qkv = t * (a.n_head + 2 * max(a.n_head_kv or (1,))) * a.head_dim_k * dtype_bytes
    n_ff = _moe_ffn_width(a) if a.is_moe else max(a.n_ff)
    mlp = t * n_ff * 3 * dtype_bytes
    if not legacy:
        logits = batch * a.n_vocab * 4 * 2
        return 2 * hidden + max(qkv, mlp) + logits
    scores = batch * a.n_head * prompt_tokens * prompt_tokens * 4     # f32 softmax of the scores
    logits = t * a.n_vocab * 4                                          # logits.float() of every token
    prefill = 2 * hidden + max(qkv, mlp, scores) + logits
    if new_tokens <= 1:
        return prefill
    # decode: torch.cat(past, new) holds the old and the grown cache at once
    from .kv_cache import torch_kv_bytes
    second_copy = torch_kv_bytes(a, prompt_tokens + new_tokens, batch, dtype_bytes)
    return max(prefill, second_copy + batch * a.n_vocab * 4)


def transformers_overhead() -> int:
    """CUDA context + allocator slack of a transformers process (bytes), fitted."""
    return int(_fit("transformers", "overhead_mib") * MiB)


# ----------------------------------------------------------------------------
# vLLM
# ----------------------------------------------------------------------------

def vllm_activation(a: Architecture, max_num_batched_tokens: int, dtype_bytes: int,
                    tp: int = 1, max_num_seqs: int | None = None) -> int:
    """vLLM's profile-run peak ("torch peak memory increase" in the start-up log).

    vllm/v1/worker/gpu_model_runner.py ``profile_run``: a dummy forward of
    ``max_num_batched_tokens`` tokens, then ``_dummy_sampler_run`` on
    ``max_num_seqs`` rows. The sampler dominates: f32 logits of the *full*
    vocabulary (gathered across TP ranks, so it does not shrink with TP) for
    every dummy request, plus the sampler's temporaries (softmax probs,
    logprobs, the sorted copy for top-p/top-k) -- ``k_sampler`` bytes per
    (request x vocab entry). The forward adds the hidden states that outlive
    it (``k_hidden`` bytes per token x hidden) and, for MoE, fused_moe's
    intermediate caches (gate_up ``2 n_ff/tp``, act ``n_ff/tp``, down
    ``n_embd`` per token x top-k, vllm/model_executor/layers/fused_moe).
    ``k_sampler`` and ``k_hidden`` are fitted (engines.json vllm.fit).
    """
    seqs = int(max_num_seqs or _fit("vllm", "max_num_seqs"))
    t = max_num_batched_tokens
    sampler = _fit("vllm", "k_sampler") * seqs * a.n_vocab
    hidden = _fit("vllm", "k_hidden") * t * a.n_embd
    moe = 0
    if a.is_moe:
        n_ff = a.n_ff_exp // tp
        moe = t * a.n_expert_used * (3 * n_ff + a.n_embd) * dtype_bytes
    return int(sampler + hidden + moe)


def vllm_non_torch(tp: int = 1) -> int:
    """Non-torch memory after profiling (cuBLAS/NCCL workspaces), bytes."""
    key = "non_torch_tp1_mib" if tp <= 1 else "non_torch_tp_mib"
    return int(_fit("vllm", key) * MiB)


def vllm_cuda_graphs(a: Architecture) -> int:
    """Memory of the captured CUDA graphs ('Graph capturing finished ... took'), bytes.

    Linear in the layer count: each captured size keeps per-layer
    intermediate buffers in the graph pool (vllm/v1/worker/gpu_model_runner.py
    ``capture_model``).
    """
    return int((_fit("vllm", "cuda_graph_base_mib") + _fit("vllm", "cuda_graph_per_layer_mib")
                * a.n_layer) * MiB)


def vllm_overhead(a: Architecture, tp: int = 1, enforce_eager: bool = False) -> int:
    """Everything vLLM holds outside weights, KV cache and activations (per GPU)."""
    return vllm_non_torch(tp) + (0 if enforce_eager else vllm_cuda_graphs(a))
