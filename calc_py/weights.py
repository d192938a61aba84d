"""Step 3: weight bytes, tensor by tensor, and where each tensor lives.

GGUF formats: each tensor gets the type llama.cpp's quantizer would choose
(:mod:`calc_py.gguf_mix`) and exactly ``ggml_nbytes`` of that type
(:mod:`calc_py.ggml_types`). Checkpoint formats (BF16, FP8, AWQ, GPTQ, NF4,
MXFP4): the block's linear layers are stored at the format's bits plus its
scales/zeros; embeddings, output head, norms and routers stay 16-bit.

Placement follows llama.cpp's ``llama_model::load_tensors``
(src/llama-model.cpp): the input layer (token embedding) is always on the CPU
(``dev_input = cpu_dev``); with ``n_gpu_layers`` = N the *last* N layers go to
the GPU, the output layer counting as one more (``i_gpu_start = n_layer + 1 -
n_gpu_layers``).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from math import ceil

from .architecture import Architecture
from .ggml_types import GGML_TYPES as _GGML_NAMES, tensor_bytes
from .gguf_mix import plan_types
from .inventory import NOT_HF_PARAMS, block_count, file_tensors, is_nextn, tensors
from .quants import Quant
from .tensor import Tensor

# Tensors a checkpoint quantization (AWQ/GPTQ/FP8/...) leaves in 16 bits.
_KEEP_16BIT = ("token_embd", "output.weight", "norm", "ffn_gate_inp", "exp_probs_b",
               "attn_sinks", "ssm_conv1d", "ssm_a", "ssm_dt", "rope_")


@dataclass(frozen=True)
class WeightTensor:
    tensor: Tensor
    type: str          # ggml type name, or the checkpoint format's label
    nbytes: int


@dataclass(frozen=True)
class Weights:
    """Every tensor with its type and bytes.

    The sums below are computed once per instance (``cached_property`` writes
    the instance ``__dict__``, so the frozen dataclass keeps its fields, hash
    and equality): ``gguf_weights``/``hf_weights`` hand out one shared
    instance per (architecture, format), so a page recompute only adds them up
    per layer instead of walking every tensor again.
    """

    tensors: tuple[WeightTensor, ...]
    #: tensors the GGUF file holds that llama.cpp does not load (NextN/MTP
    #: blocks: TENSOR_SKIP unless ``load_mtp``); empty for checkpoint formats
    not_loaded: tuple[WeightTensor, ...] = ()

    @cached_property
    def total(self) -> int:
        """Bytes of the tensors llama.cpp loads (what takes memory)."""
        return sum(w.nbytes for w in self.tensors)

    @cached_property
    def file_total(self) -> int:
        """Tensor bytes of the whole GGUF file: :attr:`total` plus the NextN/MTP blocks."""
        return self.total + sum(w.nbytes for w in self.not_loaded)

    @cached_property
    def n_elements(self) -> int:
        """Elements over all tensors."""
        return sum(w.tensor.n_elements for w in self.tensors)

    @cached_property
    def _type_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for w in self.tensors:
            counts[w.type] = counts.get(w.type, 0) + 1
        return counts

    def type_counts(self) -> dict[str, int]:
        return dict(self._type_counts)     # a fresh dict: callers put it into results

    def nbytes_of(self, name: str) -> int:
        """Bytes of the first tensor called ``name`` (0 if there is none)."""
        return self._first_nbytes.get(name, 0)

    @cached_property
    def _first_nbytes(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for w in self.tensors:
            out.setdefault(w.tensor.name, w.nbytes)
        return out

    @cached_property
    def _placement_sums(self) -> "_PlacementSums":
        return _placement_sums(self)


#: Tensors convert_hf_to_gguf.py writes in F32 whatever ``--outtype`` (b11312
#: conversion/base.py ``ModelBase.prepare_tensors``: "Some tensor types are
#: always in float32" -- FFN_GATE_INP, FFN_GATE_INP_SHEXP, POS_EMBD,
#: TOKEN_TYPES, SSM_CONV1D, ...). llama-quantize leaves them so
#: (``tensor_allows_quantization``), hence F32 in every mix. Found by
#: benchmarks/convert_check.py: the MoE routers were BF16/F16 here before.
_CONVERTER_F32 = ("ffn_gate_inp.weight", "ffn_gate_inp_shexp.weight", "ssm_conv1d.weight",
                  "position_embd.weight", "token_types.weight")


def _source_types(a: Architecture, outtype: str = "BF16") -> dict[str, str]:
    """Types convert_hf_to_gguf.py (b11312) writes with ``--outtype outtype``: the quantizer's source.

    Over :func:`inventory.file_tensors` (the NextN/MTP blocks included), the
    rules of conversion/base.py ``ModelBase.prepare_tensors``: F32 for every
    tensor of at most one dimension, every ``*_norm.weight``, every name not
    ending in ``.weight`` (biases, ``ssm_a``, ``exp_probs_b.bias``) and the
    always-F32 kinds in :data:`_CONVERTER_F32` (MoE routers, conv kernels);
    gpt-oss experts MXFP4 (conversion/gpt_oss.py ``repack_mxfp4`` copies the
    checkpoint's *_blocks/*_scales); everything else ``outtype``. Checked
    tensor by tensor against the converter in tests/test_conformance.py.
    """
    out: dict[str, str] = {}
    for t in file_tensors(a):
        n = t.name
        if (len(t.ne) <= 1 or n.endswith("_norm.weight") or not n.endswith(".weight")
                or any(k in n for k in _CONVERTER_F32)):
            out[n] = "F32"
        elif a.arch == "gpt-oss" and "_exps.weight" in n:
            out[n] = "MXFP4"
        else:
            out[n] = outtype
    return out


def _default_options(a: Architecture, options: dict) -> tuple:
    """Quantizer options as a cache key, with the per-architecture defaults filled in.

    gpt-oss: ``keep_quantized_source`` defaults to True. Its converted file holds
    the experts in MXFP4 and a stock ``llama-quantize`` run refuses to touch them
    ("requantizing from type mxfp4 is disabled", recorded in
    tests/data/conformance/), so every published gpt-oss GGUF keeps them
    (gpt-oss-120b: 60.87 / 60.03 / ~58 GiB at F16 / Q8_0 / Q4_K_M).
    """
    opts = dict(options)
    if a.arch == "gpt-oss":
        opts.setdefault("keep_quantized_source", True)
    return tuple(sorted(opts.items()))


@lru_cache(maxsize=512)
def _gguf_planned(a: Architecture, mix: str, file: bool, opts: tuple) -> Weights:
    if file:
        tl, n_layer, nextn = file_tensors(a), block_count(a), a.n_layer_nextn
    else:
        tl, n_layer, nextn = tensors(a), a.n_layer, 0
    n_kv = [h for h in a.n_head_kv if h] or [a.n_head]
    types = plan_types(mix, tl, arch=a.arch, n_layer=n_layer, n_head=a.n_head,
                       n_head_kv=max(n_kv), n_expert=a.n_expert,
                       source_types=_source_types(a), n_layer_nextn=nextn, **dict(opts))
    wt = lambda t: WeightTensor(t, types[t.name], tensor_bytes(types[t.name], t.ne))  # noqa: E731
    loaded = tuple(wt(t) for t in tensors(a))          # llama.cpp's load order
    skipped = tuple(wt(t) for t in tl if is_nextn(a, t)) if file else ()
    return Weights(loaded, skipped)


def gguf_file_weights(a: Architecture, mix: str, *, mtp_in_file: bool = True, **options) -> Weights:
    """``a`` after ``llama-quantize MIX`` with quantizer ``options`` (see ``gguf_mix.plan_quantization``).

    llama-quantize plans every tensor of the *file* (:func:`inventory.file_tensors`,
    the NextN/MTP blocks of glm4moe/qwen3next/qwen35/qwen35moe included): its
    ffn/attn_v counters run over ``block_count = n_layer + n_layer_nextn``
    (``init_quantize_state_counters``, ``qs.n_ffn_down = n_layer_all``), so the
    MTP block can shift the types of the trunk's tensors (Qwen3.5-397B-A17B
    Q4_K_M: three tensors of blk.52 drop from Q6_K to Q4_K). ``tensors`` holds
    what llama.cpp loads (``not inventory.is_nextn``), ``not_loaded`` the MTP
    block; ``file_total`` is the file's tensor bytes.

    ``mtp_in_file=False``: a file without the NextN blocks (convert
    ``--no-mtp``; the trunk-only sparse GGUF benchmarks/llamacpp_oracle.py
    wrote): counters over ``n_layer``.
    """
    return _gguf_planned(a, mix, bool(mtp_in_file and a.n_layer_nextn), _default_options(a, options))


def gguf_weights(a: Architecture, mix: str) -> Weights:
    """Per-tensor types and bytes of ``a`` quantized to the GGUF ``mix`` (plain
    ``llama-quantize in.gguf out.gguf MIX`` on a file converted with its MTP
    blocks); one shared, memoised instance per (architecture, mix). gpt-oss keeps
    its MXFP4 experts (see :func:`_default_options`)."""
    return _gguf_planned(a, mix, bool(a.n_layer_nextn), _default_options(a, {}))


def _is_quantized_linear(t: Tensor, experts_only: bool) -> bool:
    if len(t.ne) < 2 or t.layer is None:
        return False
    if any(k in t.name for k in _KEEP_16BIT):
        return False
    if experts_only:
        return "_exps." in t.name
    return True


def _hf_tensor_bytes(t: Tensor, spec: dict, base_bytes: int) -> int:
    bits = int(spec.get("weight_bits", 16))
    if bits >= 16 or not _is_quantized_linear(t, bool(spec.get("experts_only"))):
        return t.n_elements * (4 if bits == 32 else base_bytes)
    n_in = t.ne[0]                     # input features (row length)
    n_rows = t.n_rows                  # output features x experts
    size = ceil(t.n_elements * bits / 8)
    group = int(spec.get("group_size") or 0)
    if group:
        groups = n_rows * ceil(n_in / group)
        size += groups * int(spec.get("group_scale_bytes", 0))
        size += ceil(groups * int(spec.get("group_zero_bits", 0)) / 8)
    size += n_rows * int(spec.get("row_scale_bytes", 0))
    if spec.get("col_index_bytes"):    # GPTQ g_idx: one entry per input feature (per expert)
        size += n_in * int(spec["col_index_bytes"]) * (t.n_elements // (n_in * t.ne[1]))
    return size


@lru_cache(maxsize=512)
def _hf_weights_cached(a: Architecture, quant_id: str, spec_items: tuple) -> Weights:
    spec = dict(spec_items)
    base = 4 if int(spec.get("weight_bits", 16)) == 32 else 2
    label = spec.get("label", quant_id)
    out = []
    for t in tensors(a):
        if t.name in NOT_HF_PARAMS:
            continue   # rope_freqs / rope_factors_*: config.json values for transformers/vLLM
        nbytes = _hf_tensor_bytes(t, spec, base)
        quantized = int(spec.get("weight_bits", 16)) < 16 and _is_quantized_linear(
            t, bool(spec.get("experts_only")))
        out.append(WeightTensor(t, label if quantized else ("F32" if base == 4 else "BF16"), nbytes))
    return Weights(tuple(out))


def hf_weights(a: Architecture, quant: Quant) -> Weights:
    """Bytes of ``a`` as a checkpoint in ``quant`` (transformers / vLLM)."""
    items = tuple(sorted((k, v) for k, v in quant.spec.items() if isinstance(v, (int, str, bool, float))))
    return _hf_weights_cached(a, quant.id, items)


def weights_for(a: Architecture, quant: Quant) -> Weights:
    return gguf_weights(a, quant.id) if quant.is_gguf else hf_weights(a, quant)


# ----------------------------------------------------------------------------
# placement
# ----------------------------------------------------------------------------

def gpu_layer_set(a: Architecture, n_gpu_layers: int) -> tuple[set[int], bool]:
    """(layers on the GPU, output layer on the GPU) for llama.cpp's -ngl."""
    n_gpu_layers = max(0, n_gpu_layers)
    start = max(a.n_layer + 1 - n_gpu_layers, 0)
    layers = {il for il in range(a.n_layer) if il >= start}
    return layers, n_gpu_layers > 0 and a.n_layer >= start


