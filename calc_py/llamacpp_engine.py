"""The llama.cpp (and Ollama) engine: settings -> placement -> buffers per device -> parts and sentences.

Three steps, each in its own module:

1. :mod:`calc_py.placement` -- where every tensor and layer lives (``-ngl``,
   ``-ts``, ``-sm``, ``--n-cpu-moe``, ``-ot``);
2. :mod:`calc_py.llamacpp_devices` -- the bytes of every buffer on every device
   and on the host;
3. here -- the numbers become the result's ``parts`` / ``host_parts`` (sums over
   the GPUs, so a one-card machine reads exactly as before), ``devices`` and
   ``host`` (per device), and their sentences from the message catalog.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import catalog as cat
from .architecture import Architecture
from .errors import CalcError
from .i18n import t
from .kv_cache import LLAMACPP_KV_TYPES, pad
from .llamacpp_devices import Sizing, size_llamacpp
from .machine import Machine, device_index, parse_fit_target, parse_machine, parse_overrides, parse_tensor_split
from .placement import HOST, Options, Placement, place
from .present import fmt_bytes, part_row, weights_explain
from .weights import weights_for

MiB = 1 << 20


@dataclass(frozen=True)
class LlamaSettings:
    """The llama.cpp settings in effect, resolved from a Setup and the engine defaults."""

    ubatch: int
    flash_attn: bool
    kv_type: str
    n_ctx: int              # -c: all sequences together (unified KV)
    n_seq: int


@lru_cache(maxsize=64)
def machine_of(gpu: str | None, ram: Any) -> Machine | None:
    """Memoised :func:`calc_py.machine.parse_machine` (the page recomputes per keystroke)."""
    return parse_machine(gpu, ram)


def settings(s, engine: dict) -> LlamaSettings:
    d = engine["defaults"]
    ubatch = s.ubatch or d["ubatch"]
    fa = d["flash_attn"] == "on" if s.flash_attn is None else s.flash_attn
    kv_type = (s.kv_cache or d["kv_cache"]).lower()
    if kv_type not in LLAMACPP_KV_TYPES:
        raise CalcError(f"unknown KV cache type {kv_type!r} for {engine['id']} "
                        f"(known: {', '.join(LLAMACPP_KV_TYPES)})", field="kv-cache")
    return LlamaSettings(ubatch, fa, kv_type, s.context * s.batch, s.batch)


def placement_options(s, machine: Machine | None, *, n_gpu_layers: int | None = None,
                      tensor_split: tuple[float, ...] | None = None,
                      overrides: tuple[tuple[str, str], ...] | None = None,
                      n_cpu_moe: int | None = None) -> Options:
    """:class:`calc_py.placement.Options` from a Setup (keyword arguments replace its values)."""
    if machine is not None and not machine.devices:
        machine = None                       # --ram alone: one GPU of unknown size, as without a machine
    n_dev = len(machine.devices) if machine else 1
    free = tuple(d.usable_bytes for d in machine.devices) if machine else ()
    ts = parse_tensor_split(s.tensor_split if tensor_split is None else tensor_split,
                            n_dev if machine else None)
    if ts is not None and not machine and len(ts) != 1:
        raise CalcError("tensor-split needs a machine with that many GPUs (--gpu 2xrtx-3090)",
                        field="tensor-split")
    ov_names = parse_overrides(s.override_tensor if overrides is None else overrides)
    ov = tuple((p, device_index(machine, d)) for p, d in ov_names)
    ngl = s.gpu_layers if n_gpu_layers is None else n_gpu_layers
    ncm = s.n_cpu_moe if n_cpu_moe is None else n_cpu_moe
    return Options(n_devices=n_dev, free_bytes=free, n_gpu_layers=ngl, tensor_split=ts,
                   split_mode=(s.split_mode or "layer").lower(), main_gpu=s.main_gpu or 0,
                   n_cpu_moe=int(ncm or 0), cpu_moe=bool(s.cpu_moe), overrides=ov,
                   row_rounding=row_rounding(machine))


def row_rounding(machine: Machine | None) -> int:
    """ggml-cuda.cu ``get_row_rounding``: the largest ``get_mmq_y_host(cc)`` of the devices, 64 for
    NVIDIA before Volta (the catalog has no compute capability: Kepler/Maxwell/Pascal = released
    before 2017, GTX 10xx, Tesla P/K) and AMD RDNA1 (RX 5000), else 128."""
    if machine is None:
        return 128
    out = 0
    for d in machine.devices:
        g = d.gpu
        old_nv = d.name.startswith("CUDA") and (g.startswith(("gtx-10", "tesla-p", "tesla-k", "titan-x"))
                                               or (cat.find_gpu(g).get("release_year") or 2020) < 2017)
        rdna1 = g.startswith("rx-5")
        out = max(out, 64 if (old_nv or rdna1) else 128)
    return out or 128


def device_names(machine: Machine | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if machine is None or not machine.devices:
        return ("CUDA0",), ("",)
    return tuple(d.name for d in machine.devices), tuple(d.gpu for d in machine.devices)


@lru_cache(maxsize=256)
def _placed(a: Architecture, w, opts: Options, names: tuple[str, ...], gpus: tuple[str, ...]) -> Placement:
    return place(a, w, opts, devices=names, gpus=gpus)


def place_setup(s, a: Architecture, w, machine: Machine | None, **change) -> Placement:
    opts = placement_options(s, machine, **change)
    names, gpus = device_names(machine)
    # --ram without --gpu: today's one-GPU view (a card of unknown size) plus the host check
    return _placed(a, w, opts, names, gpus)


def size(s, a: Architecture, w, p: Placement, engine: dict, st: LlamaSettings) -> Sizing:
    return size_llamacpp(a, w, p, n_ctx=st.n_ctx, n_seq=st.n_seq, kv_type=st.kv_type, fa=st.flash_attn,
                         ubatch=st.ubatch, overhead_bytes=int(engine["overhead_mib"]) * MiB,
                         mmap=not s.no_mmap)


# ----------------------------------------------------------------------------
# presentation
# ----------------------------------------------------------------------------

def _layer_span(layers: tuple[int, ...]) -> list[int]:
    """[first, last] for a contiguous run, else the list itself."""
    if not layers:
        return []
    if layers == tuple(range(layers[0], layers[-1] + 1)):
        return [layers[0], layers[-1]]
    return list(layers)


def devices_json(sz: Sizing, machine: Machine,
                 mmproj: tuple[int, int] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The ``devices`` and ``host`` objects of the --json contract.

    ``mmproj``: (device index, bytes) of a vision projector; that device gains
    ``mmproj_bytes`` and its total grows by them (no other device changes)."""
    host_total = sz.host.total
    pool = machine.pool_bytes
    out = []
    for db, dev in zip(sz.devices, machine.devices):
        extra = mmproj[1] if mmproj and mmproj[0] == db.index else 0
        total = db.total + extra
        fits = total <= dev.usable_bytes
        if pool is not None:
            fits = fits and total + host_total <= pool
        out.append({
            "name": db.name, "gpu": db.gpu, "label": dev.label,
            "weights_bytes": db.weights, "kv_cache_bytes": db.kv_cache, "compute_bytes": db.compute,
            "overhead_bytes": db.overhead, "total_bytes": total, "usable_bytes": dev.usable_bytes,
            "headroom_bytes": dev.usable_bytes - total, "fits": fits,
            "layers": _layer_span(db.layers), "n_layers": len(db.layers), "output": db.has_output,
            "unified": dev.unified,
        })
        if mmproj:
            out[-1]["mmproj_bytes"] = extra
    dev_total = sum(d.total for d in sz.devices) + (mmproj[1] if mmproj else 0)
    ram = machine.ram_bytes
    if pool is not None:
        host_fits: bool | None = host_total + dev_total <= pool
    else:
        host_fits = None if ram is None else host_total <= ram
    host = {"weights_bytes": sz.host.weights, "kv_cache_bytes": sz.host.kv_cache,
            "compute_bytes": sz.host.compute, "output_bytes": sz.host.output, "total_bytes": host_total,
            "ram_bytes": ram, "fits": host_fits, "mmap": sz.host.mmap,
            "unified": pool is not None, "pool_bytes": pool,
            "pool_used_bytes": host_total + dev_total if pool is not None else None}
    return out, host


