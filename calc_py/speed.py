"""Step 9: how fast it runs -- decode and prefill tokens/s for llama.cpp (Ollama the same).

Why physics first: decoding one token reads every weight it multiplies once
(a matrix-vector product per tensor), so the time per token is the bytes read
over the memory's bandwidth; prefill multiplies the same weights by a batch of
512 tokens, so it is bound by the matrix throughput instead. The efficiencies
(how much of the nominal bandwidth / FLOPS a backend's kernels reach for a
weight type) and a fixed per-layer cost per token (kernel launches and
synchronisation, which is what makes a pure ``bandwidth / size`` rule
overestimate small models) are *fitted* on published llama-bench runs by
``benchmarks/speed_fit.py`` and read from ``calc_py/data/speed_fit.json``.

The model, per decoded token at KV depth ``d``::

    t = sum over devices k [ sum over weight groups g  bytes[k,g] / (BW_k * eta[b_k,g])
                             + kv_bytes[k](d) / (BW_k * eta_kv[b_k])
                             + (n_layers[k] + k_moe n_moe[k] + k_rec n_rec[k]) * tau[b_k] + c0[b_k] ]

devices run one after another (llama.cpp's layer split is a pipeline, so a
single sequence visits the devices in turn: ``ggml_backend_sched`` splits the
graph per backend). Per prompt token (``pp512``)::

    t = sum_k [ sum_g flops[k,g] / (TF_k * eps[b_k,g]) + attn_flops[k] / (TF_k * eps_attn[b_k])
                + n_layers[k] * tau_pp[b_k] / n_ubatch ]
        + host_bytes / (PCIe * n_ubatch)

where layers left in host RAM still compute on the GPU during prefill (their
weights are copied over PCIe once per micro-batch: llama.cpp's op offload,
``ggml_backend_sched`` with ``op_offload``, on by default since b4500).

What is read per decoded token (from the tensor inventory with its real
types, :mod:`calc_py.weights`):

* every 2-D weight once, except ``token_embd`` (a ``get_rows``: one row per
  token, negligible) -- with tied embeddings the output matmul reads the
  duplicate llama.cpp makes in the output layer's buffer;
* MoE expert tensors (``*_exps``) only for the ``n_expert_used`` of
  ``n_expert`` experts the router picks (``ggml_mul_mat_id`` reads the rows of
  the selected experts only); shared experts, router, attention fully;
* the KV cache up to depth ``d`` in the layout of :mod:`calc_py.kv_cache`
  (K and V rows at the cache type; MLA: the latent only; sliding-window
  layers at most ``n_swa`` cells; recurrent layers their whole state, read and
  written).

The entry point takes a *placement* -- ``device_of(WeightTensor) -> int``,
device ``-1`` = host RAM, ``0..n-1`` = the entries of ``devices`` (GPU catalog
dicts) -- so one GPU, experts on the CPU and multi-GPU layer splits are the
same call. :func:`llamacpp_device_of` writes the single-GPU placement
(``-ngl``, ``-ot exps=CPU``, ``--n-cpu-moe``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, Mapping, Sequence

from .architecture import Architecture
from .errors import CalcError
from .ggml_types import row_bytes
from .tensor import Tensor
from .weights import WeightTensor, Weights, gpu_layer_set

HOST = -1

#: Default host RAM bandwidth: dual-channel DDR5-5600, 5600 MT/s x 8 bytes x 2
#: channels = 89.6 GB/s (JEDEC JESD79-5 speed bin; the common desktop
#: configuration of 2024-2026). Override with ``host_bandwidth_gbs``.
DEFAULT_RAM_BANDWIDTH_GBS = 89.6
#: Host -> GPU copies during prefill of host-resident layers: PCIe 4.0 x16 is
#: 31.5 GB/s per direction (PCI-SIG 4.0 base spec, 16 GT/s x 16 lanes,
#: 128b/130b); pinned-memory copies reach about 80 % of it.
DEFAULT_PCIE_GBS = 25.0
#: llama-bench / llama.cpp default micro-batch (common/common.h n_ubatch = 512)
DEFAULT_UBATCH = 512

BACKENDS = ("cuda", "rocm", "metal", "vulkan", "sycl")
#: weight-type groups: kernels differ by how much dequantisation each byte costs
GROUPS = ("f16", "q8", "legacy", "kquant", "iquant", "mxfp4")

_GROUP_OF = {"F16": "f16", "BF16": "f16", "F32": "f16", "F64": "f16",
             "Q8_0": "q8", "Q8_1": "q8", "Q8_K": "q8",
             "Q4_0": "legacy", "Q4_1": "legacy", "Q5_0": "legacy", "Q5_1": "legacy", "IQ4_NL": "legacy",
             "MXFP4": "mxfp4"}


def type_group(ggml_type: str) -> str:
    """The kernel family a ggml type runs in: f16, q8, legacy (Q4_0..Q5_1), kquant (Q2_K..Q6_K),
    iquant (IQ*, lattice codebooks), mxfp4."""
    t = (ggml_type or "").upper()
    if t in _GROUP_OF:
        return _GROUP_OF[t]
    if t.startswith("IQ") or t.startswith("TQ"):
        return "iquant"
    return "kquant"


# ----------------------------------------------------------------------------
# devices
# ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DeviceSpec:
    """One memory a tensor can live in, with what its backend reaches there."""

    name: str
    backend: str              # cuda | rocm | metal | vulkan | sycl | cpu
    bandwidth_gbs: float
    fp16_tflops: float | None       # dense FP16 tensor throughput as the catalog lists it
    unified: bool = False
    #: what llama.cpp's matmuls reach over ``fp16_tflops``: GeForce cards list FP16 with FP32
    #: accumulation, which they run at half rate, while llama.cpp accumulates F16 GEMMs in FP16
    #: (ggml-cuda.cu ggml_cuda_op_mul_mat_cublas: CUBLAS_COMPUTE_16F unless CDNA) and quantized
    #: ones in int8 (mmq.cuh), both at twice that rate; workstation/datacenter cards list full rate
    mma_rate: float = 1.0


def _backend_of(gpu: Mapping[str, Any]) -> str:
    b = gpu.get("backend")
    if isinstance(b, (list, tuple)):
        b = b[0] if b else None
    if not b:
        vendor = str(gpu.get("vendor") or "").lower()
        b = {"nvidia": "cuda", "amd": "rocm", "apple": "metal", "intel": "sycl"}.get(vendor)
    if not b:
        raise CalcError(f"GPU {gpu.get('id') or gpu.get('name')!r} has no 'backend' in the GPU catalog",
                        field="gpu")
    return str(b).lower()


def device_spec(gpu: Mapping[str, Any], backend: str | None = None) -> DeviceSpec:
    """A GPU catalog entry as a :class:`DeviceSpec`; a clear error when its bandwidth is missing.

    ``backend`` overrides the catalog's (a CUDA card run through Vulkan)."""
    bw = gpu.get("bandwidth_gbs")
    if not isinstance(bw, (int, float)) or bw <= 0:
        raise CalcError(f"GPU {gpu.get('id') or gpu.get('name')!r} has no memory bandwidth "
                        "('bandwidth_gbs') in the GPU catalog", field="gpu")
    tf = gpu.get("fp16_tflops")
    tf = float(tf) if isinstance(tf, (int, float)) and tf > 0 else None
    geforce = gpu.get("vendor") == "nvidia" and gpu.get("segment") in ("consumer", "laptop")
    return DeviceSpec(str(gpu.get("id") or gpu.get("name") or "gpu"), (backend or _backend_of(gpu)).lower(),
                      float(bw), tf, bool(gpu.get("unified_memory")), 2.0 if geforce else 1.0)


