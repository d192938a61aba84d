"""Build-time "what runs on my machine" tables for common machines (issue 11, item 5).

The machines are data (``calc_py/data/machines.json``); every row is
:func:`calc_py.whatfits.what_fits` for that machine, with the decode speed
:mod:`calc_py.speed` gives for the row's own layout (fully on the GPUs, or the
``--fit`` plan with experts/layers in RAM) and the calculator query that
reproduces it. The site only formats these dicts (site_src/machine_pages.py),
so a table cell and the calculator page it links to show the same numbers.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from .errors import CalcError
from .estimate import Setup, estimate
from .machine import parse_machine
from .whatfits import what_fits

#: the context every row must reach, as on the model and GPU tables
TABLE_CONTEXT = 8192


@lru_cache(maxsize=1)
def presets() -> tuple[dict[str, Any], ...]:
    """The machines.json entries, each with the usable memory calc_py sees on it."""
    data = json.loads((resources.files("calc_py") / "data" / "machines.json").read_text(encoding="utf-8"))
    out = []
    for p in data["machines"]:
        mach = parse_machine(p["gpu"], p["ram"])
        if mach is None or not mach.devices:
            raise CalcError(f"machines.json: {p['id']} has no GPU", field="gpu")
        out.append({**p, "unified": bool(mach.unified),
                    "gpu_ids": [d.gpu for d in mach.devices],
                    "gpu_names": [d.label for d in mach.devices],
                    "gpu_bytes": sum(d.usable_bytes for d in mach.devices),
                    "ram_bytes": mach.ram_bytes})
    return tuple(out)


def _query(p: dict[str, Any], row: dict[str, Any]) -> dict[str, str]:
    """The calculator's URL keys that reproduce ``row`` on machine ``p``."""
    q = {"model": row["model"], "quant": row["quant"], "context": str(row["context"]), "gpu": p["gpu"]}
    if p["ram"] is not None:
        q["ram"] = str(p["ram"])
    if row["kind"] == "offload":
        q["fit"] = "on"
    return q


def _speed(p: dict[str, Any], row: dict[str, Any]) -> dict[str, Any] | None:
    s = Setup(model=row["model"], quant=row["quant"], context=row["context"], gpu=p["gpu"],
              ram=p["ram"], fit=row["kind"] == "offload")
    try:
        return estimate(s, with_fit=False).get("speed")
    except CalcError:
        return None


@lru_cache(maxsize=None)
def machine_table(machine_id: str) -> dict[str, Any]:
    """One machine's table: the preset, its rows (ranked as whatfits ranks them) and counts."""
    p = next((x for x in presets() if x["id"] == machine_id), None)
    if p is None:
        raise CalcError(f"unknown machine table {machine_id!r}", field="gpu")
    rows = []
    for r in what_fits(p["gpu"], p["ram"], TABLE_CONTEXT):
        sp = _speed(p, r)
        rows.append({**r, "query": _query(p, r),
                     "decode_tokens_per_s": sp and sp.get("decode_tokens_per_s"),
                     "prefill_tokens_per_s": sp and sp.get("prefill_tokens_per_s")})
    return {"machine": p, "rows": rows, "context": TABLE_CONTEXT,
            "n_gpu": sum(1 for r in rows if r["kind"] == "gpu"),
            "n_offload": sum(1 for r in rows if r["kind"] == "offload")}


def machines_with_gpu(gpu_id: str) -> list[dict[str, Any]]:
    """The presets that contain ``gpu_id`` (the GPU pages link to them)."""
    return [p for p in presets() if gpu_id in p["gpu_ids"]]


def ranked_by_speed(table: dict[str, Any]) -> list[dict[str, Any]]:
    """The same rows, fastest decode first (rows without a speed last)."""
    return sorted(table["rows"], key=lambda r: (r["decode_tokens_per_s"] is None,
                                               -(r["decode_tokens_per_s"] or 0.0), r["model"]))


__all__ = ["TABLE_CONTEXT", "presets", "machine_table", "machines_with_gpu", "ranked_by_speed"]
