"""The weight-format catalog (``data/quants.json``) and how a name resolves per engine.

Why per engine: the original article's buttons (FP16 / INT8 / Q5 / Q4) mean
different files on different engines -- INT8 is a GGUF Q8_0 on llama.cpp but a
W8A8 or bitsandbytes checkpoint on vLLM/transformers -- so the same button
must resolve to the format that engine actually loads.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .errors import CalcError
from .gguf_mix import MIXES

GGUF_ENGINES = ("llama.cpp", "ollama")

# Short names people type for GGUF mixes (the article's Q4/Q5 buttons, Ollama tags).
_GGUF_ALIASES = {"Q4": "Q4_K_M", "Q5": "Q5_K_M", "Q3": "Q3_K_M", "Q2": "Q2_K", "Q6": "Q6_K",
                 "Q8": "Q8_0", "INT8_0": "Q8_0"}


@dataclass(frozen=True)
class Quant:
    """A resolved weight format: a GGUF mix, or a checkpoint format."""

    id: str
    label: str
    kind: str                 # "gguf" or "hf"
    spec: dict[str, Any]

    @property
    def is_gguf(self) -> bool:
        return self.kind == "gguf"


@lru_cache(maxsize=1)
def catalog() -> list[dict[str, Any]]:
    path = resources.files("calc_py") / "data" / "quants.json"
    return json.loads(path.read_text(encoding="utf-8"))["quants"]


@lru_cache(maxsize=1)
def _by_id() -> dict[str, dict[str, Any]]:
    return {q["id"].lower(): q for q in catalog()}


def resolve(name: str, engine: str) -> Quant:
    """The format ``name`` means on ``engine`` (raises CalcError if unknown/unsupported)."""
    raw = (name or "").strip()
    if not raw:
        raise CalcError("no quantization given", field="quant")
    key = raw.lower()
    upper = _GGUF_ALIASES.get(raw.upper(), raw.upper())
    entry = _by_id().get(key)
    gguf = engine in GGUF_ENGINES
    if entry is None and upper in MIXES:
        entry = _by_id().get(upper.lower())
        if entry is None:   # a mix the quantizer knows but the catalog does not list
            mix = MIXES[upper]
            return Quant(upper, upper, "gguf", {"id": upper, "default_type": mix.default_type})
    if entry is None:
        ids = ", ".join(q["id"] for q in catalog())
        raise CalcError(f"unknown quantization {raw!r} (known: {ids})", field="quant")
    if entry["kind"] == "hf" and gguf:
        equivalent = entry.get("gguf_equivalent")
        if not equivalent:
            raise CalcError(f"{entry['label']} is not a GGUF format; {engine} loads GGUF files "
                            "(pick a GGUF type such as Q4_K_M)", field="quant")
        entry = _by_id()[equivalent.lower()]
    elif entry["kind"] == "gguf" and not gguf:
        if engine == "transformers":
            raise CalcError("transformers dequantizes GGUF files to the torch dtype when it loads "
                            "them; pick bf16/fp16 or a transformers quantization (awq, gptq, nf4, int8)",
                            field="quant")
        # vLLM loads GGUF checkpoints (vllm/model_executor/model_loader/gguf_loader.py).
    return Quant(entry["id"], entry["label"], entry["kind"], entry)