def host_spec(bandwidth_gbs: float = DEFAULT_RAM_BANDWIDTH_GBS) -> DeviceSpec:
    if not bandwidth_gbs or bandwidth_gbs <= 0:
        raise CalcError("host RAM bandwidth must be a positive number of GB/s", field="ram-bandwidth")
    return DeviceSpec("host RAM", "cpu", float(bandwidth_gbs), None, False)


# ----------------------------------------------------------------------------
# fitted constants
# ----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def speed_fit() -> dict[str, Any]:
    """calc_py/data/speed_fit.json (written by benchmarks/speed_fit.py)."""
    return json.loads((resources.files("calc_py") / "data" / "speed_fit.json").read_text(encoding="utf-8"))


def _params(fit: Mapping[str, Any] | None, backend: str) -> dict[str, Any]:
    f = fit or speed_fit()
    per = f["backends"]
    return per.get(backend) or per[f.get("default_backend", "vulkan")]


# ----------------------------------------------------------------------------
# what one token reads / computes, per device
# ----------------------------------------------------------------------------

def _output_duplicate(w: Weights) -> WeightTensor | None:
    """Tied embeddings: the output matmul reads the copy of token_embd made in the output layer."""
    if any(x.tensor.name == "output.weight" for x in w.tensors):
        return None
    for x in w.tensors:
        if x.tensor.name == "token_embd.weight":
            return WeightTensor(Tensor("output.weight", x.tensor.ne, None), x.type, x.nbytes)
    return None


