"""The plan llama.cpp's ``--fit`` would pick on a machine, before the file is downloaded.

A port of ``common_params_fit_impl`` (common/fit.cpp, read at ggml-org/llama.cpp
``08033df``; called from ``common_init_result`` in common/common.cpp). llama.cpp
measures every candidate with a dry run (``common_get_device_memory_data_impl``:
the model and context loaded with ``no_alloc``, then
``llama_get_memory_breakdown`` per device); here the dry run is our own
per-device model (:func:`calc_py.llamacpp_devices.size_llamacpp`), so the plan is
exactly as good as those numbers. The steps:

1. **Margins**: ``--fit-target`` MiB per device, default 1024 (one value
   applies to all). A device's target is its free memory minus its margin;
   free memory here = usable memory minus the CUDA context
   (engines.json ``overhead_mib``), which is already allocated when llama.cpp
   measures. If every device meets its target: no change.
2. **Context** (only when the context is left to llama.cpp, ``-c 0``; here
   ``context=0``): measure at ``n_ctx_train`` and at the minimum ``-fitc``
   4096, interpolate linearly to ``sum(free) - sum(margins)`` -- with several
   devices minus ``(nd + 1) * model_bytes_per_layer / 2`` (``/ 6`` for MoE) --
   round down to a multiple of 256 (``256 * n_streams``), never below 4096.
   One device: done.
3. It **stops** here if the user set ``-ngl``, ``-ts`` (several devices),
   ``-sm row`` (several devices) or any tensor override (``-ot``,
   ``--cpu-moe``, ``--n-cpu-moe``).
4. **Layers back to front**: for devices last -> first, the method of false
   position on how many of the remaining ``n_layer + 1`` layers (output
   included, the last device's first) the device can take; each device gets a
   contiguous slice, ``-ts`` = layers per device, ``-ngl`` = their sum. For MoE
   models the layers are first "dense-only": their experts
   (``blk.N.ffn_(up|down|gate_up|gate)_(ch|)exps``) in host memory.
5. **MoE with surplus** (all dense parts fit): front to back, turn dense-only
   layers into full layers while the device stays within target, then try one
   more layer whose FFN overflows partly (UP: gate+down spill; GATE: only down
   spills; else ATTN: the whole FFN spills) to the next device or the CPU.

What llama-server adds to each device before fitting: a vision projector
(``--mmproj``) -- ``load_model`` in tools/server/server-context.cpp calls
``mtmd_get_memory_usage`` (the projector's weights plus its warmup compute
buffer, per device) and does ``params_base.fit_params_target[i] += size`` for
its device before ``common_fit_params`` -- and a draft / MTP model
(``common_fit_extra_model``, ``add_extra_memory``). With ``mmproj`` set, the
projector's weights (calc_py/mmproj.py) are added to the margin of the device it
loads on (the first GPU, clip.cpp ``clip_ctx``); its compute buffer and the
MTP model are not measured here, and the plan says so.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from . import catalog as cat
from .errors import CalcError
from .i18n import t
from .machine import Machine, parse_fit_target, parse_overrides, parse_tensor_split
from .llamacpp_engine import MMPROJ_DEVICE
from .placement import HOST, Options, place

MiB = 1 << 20
GiB = 1 << 30
#: common/common.h common_params: fit_params_target 1024 MiB per device, fit_params_min_ctx 4096
DEFAULT_MARGIN_MIB = 1024
MIN_CONTEXT = 4096
#: the layer fractions of fit.cpp (common_layer_fraction_t) and the tensors each sends away
FRACTION_PATTERNS = {
    "ATTN": r"blk\.{il}\.ffn_(gate|up|gate_up|down).*",
    "UP": r"blk\.{il}\.ffn_(gate|gate_up|down).*",
    "GATE": r"blk\.{il}\.ffn_down.*",
    "MOE": r"blk\.{il}\.ffn_(up|down|gate_up|gate)_(ch|)exps",
}
_QUANT_LADDER = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "IQ4_XS", "Q3_K_M", "IQ3_XXS", "Q2_K", "IQ2_XXS")


@dataclass
class _NGL:
    n_layer: int = 0
    n_part: int = 0
    overflow: str = "MOE"

    @property
    def n_full(self) -> int:
        return self.n_layer - self.n_part


class _Model:
    """The dry run: per-device memory (model + context + compute) for one candidate layout."""

    def __init__(self, s, machine: Machine):
        from .estimate import _resolve_model
        from .llamacpp_engine import settings
        from .quants import Quant, resolve
        from .weights import weights_for
        self.s = s
        self.machine = machine
        self.engine = cat.find_engine(s.engine)
        m = _resolve_model(s)
        self.m = m
        self.a = m.arch
        quant = (Quant(m.quant_label or "gguf", m.quant_label or "gguf", "gguf", {}) if m.weights is not None
                 else resolve(s.quant, self.engine["id"]))
        self.w = m.weights or weights_for(self.a, quant)
        self.quant = quant
        self.base = settings(replace(s, context=max(1, s.context)), self.engine)
        self.overhead = int(self.engine["overhead_mib"]) * MiB
        used = (s.main_gpu,) if (s.split_mode or "layer") == "none" else tuple(range(len(machine.devices)))
        self.used = used
        self.nd = len(used)
        self.free = [machine.devices[i].usable_bytes - self.overhead for i in used]
        self.calls = 0
        from .llamacpp_engine import setup_projector
        #: the vision projector llama-server reserves before fitting (None: not asked for or not modelled)
        self.projector, self.projector_why = setup_projector(s, m)

    def sizing(self, n_ctx: int, ngl: int | None, ts, overrides):
        from .llamacpp_devices import size_llamacpp
        s, mach = self.s, self.machine
        full_ts = None
        if ts is not None:
            full_ts = [0.0] * len(mach.devices)
            for k, i in enumerate(self.used):
                full_ts[i] = float(ts[k])
            if not any(full_ts):
                full_ts = None
        user_ts = parse_tensor_split(s.tensor_split, len(mach.devices)) if s.tensor_split else None
        opts = Options(n_devices=len(mach.devices), free_bytes=tuple(d.usable_bytes for d in mach.devices),
                       n_gpu_layers=ngl, tensor_split=tuple(full_ts) if full_ts else user_ts,
                       split_mode=(s.split_mode or "layer"), main_gpu=s.main_gpu or 0,
                       n_cpu_moe=int(s.n_cpu_moe or 0), cpu_moe=bool(s.cpu_moe), overrides=tuple(overrides),
                       check_overrides=False)
        p = place(self.a, self.w, opts, devices=tuple(d.name for d in mach.devices),
                  gpus=tuple(d.gpu for d in mach.devices))
        self.calls += 1
        st = self.base
        return p, size_llamacpp(self.a, self.w, p, n_ctx=n_ctx,
                                n_seq=st.n_seq, kv_type=st.kv_type, fa=st.flash_attn, ubatch=st.ubatch,
                                overhead_bytes=self.overhead, mmap=not s.no_mmap)

    def mem(self, n_ctx: int, ngl: int | None, ts, overrides) -> tuple[list[int], list[int]]:
        """(used bytes per used device, model bytes per used device) -- llama.cpp's mb.total()."""
        _, sz = self.sizing(n_ctx, ngl, ts, overrides)
        used = [sz.devices[i].weights + sz.devices[i].kv_cache + sz.devices[i].compute for i in self.used]
        return used, [sz.devices[i].weights for i in self.used]


