"""Small presentation helpers shared by the engines: a part's row, bytes for people.

Numbers are computed elsewhere; this module only turns them into the message
catalog's labels and sentences (calc_py/messages/<lang>/calc.json).
"""
from __future__ import annotations

from typing import Any

from .i18n import t
from .quants import Quant

MiB = 1 << 20
GiB = 1 << 30


def part_row(part: str, nbytes: int, explain: str, verified: bool, lang: str) -> dict[str, Any]:
    """One row of ``parts``: ``{"part", "bytes", "label", "explain", "verified"}``."""
    return {"part": part, "bytes": int(nbytes), "label": t(f"part.{part}", lang),
            "explain": explain, "verified": verified}


def attention_label(kind: str, lang: str) -> str:
    """Architecture.attention_kind() for a reader: the acronyms (GQA, MLA, SWA ...) stay,
    the words ("hybrid", "GQA + chunked") come from the catalog (attention.<word>)."""
    return " + ".join(t(f"attention.{w}", lang) if w in ("hybrid", "chunked") else w
                      for w in kind.split(" + "))


def quant_label(quant_id: str, label: str, lang: str) -> str:
    """A weight format's label for a reader: the message quant.label.<id> where the label
    says more than an acronym ("FP8 (W8, per-channel scale)"; English there is the
    quants.json label, tests/test_zh_units.py holds them equal), else `label` itself."""
    from .i18n import catalog
    return catalog(lang).get(f"quant.label.{quant_id}", label)


def fmt_bytes(n: int) -> str:
    if n >= GiB:
        return f"{n / GiB:.2f} GiB"
    if n >= MiB:
        return f"{n / MiB:.1f} MiB"
    return f"{n / 1024:.1f} KiB"


def weights_explain(w, quant: Quant, extra: str, lang: str) -> str:
    n_el = w.n_elements or 1
    bpw = w.total * 8 / n_el
    key = "explain.weights.gguf" if quant.is_gguf else "explain.weights.hf"
    if quant.is_gguf and not quant.spec:          # read from a GGUF header, not planned
        key = "explain.weights.file"
    return t(key, lang, n_tensors=len(w.tensors), quant=quant_label(quant.id, quant.label, lang), bpw=bpw, host_note=extra)