#: clip.cpp clip_ctx::clip_ctx: without MTMD_BACKEND_DEVICE the projector takes
#: ggml_backend_init_by_type(GGML_BACKEND_DEVICE_TYPE_GPU), the first GPU device, whatever -mg says
MMPROJ_DEVICE = 0


def mmproj_outtype(s) -> str:
    """The Setup's --mmproj choice, lower case ("none" when not asked for)."""
    return (getattr(s, "mmproj", None) or "none").lower()


def setup_projector(s, m) -> tuple[Any, str | None]:
    """(the :class:`calc_py.mmproj.Projector` to count, or None; why not: None | "no_vision" |
    "not_modelled"). None, None when no projector was asked for."""
    from . import mmproj
    outtype = mmproj_outtype(s)
    if outtype == "none":
        return None, None
    config = None
    if m.weights is None and m.id:
        config = cat.find_model(m.id).config
    elif m.weights is None and s.config not in (None, ""):
        from .architecture import load_config
        config = load_config(s.config)
    if config is None:
        return None, "not_modelled"         # a GGUF header or a parameter count: no vision_config read
    if not mmproj.has_vision(config):
        return None, "no_vision"
    p = mmproj.projector(config, outtype)
    return p, (None if p is not None else "not_modelled")


def mmproj_notes(s, m, reason: str | None, notes: list[str]) -> None:
    outtype = mmproj_outtype(s)
    if reason == "no_vision":
        notes.append(t("note.mmproj_no_vision", s.lang, outtype=outtype))
    elif reason == "not_modelled":
        config = cat.find_model(m.id).config if m.id and m.weights is None else None
        vc = (config or {}).get("vision_config") if isinstance(config, dict) else None
        what = (vc.get("model_type") if isinstance(vc, dict) else None) or m.name
        notes.append(t("note.mmproj_not_modelled", s.lang, outtype=outtype, what=what))