def _active_fraction(a: Architecture, name: str) -> float:
    if "_exps" in name and a.n_expert:
        return a.n_expert_used / a.n_expert
    return 1.0


def decode_weight_reads(a: Architecture, w: Weights,
                        device_of: Callable[[WeightTensor], int]) -> dict[int, dict[str, float]]:
    """Bytes read per decoded token, per device and weight group (KV cache apart)."""
    out: dict[int, dict[str, float]] = {}
    dup = _output_duplicate(w)
    for wt in (*w.tensors, *((dup,) if dup else ())):
        if wt.tensor.name == "token_embd.weight":
            continue                   # get_rows: one row per token
        b = wt.nbytes * _active_fraction(a, wt.tensor.name)
        dev = out.setdefault(device_of(wt), {})
        g = type_group(wt.type)
        dev[g] = dev.get(g, 0.0) + b
    return out


def prefill_weight_flops(a: Architecture, w: Weights,
                         device_of: Callable[[WeightTensor], int]) -> dict[int, dict[str, float]]:
    """Matmul FLOPs per prompt token (2 per active weight element), per device and weight group.

    Left out: token_embd (get_rows), 1-D tensors (norms, biases), the output
    matmul (llama-bench asks for the last token's logits only).
    """
    out: dict[int, dict[str, float]] = {}
    for wt in w.tensors:
        t = wt.tensor
        if len(t.ne) < 2 or t.name in ("token_embd.weight", "output.weight") or t.name.endswith(".bias"):
            continue
        dev = out.setdefault(device_of(wt), {})
        g = type_group(wt.type)
        dev[g] = dev.get(g, 0.0) + 2.0 * t.n_elements * _active_fraction(a, t.name)
    return out


def layer_devices(a: Architecture, w: Weights, device_of: Callable[[WeightTensor], int]) -> dict[int, int]:
    """Device of each layer's attention (where llama.cpp puts its KV cache and recurrent state)."""
    out: dict[int, int] = {}
    for wt in w.tensors:
        il = wt.tensor.layer
        if il is None or il in out:
            continue
        if "_exps" in wt.tensor.name:
            continue                   # experts may be on the host while the layer is on the GPU
        out[il] = device_of(wt)
    return out


def kv_read_by_layer(a: Architecture, depth: int, kv_type: str = "f16", kv_type_v: str | None = None,
                     n_seq: int = 1) -> list[float]:
    """Bytes of cache one decoded token reads in each layer at KV depth ``depth``.

    Same per-layer widths and row sizes as :func:`calc_py.kv_cache.llamacpp_kv`
    (K and V rows at the cache type, MLA's latent-only K, no V), but only the
    ``depth`` cells in use (flash attention and the KQ matmul read only
    ``n_kv`` cells, padded to 256 in llama_kv_cache::get_n_kv -- below the
    resolution here), SWA layers at most ``n_swa``; recurrent layers read and
    write their conv + SSM state (F32) once per token.
    """
    tk = kv_type.upper()
    tv = (kv_type_v or kv_type).upper()
    out: list[float] = []
    for il in range(a.n_layer):
        if a.recurrent_layers and a.recurrent_layers[il]:
            conv = (a.ssm_d_conv - 1) * (a.ssm_d_inner + 2 * a.ssm_n_group * a.ssm_d_state)
            out.append(2.0 * (conv + a.ssm_d_state * a.ssm_d_inner) * 4 * n_seq)
            continue
        if a.n_head_kv[il] == 0 and not a.is_mla:
            out.append(0.0)
            continue
        n = depth
        if a.has_swa and a.swa_layers[il] and not a.swa_chunked:
            n = min(depth, a.n_swa)
        b = row_bytes(tk, a.n_embd_k_gqa(il)) * n
        if not a.is_mla and a.n_embd_v_gqa(il):
            b += row_bytes(tv, a.n_embd_v_gqa(il)) * n
        out.append(float(b))
    return out


