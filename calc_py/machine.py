"""The machine a model runs on: GPUs in llama.cpp's device order, system RAM, unified memory.

Input forms (CLI ``--gpu`` / ``--ram``, URL keys ``gpu`` / ``ram``):

* ``rtx-3090``                 one card (any catalog id, name or alias);
* ``2xrtx-3090``               two of a kind (``2x``, ``2*`` or ``2×``);
* ``rtx-4090,rtx-3090``        mixed cards, a count per item (``2xrtx-3090,rtx-4090``);
  the order given is llama.cpp's device order (CUDA0, CUDA1, ...), which is
  what ``-ts``, ``-mg`` and ``-ot ...=CUDA1`` refer to;
* ``--ram 64``                 GiB of system RAM (host weights, CPU-side KV,
  pinned buffers); unknown when not given, and then the host is not checked.

Unified memory (``unified_memory: true`` in calc_py/data/gpus.json: Apple
Silicon, AMD Strix Halo, NVIDIA DGX Spark/GB10): the GPU and the CPU share one
physical pool. The GPU may use only its share of it
(:func:`calc_py.catalog.usable_gpu_bytes`, e.g. macOS's
``recommendedMaxWorkingSetSize``), and everything -- host weights, CPU-side KV,
host buffers *and* the GPU's buffers -- counts against the one pool
(:attr:`Machine.pool_bytes`). Such a machine is one device and no separate RAM.

Device names follow the llama.cpp backend that drives the vendor's cards
(ggml-cuda registers ``CUDA<i>``, ggml-hip ``ROCm<i>``, ggml-metal ``MTL<i>``,
ggml-sycl ``SYCL<i>``); at most 16 devices, ggml-cuda's
``GGML_CUDA_MAX_DEVICES`` (ggml/include/ggml-cuda.h).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from . import catalog as cat
from .errors import CalcError

GiB = 1 << 30
#: ggml/include/ggml-cuda.h GGML_CUDA_MAX_DEVICES
MAX_DEVICES = 16
#: the largest RAM we accept (GiB): a 16-socket server tops out near 32 TiB
RAM_MAX_GIB = 32768
_BACKEND = {"nvidia": "CUDA", "amd": "ROCm", "apple": "MTL", "intel": "SYCL"}
_COUNT = re.compile(r"^\s*(\d{1,6})\s*[x×*]\s*(.+?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Device:
    """One GPU as llama.cpp enumerates it."""

    index: int            # position in llama.cpp's device list (-ts/-mg/-ot index)
    name: str             # "CUDA0", "ROCm1", "MTL0"
    gpu: str              # catalog id
    label: str            # catalog name, for people
    memory_bytes: int     # the card's (or the unified pool's) memory
    usable_bytes: int     # what a process gets: driver total, or the unified GPU share
    unified: bool


@dataclass(frozen=True)
class Machine:
    devices: tuple[Device, ...]
    ram_bytes: int | None          # system RAM; for unified memory the pool itself
    unified: bool = False

    @property
    def pool_bytes(self) -> int | None:
        """Unified memory: the one pool that host and GPU both draw from; else None."""
        return self.devices[0].memory_bytes if self.unified else None

    @property
    def spec(self) -> str:
        """The canonical machine string (catalog ids, counts folded): ``2xrtx-3090,rtx-4090``."""
        out: list[str] = []
        i = 0
        ds = self.devices
        while i < len(ds):
            j = i
            while j < len(ds) and ds[j].gpu == ds[i].gpu:
                j += 1
            out.append(ds[i].gpu if j - i == 1 else f"{j - i}x{ds[i].gpu}")
            i = j
        return ",".join(out)

    def brief(self) -> dict[str, Any]:
        return {"gpu": self.spec, "unified": self.unified, "ram_bytes": self.ram_bytes,
                "pool_bytes": self.pool_bytes,
                "devices": [{"name": d.name, "gpu": d.gpu, "label": d.label,
                             "memory_bytes": d.memory_bytes, "usable_bytes": d.usable_bytes}
                            for d in self.devices]}


def parse_gpus(text: str) -> list[dict[str, Any]]:
    """Catalog entries, one per card, in the order given."""
    if not isinstance(text, str) or not text.strip():
        raise CalcError("give at least one GPU (e.g. rtx-4090 or 2xrtx-3090)", field="gpu")
    out: list[dict[str, Any]] = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            raise CalcError("empty item in the GPU list (use e.g. rtx-4090,rtx-3090)", field="gpu")
        count = 1
        try:
            gpu = cat.find_gpu(item)
        except CalcError:
            m = _COUNT.match(item)
            if not m:
                raise
            count = int(m.group(1))
            if not 1 <= count <= MAX_DEVICES:
                raise CalcError(f"GPU count must be between 1 and {MAX_DEVICES} (llama.cpp's "
                                f"GGML_CUDA_MAX_DEVICES)", field="gpu")
            gpu = cat.find_gpu(m.group(2))
        out.extend([gpu] * count)
    if len(out) > MAX_DEVICES:
        raise CalcError(f"at most {MAX_DEVICES} GPUs (llama.cpp's GGML_CUDA_MAX_DEVICES)", field="gpu")
    return out


def parse_ram(value: Any) -> int | None:
    """System RAM in bytes from GiB (``64``, ``31.5``); None when not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        v = float(str(value).strip().lower().removesuffix("gib").removesuffix("gb").strip())
    except ValueError:
        raise CalcError("ram must be a number of GiB (e.g. 64)", field="ram")
    if not math.isfinite(v) or not 0.5 <= v <= RAM_MAX_GIB:
        raise CalcError(f"ram must be between 0.5 and {RAM_MAX_GIB:,} GiB", field="ram")
    return int(v * GiB)


