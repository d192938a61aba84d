"""The data catalogs (models, GPUs, engines) and how a name a person types finds an entry.

Lookups are case-insensitive over the Hugging Face repo id, the variants that
share its architecture (``also``) and short aliases (Ollama tags). A miss
raises a CalcError that names the closest entries, so a typo gets a useful
answer instead of a traceback.
"""
from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .architecture import Architecture, from_config
from .errors import CalcError
from .inventory import count_params


def _load(name: str) -> dict[str, Any]:
    return json.loads((resources.files("calc_py") / "data" / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class ModelEntry:
    id: str
    name: str
    family: str
    aliases: tuple[str, ...]
    also: tuple[str, ...]
    expected_params: int | None
    params_exact: bool
    params_source: str
    source: str
    popular: bool
    notes: str
    config: dict

    @property
    def architecture(self) -> Architecture:
        return _architecture(self.id)

    def brief(self) -> dict[str, Any]:
        a = self.architecture
        return {"id": self.id, "name": self.name, "family": self.family,
                "aliases": list(self.aliases), "params": count_params(a),
                "max_context": a.max_context, "attention": a.attention_kind(),
                "arch": a.arch, "experts": a.n_expert, "popular": self.popular}


@lru_cache(maxsize=1)
def models() -> tuple[ModelEntry, ...]:
    out = []
    for m in _load("models.json")["models"]:
        out.append(ModelEntry(
            id=m["id"], name=m.get("name") or m["id"], family=m.get("family", ""),
            aliases=tuple(m.get("aliases") or ()), also=tuple(m.get("also") or ()),
            expected_params=m.get("expected_params"), params_exact=bool(m.get("params_exact")),
            params_source=m.get("params_source") or "", source=m.get("source") or "",
            popular=bool(m.get("popular")), notes=m.get("notes") or "", config=m["config"]))
    return tuple(out)


@lru_cache(maxsize=1)
def supported_models() -> tuple[ModelEntry, ...]:
    """Catalog models whose architecture calc_py can lay out tensor by tensor."""
    ok = []
    for m in models():
        try:
            from_config(m.config)
        except CalcError:
            continue
        ok.append(m)
    return tuple(ok)


@lru_cache(maxsize=None)
def _architecture(model_id: str) -> Architecture:
    return from_config(_index()[model_id.lower()].config)


@lru_cache(maxsize=1)
def _index() -> dict[str, ModelEntry]:
    idx: dict[str, ModelEntry] = {}
    for m in supported_models():
        for key in (m.id, *m.also, *m.aliases):
            idx.setdefault(key.lower(), m)
    return idx


def find_model(name: str) -> ModelEntry:
    key = (name or "").strip().lower()
    if key.startswith("hf.co/") or key.startswith("huggingface.co/"):
        key = key.split("/", 1)[1]
    hit = _index().get(key)
    if hit is not None:
        return hit
    import difflib   # only for a miss: keeps the page's first import short
    close = difflib.get_close_matches(key, list(_index()), n=5, cutoff=0.5)
    names = sorted({_index()[c].id for c in close})
    hint = f"; closest: {', '.join(names)}" if names else "; run `python -m calc_py models` for the list"
    raise CalcError(f"unknown model {name!r}{hint}", field="model", suggestions=names)


# ----------------------------------------------------------------------------
# GPUs and engines
# ----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def gpus() -> tuple[dict[str, Any], ...]:
    return tuple(_load("gpus.json")["gpus"])


@lru_cache(maxsize=1)
def _gpu_index() -> dict[str, dict[str, Any]]:
    idx: dict[str, dict[str, Any]] = {}
    for g in gpus():
        for key in (g["id"], g["name"], *g.get("aliases", ())):
            idx.setdefault(key.lower(), g)
    return idx


def find_gpu(name: str) -> dict[str, Any]:
    key = (name or "").strip().lower()
    hit = _gpu_index().get(key) or _gpu_index().get(key.replace(" ", "-"))
    if hit is not None:
        return hit
    import difflib
    close = difflib.get_close_matches(key, list(_gpu_index()), n=5, cutoff=0.5)
    names = sorted({_gpu_index()[c]["id"] for c in close})
    hint = f"; closest: {', '.join(names)}" if names else "; run `python -m calc_py gpus` for the list"
    raise CalcError(f"unknown GPU {name!r}{hint}", field="gpu", suggestions=names)


#: the rules that write a GPU's catalog name in another language, in the order they apply:
#: each is the message ``gpu.name.<rule>``, whose English text is the pattern (its literal
#: words, with a {field} standing for one token of the name) and whose translation is the
#: replacement. A field whose value is the English of a ``gpu.name.word.*`` message is
#: replaced by that message's translation ("two" -> "两").
GPU_NAME_RULES = ("laptop_gpu", "generation", "workstation_edition", "superchip", "unified_memory",
                  "one_of_its", "list", "aside")
#: what a {field} of a rule's pattern matches: one token, unless named here
_GPU_NAME_FIELDS = {"name": r".+?", "aside": r"[^()]+"}
_TOKEN = r"[^\s(),]+"


@lru_cache(maxsize=None)
def _gpu_name_pattern(template: str) -> re.Pattern[str]:
    out = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if field is not None:
            out.append(f"(?P<{field}>{_GPU_NAME_FIELDS.get(field, _TOKEN)})")
    return re.compile(r"(?<!\w)" + "".join(out) + r"(?!\w)")


@lru_cache(maxsize=None)
def _gpu_name_in(name: str, lang: str) -> str:
    from .i18n import DEFAULT_LANG, catalog
    if lang == DEFAULT_LANG:
        return name
    en, own = catalog(DEFAULT_LANG), catalog(lang)
    words = {en[k]: own[k] for k in en if k.startswith("gpu.name.word.")}
    for rule in GPU_NAME_RULES:
        key = f"gpu.name.{rule}"
        name = _gpu_name_pattern(en[key]).sub(
            lambda m: own[key].format(**{f: words.get(v, v) for f, v in m.groupdict().items()}), name)
    return name


def gpu_name(gpu: dict[str, Any] | str, lang: str = "en") -> str:
    """A GPU's name as a reader of `lang` sees it: English is the catalog's ``name`` as it
    is; another language rewrites the words in it (Laptop GPU, unified memory, Generation,
    Workstation Edition, ...) by the rules :data:`GPU_NAME_RULES` name, so a new catalog
    entry is translated without a message of its own. Brand and model names (NVIDIA,
    GeForce RTX 4090, Apple M2 Max, H100 SXM, 8GB) stay as they are. `gpu` is a catalog
    entry, a row with its ``name`` (compare_gpus, a machine's device), or the name itself."""
    name = gpu if isinstance(gpu, str) else str(gpu.get("name") or gpu.get("id") or "")
    return _gpu_name_in(name, lang)


def gpu_name_of(gpu_id: str, lang: str = "en") -> str:
    """:func:`gpu_name` of the catalog entry with id (or name, or alias) `gpu_id`."""
    return gpu_name(find_gpu(gpu_id), lang)


def usable_gpu_bytes(gpu: dict[str, Any]) -> int:
    """Memory a process can actually get: the driver-reported total where measured,
    the GPU share of unified memory on Apple Silicon, else the nominal size."""
    if gpu.get("unified_memory") and gpu.get("gpu_share_default"):
        return int(gpu["memory_bytes"] * float(gpu["gpu_share_default"]))
    if gpu.get("cuda_total_mib"):
        return int(gpu["cuda_total_mib"]) << 20
    return int(gpu["memory_bytes"])


@lru_cache(maxsize=1)
def engines() -> tuple[dict[str, Any], ...]:
    return tuple(_load("engines.json")["engines"])


def engine_text(engine: dict[str, Any], field: str, lang: str = "en") -> str:
    """An engine's ``version`` or ``overhead_summary`` as a reader sees it: the message
    ``engine.<field>.<id without dots>`` in `lang` (English there is the engines.json text,
    tests/test_zh_units.py holds them equal), else the data itself."""
    from .i18n import catalog
    text = catalog(lang).get(f"engine.{field}.{engine['id'].replace('.', '')}")
    return engine[field] if text is None else text


def find_engine(name: str) -> dict[str, Any]:
    key = (name or "").strip().lower()
    aliases = {"llamacpp": "llama.cpp", "llama-cpp": "llama.cpp", "llama_cpp": "llama.cpp",
               "hf": "transformers", "huggingface": "transformers"}
    key = aliases.get(key, key)
    for e in engines():
        if e["id"] == key:
            return e
    ids = ", ".join(e["id"] for e in engines())
    raise CalcError(f"unknown engine {name!r} (known: {ids})", field="engine")
