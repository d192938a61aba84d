"""llama.cpp's buffers per device and on the host, for a :class:`calc_py.placement.Placement`.

Numbers only (bytes); the sentences are written in :mod:`calc_py.llamacpp_engine`.

Per GPU (what ``llama_memory_breakdown_print`` calls model + context + compute,
plus the runtime overhead beside it):

* **weights**: the tensors placed on the device, each as the CUDA buffer
  allocates it (:func:`calc_py.weights.cuda_alloc_bytes`: rows padded to 512
  values, 128-byte alignment). ``-sm row``: a split matrix's rows are spread
  over the GPUs by ``-ts`` (ggml-cuda.cu ``get_row_split``), so each device
  holds its fraction of them.
* **KV cache / recurrent state** of the layers the device holds
  (:func:`calc_py.kv_cache.llamacpp_kv` with ``layers=``; rule 6 of
  :mod:`calc_py.placement`).
* **compute buffer**: one per backend, sized by ``ggml_backend_sched_reserve``
  on the worst-case graph (src/llama-context.cpp ``llama_context::sched_reserve``
  -> ``graph_reserve``; ggml/src/ggml-backend.cpp ``ggml_backend_sched_split_graph``).
  Each device holds the intermediates of the ops that run on it: attention and
  FFN phases for a device with layers, the logits phase for the output layer's
  device. Weights left in host memory are *op-offloaded* to the first GPU
  (``ggml_backend_sched_backend_id_from_cur``: "check if a backend with higher
  prio wants to offload the op", trying backends from 0), so device 0 also
  gets those ops' phases and the copies of the host weights
  (:func:`calc_py.compute.host_weight_copies`) -- why partial and expert
  offload make the first device's buffer much larger than full offload.
  Pipeline parallelism (``llama_context`` ctor: >1 device, all layers
  offloaded, ``-sm layer``, no tensor overrides) keeps
  ``GGML_SCHED_MAX_COPIES`` = 4 copies of every split input
  (ggml-backend.cpp ``sched->n_copies``), adding 3 copies of the device's
  inputs (KQ masks, positions, the incoming hidden state).
* **overhead**: CUDA context + cuBLAS per device in use (engines.json
  ``overhead_mib``, measured on single-GPU runs).

Host: the CPU weights (``CPU_Mapped``: mmap'd file pages, counted as memory
in use though the kernel may evict them; with ``--no-mmap`` a plain RAM
buffer), the KV of CPU layers, the pinned host compute buffer (graph inputs:
``CUDA_Host compute``) and the logits/output buffer (``llama_context::output_reserve``,
pinned host memory of the output device).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .architecture import Architecture
from .compute import fa_f16_conversion, llamacpp_compute, llamacpp_compute_cpu
from .kv_cache import llamacpp_kv, pad
from .placement import HOST, Placement, row_range
from .weights import cuda_alloc_bytes

MiB = 1 << 20
#: ggml/src/ggml-backend.cpp GGML_SCHED_MAX_COPIES (default 4): copies of split inputs under
#: pipeline parallelism
SCHED_MAX_COPIES = 4
#: ggml-cuda.cu ggml_backend_cuda_device_offload_op: ops with a batch >= 32 run on the GPU
OFFLOAD_MIN_BATCH = 32


@dataclass(frozen=True)
class DeviceBuffers:
    index: int
    name: str
    gpu: str
    weights: int
    kv_cache: int
    compute: int
    overhead: int
    layers: tuple[int, ...]         # repeating layers whose weights/KV are here
    has_output: bool
    split_weights: int = 0          # -sm row: bytes of the split buffer named after this device

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.compute + self.overhead


@dataclass(frozen=True)
class HostBuffers:
    weights: int          # CPU_Mapped / CPU model buffers
    kv_cache: int
    compute: int          # pinned host compute buffer (CUDA_Host compute)
    output: int           # logits / embeddings output buffer
    mmap: bool            # weights are file pages (mmap) rather than allocated RAM

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.compute + self.output


@dataclass(frozen=True)
class Sizing:
    devices: tuple[DeviceBuffers, ...]
    host: HostBuffers
    kv_all: object          # KvLayout of the whole cache
    compute_peak_kind: str  # peak of the first device in use
    pipeline_parallel: bool


@lru_cache(maxsize=512)
def _kv(a: Architecture, n_ctx: int, n_seq: int, kv_type: str, fa: bool, ub: int,
        layers: frozenset[int] | None):
    return llamacpp_kv(a, n_ctx, n_seq, kv_type=kv_type, flash_attn=fa, unified=True,
                       n_ubatch=ub, layers=None if layers is None else set(layers))


def cuda_sizes(w) -> dict[str, int]:
    """name -> :func:`cuda_alloc_bytes`, once per Weights instance (the --fit search sizes the same
    tensors dozens of times; stored in the instance ``__dict__`` as ``Weights``' cached properties are)."""
    d = w.__dict__.get("_cuda_sizes")
    if d is None:
        d = {wt.tensor.name: cuda_alloc_bytes(wt) for wt in w.tensors}
        w.__dict__["_cuda_sizes"] = d
    return d


def _weights_per_device(a: Architecture, w, p: Placement, n_dev: int) -> tuple[list[int], int, list[int]]:
    dev = [0] * n_dev
    split_named = [0] * n_dev
    host = 0
    has_output = "output.weight" in w._first_nbytes
    cs = cuda_sizes(w)
    for wt in w.tensors:
        name = wt.tensor.name
        d = p.tensor_device.get(name, HOST)
        if name == "token_embd.weight" and not has_output and p.output_device != HOST:
            # tied embeddings: the output is a duplicate of token_embd in the output layer's buffer
            dev[p.output_device] += cs[name]
        if d == HOST:
            host += wt.nbytes
            continue
        b = cs[name]
        if name in p.split_tensors and p.row_split:
            split_named[d] += b
            nrows = wt.tensor.n_rows
            for j in range(n_dev):
                lo, hi = row_range(nrows, p.row_split, p.row_rounding, j)
                dev[j] += wt.nbytes * (hi - lo) // nrows
        else:
            dev[d] += b
    return dev, host, split_named


def size_llamacpp(a: Architecture, w, p: Placement, *, n_ctx: int, n_seq: int, kv_type: str,
                  fa: bool, ubatch: int, overhead_bytes: int, mmap: bool = True) -> Sizing:
    """Every device's and the host's buffers for placement ``p`` (all in bytes)."""
    n_dev = len(p.devices)
    used = set(p.used_devices)
    w_dev, w_host, split_named = _weights_per_device(a, w, p, n_dev)
    kv_all = _kv(a, n_ctx, n_seq, kv_type, fa, ubatch, None)
    ub = min(ubatch, pad(n_ctx, 256))
    # graph phases of one layer / the head, and the host (pinned) inputs: compute.py
    base = llamacpp_compute(a, kv_all.cells, kv_all.swa_cells, ub, fa, n_seq, type_k=kv_type,
                            type_v=kv_type)
    cpu = llamacpp_compute_cpu(a, kv_all.cells, kv_all.swa_cells, ub, fa, n_seq)
    fa_copy = fa_f16_conversion(a, kv_all.cells, kv_all.swa_cells, kv_type, kv_type) if fa else 0
    host_layers = frozenset(il for il, d in enumerate(p.layer_device) if d == HOST)
    hw = _host_copies(a, w, p)
    any_host_weights = any(hw.values())
    first = min(used) if used else None
    overrides = bool(p.overridden)
    pp = (len(used) > 1 and p.split_mode == "layer" and not host_layers and p.output_device != HOST
          and not overrides)
    masks = kv_all.cells * ub * (2 if fa else 4) + (kv_all.swa_cells * ub * (2 if fa else 4) if a.has_swa else 0)
    inputs = masks + a.n_embd * ub * 4 + 3 * ub * 4
    devices = []
    peak_kind = base.peak_kind
    for i in range(n_dev):
        layers = tuple(il for il, d in enumerate(p.layer_device) if d == i)
        kv = _kv(a, n_ctx, n_seq, kv_type, fa, ubatch, frozenset(layers)).total if layers else 0
        comp = 0
        ov = 0
        if i in used:
            phases: dict[str, int] = {}
            if layers:
                phases["attention"] = cpu.phases["attention"] + fa_copy
                phases["ffn"] = cpu.phases["ffn"]
            if p.output_device == i:
                phases["logits"] = cpu.phases["logits"]
            if i == first and (any_host_weights or len(used) == 1):
                # op offload: the ops on host weights run here, on copies of those weights
                phases["attention"] = cpu.phases["attention"] + fa_copy + hw["attention"]
                phases["ffn"] = cpu.phases["ffn"] + hw["ffn"]
                phases["logits"] = cpu.phases["logits"] + hw["logits"]
            if phases:
                kind = max(phases, key=phases.get)
                comp = phases[kind]
                if i == first:
                    peak_kind = kind
            if pp:
                comp += (SCHED_MAX_COPIES - 1) * inputs
            ov = overhead_bytes
        devices.append(DeviceBuffers(i, p.devices[i], p.gpus[i], w_dev[i], kv, comp, ov, layers,
                                     p.output_device == i, split_named[i]))
    kv_host = _kv(a, n_ctx, n_seq, kv_type, fa, ubatch, host_layers).total if host_layers else 0
    host_compute = base.host if used else cpu.total
    host = HostBuffers(w_host, kv_host, host_compute, base.output_buffer, mmap)
    return Sizing(tuple(devices), host, kv_all, peak_kind, pp)


def _host_copies(a: Architecture, w, p: Placement) -> dict[str, int]:
    """Largest host-resident weight per phase (see compute.host_weight_copies), for any placement."""
    out = {"attention": 0, "ffn": 0, "logits": 0}
    cs = cuda_sizes(w)
    for wt in w.tensors:
        t = wt.tensor
        if len(t.ne) < 2 or t.name == "token_embd.weight":
            continue
        if p.tensor_device.get(t.name, HOST) != HOST:
            continue
        if t.layer is None:
            if t.name == "output.weight":
                out["logits"] = max(out["logits"], cs[t.name])
            continue
        ph = "ffn" if "ffn_" in t.name else "attention"
        out[ph] = max(out[ph], cs[t.name])
    return out


__all__ = ["DeviceBuffers", "HostBuffers", "Sizing", "size_llamacpp"]