def attention_flops_by_layer(a: Architecture, ctx: float) -> list[float]:
    """Attention FLOPs per prompt token at mean context ``ctx`` (QK^T and PV: 2*n_head*(dk+dv)*ctx)."""
    out: list[float] = []
    for il in range(a.n_layer):
        if (a.recurrent_layers and a.recurrent_layers[il]) or (a.n_head_kv[il] == 0 and not a.is_mla):
            out.append(0.0)
            continue
        n = ctx
        if a.has_swa and a.swa_layers[il]:
            n = min(ctx, a.n_swa)
        if a.is_mla:
            dk, dv = a.kv_lora_rank + a.rope_dim, a.kv_lora_rank
        else:
            dk, dv = a.head_dim_k, a.head_dim_v
        out.append(2.0 * a.n_head * (dk + dv) * n)
    return out


# ----------------------------------------------------------------------------
# the estimate
# ----------------------------------------------------------------------------

def _eta(p: Mapping[str, Any], kind: str, group: str) -> float:
    table = p[kind]
    return float(table.get(group) or table["kquant"])


@dataclass(frozen=True)
class SpeedInputs:
    """The placement-dependent quantities of one setup, per device (-1 = host RAM).

    Computed once from the tensor inventory; :func:`decode_seconds` and
    :func:`prefill_seconds` turn them into time with a set of fitted constants
    (the fitting script evaluates them many times with trial constants).
    """

    reads: dict[int, dict[str, float]]      # weight bytes read per decoded token, per group
    kv: dict[int, float]                    # KV / recurrent-state bytes read per decoded token
    layers: dict[int, int]                  # repeating layers per device
    moe_layers: dict[int, int]              # ... of which MoE (router, top-k, mul_mat_id: more kernels)
    rec_layers: dict[int, int]              # ... of which recurrent (SSM / delta-net scan kernels)
    flops: dict[int, dict[str, float]]      # weight matmul FLOPs per prompt token, per group
    attn_flops: dict[int, float]            # attention FLOPs per prompt token
    host_weight_bytes: int                  # weights in host RAM (copied per ubatch in prefill)
    n_ubatch: int


def speed_inputs(a: Architecture, w: Weights, device_of: Callable[[WeightTensor], int], *,
                 depth: int = 0, kv_type: str = "f16", kv_type_v: str | None = None,
                 n_prompt: int = 512, n_ubatch: int = DEFAULT_UBATCH,
                 kv_bytes_by_device: Mapping[int, float] | None = None,
                 weight_scale: float = 1.0) -> SpeedInputs:
    """Bytes and FLOPs per token for ``a``/``w`` under the placement ``device_of``.

    ``weight_scale`` multiplies every weight byte (the benchmarks use it to
    match a published file whose custom mix differs from the stock one).
    """
    reads = decode_weight_reads(a, w, device_of)
    if weight_scale != 1.0:
        reads = {d: {g: b * weight_scale for g, b in v.items()} for d, v in reads.items()}
    lay_dev = layer_devices(a, w, device_of)
    if kv_bytes_by_device is None:
        kv: dict[int, float] = {}
        for il, b in enumerate(kv_read_by_layer(a, depth, kv_type, kv_type_v)):
            d = lay_dev.get(il, HOST)
            kv[d] = kv.get(d, 0.0) + b
    else:
        kv = {int(k): float(v) for k, v in kv_bytes_by_device.items()}
    layers: dict[int, int] = {}
    moe: dict[int, int] = {}
    rec: dict[int, int] = {}
    for il in range(a.n_layer):
        d = lay_dev.get(il, HOST)
        layers[d] = layers.get(d, 0) + 1
        if a.moe_layers and a.moe_layers[il]:
            moe[d] = moe.get(d, 0) + 1
        if a.recurrent_layers and a.recurrent_layers[il]:
            rec[d] = rec.get(d, 0) + 1
    attn: dict[int, float] = {}
    for il, fl in enumerate(attention_flops_by_layer(a, depth + n_prompt / 2)):
        d = lay_dev.get(il, HOST)
        attn[d] = attn.get(d, 0.0) + fl
    host_bytes = sum(x.nbytes for x in w.tensors
                     if x.tensor.name != "token_embd.weight" and device_of(x) == HOST)
    return SpeedInputs(reads, kv, layers, moe, rec, prefill_weight_flops(a, w, device_of), attn,
                       int(host_bytes * weight_scale), max(1, min(n_ubatch, n_prompt)))