def parse_machine(gpu: str | None, ram: Any = None) -> Machine | None:
    """The machine, or None when neither GPUs nor RAM are given (today's single-card view)."""
    ram_bytes = parse_ram(ram)
    if gpu is None or (isinstance(gpu, str) and not gpu.strip()):
        if ram_bytes is None:
            return None
        return Machine((), ram_bytes)            # CPU only: everything on the host
    cards = parse_gpus(gpu)
    unified = [g for g in cards if g.get("unified_memory")]
    if unified and len(cards) > 1:
        raise CalcError("a unified-memory machine is one device: give it alone (e.g. apple-m4-max-128gb)",
                        field="gpu")
    counters: dict[str, int] = {}
    devices = []
    for i, g in enumerate(cards):
        backend = _BACKEND.get(g.get("vendor", ""), "GPU")
        n = counters.get(backend, 0)
        counters[backend] = n + 1
        usable = cat.usable_gpu_bytes(g)
        if usable <= 0:
            raise CalcError(f"GPU {g['id']!r} has no memory in the catalog", field="gpu")
        devices.append(Device(i, f"{backend}{n}", g["id"], g["name"], int(g["memory_bytes"]), usable,
                              bool(g.get("unified_memory"))))
    if unified:
        pool = devices[0].memory_bytes
        if ram_bytes is not None and ram_bytes != pool:
            raise CalcError(f"{devices[0].label} shares one memory pool between CPU and GPU: leave --ram "
                            f"out (the pool is {pool / GiB:g} GiB)", field="ram")
        return Machine(tuple(devices), pool, unified=True)
    return Machine(tuple(devices), ram_bytes)


def device_index(machine: Machine | None, name: str) -> int:
    """A ``-ot``/``-mg`` device as llama.cpp names it: ``CPU`` -> -1, ``CUDA1`` or ``1`` -> 1."""
    s = name.strip()
    if s.upper() in ("CPU", "CPU_REPACK", "HOST"):
        return -1
    n = len(machine.devices) if machine else 1
    names = [d.name.upper() for d in machine.devices] if machine else ["CUDA0"]
    if s.upper() in names:
        return names.index(s.upper())
    if s.isdigit() and int(s) < n:
        return int(s)
    raise CalcError(f"unknown device {name!r} in --override-tensor (known: CPU, {', '.join(names) or 'none'})",
                    field="override-tensor")