def run(s, m, quant, engine: dict, notes: list[str]) -> dict[str, Any]:
    """The llama.cpp engine's body for :func:`calc_py.estimate.estimate`."""
    a, lang = m.arch, s.lang
    st = settings(s, engine)
    machine = machine_of(s.gpu, s.ram)
    w = m.weights or weights_for(a, quant)
    p = place_setup(s, a, w, machine)
    sz = size(s, a, w, p, engine, st)
    kv_all = sz.kv_all
    weights_dev = sum(d.weights for d in sz.devices)
    kv_dev = sum(d.kv_cache for d in sz.devices)
    compute_dev = sum(d.compute for d in sz.devices)
    overhead = sum(d.overhead for d in sz.devices)

    embd = w.nbytes_of("token_embd.weight")
    host_note = t("explain.weights.host_embd", lang, embd=fmt_bytes(embd))
    n_gpu_layers = sum(1 for d in p.layer_device if d != HOST)
    if n_gpu_layers < a.n_layer:
        host_note += t("explain.join", lang) + t("explain.weights.partial", lang, n_gpu=n_gpu_layers,
                                                 n_layer=a.n_layer)
    moved = sum(1 for n in p.overridden if p.tensor_device.get(n) == HOST)
    if moved:
        host_note += t("explain.join", lang) + t("explain.weights.overridden", lang, n=moved,
                                                 bytes=fmt_bytes(sz.host.weights - embd))
    used = [d for d in sz.devices if d.index in p.used_devices]
    if len(used) > 1:
        split = ", ".join(f"{d.name} {len(d.layers)}" for d in used)
        host_note += t("explain.join", lang) + t("explain.weights.devices", lang, n_dev=len(used), split=split)
    n_attn = sum(1 for il in range(a.n_layer) if a.n_head_kv[il] or a.is_mla)
    swa_note = rec_note = ""
    if a.has_swa:
        swa_note = t("explain.kv.swa", lang, n_swa=sum(a.swa_layers), swa_cells=f"{kv_all.swa_cells:,}")
    if a.is_hybrid:
        rec_note = t("explain.kv.recurrent", lang, rec=fmt_bytes(kv_all.recurrent_bytes),
                     n_rec=sum(a.recurrent_layers))
    il0 = next(il for il in range(a.n_layer) if a.n_head_kv[il] or a.is_mla)
    if a.is_mla:
        kv_explain = t("explain.kv.mla", lang, cells=f"{kv_all.cells:,}", layers=n_attn,
                       k_dim=a.n_embd_k_gqa(il0), kv_type=st.kv_type)
    else:
        kv_explain = t("explain.kv.llamacpp", lang, cells=f"{kv_all.cells:,}", layers=n_attn,
                       k_dim=a.n_embd_k_gqa(il0), v_dim=a.n_embd_v_gqa(il0), kv_type=st.kv_type,
                       swa_note=swa_note, rec_note=rec_note)
    parts = [
        part_row("weights", weights_dev, weights_explain(w, quant, host_note, lang), True, lang),
        part_row("kv_cache", kv_dev, kv_explain, True, lang),
        part_row("compute", compute_dev, t("explain.compute.llamacpp", lang, ubatch=st.ubatch,
                                           peak=t(f"peak.{sz.compute_peak_kind}", lang),
                                           fa=t("word.on" if st.flash_attn else "word.off", lang)), False, lang),
        part_row("overhead", overhead, t("explain.overhead", lang,
                                         what=t("explain.overhead.what.llamacpp", lang),
                                         source=cat.engine_text(engine, "overhead_summary", lang)), False, lang),
    ]
    proj, why_not = setup_projector(s, m)
    mmproj_notes(s, m, why_not, notes)
    mm_dev = None
    if proj is not None:
        from .mmproj import file_name
        dev_name = (machine.devices[MMPROJ_DEVICE].name if machine is not None and machine.devices
                    else "CUDA0")
        types = ", ".join(f"{n} {ty}" for ty, n in sorted(proj.type_counts().items()))
        parts.append(part_row("mmproj", proj.total, t(
            "explain.mmproj", lang, file=file_name(m.id, proj.outtype), n_tensors=len(proj.tensors),
            kind=proj.kind, outtype=proj.outtype, types=types, device=dev_name), True, lang))
        if machine is not None and machine.devices:
            mm_dev = (MMPROJ_DEVICE, proj.total)
    host_parts = [
        {"part": "weights", "bytes": sz.host.weights},
        {"part": "kv_cache", "bytes": sz.host.kv_cache},
        {"part": "compute", "bytes": sz.host.compute},
        {"part": "output", "bytes": sz.host.output},
    ]
    notes.append(t("note.unverified_compute", lang))
    st_out: dict[str, Any] = {"ubatch": st.ubatch, "flash_attn": st.flash_attn, "kv_cache": st.kv_type,
                              "gpu_layers": p.n_gpu_layers, "n_ctx": pad(st.n_ctx, 256),
                              "kv_cells": kv_all.cells, "swa_cells": kv_all.swa_cells, "kv_unified": True}
    if mmproj_outtype(s) != "none":
        st_out["mmproj"] = mmproj_outtype(s)
    body: dict[str, Any] = {"model_bytes": w.total, "parts": parts, "host_parts": host_parts,
                            "settings": st_out, "weight_types": w.type_counts()}
    if mmproj_outtype(s) != "none":
        body["mmproj"] = None if proj is None else {
            "outtype": proj.outtype, "kind": proj.kind, "bytes": proj.total, "n_tensors": len(proj.tensors),
            "types": proj.type_counts(), "device": MMPROJ_DEVICE, "compute_counted": False}
    if machine is not None:
        devs, host = devices_json(sz, machine, mm_dev)
        body["devices"], body["host"] = devs, host
        st_out.update({"split_mode": p.split_mode,
                       "tensor_split": list(p.row_split or _fractions(p.splits)),
                       "n_cpu_moe": int(s.n_cpu_moe or 0), "cpu_moe": bool(s.cpu_moe),
                       "override_tensor": [list(x) for x in parse_overrides(s.override_tensor)],
                       "mmap": not s.no_mmap, "pipeline_parallel": sz.pipeline_parallel})
        _machine_notes(sz, machine, host, notes, lang, moved)
    return body