def _user_overrides(s, machine: Machine) -> tuple[tuple[str, int], ...]:
    from .machine import device_index
    return tuple((p, device_index(machine, d)) for p, d in parse_overrides(s.override_tensor))


def _layout(nd: int, hp_ngl: int, ngl: list[_NGL], overflow_to: list[int]) -> tuple[int, list[int], list[tuple[str, int]]]:
    """fit.cpp set_ngl_tensor_split_tbo: (-ngl, -ts layer counts, -ot list) for a per-device layout."""
    n_gpu = sum(x.n_layer for x in ngl)
    il0 = hp_ngl + 1 - n_gpu
    ov: list[tuple[str, int]] = []
    for k in range(nd):
        il0 += ngl[k].n_full
        for il in range(il0, il0 + ngl[k].n_part):
            if il >= hp_ngl:       # the output layer's index: llama.cpp's pattern matches no tensor
                continue
            kind = ngl[k].overflow if il == il0 else "MOE"
            ov.append((FRACTION_PATTERNS[kind].format(il=il), overflow_to[k] if il == il0 else HOST))
        il0 += ngl[k].n_part
    return n_gpu, [x.n_layer for x in ngl], ov


def fit_plan(s, machine: Machine) -> dict[str, Any]:
    """The ``plan`` object of the --json contract (see calc_py/api.py)."""
    if not machine.devices:
        raise CalcError("--fit needs a machine with a GPU (--gpu ...)", field="fit")
    mdl = _Model(s, machine)
    a, lang = mdl.a, s.lang
    nd = mdl.nd
    margins_mib = parse_fit_target(s.fit_target, nd) or (DEFAULT_MARGIN_MIB,)
    margins = [(margins_mib[k] if len(margins_mib) > 1 else margins_mib[0]) * MiB for k in range(nd)]
    if mdl.projector is not None and MMPROJ_DEVICE in mdl.used:
        # server-context.cpp load_model: fit_params_target[i] += the projector's bytes on device i
        margins[mdl.used.index(MMPROJ_DEVICE)] += mdl.projector.total
    hp_ngl = a.n_layer
    hp_nct = a.max_context
    n_streams = 1                                  # unified KV (llama-server's default)
    n_ctx_auto = s.context == 0
    n_ctx = hp_nct * n_streams if n_ctx_auto else s.context * s.batch
    n_ctx_min_total = MIN_CONTEXT * n_streams
    user_ov = _user_overrides(s, machine)
    user_ngl = s.gpu_layers if s.gpu_layers not in (None, -1) else None
    user_ts = parse_tensor_split(s.tensor_split, len(machine.devices)) if s.tensor_split else None

    status, why = "fitted", None
    ngl_out: int | None = user_ngl
    ts_out: list[int] | None = None
    ov_out: list[tuple[str, int]] = list(user_ov)

    def targets_met(used: list[int]) -> bool:
        return all(mdl.free[k] - used[k] >= margins[k] for k in range(nd))

    used_full, model_full = mdl.mem(n_ctx, user_ngl, None, user_ov)
    if targets_met(used_full):
        status, why = "unchanged", "fits"
    else:
        # step 2: context
        if n_ctx_auto and hp_nct * n_streams > n_ctx_min_total:
            target = sum(mdl.free) - sum(margins)
            if nd > 1:
                per_layer = sum(model_full) // max(1, hp_ngl)
                target -= (nd + 1) * per_layer // (6 if a.is_moe else 2)
            used_min, _ = mdl.mem(n_ctx_min_total, user_ngl, None, user_ov)
            s_full, s_min = sum(used_full), sum(used_min)
            n_ctx_max = hp_nct * n_streams
            n_ctx = n_ctx_min_total
            if target > s_min and s_full > s_min:
                n_ctx = n_ctx_min_total + (n_ctx_max - n_ctx_min_total) * (target - s_min) // (s_full - s_min)
                align = 256 * n_streams
                n_ctx = max(n_ctx - n_ctx % align, n_ctx_min_total)
                if nd <= 1:
                    status, why = "fitted", None
                    return _answer(s, mdl, machine, status, why, n_ctx, ngl_out, ts_out, ov_out, margins)
        elif nd <= 1 and n_ctx_auto:
            pass
        # step 3: what --fit leaves alone
        if user_ngl is not None:
            status, why = "untouched", "user_ngl"
        elif nd > 1 and user_ts is not None:
            status, why = "untouched", "user_ts"
        elif nd > 1 and (s.split_mode or "layer") == "row":
            status, why = "untouched", "row"
        elif user_ov or s.cpu_moe or s.n_cpu_moe:
            status, why = "untouched", "user_ot"
        else:
            ngl_out, ts_out, ov_out, ok = _fill_layers(mdl, n_ctx, hp_ngl, margins)
            if ngl_out == 0:
                status, why = "failed", "too_big"
    return _answer(s, mdl, machine, status, why, n_ctx, ngl_out, ts_out, ov_out, margins)