# ----------------------------------------------------------------------------
# the llama.cpp flags that go with a machine (strings as typed, or already parsed)
# ----------------------------------------------------------------------------

def parse_tensor_split(value: Any, n_devices: int | None = None) -> tuple[float, ...] | None:
    """``-ts 3,1`` -> (3.0, 1.0); llama.cpp also accepts ``/`` as separator (common/arg.cpp)."""
    if value is None or value == "" or value == ():
        return None
    if isinstance(value, str):
        parts = [x for x in re.split(r"[,/]", value.strip())]
    else:
        parts = list(value)
    try:
        out = tuple(float(x) for x in parts)
    except (TypeError, ValueError):
        raise CalcError("tensor-split must be numbers separated by commas (e.g. 3,1)", field="tensor-split")
    if not out or len(out) > MAX_DEVICES or any(not math.isfinite(x) or x < 0 or x > 1e6 for x in out):
        raise CalcError(f"tensor-split takes 1 to {MAX_DEVICES} proportions between 0 and 1e6",
                        field="tensor-split")
    if not any(out):
        raise CalcError("tensor-split needs at least one proportion above 0", field="tensor-split")
    if n_devices is not None and len(out) != n_devices:
        raise CalcError(f"tensor-split has {len(out)} values for {n_devices} GPU(s)", field="tensor-split")
    return out


def parse_overrides(value: Any) -> tuple[tuple[str, str], ...]:
    """``-ot PATTERN=DEVICE[,PATTERN=DEVICE...]`` -> ((pattern, device name), ...).

    Like common/arg.cpp ``--override-tensor``: a comma separates entries, the
    last ``=`` in an entry separates the pattern from the buffer type name.
    """
    if value is None or value == "" or value == ():
        return ()
    if isinstance(value, str):
        items = [x for x in value.split(",") if x.strip()]
        pairs = []
        for item in items:
            if "=" not in item:
                raise CalcError(f"override-tensor entry {item[:40]!r} needs PATTERN=DEVICE (e.g. exps=CPU)",
                                field="override-tensor")
            pat, dev = item.rsplit("=", 1)
            pairs.append((pat.strip(), dev.strip()))
    else:
        pairs = [(str(p), str(d)) for p, d in value]
    if len(pairs) > 256:
        raise CalcError("at most 256 --override-tensor entries", field="override-tensor")
    for pat, dev in pairs:
        if not pat or not dev:
            raise CalcError("override-tensor entries need PATTERN=DEVICE (e.g. exps=CPU)", field="override-tensor")
    return tuple(pairs)


def parse_fit_target(value: Any, n_devices: int | None = None) -> tuple[int, ...] | None:
    """``-fitt 1024`` or ``-fitt 1024,2048`` (MiB per device; one value applies to all)."""
    if value is None or value == "" or value == ():
        return None
    parts = value.split(",") if isinstance(value, str) else (list(value) if isinstance(value, (list, tuple)) else [value])
    try:
        out = tuple(int(float(str(x).strip())) for x in parts)
    except (TypeError, ValueError, OverflowError):
        raise CalcError("fit-target must be MiB (one value, or one per GPU: 1024,2048)", field="fit-target")
    if not out or len(out) > MAX_DEVICES or any(not 0 <= x <= 1 << 20 for x in out):
        raise CalcError("fit-target must be between 0 and 1,048,576 MiB per device", field="fit-target")
    if n_devices is not None and len(out) not in (1, n_devices):
        raise CalcError(f"fit-target has {len(out)} values for {n_devices} GPU(s)", field="fit-target")
    return out
