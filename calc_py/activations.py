"""Step 5b: activation memory of the PyTorch engines (transformers, vLLM).

Unlike llama.cpp, these engines do not reserve a fixed compute buffer: the
caching allocator grows to the peak of one forward pass. The forms below come
from the engines' forward code; constants are fitted in
benchmarks/accuracy.py on shared/groundtruth (transformers_measured.jsonl,
vllm_logs.jsonl).
"""
from __future__ import annotations

from .architecture import Architecture


def transformers_activation(a: Architecture, prompt_tokens: int, batch: int,
                            dtype_bytes: int) -> int:
    """Peak extra memory of a transformers ``generate`` prefill, above weights and cache.

    With SDPA/flash attention the prefill holds the hidden state, q/k/v and
    the MLP's gate/up/act for all prompt tokens of one layer at a time
    (transformers LlamaDecoderLayer), plus f32 logits of the last token only
    (``logits_to_keep=1`` in GenerationMixin since v4.45).
    """
    t = prompt_tokens * batch
    hidden = t * a.n_embd * dtype_bytes
    qkv = t * (a.n_head + 2 * max(a.n_head_kv or (1,))) * a.head_dim_k * dtype_bytes
    if a.is_moe:
        mlp = t * a.n_ff_exp * a.n_expert_used * 3 * dtype_bytes
    else:
        mlp = t * max(a.n_ff) * 3 * dtype_bytes
    logits = batch * a.n_vocab * 4 * 2
    return 2 * hidden + max(qkv, mlp) + logits


def vllm_activation(a: Architecture, max_num_batched_tokens: int, dtype_bytes: int,
                    tp: int = 1) -> int:
    """vLLM's profile-run activation peak ("torch peak memory increase").

    The dummy forward of ``max_num_batched_tokens`` tokens (vllm/v1/worker/
    gpu_model_runner.py ``profile_run``) computes logits for a sampler batch
    and holds the MLP's gate_up output ``2 x n_ff / tp`` per token (the fused
    MergedColumnParallelLinear), the hidden states and q/k/v.
    """
    t = max_num_batched_tokens
    n_ff = (a.n_ff_exp * a.n_expert_used if a.is_moe else max(a.n_ff)) // tp
    mlp = t * (2 * n_ff + n_ff) * dtype_bytes
    qkv = t * (a.n_head + 2 * max(a.n_head_kv or (1,))) * a.head_dim_k * dtype_bytes // tp
    hidden = t * a.n_embd * dtype_bytes * 3
    # sampler warm-up: f32 logits for up to 256 dummy requests (max_num_seqs)
    logits = 256 * a.n_vocab * 4 // tp * 2
    return hidden + max(mlp, qkv) + logits