def device_specs(devices: Sequence[Mapping[str, Any]], host_bandwidth_gbs: float = DEFAULT_RAM_BANDWIDTH_GBS,
                 backend: str | None = None) -> dict[int, DeviceSpec]:
    """{-1: host RAM, 0..n-1: the GPUs}; ``backend`` overrides the GPUs' own (CUDA card via Vulkan)."""
    specs: dict[int, DeviceSpec] = {HOST: host_spec(host_bandwidth_gbs)}
    for i, g in enumerate(devices):
        specs[i] = device_spec(g, backend)
    return specs


def _check_devices(x: SpeedInputs, specs: Mapping[int, DeviceSpec]) -> None:
    for d in (*x.reads, *x.kv, *x.layers):
        if d not in specs:
            raise CalcError(f"placement names device {d}, but only {len(specs) - 1} device(s) were given",
                            field="gpu")


def _decode_consts(f: Mapping[str, Any], backend: str) -> tuple[dict[str, float], float, float, float]:
    """(eta per group, eta_kv, seconds per layer, seconds per token) of one backend (memoised per fit)."""
    key = (id(f), backend)
    hit = _CONSTS.get(key)
    if hit is not None and hit[0] is f:
        return hit[1]
    if backend == "cpu":
        host = f["host"]
        out = ({g: float(host["eta"]) for g in GROUPS}, float(host["eta"]),
               float(host.get("per_layer_us", 0.0)) * 1e-6, 0.0)
    else:
        p = _params(f, backend)
        out = ({g: _eta(p, "eta", g) for g in GROUPS}, float(p["eta_kv"]), float(p["per_layer_us"]) * 1e-6,
               float(p.get("per_token_us", 0.0)) * 1e-6)     # c0: graph launch, sync, sampling
    if len(_CONSTS) > 256:
        _CONSTS.clear()
    _CONSTS[key] = (f, out)
    return out


_CONSTS: dict[tuple[int, str], tuple[Mapping[str, Any], tuple]] = {}


def decode_seconds(x: SpeedInputs, specs: Mapping[int, DeviceSpec],
                   fit: Mapping[str, Any] | None = None) -> dict[int, float]:
    """Seconds per decoded token spent on each device (they run one after another)."""
    f = fit or speed_fit()
    host = f["host"]
    extra = f.get("layer_cost") or {}
    k_moe, k_rec = float(extra.get("moe", 0.0)), float(extra.get("recurrent", 0.0))
    out: dict[int, float] = {}
    for d in sorted(set(x.reads) | set(x.kv) | set(x.layers)):
        s = specs[d]
        bw = s.bandwidth_gbs * 1e9
        eta_w, eta_kv, tau, c0 = _decode_consts(f, "cpu" if d == HOST else s.backend)
        t = sum(b / (bw * eta_w.get(g, eta_w["kquant"])) for g, b in x.reads.get(d, {}).items())
        t += x.kv.get(d, 0.0) / (bw * eta_kv)
        # fixed cost per layer, MoE and recurrent layers counting 1 + k (more kernels per layer)
        t += (x.layers.get(d, 0) + k_moe * x.moe_layers.get(d, 0) + k_rec * x.rec_layers.get(d, 0)) * tau
        out[d] = t + c0
    return out