def _fill_layers(mdl: _Model, n_ctx: int, hp_ngl: int, margins: list[int]):
    """Steps 3-4 of common_params_fit_impl (fit.cpp "fill the back to front with dense layers")."""
    nd = mdl.nd
    moe = mdl.a.is_moe
    targets = [mdl.free[k] - margins[k] for k in range(nd)]
    overflow_to = [HOST] * nd

    def mem_for(ngl: list[_NGL], of: list[int]) -> list[int]:
        n_gpu, ts, ov = _layout(nd, hp_ngl, ngl, of)
        return mdl.mem(n_ctx, n_gpu, ts if nd > 1 else None, ov)[0]

    surplus_cpu_moe = 0
    if moe:
        used, _ = mdl.mem(n_ctx, None, None, ((r"blk\.\d+\.ffn_(up|down|gate_up|gate)_(ch|)exps", HOST),))
        surplus_cpu_moe = sum(mdl.free[k] - used[k] - margins[k] for k in range(nd))

    ngl = [_NGL() for _ in range(nd)]
    mem = mem_for(ngl, overflow_to)
    for k in range(nd - 1, -1, -1):
        n_unassigned = hp_ngl + 1 - sum(ngl[j].n_layer for j in range(k + 1, nd))
        high = [replace(x) for x in ngl]
        high[k].n_layer = n_unassigned
        if moe:
            high[k].n_part = high[k].n_layer if k < nd - 1 else high[k].n_layer - 1
        if high[k].n_layer <= 0:
            continue
        mem_high = mem_for(high, overflow_to)
        if mem_high[k] > targets[k]:
            delta = high[k].n_layer - ngl[k].n_layer
            while delta > 1:
                headroom = mem_high[k] - mem[k]
                step = int(delta * (targets[k] - mem[k]) / headroom) if headroom > 0 else delta - 1
                step = min(max(step, 1), delta - 1)
                test = [replace(x) for x in ngl]
                test[k].n_layer += step
                if moe:
                    test[k].n_part += step - 1 if (k == nd - 1 and test[k].n_part == 0) else step
                mem_test = mem_for(test, overflow_to)
                if mem_test[k] <= targets[k]:
                    ngl, mem = test, mem_test
                else:
                    high, mem_high = test, mem_test
                delta = high[k].n_layer - ngl[k].n_layer
        else:
            ngl, mem = high, mem_high
    ok = all(mem[k] <= targets[k] for k in range(nd))
    if moe and surplus_cpu_moe > 0:
        ngl, overflow_to, mem = _convert_moe(mdl, ngl, overflow_to, mem, targets, mem_for)
        ok = all(mem[k] <= targets[k] for k in range(nd))
    n_gpu, ts, ov = _layout(nd, hp_ngl, ngl, overflow_to)
    if n_gpu == 0:
        ok = False
    return n_gpu, (ts if nd > 1 else None), ov, ok


