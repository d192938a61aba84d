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

On CUDA (:func:`llamacpp_compute`) the device buffer has the same phases --
the graph inputs are filled on the host and copied in as split inputs -- plus
two CUDA terms: F16 copies of a quantized K/V for flash attention
(fattn.cu ``ggml_cuda_flash_attn_ext_get_alloc_size``) and, with weights left
on the host, the largest one copied in for its op (op offload). The pinned
host buffer (``CUDA_Host compute``) holds the graph inputs: the KQ mask
``n_kv x n_ubatch`` per attention kind (full, SWA; F16 with flash attention in
b11312) and the f32 input embeddings ``n_embd x n_ubatch`` (the token
embedding lives on the host).

On the CPU backend (:func:`llamacpp_compute_cpu`) there is one buffer: the
graph inputs (KQ masks: F16 with flash attention, F32 without) share it with
the intermediates, live until the last layer's attention, and are dead when
the logits are computed; that model is checked against llama.cpp's own
``llama_get_memory_breakdown()`` over 790 records by tests/test_oracle.py.

No constant is fitted: every term is a tensor of the reserve graph. The
residuals against published CUDA logs (older builds, mostly with experts left
on the CPU) are in docs/accuracy.md: the device buffer is within -12..+1 % and
runs low where ggml-alloc's packing leaves holes we do not simulate; the host
buffer matches to the printed digit. This is where our estimate is least
exact: say so on the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .architecture import Architecture
from .kv_cache import pad

MiB = 1 << 20

@dataclass(frozen=True)
class ComputeBuffers:
    device: int          # GPU compute buffer (CUDA0 compute)
    host: int            # pinned host buffer (CUDA_Host compute)
    peak_kind: str       # which part of the graph sets the peak
    output_buffer: int   # llama.cpp's host output buffer (logits of one batch)
    phases: dict = field(default_factory=dict)   # device bytes live at each candidate peak


_F16_KV = ("f16",)


def fa_f16_conversion(a: Architecture, n_ctx_cells: int, swa_cells: int, type_k: str = "f16",
                      type_v: str | None = None) -> int:
    """Extra bytes CUDA's flash-attention node allocates for F16 copies of a non-F16 K/V.

    ggml/src/ggml-cuda/fattn.cu ``ggml_cuda_flash_attn_ext_get_alloc_size`` (used
    by ``ggml_backend_cuda_buffer_type_get_alloc_size`` for GGML_OP_FLASH_ATTN_EXT):
    the MMA/tile kernels (what a ubatch >= 8 selects, ``ggml_cuda_get_best_fattn_kernel``)
    need F16 K and V, so a K (V) of another type gets a 128-byte-aligned F16 copy of
    its view, ``ggml_nelements(K) x 2`` bytes, behind the output
    (fattn-common.cuh ``ggml_cuda_flash_attn_ext_get_f16_extra_data``); V as a view
    of K (MLA) shares K's copy. Largest attention layer; live only during that node.
    """
    tk = type_k.lower()
    tv = (type_v or type_k).lower()
    if tk in _F16_KV and tv in _F16_KV:
        return 0
    best = 0
    for il in range(a.n_layer):
        if not (a.n_head_kv[il] or a.is_mla) or (a.recurrent_layers and a.recurrent_layers[il]):
            continue
        cells = swa_cells if (a.has_swa and a.swa_layers[il]) else n_ctx_cells
        k = a.n_embd_k_gqa(il) * cells * 2 if tk not in _F16_KV else 0
        v = a.n_embd_v_gqa(il) * cells * 2 if (tv not in _F16_KV and not a.is_mla) else 0
        best = max(best, pad(k, 128) + pad(v, 128))
    return best


def host_weight_copies(a: Architecture, w, n_gpu_layers: int, experts_on_cpu: bool = False,
                       layers_on_cpu: frozenset = frozenset()) -> dict:
    """Largest host-resident weight per graph phase that CUDA copies into its compute buffer.

    ggml-backend.cpp ``ggml_backend_sched_split_graph`` with ``op_offload`` (the
    default): an op whose weight sits in a host buffer runs on the GPU when the
    GPU's ``offload_op`` accepts it -- ggml-cuda.cu
    ``ggml_backend_cuda_device_offload_op``: batch (MUL_MAT ``ne[1]``, MUL_MAT_ID
    ``ne[2]``) >= 32, never GET_ROWS (so token_embd is not copied). The weight
    becomes a split input: ``ggml_dup_tensor_layout`` in the GPU's compute
    buffer, one split per such weight ("by starting a new split, the memory of
    the previously offloaded weights can be reused"), so only the largest one
    per phase adds to the peak. ``w`` is a :class:`calc_py.weights.Weights`;
    ``experts_on_cpu`` is ``--n-cpu-moe``/``-ot exps=CPU`` for every layer;
    ``layers_on_cpu`` the layers whose FFN tensors ``-ot`` leaves on the host.
    """
    from .weights import cuda_alloc_bytes, gpu_layer_set
    gpu_layers, out_gpu = gpu_layer_set(a, n_gpu_layers)
    out = {"attention": 0, "ffn": 0, "logits": 0}
    for wt in w.tensors:
        t = wt.tensor
        if len(t.ne) < 2 or t.name == "token_embd.weight":
            continue
        if t.layer is None:
            if not out_gpu and t.name == "output.weight":
                out["logits"] = max(out["logits"], cuda_alloc_bytes(wt))
            continue
        ffn = "ffn_" in t.name
        on_host = t.layer not in gpu_layers or (ffn and ("_exps." in t.name and experts_on_cpu
                                                         or t.layer in layers_on_cpu))
        if on_host:
            ph = "ffn" if ffn else "attention"
            out[ph] = max(out[ph], cuda_alloc_bytes(wt))
    return out