def _fractions(splits: tuple[float, ...]) -> list[float]:
    return [round(x - (splits[i - 1] if i else 0.0), 6) for i, x in enumerate(splits)]


def _machine_notes(sz: Sizing, machine: Machine, host: dict[str, Any], notes: list[str], lang: str,
                   moved: int) -> None:
    if sz.pipeline_parallel:
        notes.append(t("note.pipeline_parallel", lang, n=len(machine.devices)))
    if sz.host.weights and sz.host.mmap and sz.host.weights > (64 << 20):
        notes.append(t("note.mmap_host", lang, bytes=fmt_bytes(sz.host.weights)))
    if machine.unified:
        d = machine.devices[0]
        notes.append(t("note.unified_pool", lang, gpu=cat.gpu_name(d.label, lang), pool=fmt_bytes(machine.pool_bytes),
                       host=fmt_bytes(host["total_bytes"]), dev=fmt_bytes(sz.devices[0].total),
                       share=fmt_bytes(d.usable_bytes)))
    elif host["fits"] is False:
        notes.append(t("note.host_ram_short", lang, need=fmt_bytes(host["total_bytes"]),
                       ram=fmt_bytes(host["ram_bytes"])))
    elif host["ram_bytes"] is None and sz.host.total > (2 << 30):
        notes.append(t("note.host_ram_unknown", lang, need=fmt_bytes(host["total_bytes"])))