def _convert_moe(mdl: _Model, ngl, overflow_to, mem, targets, mem_for):
    """Step 4 (fit.cpp "convert the dense-only layers in the back to full layers in the front")."""
    nd = mdl.nd
    id_dense_start = nd
    for k in range(nd - 1, -1, -1):
        if ngl[k].n_layer > 0:
            id_dense_start = k
            continue
        break
    k = 0
    while k <= id_dense_start < nd:
        high = [replace(x) for x in ngl]
        for j in range(id_dense_start, nd):
            move = high[j].n_layer if j < nd - 1 else high[j].n_layer - 1
            high[k].n_layer += move
            high[j].n_layer -= move
            high[j].n_part = 0
        id_dense_start_high = nd - 1
        mem_high = mem_for(high, overflow_to)
        if mem_high[k] > targets[k]:
            delta = high[k].n_full - ngl[k].n_full
            while delta > 1:
                headroom = mem_high[k] - mem[k]
                step = int(delta * (targets[k] - mem[k]) / headroom) if headroom > 0 else delta - 1
                step = min(max(step, 1), delta - 1)
                test = [replace(x) for x in ngl]
                ids = id_dense_start
                converted = 0
                while ids < nd:
                    c = min(step - converted, test[ids].n_part)
                    test[ids].n_layer -= c
                    test[ids].n_part -= c
                    test[k].n_layer += c
                    converted += c
                    if test[ids].n_part > 0:
                        break
                    ids += 1
                mem_test = mem_for(test, overflow_to)
                if mem_test[k] <= targets[k]:
                    ngl, mem, id_dense_start = test, mem_test, ids
                else:
                    high, mem_high, id_dense_start_high = test, mem_test, ids
                delta = high[k].n_full - ngl[k].n_full
        else:
            ngl, mem, id_dense_start = high, mem_high, id_dense_start_high
        # try to fit at least part of one more layer
        if id_dense_start < nd and ngl[id_dense_start].n_layer > (0 if k < nd - 1 else 1):
            test = [replace(x) for x in ngl]
            ids = id_dense_start
            test[ids].n_layer -= 1
            test[ids].n_part -= 1
            test[k].n_layer += 1
            test[k].n_part += 1
            if test[ids].n_part == 0:
                ids += 1
            test[k].overflow = "UP"
            of_test = list(overflow_to)
            if k < nd - 1:
                of_test[k] = mdl.used[k + 1]
            mem_test = mem_for(test, of_test)
            fits = lambda mt: mt[k] < targets[k] and (k + 1 == nd or mt[k + 1] < targets[k + 1])  # noqa: E731
            if fits(mem_test):
                ngl, overflow_to, mem, id_dense_start = test, of_test, mem_test, ids
                test = [replace(x) for x in test]
                test[k].overflow = "GATE"
                mem_test = mem_for(test, of_test)
                if fits(mem_test):
                    ngl, overflow_to, mem = test, of_test, mem_test
            else:
                test[k].overflow = "ATTN"
                mem_test = mem_for(test, of_test)
                if fits(mem_test):
                    ngl, overflow_to, mem, id_dense_start = test, of_test, mem_test, ids
        k += 1
    return ngl, overflow_to, mem