def llamacpp_compute(a: Architecture, n_ctx_cells: int, swa_cells: int, n_ubatch: int,
                     flash_attn: bool, n_seq: int = 1, all_on_gpu: bool = True, *,
                     type_k: str = "f16", type_v: str | None = None,
                     host_weights: dict | None = None) -> ComputeBuffers:
    """llama.cpp's compute buffers on a CUDA GPU for the worst-case reserve graph.

    ``n_ctx_cells`` is the KV size one stream attends to (what the reserve
    graph uses as ``n_kv``).

    Device (``CUDA0 compute``): ggml-alloc runs the same packing as on the CPU
    backend, so the phases are those of :func:`llamacpp_compute_cpu`, checked
    against b11312's own numbers: the graph inputs (KQ masks F16 with flash
    attention / F32 without: ``build_attn_inp_kq_mask`` in src/llama-graph.cpp;
    the input embeddings) are computed on the host and copied into the GPU's
    buffer as split inputs (ggml-backend.cpp ``ggml_backend_sched_split_graph``:
    ``ggml_dup_tensor_layout`` of each input, allocated at the split's start,
    freed after its last use), i.e. they take the place they take on the CPU.
    Two CUDA-only terms are added:

    * flash attention over a non-F16 K/V: the F16 copies of K and V of one
      layer (:func:`fa_f16_conversion`) in the attention phase;
    * weights left on the host (``-ngl`` < all, ``--n-cpu-moe``, ``-ot``): the
      largest such weight per phase is copied in for its op
      (:func:`host_weight_copies`; ``host_weights`` is its result).

    Host (``CUDA_Host compute``): the graph inputs the CPU backend fills -- the
    KQ mask(s) ``n_kv x n_ubatch`` (F16 with flash attention in b11312, F32
    without; builds before mid-2026 used F32 always), the f32 input embeddings
    ``n_embd x n_ubatch`` (``get_rows`` on the host's token_embd) and the int32
    token ids / positions / output ids; the inputs are dead once copied, so CPU
    ops on host weights (when not offloaded) reuse that space.
    """
    ub = n_ubatch
    cpu = llamacpp_compute_cpu(a, n_ctx_cells, swa_cells, ub, flash_attn, n_seq)
    phases = dict(cpu.phases)
    if flash_attn:
        phases["attention"] += fa_f16_conversion(a, n_ctx_cells, swa_cells, type_k, type_v)
    for ph, b in (host_weights or {}).items():
        phases[ph] += b
    kind = max(phases, key=phases.get)
    mask_elt = 2 if flash_attn else 4
    host = n_ctx_cells * ub * mask_elt + a.n_embd * ub * 4 + 3 * ub * 4
    if a.has_swa:
        host += swa_cells * ub * mask_elt
    return ComputeBuffers(device=phases[kind], host=host, peak_kind=kind,
                          output_buffer=a.n_vocab * max(1, n_seq) * 4, phases=phases)


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
        # leading dense layers (DeepSeek's first_k_dense_replace, ERNIE 4.5's
        # moe_layer_start_index) can set the peak instead: ERNIE-4.5-21B-A3B's layer 0
        # (FFN 12288) with 2 instead of 6 experts per token or without shared experts
        # keeps llama.cpp's CPU buffer at 96.01 MiB for 512 tokens (probed with the oracle's
        # sparse GGUF, 512-token vocabulary), = 4 x 2560 + 3 x 12288 f32 per token + mask
        if any(a.n_ff):
            ffn = max(ffn, ub * f32 * (4 * a.n_embd + 3 * max(a.n_ff)))
    else:
        # 4 hidden states: residual, ffn_inp, its norm, ffn_out (Llama-2-7B FA 4096:
        # 100.50 MiB = 3 x 11008 + 4 x 4096 f32 per token + the f16 mask)
        ffn = ub * f32 * (4 * a.n_embd + 3 * max(a.n_ff))
    ffn += masks          # the masks stay live until the last layer's attention
    phases = {"logits": logits, "attention": attn, "ffn": ffn}
    kind = max(phases, key=phases.get)
    return CpuCompute(total=phases[kind], peak_kind=kind, phases=phases,
                      output_buffer=a.n_vocab * max(1, n_seq) * f32)
