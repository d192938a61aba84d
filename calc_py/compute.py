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

On the CPU backend (:func:`llamacpp_compute_cpu`) there is one buffer: the
graph inputs (KQ masks: F16 with flash attention, F32 without) share it with
the intermediates, live until the last layer's attention, and are dead when
the logits are computed; that model is checked against llama.cpp's own
``llama_get_memory_breakdown()`` over 790 records by tests/test_oracle.py.

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


@dataclass(frozen=True)
class CpuCompute:
    """llama.cpp's compute buffer on the CPU backend (``CPU compute``), and its parts."""

    total: int           # the buffer ggml-alloc reserves: the largest phase below
    peak_kind: str       # "logits", "attention" or "ffn"
    phases: dict         # bytes live at each candidate peak
    output_buffer: int   # host output buffer (logits of n_seq_max rows)


def llamacpp_compute_cpu(a: Architecture, n_ctx_cells: int, swa_cells: int, n_ubatch: int,
                         flash_attn: bool, n_seq: int = 1) -> CpuCompute:
    """llama.cpp's CPU compute buffer for the worst-case reserve graph (all layers on the CPU).

    On the CPU backend the graph inputs (KQ masks, positions) live in the same
    buffer as the intermediates, and ggml-alloc frees every tensor after its
    last use (ggml/src/ggml-alloc.c), so the buffer is the largest of three
    phases of one layer plus the head (``llama_context::graph_reserve`` with
    ``n_tokens = n_outputs = n_ubatch``):

    * logits: f32 ``n_vocab x n_ubatch`` plus two f32 hidden states
      (the residual and the normed input of ``lm_head``); the masks are dead
      by then -- Llama-3.1-8B with flash attention: 266.50 MiB at both 4096
      and 131072 cells = 250.50 + 2 x 8 MiB (oracle records);
    * attention: the KQ mask(s) (``llm_graph_input_attn_kv``: F16 with flash
      attention, F32 without; ``n_kv x n_ubatch`` per cache kind, split over
      streams), without flash attention the f32 ``KQ`` scores
      ``n_head x n_kv x n_ubatch`` (soft_max runs in place), and the
      per-token activations of the block -- for a Llama block 2 hidden
      states, Q and two more q-width tensors (``kqv``, its merged copy), K and
      V (Llama-3.2-3B: 17413 f32 per token measured vs 17408 this form); for
      MLA (DeepSeek-2/3, Kimi) the absorbed query ``n_head x (kv_lora+rope)``,
      the latent output and its up-projection ``2 x n_head x kv_lora``;
    * ffn: gate, up and their product at ``n_ff`` (experts: ``n_ff_exp x
      n_expert_used``, plus router logits/probabilities).

    The per-token activation counts are read off the Llama graph; other
    graphs (fused QKV, q/k norms, gated attention, soft-capping) differ by a
    few tensors of ``n_embd x n_ubatch`` -- tests/test_oracle.py states the
    tolerance this form achieves against llama.cpp's own numbers.
    """
    ub = n_ubatch
    f32 = 4
    q_dim = a.n_head * a.head_dim_k
    kv_dim = max((a.n_embd_k_gqa(il) + a.n_embd_v_gqa(il) for il in range(a.n_layer)
                  if a.n_head_kv[il] or a.is_mla), default=0)
    logits = (a.n_vocab + 2 * a.n_embd) * ub * f32
    mask_elt = 2 if flash_attn else 4
    masks = n_ctx_cells * ub * mask_elt
    if a.has_swa:
        masks += swa_cells * ub * mask_elt
    if a.is_mla:
        per_tok = a.n_embd + a.n_head * (3 * a.kv_lora_rank + a.rope_dim)
    else:
        per_tok = 2 * a.n_embd + 3 * q_dim + kv_dim
    attn = masks + per_tok * ub * f32
    if not flash_attn:
        attn += a.n_head * n_ctx_cells * ub * f32
    if a.is_moe:
        ffn = ub * f32 * (4 * a.n_embd + 2 * a.n_expert + 3 * a.n_ff_exp * a.n_expert_used
                          + 3 * a.n_ff_shexp)
    else:
        # 4 hidden states: residual, ffn_inp, its norm, ffn_out (Llama-2-7B FA 4096:
        # 100.50 MiB = 3 x 11008 + 4 x 4096 f32 per token + the f16 mask)
        ffn = ub * f32 * (4 * a.n_embd + 3 * max(a.n_ff))
    ffn += masks          # the masks stay live until the last layer's attention
    phases = {"logits": logits, "attention": attn, "ffn": ffn}
    kind = max(phases, key=phases.get)
    return CpuCompute(total=phases[kind], peak_kind=kind, phases=phases,
                      output_buffer=a.n_vocab * max(1, n_seq) * f32)
