"""Step 4: the KV cache (and recurrent state), for the cells an engine really allocates.

llama.cpp (build b11312):

* ``llama_context`` pads ``n_ctx`` to 256 (src/llama-context.cpp:
  ``cparams.n_ctx = GGML_PAD(cparams.n_ctx, 256)``). With a unified KV cache
  one stream holds all sequences; otherwise each of ``n_seq_max`` streams
  holds ``GGML_PAD(n_ctx / n_seq_max, 256)`` cells.
* ``llama_kv_cache`` (src/llama-kv-cache.cpp) allocates per layer a K tensor
  ``[n_embd_k_gqa, kv_size, n_stream]`` and a V tensor likewise, each row
  ``ggml_row_size(type, n)`` bytes (so q8_0 costs 34 bytes per 32 values).
  MLA models store only K (the compressed latent + rope part; ``has_v =
  !is_mla``). Without flash attention V is stored transposed and every layer
  uses the widest V (``n_embd_v_gqa_max``).
* Sliding-window layers live in a second cache
  (src/llama-kv-cache-iswa.cpp): ``GGML_PAD(min(n_ctx_seq, n_swa *
  (unified ? n_seq_max : 1) + n_ubatch), 256)`` cells.
  With ``swa_full`` the SWA cache gets the full cache's cells.
* Every KV tensor sits in one CPU/GPU buffer at ``TENSOR_ALIGNMENT`` (32
  bytes); cells are multiples of 256, so no padding is ever added.
* A quantized V without flash attention is refused (V is transposed then);
  MLA models refuse K and V cache types that differ (V is a view of K).
* Recurrent layers of hybrid models (src/llama-memory-recurrent.cpp) keep, per
  sequence, ``n_embd_r`` conv state and ``n_embd_s`` SSM state in F32
  (src/llama-hparams.cpp ``n_embd_r``/``n_embd_s``), independent of context,
  with ``mem_size = n_seq_max`` rows (times ``1 + n_rs_seq``, default 0).

All of the above is checked byte for byte against llama.cpp's own
``llama_get_memory_breakdown()`` by tests/test_oracle.py (records written by
benchmarks/llamacpp_oracle.py).

transformers' DynamicCache and vLLM's paged cache store K and V at the model
dtype (or the kv-cache dtype) for exactly the tokens in use; vLLM rounds to
16-token blocks.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from .architecture import Architecture
from .ggml_types import row_bytes
from .errors import CalcError

#: cache types llama.cpp accepts for -ctk/-ctv (common/arg.cpp kv_cache_types)
LLAMACPP_KV_TYPES = ("f16", "bf16", "f32", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1")
#: kv-cache dtypes for transformers / vLLM ("auto" = the model's dtype: torch_kv_dtype_bytes)
TORCH_KV_BYTES = {"f16": 2, "bf16": 2, "f32": 4, "fp8": 1, "q8_0": 1, "auto": 2}

#: bytes of the float dtypes a PyTorch engine can run a model in (weight formats
#: and config.json torch_dtype names)
_FLOAT_BYTES = {"bf16": 2, "fp16": 2, "fp32": 4, "bfloat16": 2, "float16": 2, "half": 2,
                "float32": 4, "float": 4}


def torch_kv_dtype_bytes(name: str, weight_dtype: str | None, model_dtype: str = "") -> int:
    """Bytes per K/V element of a transformers / vLLM cache of dtype ``name``.

    ``"auto"`` is the dtype the model runs in. vLLM: ``CacheConfig.cache_dtype``
    "auto" -- "will use model data type" (vllm/config/cache.py), i.e.
    ``ModelConfig.dtype`` (``kv_cache_dtype_str_to_dtype`` in
    vllm/utils/torch_utils.py maps "auto" to the model dtype, other names through
    ``STR_DTYPE_TO_TORCH_DTYPE``); transformers' DynamicCache stores K/V as the
    attention computes them, in the model's dtype. The model's dtype is the float
    format its weights are loaded in (``weight_dtype``: bf16 / fp16 / fp32, vLLM's
    ``--dtype``), so a float32 model has a 4-byte cache. A quantized checkpoint
    (``weight_dtype`` None: AWQ, GPTQ, FP8, NF4 ...) computes in config.json's
    ``torch_dtype`` (``model_dtype``), where vLLM's ``--dtype auto`` downcasts
    float32 to the platform's first 16-bit dtype ("Downcast for float32 models",
    ``_resolve_auto_dtype`` in vllm/config/model.py) and the 4/8-bit kernels of
    transformers compute in 16 bits; unknown or absent: 2 bytes (bf16).
    """
    if name != "auto":
        return TORCH_KV_BYTES[name]
    if weight_dtype in _FLOAT_BYTES:
        return _FLOAT_BYTES[weight_dtype]
    return min(2, _FLOAT_BYTES.get(model_dtype, 2))


def pad(n: int, to: int) -> int:
    return ((n + to - 1) // to) * to


@dataclass(frozen=True)
class KvLayout:
    """What the cache holds: cells of each kind, bytes of each part."""

    cells: int                 # cells per stream in the full-attention cache
    swa_cells: int             # cells per stream in the sliding-window cache
    n_stream: int
    k_bytes: int
    v_bytes: int
    recurrent_bytes: int

    @property
    def total(self) -> int:
        return self.k_bytes + self.v_bytes + self.recurrent_bytes


def _check_kv_type(kv_type: str) -> str:
    t = kv_type.lower()
    if t not in LLAMACPP_KV_TYPES:
        raise CalcError(f"unknown KV cache type {kv_type!r} (known: {', '.join(LLAMACPP_KV_TYPES)})",
                        field="kv-cache")
    return t


def llamacpp_cells(n_ctx: int, n_seq: int, unified: bool) -> tuple[int, int]:
    """(cells per stream, streams) as llama_context sizes the cache."""
    n_ctx = pad(n_ctx, 256)
    if unified:
        return n_ctx, 1
    per_seq = pad(n_ctx // n_seq, 256)
    return per_seq, n_seq


def llamacpp_kv(a: Architecture, n_ctx: int, n_seq: int = 1, *, kv_type: str = "f16",
                kv_type_v: str | None = None, flash_attn: bool = True, unified: bool = True,
                n_ubatch: int = 512, layers: set[int] | None = None,
                swa_full: bool = False) -> KvLayout:
    """Bytes of llama.cpp's KV cache (+ recurrent state) for ``layers`` (default: all).

    ``n_ctx`` is the context size llama.cpp is given (all sequences together,
    as ``-c``); ``n_seq`` is ``n_seq_max`` (llama-server's ``-np``).
    ``swa_full`` (``--swa-full``; llama_context_default_params defaults it to
    true, common/llama-server to false) sizes the SWA cache like the full one.
    """
    tk = _check_kv_type(kv_type)
    tv = _check_kv_type(kv_type_v or kv_type)
    if a.is_mla and tk != tv:
        # llama_init_from_model (src/llama-context.cpp): "model does not support
        # different K and V cache types" for MLA (V is a view of K's latent part)
        raise CalcError("MLA models need the same K and V cache type in llama.cpp", field="kv-cache")
    if not flash_attn and tv not in ("f16", "bf16", "f32"):
        raise CalcError("a quantized V cache needs flash attention on in llama.cpp", field="kv-cache")
    cells, n_stream = llamacpp_cells(n_ctx, n_seq, unified)
    swa_cells = cells
    if a.has_swa and not swa_full:
        swa_cells = pad(min(cells, a.n_swa * (n_seq if unified else 1) + n_ubatch), 256)
    v_max = max((a.n_embd_v_gqa(il) for il in range(a.n_layer)), default=0)
    k_total = v_total = 0
    for il in range(a.n_layer):
        if layers is not None and il not in layers:
            continue
        if a.recurrent_layers and a.recurrent_layers[il]:
            continue
        if a.n_head_kv[il] == 0 and not a.is_mla:
            continue
        n = swa_cells if (a.has_swa and a.swa_layers[il]) else cells
        k_total += row_bytes(tk.upper(), a.n_embd_k_gqa(il)) * n * n_stream
        n_v = a.n_embd_v_gqa(il) if flash_attn else (v_max if a.n_embd_v_gqa(il) else 0)
        if n_v:
            if flash_attn:
                v_total += row_bytes(tv.upper(), n_v) * n * n_stream
            else:   # transposed V: rows of kv_size values
                v_total += row_bytes(tv.upper(), n * n_v) * n_stream
    recurrent = 0
    if a.is_hybrid:
        n_rec = sum(1 for il in range(a.n_layer) if a.recurrent_layers[il]
                    and (layers is None or il in layers))
        conv = (a.ssm_d_conv - 1) * (a.ssm_d_inner + 2 * a.ssm_n_group * a.ssm_d_state)
        state = a.ssm_d_state * a.ssm_d_inner
        recurrent = n_rec * (conv + state) * 4 * max(1, n_seq)
    return KvLayout(cells, swa_cells, n_stream, k_total, v_total, recurrent)


def torch_kv_bytes_per_token(a: Architecture, kv_dtype_bytes: int, tp: int = 1) -> int:
    """K+V bytes per token of context across all layers (transformers / vLLM).

    vLLM's MLA backends cache the latent + rope part once per token
    (vllm/attention/backends/mla); SWA layers are counted in full here and
    capped by the caller.
    """
    total = 0
    for il in range(a.n_layer):
        if a.recurrent_layers and a.recurrent_layers[il]:
            continue
        if a.is_mla:
            total += (a.kv_lora_rank + a.rope_dim) * kv_dtype_bytes
            continue
        heads = ceil(a.n_head_kv[il] / tp) if a.n_head_kv[il] else 0
        total += heads * (a.head_dim_k + a.head_dim_v) * kv_dtype_bytes
    return total


def torch_kv_bytes(a: Architecture, tokens: int, batch: int, kv_dtype_bytes: int,
                   sliding_cap: bool = True) -> int:
    """transformers' cache for ``batch`` sequences of ``tokens`` tokens each.

    Sliding-window layers keep at most the window (transformers
    SlidingWindowLayer / vLLM sliding-window spec), recurrent layers a fixed
    state in the model dtype.
    """
    total = 0
    for il in range(a.n_layer):
        if a.recurrent_layers and a.recurrent_layers[il]:
            conv = (a.ssm_d_conv - 1) * (a.ssm_d_inner + 2 * a.ssm_n_group * a.ssm_d_state)
            total += (conv + a.ssm_d_state * a.ssm_d_inner) * kv_dtype_bytes * batch
            continue
        n = tokens
        if sliding_cap and a.has_swa and a.swa_layers[il]:
            n = min(tokens, a.n_swa)
        if a.is_mla:
            per = (a.kv_lora_rank + a.rope_dim) * kv_dtype_bytes
        else:
            per = a.n_head_kv[il] * (a.head_dim_k + a.head_dim_v) * kv_dtype_bytes
        total += per * n * batch
    return total
