"""Where every tensor and every layer's cache lives on a machine, as llama.cpp decides it.

Read this module to answer "where does ``blk.12.ffn_up_exps.weight`` go on this
machine". It is a pure function of (architecture, weights, options) and
returns a frozen :class:`Placement`; the byte counts per device are sized
elsewhere (:mod:`calc_py.llamacpp_devices`), the speed model reads
:meth:`Placement.device_of`.

The rules, each from llama.cpp's source (read at ``34af94cd9``, 2026-08-17;
shared/research/peers_placement_speed_2026-12.md section 3 has the excerpts):

1. **Layer index space** (``src/llama-model.cpp`` ``llama_model::load_tensors``):
   the repeating blocks ``0..n_layer-1`` and the output layer as index
   ``n_layer``. ``-ngl N`` (``n_gpu_layers``; default/-1 = all = ``n_layer+1``)
   gives ``i_gpu_start = max(n_layer + 1 - N, 0)`` and ``act_gpu_layers =
   min(N, n_layer + 1)``: layers below ``i_gpu_start`` stay on the CPU, i.e.
   **the CPU keeps the first layers and the output layer is the first one
   offloaded** (``-ngl 1`` = output only).
2. **Split points** (same function): ``-ts`` proportions, or when unset each
   device's *free memory* (``ggml_backend_dev_memory``) -- here the card's
   usable memory (:func:`calc_py.catalog.usable_gpu_bytes`); cumulative and
   normalised. Layer ``il`` goes to the first device whose cumulative split
   exceeds ``(il - i_gpu_start) / act_gpu_layers`` (``std::upper_bound`` in the
   lambda ``get_layer_buft_list``). Device 0 gets the lowest offloaded blocks,
   the output layer lands on the last device of the split.
3. **Input layer** (``token_embd``) is always on the CPU (``dev_input =
   cpu_dev``: "there is very little benefit to offloading the input layer").
   With tied embeddings the output is a duplicate of ``token_embd`` created in
   the output layer's buffer (``TENSOR_DUPLICATED``, src/models/*.cpp).
4. **Split mode** (``src/llama.cpp`` ``llama_model_load_from_file_impl`` and
   ``make_gpu_buft_list`` in src/llama-model.cpp): ``-sm none`` keeps only
   ``devices[main_gpu]``; ``-sm row`` puts a layer's 2-D weight matrices in its
   device's *split* buffer type (``ggml_backend_cuda_split_buffer_type(dev,
   tensor_split)``), whose rows are spread over all GPUs by ``-ts``
   (ggml-cuda.cu ``get_row_split``); 3-D expert tensors, norms and the other
   tensors the split buffer cannot hold (``ggml_backend_cuda_device_supports_op``
   refuses MUL_MAT_ID and ``ne[2] > 1`` on split buffers) stay in the layer
   device's own buffer. The layer -> device assignment is the same as for
   ``-sm layer`` (published row lso-q35-122b-4xp100-smrow-f16: 192 MiB KV on each
   of 4 P100s for 12 attention layers).
5. **Tensor overrides** (``llama_model::create_tensor`` over
   ``tensor_buft_overrides``): each tensor name is tested against the patterns
   in order with ``std::regex_search``; the **first** match wins and moves the
   tensor to CPU (host) or the named GPU. ``--cpu-moe`` adds
   ``\\.ffn_(up|down|gate|gate_up)_(ch|)exps``; ``--n-cpu-moe N`` adds
   ``blk\\.i\\.ffn_(up|down|gate|gate_up)_(ch|)exps`` for ``i < N``
   (common/arg.cpp ``llm_ffn_exps_block_regex``, ``LLM_FFN_EXPS_REGEX``), after
   the user's own ``-ot`` patterns.
6. **KV cache and recurrent state** of layer ``il`` live on ``dev_layer(il)``,
   the layer's device, whatever ``-ot`` did to its weights
   (``src/llama-kv-cache.cpp`` ``llama_kv_cache`` ctor ~L212,
   ``src/llama-memory-recurrent.cpp`` ~L85).

Simplification: the layer index space here is the trunk (``a.n_layer``); the
NextN/MTP blocks llama.cpp adds to it are not loaded by default (TENSOR_SKIP),
so full offload and the split of the trunk are unchanged by them, and partial
``-ngl`` on MTP models can differ by one block.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Callable, Mapping

from .architecture import Architecture
from .errors import CalcError

HOST = -1
#: common/arg.cpp LLM_FFN_EXPS_REGEX (the experts of a MoE layer)
FFN_EXPS_REGEX = r"\.ffn_(up|down|gate|gate_up)_(ch|)exps"
SPLIT_MODES = ("layer", "row", "none")
_PATTERN_MAX = 200
#: a group with a quantifier inside, itself quantified: catastrophic backtracking
_NESTED_QUANT = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]")


def n_cpu_moe_pattern(il: int) -> str:
    """common/arg.cpp ``llm_ffn_exps_block_regex(il)``: the experts of block ``il``."""
    return rf"blk\.{il}{FFN_EXPS_REGEX}"


@dataclass(frozen=True)
class Options:
    """The llama.cpp flags that move tensors (all hashable, for memoising)."""

    n_devices: int = 1
    free_bytes: tuple[int, ...] = ()       # per device, for the default split
    n_gpu_layers: int | None = None        # -ngl; None or -1 = all
    tensor_split: tuple[float, ...] | None = None   # -ts
    split_mode: str = "layer"              # -sm
    main_gpu: int = 0                      # -mg
    n_cpu_moe: int = 0                     # --n-cpu-moe
    cpu_moe: bool = False                  # --cpu-moe
    overrides: tuple[tuple[str, int], ...] = ()   # -ot (pattern, device index; -1 = CPU)
    #: -sm row: rows of a split matrix are rounded to this many per device (ggml-cuda.cu
    #: get_row_rounding -> get_mmq_y_host: 64 before Volta and on RDNA1, else 128)
    row_rounding: int = 128
    #: a user's pattern that matches no tensor is an error (False for --fit's own patterns,
    #: which llama.cpp also writes for the output layer's index, where they match nothing)
    check_overrides: bool = True


@dataclass(frozen=True)
class Placement:
    """Per tensor and per layer, the device index (``HOST`` = -1 = CPU/host memory)."""

    devices: tuple[str, ...]               # device names in llama.cpp's order ("CUDA0", ...)
    gpus: tuple[str, ...]                  # catalog ids, same order
    tensor_device: Mapping[str, int]       # tensor name -> device
    layer_device: tuple[int, ...]          # repeating layer -> device of its weights and KV
    output_device: int                     # output layer (output, output_norm)
    split_mode: str
    #: -sm row: where each device's rows of a split matrix start (cumulative fractions); None otherwise
    row_split: tuple[float, ...] | None = None
    row_rounding: int = 128
    #: -sm row: tensors held in their layer device's split buffer (rows over all GPUs)
    split_tensors: frozenset[str] = frozenset()
    #: tensors whose place an override (-ot, --n-cpu-moe, --cpu-moe) decided
    overridden: frozenset[str] = frozenset()
    n_gpu_layers: int = 0                  # the -ngl in effect (layers incl. output)
    splits: tuple[float, ...] = ()         # cumulative split points used for layers
    used_devices: tuple[int, ...] = ()     # devices llama.cpp loads onto (-sm none: main GPU)
    kv_device: tuple[int, ...] = field(default=())   # per layer: where its KV / state lives

    def device_of(self, wt) -> int:
        """Device of a :class:`calc_py.weights.WeightTensor` (or a name); -1 = host."""
        name = wt if isinstance(wt, str) else wt.tensor.name
        return self.tensor_device.get(name, HOST)

    def layers_on(self, dev: int) -> frozenset[int]:
        return frozenset(il for il, d in enumerate(self.layer_device) if d == dev)


def check_pattern(pattern: str) -> re.Pattern:
    """Compile one ``-ot`` pattern (std::regex ECMAScript ~ Python re for these)."""
    if not pattern or len(pattern) > _PATTERN_MAX:
        raise CalcError(f"an --override-tensor pattern must be 1-{_PATTERN_MAX} characters",
                        field="override-tensor")
    if _NESTED_QUANT.search(pattern):
        raise CalcError(f"--override-tensor pattern {pattern[:40]!r} nests quantifiers "
                        "(catastrophic backtracking): simplify it", field="override-tensor")
    try:
        return re.compile(pattern)
    except re.error as err:
        raise CalcError(f"--override-tensor pattern {pattern[:40]!r} is not a valid regex: {err}",
                        field="override-tensor")


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern:
    return check_pattern(pattern)


def split_points(opts: Options) -> tuple[float, ...]:
    """Cumulative, normalised split points (llama_model::load_tensors ``splits``)."""
    n = opts.n_devices
    ts = opts.tensor_split
    if ts is not None and len(ts) != n:
        raise CalcError(f"--tensor-split has {len(ts)} values for {n} device(s)", field="tensor-split")
    if ts is None or not any(x > 0 for x in ts):
        base = [float(max(0, b)) for b in (opts.free_bytes or (1,) * n)]
        if len(base) != n or not any(base):
            base = [1.0] * n
    else:
        base = [float(x) for x in ts]
    total = sum(base)
    out, acc = [], 0.0
    for x in base:
        acc += x
        out.append(acc / total)
    return tuple(out)


def _all_overrides(opts: Options, n_layer: int) -> tuple[tuple[str, int], ...]:
    """User -ot patterns first, then --cpu-moe / --n-cpu-moe (common/arg.cpp appends them)."""
    ov = list(opts.overrides)
    if opts.cpu_moe:
        ov.append((FFN_EXPS_REGEX, HOST))
    for il in range(min(max(0, opts.n_cpu_moe), n_layer)):
        ov.append((n_cpu_moe_pattern(il), HOST))
    return tuple(ov)


def row_range(nrows: int, starts: tuple[float, ...], rounding: int, dev: int) -> tuple[int, int]:
    """Rows [low, high) of a split matrix held by ``dev`` (ggml-cuda.cu ``get_row_split``)."""
    n_dev = len(starts)
    low = 0 if dev == 0 else int(nrows * starts[dev])
    low -= low % rounding
    if dev == n_dev - 1:
        high = nrows
    else:
        high = int(nrows * starts[dev + 1])
        high -= high % rounding
    return low, max(low, high)


def _is_row_split_matrix(t) -> bool:
    """A 2-D matmul weight the CUDA split buffer holds (not norms, convs, 3-D experts)."""
    if len(t.ne) != 2 or t.ne[1] <= 1:
        return False
    n = t.name
    return not ("norm" in n or "ssm_conv1d" in n or n.endswith("ssm_a") or "ssm_dt" in n
                or ".bias" in n or "_exps" in n)


def place(a: Architecture, w, opts: Options, *, devices: tuple[str, ...] = ("CUDA0",),
          gpus: tuple[str, ...] = ("",)) -> Placement:
    """Place every tensor of ``w`` (a :class:`calc_py.weights.Weights`) on a device.

    Raises CalcError for a wrong ``-ts`` count, an unknown split mode, a main
    GPU outside the device list, or an override pattern that matches no tensor.
    """
    n_dev = opts.n_devices
    if opts.split_mode not in SPLIT_MODES:
        raise CalcError(f"split-mode must be one of {', '.join(SPLIT_MODES)}", field="split-mode")
    if not 0 <= opts.main_gpu < max(1, n_dev):
        raise CalcError(f"main-gpu must be between 0 and {max(1, n_dev) - 1}", field="main-gpu")
    n_layer = a.n_layer
    ngl = n_layer + 1 if opts.n_gpu_layers in (None, -1) else max(0, opts.n_gpu_layers)
    if n_dev == 0:
        ngl = 0
    i_gpu_start = max(n_layer + 1 - ngl, 0)
    act = min(ngl, n_layer + 1)
    splits = split_points(opts) if n_dev else ()
    if opts.split_mode == "none" and n_dev:
        used = (opts.main_gpu,)
    else:
        used = tuple(range(n_dev))

    def layer_dev(il: int) -> int:               # get_layer_buft_list
        if il < i_gpu_start or (il - i_gpu_start) >= act:
            return HOST
        if len(used) == 1:
            return used[0]
        x = (il - i_gpu_start) / act
        return min(bisect_right(splits, x), n_dev - 1)   # std::upper_bound

    layer_device = tuple(layer_dev(il) for il in range(n_layer))
    output_device = layer_dev(n_layer)
    overrides = _all_overrides(opts, n_layer)
    compiled = [(_compiled(p), d) for p, d in overrides]
    for _, d in overrides:
        if d != HOST and not 0 <= d < max(1, n_dev):
            raise CalcError(f"--override-tensor names device {d}, the machine has {n_dev}",
                            field="override-tensor")
    hits = [False] * len(compiled)
    starts = (0.0,) + splits[:-1] if splits else ()
    tensor_device: dict[str, int] = {}
    overridden: set[str] = set()
    split_tensors: set[str] = set()
    for wt in w.tensors:
        t = wt.tensor
        if t.name == "token_embd.weight":
            dev = HOST
        elif t.layer is not None:
            dev = layer_device[t.layer]
        else:
            dev = output_device
        for k, (rx, d) in enumerate(compiled):
            if rx.search(t.name):
                hits[k] = True
                dev = d
                overridden.add(t.name)
                break
        tensor_device[t.name] = dev
        if (opts.split_mode == "row" and dev != HOST and n_dev > 1 and t.name not in overridden
                and t.name != "token_embd.weight" and _is_row_split_matrix(t)):
            # ggml_backend_cuda_device_supports_op: "for small weight matrices the active device
            # can end up without any rows, don't use row split in those cases"
            lo, hi = row_range(t.n_rows, starts, opts.row_rounding, dev)
            if hi > lo:
                split_tensors.add(t.name)
    # n-cpu-moe patterns on a dense model or past the layer count simply match nothing in
    # llama.cpp too; only the user's own -ot patterns must hit something.
    for k, (p, _) in enumerate(opts.overrides):
        if opts.check_overrides and not hits[k]:
            raise CalcError(f"--override-tensor pattern {p[:40]!r} matches no tensor of this model",
                            field="override-tensor")
    row_split = None
    if opts.split_mode == "row" and n_dev > 1:
        row_split = starts
    return Placement(
        devices=devices, gpus=gpus, tensor_device=MappingProxyType(tensor_device),
        layer_device=layer_device, output_device=output_device, split_mode=opts.split_mode,
        row_split=row_split, split_tensors=frozenset(split_tensors), overridden=frozenset(overridden),
        n_gpu_layers=act, splits=splits, used_devices=used, row_rounding=opts.row_rounding,
        kv_device=layer_device)


def device_of_fn(p: Placement) -> Callable[[object], int]:
    """``device_of(WeightTensor) -> int`` for the speed model (-1 = host)."""
    return p.device_of