def prefill_seconds(x: SpeedInputs, specs: Mapping[int, DeviceSpec], fit: Mapping[str, Any] | None = None,
                    pcie_gbs: float = DEFAULT_PCIE_GBS) -> float | None:
    """Seconds per prompt token; None when a GPU has no FP16 throughput in the catalog.

    Host-resident layers compute on the first GPU (op offload) after their
    weights cross PCIe once per micro-batch (not on unified memory).
    """
    f = fit or speed_fit()
    gpu_ids = [i for i in specs if i != HOST]
    if not gpu_ids or not all(specs[i].fp16_tflops for i in gpu_ids):
        return None
    first = gpu_ids[0]
    extra = f.get("layer_cost_pp") or {}
    k_moe, k_rec = float(extra.get("moe", 0.0)), float(extra.get("recurrent", 0.0))
    total = 0.0
    for d in set(x.flops) | set(x.attn_flops) | set(x.layers):
        s = specs[first if d == HOST else d]
        p = _params(f, s.backend)
        tf = float(s.fp16_tflops) * s.mma_rate * 1e12
        total += sum(fl / (tf * _eta(p, "eff", g)) for g, fl in x.flops.get(d, {}).items())
        total += x.attn_flops.get(d, 0.0) / (tf * float(p["eff_attn"]))
        units = x.layers.get(d, 0) + k_moe * x.moe_layers.get(d, 0) + k_rec * x.rec_layers.get(d, 0)
        total += units * float(p["pp_per_layer_us"]) * 1e-6 / x.n_ubatch
    if x.host_weight_bytes and not specs[first].unified:
        total += x.host_weight_bytes / (pcie_gbs * 1e9) / x.n_ubatch
    return total