# ----------------------------------------------------------------------------
# the answer: numbers first, then the sentences and the command
# ----------------------------------------------------------------------------

def _dev_name(machine: Machine, d: int) -> str:
    return "CPU" if d == HOST else machine.devices[d].name


def _n_cpu_moe_equivalent(ov: list[tuple[str, int]]) -> int | None:
    """N when the overrides are exactly --n-cpu-moe N (experts of blocks 0..N-1 to the CPU)."""
    if not ov:
        return None
    for il, (p, d) in enumerate(ov):
        if d != HOST or p != FRACTION_PATTERNS["MOE"].format(il=il):
            return None
    return len(ov)


def command(model: str, n_ctx: int, ngl: int | None, ts: list[int] | None, ov: list[tuple[str, str]],
            n_cpu_moe: int | None, mmproj: str | None = None) -> str:
    """The llama-server command line for a plan (a shell-quoted -ot list; ``--mmproj FILE``)."""
    parts = ["llama-server", "-m", model]
    if mmproj:
        parts += ["--mmproj", mmproj]
    parts += ["-c", str(n_ctx)]
    if ngl is not None:
        parts += ["-ngl", str(ngl)]
    if ts:
        parts += ["-ts", ",".join(str(x) for x in ts)]
    if n_cpu_moe:
        parts += ["--n-cpu-moe", str(n_cpu_moe)]
    elif ov:
        parts += ["-ot", "'" + ",".join(f"{p}={d}" for p, d in ov) + "'"]
    return " ".join(parts)