@dataclass(frozen=True)
class Placement:
    device_bytes: int
    host_bytes: int
    gpu_layers: frozenset[int]
    output_on_gpu: bool


#: ggml-cuda/common.cuh MATRIX_ROW_PADDING: quantized rows are padded to this many
#: values (ggml_backend_cuda_buffer_type_get_alloc_size) ...
CUDA_MATRIX_ROW_PADDING = 512
#: ... and each tensor starts on a 128-byte boundary
#: (ggml_backend_cuda_buffer_type_get_alignment).
CUDA_ALIGNMENT = 128


def cuda_alloc_bytes(wt: WeightTensor) -> int:
    """Bytes a weight tensor takes in a CUDA buffer (row padding + alignment)."""
    from .ggml_types import get_type, row_bytes
    size = wt.nbytes
    ne0 = wt.tensor.ne[0]
    gt = get_type(wt.type) if wt.type in _GGML_NAMES else None
    if gt is not None and gt.is_quantized and ne0 % CUDA_MATRIX_ROW_PADDING:
        size += row_bytes(wt.type, CUDA_MATRIX_ROW_PADDING - ne0 % CUDA_MATRIX_ROW_PADDING)
    return -(-size // CUDA_ALIGNMENT) * CUDA_ALIGNMENT


@dataclass(frozen=True)
class _PlacementSums:
    """One walk over the tensors, grouped the way :func:`place_llamacpp` splits them."""

    layers: tuple[tuple[int, int, int], ...]   # (layer, CUDA bytes, bytes) per repeating layer
    output_dev: int        # output-layer tensors (output, output_norm, rope_freqs) as CUDA allocates them
    output_host: int       # the same tensors' plain bytes
    input_host: int        # token_embd: always on the host
    embd_dup_dev: int      # token_embd as a CUDA tensor (the tied output's duplicate)
    has_output: bool


def _placement_sums(w: Weights) -> _PlacementSums:
    per_layer: dict[int, list[int]] = {}
    out_dev = out_host = in_host = dup = 0
    has_output = False
    for wt in w.tensors:
        t = wt.tensor
        if t.name == "output.weight":
            has_output = True
        if t.name == "token_embd.weight":
            dup += cuda_alloc_bytes(wt)
        if t.layer is not None:
            acc = per_layer.setdefault(t.layer, [0, 0])
            acc[0] += cuda_alloc_bytes(wt)
            acc[1] += wt.nbytes
        elif t.name == "token_embd.weight":
            in_host += wt.nbytes
        else:
            out_dev += cuda_alloc_bytes(wt)
            out_host += wt.nbytes
    return _PlacementSums(tuple((il, d, h) for il, (d, h) in per_layer.items()),
                          out_dev, out_host, in_host, dup, has_output)


def place_llamacpp(a: Architecture, w: Weights, n_gpu_layers: int) -> Placement:
    """Split weights between GPU and host the way llama.cpp loads them.

    GPU tensors are counted as the CUDA buffer allocates them
    (:func:`cuda_alloc_bytes`). With tied embeddings the output layer is a
    *duplicate* of token_embd created in the output layer's buffer
    (TENSOR_DUPLICATED in src/models/*.cpp), so a GPU-resident output costs a
    second copy of the embedding while the input copy stays on the host.

    Per tensor: a repeating layer's tensors go where their layer goes; the
    input layer (token_embd) always stays on the CPU (``dev_input =
    cpu_dev``); the output layer's tensors (output, output_norm, rope_freqs)
    go with the output layer. The per-layer sums come from
    ``Weights._placement_sums`` (integers, so the grouping changes no byte).
    """
    layers, out_gpu = gpu_layer_set(a, n_gpu_layers)
    p = w._placement_sums
    dev = host = 0
    if out_gpu and not p.has_output:
        dev += p.embd_dup_dev
    for il, d, h in p.layers:
        if il in layers:
            dev += d
        else:
            host += h
    host += p.input_host
    if out_gpu:
        dev += p.output_dev
    else:
        host += p.output_host
    return Placement(dev, host, frozenset(layers), out_gpu)
