"""Step 5: compute (activation) buffers, per engine.

llama.cpp reserves its compute buffer once, by building the worst-case graph
(one full ubatch against the full KV cache: ``llama_context::graph_reserve``
in src/llama-context.cpp) and letting ggml-alloc pack the intermediate
tensors (ggml/src/ggml-alloc.c ``ggml_gallocr_reserve``). The buffer is
therefore the *peak of live intermediates*, not their sum. The peak is one of:

* the output head: f32 logits ``n_vocab x n_outputs`` plus the normed hidden
  state (``n_outputs`` = the ubatch in the reserve graph);
* attention: without flash attention the f32 ``KQ`` matrix ``n_head x n_kv x
  n_ubatch`` (and its softmax, computed in place); with flash attention only
  Q/K/V views and the output, ``O(n_embd x n_ubatch)``;
* the FFN: gate and up activations ``n_ff x n_ubatch`` in f32 (for MoE the
  selected experts' ``n_ff_exp x n_expert_used x n_ubatch`` plus the router).

The pinned host buffer (``CUDA_Host compute``) holds the graph inputs: the f32
KQ mask ``n_kv x n_ubatch`` per attention kind (full, SWA) and the input
embeddings ``n_embd x n_ubatch`` (the token embedding lives on the host).

These forms come from the graph code; the small constants (``_SLACK``) are
fitted to the published CUDA logs in shared/groundtruth (see
docs/accuracy.md for the fit and its residuals). This is where our estimate is
least exact: say so on the page.
"""
from __future__ import annotations

from dataclasses import dataclass

from .architecture import Architecture
from .kv_cache import pad

MiB = 1 << 20

#: Remainder above the largest live intermediate, seen in CUDA logs with flash
#: attention: qwen3-30b-a3b 304.75 MiB = logits 296.75 + 8.0; gemma3-27b 522.62 =
#: 512 + 10.6; gpt-oss-20b 456.98 = 392.75 + 64.2 (groundtruth
#: llamacpp_gpu_logs.jsonl ids ik_llama.cpp-ik-fork-qwen3-30b-a3b-3090t,
#: ik_llama.cpp-ik-fork-gemma3-27b, ik_llama.cpp#822-mainline-gptoss20b-3070).
_SLACK_FIXED = 8 * MiB


@dataclass(frozen=True)
class ComputeBuffers:
    device: int          # GPU compute buffer (CUDA0 compute)
    host: int            # pinned host buffer (CUDA_Host compute)
    peak_kind: str       # which part of the graph sets the peak
    output_buffer: int   # llama.cpp's host output buffer (logits of one batch)


def llamacpp_compute(a: Architecture, n_ctx_cells: int, swa_cells: int, n_ubatch: int,
                     flash_attn: bool, n_seq: int = 1, all_on_gpu: bool = True) -> ComputeBuffers:
    """llama.cpp's compute buffers on a GPU backend for one ubatch.

    ``n_ctx_cells`` is the KV size one stream attends to (what the reserve
    graph uses as ``n_kv``).
    """
    ub = n_ubatch
    f32 = 4
    logits = a.n_vocab * ub * f32 + a.n_embd * ub * f32
    n_kv = n_ctx_cells
    if flash_attn:
        attn = ub * f32 * (a.head_dim_k * a.n_head * 2 + a.n_embd * 2)
    else:
        attn = a.n_head * n_kv * ub * f32 + a.head_dim_k * a.n_head * ub * f32 * 2
    if a.is_moe:
        ffn = ub * f32 * (3 * a.n_ff_exp * a.n_expert_used + a.n_expert * 2 + a.n_embd * 2)
        if a.n_ff_shexp:
            ffn += ub * f32 * 2 * a.n_ff_shexp
    else:
        ffn = ub * f32 * (3 * max(a.n_ff) + a.n_embd)
    candidates = {"logits": logits, "attention": attn, "ffn": ffn}
    kind = max(candidates, key=candidates.get)
    device = candidates[kind] + _SLACK_FIXED
    # inputs on the pinned host buffer: masks (full + swa) and embeddings
    host = n_kv * ub * f32 + a.n_embd * ub * f32
    if a.has_swa:
        host += swa_cells * ub * f32
    output = a.n_vocab * max(1, n_seq) * f32
    return ComputeBuffers(device=pad(device, MiB // 4), host=host, peak_kind=kind,
                          output_buffer=output)