def estimate_speed(a: Architecture, w: Weights, device_of: Callable[[WeightTensor], int],
                   devices: Sequence[Mapping[str, Any]], *,
                   host_bandwidth_gbs: float = DEFAULT_RAM_BANDWIDTH_GBS,
                   kv_bytes_by_device: Mapping[int, float] | None = None,
                   depth: int = 0, kv_type: str = "f16", kv_type_v: str | None = None,
                   n_prompt: int = 512, n_ubatch: int = DEFAULT_UBATCH,
                   pcie_gbs: float = DEFAULT_PCIE_GBS, backend: str | None = None,
                   fit: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Decode tokens/s at KV depth ``depth`` and prefill tokens/s for an ``n_prompt`` prompt.

    ``device_of`` places every weight tensor: -1 = host RAM, i = ``devices[i]``
    (GPU catalog entries: ``bandwidth_gbs``, ``fp16_tflops``, ``backend``,
    ``unified_memory``). ``kv_bytes_by_device`` overrides the KV bytes read per
    token on each device (default: :func:`kv_read_by_layer` at ``depth``, each
    layer's cache on its attention's device). ``backend`` overrides the
    devices' own. ``fit`` overrides speed_fit.json.

    Returns tokens/s, seconds per token per device and the bytes behind them;
    ``prefill_tokens_per_s`` is None when a GPU has no ``fp16_tflops``.
    """
    specs = device_specs(devices, host_bandwidth_gbs, backend)
    x = speed_inputs(a, w, device_of, depth=depth, kv_type=kv_type, kv_type_v=kv_type_v,
                     n_prompt=n_prompt, n_ubatch=n_ubatch, kv_bytes_by_device=kv_bytes_by_device)
    _check_devices(x, specs)
    f = fit or speed_fit()
    dec = decode_seconds(x, specs, f)
    t_tok = sum(dec.values())
    pre = prefill_seconds(x, specs, f, pcie_gbs)
    return {
        "decode_tokens_per_s": 1.0 / t_tok if t_tok > 0 else None,
        "prefill_tokens_per_s": 1.0 / pre if pre else None,
        "decode_seconds_by_device": dec,
        "decode_weight_bytes_by_device": {d: sum(v.values()) for d, v in x.reads.items()},
        "decode_kv_bytes_by_device": dict(x.kv),
        "depth": depth,
        "backends": sorted({s.backend for i, s in specs.items() if i != HOST}),
        "fit_date": f.get("fitted"),
    }


# ----------------------------------------------------------------------------
# placements (single GPU); multi-device placements come from calc_py/placement.py
# ----------------------------------------------------------------------------

def llamacpp_device_of(a: Architecture, n_gpu_layers: int | None = None, *, n_cpu_moe: int = 0,
                       experts_on_cpu: bool = False) -> Callable[[WeightTensor], int]:
    """``device_of`` for one GPU under llama.cpp's ``-ngl`` (:func:`weights.gpu_layer_set`).

    token_embd stays on the host (``dev_input = cpu_dev``); the last
    ``n_gpu_layers`` layers and the output layer are on GPU 0 (None or -1 =
    all). ``experts_on_cpu`` is ``-ot exps=CPU`` (every ``*_exps`` tensor in
    host RAM); ``n_cpu_moe`` is ``--n-cpu-moe N`` (common/arg.cpp: the experts
    of layers 0..N-1 on the CPU).
    """
    n = a.n_layer + 1 if n_gpu_layers in (None, -1) else int(n_gpu_layers)
    gpu_layers, out_gpu = gpu_layer_set(a, n)

    def device_of(wt: WeightTensor) -> int:
        t = wt.tensor
        if t.name == "token_embd.weight":
            return HOST
        if t.layer is None:
            return 0 if out_gpu else HOST
        if "_exps" in t.name and (experts_on_cpu or t.layer < n_cpu_moe):
            return HOST
        return 0 if t.layer in gpu_layers else HOST

    return device_of


# ----------------------------------------------------------------------------
# fast path for the GPU comparison table: bytes once, one division per GPU
# ----------------------------------------------------------------------------

def decode_profile(a: Architecture, w: Weights, depth: int = 0, kv_type: str = "f16") -> SpeedInputs:
    """What one decoded token reads with every layer on one GPU (computed once per setup)."""
    return speed_inputs(a, w, llamacpp_device_of(a), depth=depth, kv_type=kv_type)


def decode_tokens_per_s(profile: SpeedInputs, gpu: Mapping[str, Any],
                        fit: Mapping[str, Any] | None = None) -> float | None:
    """Decode tokens/s of ``profile`` on one catalog GPU; None when the GPU lacks bandwidth or backend."""
    try:
        specs = device_specs([gpu])
    except CalcError:
        return None
    t = sum(decode_seconds(profile, specs, fit).values())
    return 1.0 / t if t > 0 else None


def naive_decode_tokens_per_s(model_bytes: float, bandwidth_gbs: float) -> float:
    """The rule most calculators use (llmfit): bandwidth / model bytes x 0.55 -- for comparison only."""
    return bandwidth_gbs * 1e9 / model_bytes * 0.55


# ----------------------------------------------------------------------------
# the estimate's ``speed`` field (single GPU; multi-device placements: the lead wires placement.py)
# ----------------------------------------------------------------------------

def fit_accuracy() -> dict[str, Any]:
    """The published-row errors speed_fit.json records (for the page's 'how this was estimated')."""
    return (speed_fit().get("provenance") or {}).get("summary_abs_err_pct") or {}


def speed_for_estimate(s: Any, a: Architecture, w: Weights, result: Mapping[str, Any]) -> dict[str, Any] | None:
    """``speed`` for :func:`calc_py.estimate.estimate`: None unless llama.cpp/Ollama with a GPU.

    Decode at an empty cache (llama-bench ``tg128``), decode with the cache
    filled to the configured context, prefill of a 512-token prompt, and the
    ``basis`` (bandwidth, FP16 throughput, backend, fitted efficiencies) the
    numbers rest on. The placement is :mod:`calc_py.placement`'s (``-ngl``,
    ``-ot``, ``--n-cpu-moe``, ``-ts``); ``-sm row`` (rows of one matrix on all
    GPUs at once) is not modelled and gives None.
    """
    if result["engine"]["id"] not in ("llama.cpp", "ollama") or not s.gpu:
        return None
    from dataclasses import replace
    from .catalog import find_gpu
    from .llamacpp_engine import machine_of, place_setup
    mach = machine_of(s.gpu, getattr(s, "ram", None))
    if mach is None or not mach.devices or (getattr(s, "split_mode", None) or "layer").lower() == "row":
        return None
    gpus = [find_gpu(d.gpu) for d in mach.devices]
    try:
        specs = device_specs(gpus)
    except CalcError:
        return None
    dev_of = place_setup(s, a, w, mach).device_of
    kv_type = str(result["inputs"].get("kv_cache") or "f16")
    x = speed_inputs(a, w, dev_of, depth=int(s.context), kv_type=kv_type)
    x0 = replace(x, kv={d: 0.0 for d in x.kv})
    f = speed_fit()
    t_ctx = sum(decode_seconds(x, specs, f).values())
    t0 = sum(decode_seconds(x0, specs, f).values())
    # prefill of a 512-token prompt into an empty cache: mean attention context 256
    scale = 256 / (s.context + 256)
    pre = prefill_seconds(replace(x, attn_flops={d: v * scale for d, v in x.attn_flops.items()}), specs, f)
    tot = sum(b for d, v in x.reads.items() if d != HOST for b in v.values())
    effs = []
    for d, v in x.reads.items():
        if d != HOST:
            p = _params(f, specs[d].backend)
            effs += [(b, _eta(p, "eta", g)) for g, b in v.items()]
    eta = tot / sum(b / e for b, e in effs) if tot else None
    host_b = sum(x.reads.get(HOST, {}).values())
    p0 = _params(f, specs[0].backend)
    return {
        "decode_tokens_per_s": round(1 / t0, 2) if t0 > 0 else None,
        "decode_tokens_per_s_at_context": round(1 / t_ctx, 2) if t_ctx > 0 else None,
        "prefill_tokens_per_s": round(1 / pre, 1) if pre else None,
        "context": int(s.context),
        "basis": {
            "gpu": mach.spec, "backend": specs[0].backend,
            "bandwidth_gbs": specs[0].bandwidth_gbs, "fp16_tflops": specs[0].fp16_tflops,
            "devices": len(gpus), "decode_efficiency": None if eta is None else round(eta, 3),
            "per_layer_us": round(float(p0["per_layer_us"]), 2),
            "host_bandwidth_gbs": DEFAULT_RAM_BANDWIDTH_GBS if host_b else None,
            "host_efficiency": float(f["host"]["eta"]) if host_b else None,
            "bytes_per_token_gpu": int(tot), "bytes_per_token_host": int(host_b),
            "fit": f"calc_py/data/speed_fit.json, fitted {f.get('fitted')} on published llama-bench runs",
        },
    }


def profile_json(a: Architecture, w: Weights) -> dict[str, Any]:
    """The estimate's ``decode_profile``: what one token reads with every layer on one GPU, at an
    empty cache (JSON-able; :func:`calc_py.fit.compare_gpus` divides it by each card's bandwidth)."""
    x = decode_profile(a, w)
    return {"bytes_by_type_group": {g: int(b) for g, b in sorted(x.reads.get(0, {}).items())},
            "layers": x.layers.get(0, 0), "moe_layers": x.moe_layers.get(0, 0),
            "recurrent_layers": x.rec_layers.get(0, 0)}


@lru_cache(maxsize=1)
def _catalog_specs() -> dict[str, dict[int, DeviceSpec]]:
    from .catalog import gpus
    out: dict[str, dict[int, DeviceSpec]] = {}
    for g in gpus():
        try:
            out[g["id"]] = device_specs([g])
        except CalcError:
            continue
    return out


def decode_tokens_per_s_on(profile: Mapping[str, Any] | None, gpu_id: str) -> float | None:
    """Decode tokens/s of an estimate's ``decode_profile`` on catalog GPU ``gpu_id`` (None if unknown)."""
    specs = _catalog_specs().get(gpu_id)
    if not profile or specs is None:
        return None
    x = SpeedInputs({0: dict(profile["bytes_by_type_group"])}, {0: 0.0}, {0: int(profile["layers"])},
                    {0: int(profile["moe_layers"])}, {0: int(profile["recurrent_layers"])}, {}, {}, 0, 1)
    t = sum(decode_seconds(x, specs).values())
    return round(1.0 / t, 1) if t > 0 else None
