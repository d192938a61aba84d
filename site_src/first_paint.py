"""The build's answers for the calculator links of the lookup tables (first paint).

Why: a link into the calculator (a cell of a model page, a GPU page's best
quantization or largest context, a permalink of one of those) should show its
own answer at once, not the default model's numbers greyed until Pyodide has
booted. Every such link is a query the build already estimates for the tables,
so the build writes its display model here, computed by calc_py through
site_src/view.py exactly as the worker computes it, and the page's first-paint
script (static/first-paint.js) fetches only the one file its link needs:

- ``first-paint/<model slug>.json``: the cells of that model's table page (both
  grids and the engine comparison, which include the models index's cells);

Each file: ``{"keys": {key: index}, "views": [view, ...], "selects": [...]}``.
A view is :func:`view.view` without the GPU table (the page greys the table
until the worker's answer), its ``selects`` an index into the file's list
(most cells share them). A key is a query's input keys in api.KEYS order,
encoded as the browser's URLSearchParams writes them; each view is stored under
the forms its links take: the table's link, the page's own permalink, and the
canonical query (with and without the model).

One folder per language (``first-paint/`` for English, ``first-paint/zh-CN/``):
a view carries its language's labels and numbers written its way, and each
language's tables link to that language's calculator.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from calc_py import api, i18n
from calc_py import tables as T

FOLDER = "first-paint"

#: bytes URLSearchParams.toString() leaves as they are (the application/x-www-form-urlencoded set)
_FORM_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._")


def _form_quote(text: str) -> str:
    return "".join(chr(b) if b in _FORM_SAFE else "+" if b == 0x20 else "%%%02X" % b
                   for b in str(text).encode("utf-8"))


def key(query: dict[str, str]) -> str:
    """What first-paint.js computes from a URL: its input keys in KEYS order, form-encoded."""
    return "&".join(f"{_form_quote(k)}={_form_quote(query[k])}" for k in api.KEYS if k in query)


def file_name(model_id: str) -> str:
    """The file a link's answer is in (first-paint.js makes the same name)."""
    return T.slug(model_id) + ".json"


def aliases(link: dict[str, str], inputs: dict[str, str]) -> set[str]:
    """The keys of one answer: the table's link, the page's permalink (every non-empty
    input, model= always) and the canonical query (only what differs from an empty
    query), that one also with the model named."""
    base = api.estimate_query({})["inputs"]
    permalink = {k: v for k, v in inputs.items() if v != "" or k == "model"}
    canonical = {k: v for k, v in inputs.items() if str(v) != str(base.get(k, ""))}
    return {key(link), key(permalink), key(canonical), key({"model": inputs["model"], **canonical})}


def links() -> dict[str, list[dict[str, str]]]:
    """Every calculator link of the model tables (each model page's grids and engine
    comparison, which hold the models index's cells), by the file its answer goes in.
    The GPU pages' links (best quantization, largest context per model and card) are
    not precomputed: 2 x models x GPUs answers (~30,000) cost minutes of build and
    ~100 MB; those links show the placeholder until Python is up."""
    return {file_name(m.id): [c["query"] for c in T.model_cells(m)] for m in T.models()}


def build_file(view_module, queries: Iterable[dict[str, str]], lang: str = "en") -> dict[str, Any]:
    """One file's keys, views and shared selects."""
    keys: dict[str, int] = {}
    views: list[dict[str, Any]] = []
    selects: list[dict[str, Any]] = []
    select_index: dict[str, int] = {}
    for q in queries:
        answer = api.estimate_query(q, lang)
        if answer["notices"]:          # a cell the calculator refuses: no answer to show
            continue
        v = view_module.view(answer, [], lang)
        v.pop("gpus")
        s = json.dumps(v["selects"], sort_keys=True)
        if s not in select_index:
            select_index[s] = len(selects)
            selects.append(v["selects"])
        v["selects"] = select_index[s]
        for k in sorted(aliases(q, answer["inputs"])):   # a set: sorted, so two builds are identical
            if k not in keys:
                keys[k] = len(views)
        views.append(v)
    return {"keys": keys, "views": views, "selects": selects}


def write(out: Path, view_module, lang: str = "en") -> dict[str, Any]:
    """Write every file under out/first-paint/; returns what the page needs to find
    them (folder, a version for the HTTP cache, the defaults) and their sizes."""
    sub = "" if lang == i18n.DEFAULT_LANG else lang + "/"
    folder = out / FOLDER / sub
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    digest = hashlib.sha256()
    by_file = links()
    for name in sorted(by_file):
        data = json.dumps(build_file(view_module, by_file[name], lang), separators=(",", ":"),
                          ensure_ascii=False).encode("utf-8")
        (folder / name).write_bytes(data)
        digest.update(name.encode() + data)
        total += len(data)
    return {"dir": FOLDER + "/" + sub, "version": digest.hexdigest()[:12], "files": len(by_file), "bytes": total,
            "models": " ".join(sorted(n[: -len(".json")] for n in by_file))}
