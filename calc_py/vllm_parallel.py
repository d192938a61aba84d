"""vLLM on n GPUs: tensor parallel (TP) and pipeline parallel (PP), per GPU.

* **Tensor parallel** (vllm/model_executor/layers/linear.py ``ColumnParallelLinear`` /
  ``RowParallelLinear``, ``vocab_parallel_embedding.py``): every matrix of a
  layer, the embedding and the LM head are split over the TP ranks; 1-D tensors
  (norms, biases of row-parallel layers) and the MoE router (``ReplicatedLinear``
  gate) are replicated. KV heads are divided too; with fewer KV heads than ranks
  each rank keeps one (``num_kv_heads = max(1, total // tp)`` in
  vllm/config ``get_num_kv_heads``), i.e. they are replicated.
* **Pipeline parallel** (vllm/distributed/utils.py ``get_pp_indices``): layers in
  contiguous stages of ``n_layer // pp``, the remainder going to the stages
  before the last one; the embedding on the first stage, the final norm and LM
  head on the last.
* Per GPU, besides weights: the profile-run activation
  (:func:`calc_py.activations.vllm_activation` with ``tp``), non-torch memory
  (NCCL buffers once TP or PP > 1) and CUDA graphs
  (:func:`calc_py.activations.vllm_overhead`); the KV budget is
  ``gpu_memory_utilization x usable - the rest``, its tokens = budget / (KV bytes
  per token of that GPU's layers and heads); the engine's tokens are those of the
  tightest GPU, the maximum concurrency = tokens / max_model_len, and
  ``--max-model-len auto`` is the largest context one sequence can hold
  (capped at the model's maximum).
"""
from __future__ import annotations

from math import ceil
from typing import Any

from .activations import vllm_activation, vllm_overhead
from .architecture import Architecture
from .errors import CalcError

_REPLICATED = ("norm", "ffn_gate_inp", "exp_probs_b", "rope_")


def pp_layers(n_layer: int, pp: int) -> list[range]:
    """vllm/distributed/utils.py get_pp_indices: the layers of each stage."""
    per = [n_layer // pp] * pp
    for i in range(2, n_layer % pp + 2):
        per[-i] += 1
    out, start = [], 0
    for k in per:
        out.append(range(start, start + k))
        start += k
    return out


def _kv_per_token(a: Architecture, layers: range, kv_b: int, tp: int) -> int:
    total = 0
    for il in layers:
        if a.recurrent_layers and a.recurrent_layers[il]:
            continue
        if a.is_mla:
            total += (a.kv_lora_rank + a.rope_dim) * kv_b
            continue
        heads = max(1, a.n_head_kv[il] // tp) if a.n_head_kv[il] else 0
        total += heads * (a.head_dim_k + a.head_dim_v) * kv_b
    return total


def per_gpu(a: Architecture, w, *, tp: int, pp: int, kv_b: int, dtype_bytes: int, max_model_len: int,
            usable: list[int], util: float, max_num_batched_tokens: int) -> dict[str, Any]:
    """Per-GPU bytes and KV tokens for TP x PP over ``usable`` (one entry per GPU, rank order)."""
    if tp < 1 or pp < 1 or tp * pp != len(usable):
        raise CalcError(f"{len(usable)} GPUs do not split into tensor-parallel {tp} x pipeline-parallel {pp}",
                        field="pipeline-parallel")
    if pp > a.n_layer:
        raise CalcError("more pipeline stages than layers", field="pipeline-parallel")
    stages = pp_layers(a.n_layer, pp)
    stage_w = [0] * pp
    for wt in w.tensors:
        t = wt.tensor
        if t.layer is not None:
            st = next(i for i, r in enumerate(stages) if t.layer in r)
        elif t.name.startswith("token_embd"):
            st = 0
        else:
            st = pp - 1                      # final norm, LM head
        shard = 1 if (len(t.ne) == 1 or any(k in t.name for k in _REPLICATED)) else tp
        stage_w[st] += ceil(wt.nbytes / shard)
    if a.tied_embeddings and pp > 1:          # the last stage needs its own copy of the tied head
        emb = next((wt for wt in w.tensors if wt.tensor.name.startswith("token_embd")), None)
        if emb is not None:
            stage_w[-1] += ceil(emb.nbytes / tp)
    act = vllm_activation(a, max_num_batched_tokens, dtype_bytes, tp)
    over = vllm_overhead(a, tp if tp > 1 else (2 if pp > 1 else 1))
    gpus = []
    for rank, u in enumerate(usable):
        st = rank // tp
        per_tok = _kv_per_token(a, stages[st], kv_b, tp) or 1
        budget = int(u * util) - stage_w[st] - act - over
        tokens = max(0, budget // per_tok)
        gpus.append({"rank": rank, "tp_rank": rank % tp, "pp_stage": st,
                     "layers": [stages[st].start, stages[st].stop - 1],
                     "weights_bytes": stage_w[st], "activation_bytes": act, "overhead_bytes": over,
                     "kv_budget_bytes": max(0, budget), "kv_bytes_per_token": per_tok, "kv_tokens": tokens,
                     "usable_bytes": u, "fits": budget > 0})
    tokens = min(g["kv_tokens"] for g in gpus)
    return {"tensor_parallel": tp, "pipeline_parallel": pp, "gpus": gpus, "kv_tokens": tokens,
            "max_concurrency": tokens / max(1, max_model_len),
            "max_model_len_auto": min(a.max_context, tokens), "fits": all(g["fits"] for g in gpus)}