def _answer(s, mdl: _Model, machine: Machine, status: str, why: str | None, n_ctx: int,
            ngl: int | None, ts: list[int] | None, ov: list[tuple[str, int]], margins: list[int]) -> dict[str, Any]:
    lang = s.lang
    a = mdl.a
    ncm = _n_cpu_moe_equivalent(ov)
    ov_named = [(p, _dev_name(machine, d)) for p, d in ov]
    pl, sz = mdl.sizing(n_ctx, ngl, ts, ov)
    devices = []
    for k, i in enumerate(mdl.used):
        db = sz.devices[i]
        used = db.weights + db.kv_cache + db.compute
        devices.append({"name": db.name, "gpu": db.gpu, "layers": len(db.layers),
                        "used_bytes": used, "free_bytes": mdl.free[k], "margin_bytes": margins[k],
                        "meets_target": mdl.free[k] - used >= margins[k]})
    experts_cpu = sorted({t_.layer for wt in mdl.w.tensors for t_ in (wt.tensor,)
                          if t_.layer is not None and "_exps" in t_.name and pl.device_of(wt) == HOST})
    model_name = (mdl.m.id.split("/")[-1] if mdl.m.id else "model") + f"-{mdl.quant.id}.gguf"
    proj = mdl.projector
    mm_file = None
    if proj is not None:
        from .mmproj import file_name
        mm_file = file_name(mdl.m.id, proj.outtype)
    cmd = command(model_name, n_ctx, ngl if ngl is not None else a.n_layer + 1, ts, ov_named, ncm, mm_file)
    extras = []
    if a.n_layer_nextn:
        extras.append("MTP")
    if proj is not None:
        extras.append("mmproj-compute")      # mtmd_get_memory_usage also holds its warmup compute buffer
    elif mdl.m.id and isinstance(cat.find_model(mdl.m.id).config.get("vision_config"), dict):
        extras.append("mmproj")
    n_gpu = ngl if ngl is not None else a.n_layer + 1
    summary = t("plan.summary", lang, context=f"{n_ctx:,}", gpu_layers=n_gpu,
                experts=t("plan.experts", lang, n=len(experts_cpu)) if experts_cpu else "")
    messages = [summary]
    if status == "untouched":
        messages.append(t("plan.untouched", lang, why=t(f"plan.why.{why}", lang)))
    elif status == "failed":
        messages.append(t("plan.no_fit", lang, why=t(f"plan.why.{why}", lang)))
    elif status == "unchanged":
        messages.append(t("plan.untouched", lang, why=t("plan.why.fits", lang)))
    for d in devices:
        if status == "fitted" and not d["meets_target"]:
            # llama.cpp sets the layout it found without measuring it again (e.g. pipeline
            # parallelism switching on once every layer is on a GPU)
            messages.append(t("plan.over_target", lang, device=d["name"],
                              short=f"{(d['used_bytes'] + d['margin_bytes'] - d['free_bytes']) / MiB:,.0f} MiB"))
    if proj is not None and devices and MMPROJ_DEVICE in mdl.used:
        from .present import fmt_bytes
        messages.append(t("plan.mmproj", lang, bytes=fmt_bytes(proj.total),
                          device=devices[mdl.used.index(MMPROJ_DEVICE)]["name"]))
    if extras:
        messages.append(t("plan.extras", lang, what=" + ".join(
            t(f"plan.extra.{x}", lang) if x == "mmproj-compute" else x for x in extras)))
    return {
        "status": status, "reason": why, "context": n_ctx, "gpu_layers": n_gpu,
        "tensor_split": ts, "n_cpu_moe": ncm,
        "override_tensor": [f"{p}={d}" for p, d in ov_named] if ncm is None else [],
        "experts_on_cpu_layers": experts_cpu,
        "margins_mib": [m // MiB for m in margins], "devices": devices, "extras_not_counted": extras,
        "command": cmd, "messages": messages, "dry_runs": mdl.calls,
        "beside": beside(s, machine, n_ctx // max(1, s.batch)) if mdl.m.weights is None else None,
    }


# ----------------------------------------------------------------------------
# beside the plan: what fits with everything on the GPUs
# ----------------------------------------------------------------------------

def all_on_gpus(s, **change) -> tuple[bool, list[int]]:
    """(every device within its usable memory, layers per device) for ``s`` with ``change``.

    The llama.cpp engine's own steps (placement -> per-device buffers), without the
    rest of the estimate; the host is not checked (nothing but the input layer is there).
    """
    from .estimate import _resolve_model
    from .llamacpp_engine import machine_of, place_setup, settings, size
    from .quants import resolve
    from .weights import weights_for
    s2 = replace(s, fit=False, **change)
    mach = machine_of(s2.gpu, s2.ram)
    if mach is None or not mach.devices:
        return False, []
    engine = cat.find_engine(s2.engine)
    m = _resolve_model(s2)
    w = m.weights or weights_for(m.arch, resolve(s2.quant, engine["id"]))
    p = place_setup(s2, m.arch, w, mach)
    sz = size(s2, m.arch, w, p, engine, settings(s2, engine))
    from .llamacpp_engine import setup_projector
    proj = setup_projector(s2, m)[0]           # a counted vision projector sits on the first GPU too
    mm = proj.total if proj is not None else 0
    ok = all(d.total + (mm if k == MMPROJ_DEVICE else 0) <= dev.usable_bytes
             for k, (d, dev) in enumerate(zip(sz.devices, mach.devices)))
    return ok, [len(d.layers) + (1 if d.has_output else 0) for d in sz.devices]


def max_gpu_context(s, hi: int | None = None) -> int:
    """Largest context (multiple of 256) with every layer on the GPUs and every device fitting; 0 if none."""
    from .estimate import _resolve_model
    top = hi or _resolve_model(s).arch.max_context
    base = dict(gpu_layers=None, n_cpu_moe=None, cpu_moe=False, override_tensor=None)
    if not all_on_gpus(s, context=256, **base)[0]:
        return 0
    lo, hi_ = 1, max(1, top // 256)            # in units of 256 tokens
    if all_on_gpus(s, context=hi_ * 256, **base)[0]:
        return hi_ * 256
    while hi_ - lo > 1:
        mid = (lo + hi_) // 2
        if all_on_gpus(s, context=mid * 256, **base)[0]:
            lo = mid
        else:
            hi_ = mid
    return lo * 256


def best_gpu_quant(s, context: int) -> str | None:
    """The largest GGUF mix of the ladder that keeps everything on the GPUs at ``context``."""
    base = dict(gpu_layers=None, n_cpu_moe=None, cpu_moe=False, override_tensor=None, context=context)
    for q in _QUANT_LADDER:
        try:
            if all_on_gpus(s, quant=q, **base)[0]:
                return q
        except CalcError:
            continue
    return None


def cards_needed(s, gpu_id: str, max_cards: int = 16) -> tuple[int, list[int]] | None:
    """How many cards of one kind hold everything (layer split by llama.cpp's default), and the split."""
    base = dict(gpu_layers=None, n_cpu_moe=None, cpu_moe=False, override_tensor=None, tensor_split=None,
                split_mode="layer", main_gpu=0)
    for n in range(1, max_cards + 1):
        ok, split = all_on_gpus(s, gpu=gpu_id if n == 1 else f"{n}x{gpu_id}", **base)
        if ok:
            return n, split
    return None


_ALL_ON_GPU = dict(gpu_layers=None, n_cpu_moe=None, cpu_moe=False, override_tensor=None)


def beside(s, machine: Machine, context: int) -> dict[str, Any]:
    """``beside`` of the plan: max context and best quant on these GPUs, cards of the first kind needed."""
    lang = s.lang
    quant = best_gpu_quant(s, context)
    ctx = 0
    if all_on_gpus(s, context=256, **_ALL_ON_GPU)[0]:
        from .whatfits import largest_context       # two evaluations and a check, not a search
        from .estimate import _resolve_model
        ctx = largest_context(replace(s, fit=False, **_ALL_ON_GPU), 256, _resolve_model(s).arch.max_context)
    cards = cards_needed(s, machine.devices[0].gpu)
    msgs = []
    if ctx:
        msgs.append(t("plan.max_context", lang, context=f"{ctx:,}"))
    if quant:
        msgs.append(t("plan.best_quant", lang, context=f"{context:,}", quant=quant))
    if cards:
        msgs.append(t("plan.cards", lang, cards=cards[0], gpu=cat.gpu_name(machine.devices[0].label, lang),
                      split="/".join(map(str, cards[1]))))
    return {"max_context_on_gpus": ctx, "best_quant_on_gpus": quant,
            "cards_needed": None if cards is None else {"gpu": machine.devices[0].gpu, "cards": cards[0],
                                                        "layers_per_card": cards[1]},
            "messages": msgs}
