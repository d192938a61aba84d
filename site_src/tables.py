"""The precomputed pages: models/, gpus/ and the data/ downloads, plus sitemap.xml.

``calc_py.tables`` computes every number; this module only formats and writes.
The pages need no JavaScript: sorting is a handful of pre-rendered orderings of
the models index, linked from its column headers.

Pages live one folder down (``models/``, ``gpus/``), so every link a template
writes is ``{{ root }}...`` with ``root = "../"``; the layout
(``templates/tables/layout.html``) re-renders base.html's header with that
prefix, and the per-page description is passed through the ``t`` the templates
call (base.html reads ``t('site.meta.description')``).
"""
from __future__ import annotations

import contextlib
import contextvars
import csv
import functools
import io
import json
import re
import sys
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from calc_py import api, i18n
from calc_py import tables as T
from calc_py.catalog import gpu_name
from calc_py.present import attention_label, quant_label
from site_src import pages as P
from site_src.machine_pages import machines_for_gpu, render_machine_pages

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GiB = 1 << 30
LANG = i18n.DEFAULT_LANG

#: pre-rendered orderings of the models index: file name, key, descending
MODEL_SORTS = (
    ("index.html", "params", False),
    ("by-name.html", "name", False),
    ("by-context.html", "max_context", True),
    ("by-q4.html", "q4", False),
)


#: the language of the pages being rendered: every page is written once per catalog
#: language (site_src/pages.py names the files), and the formatters below read it
_LANG: contextvars.ContextVar[str] = contextvars.ContextVar("tables_lang", default=LANG)


@contextlib.contextmanager
def rendering_in(lang: str):
    """Format and render in `lang` inside this block."""
    token = _LANG.set(lang)
    try:
        yield
    finally:
        _LANG.reset(token)


def _t(key: str, **values: object) -> str:
    return i18n.t(key, _LANG.get(), **values)


# ----------------------------------------------------------------------------
# formatting (strings only; the numbers come from calc_py.tables)
# ----------------------------------------------------------------------------

def gib(n: int | None) -> str:
    return "" if n is None else _t("tables.unit.gib", value=f"{n / GiB:.2f}")


def params_text(n: int) -> str:
    b = n / 1e9
    return _t("tables.unit.params", value=f"{b:.2f}" if b < 10 else f"{b:.1f}")


def tokens_text(n: int) -> str:
    return f"{n:,}"


def gpu_text(gpu: dict[str, Any] | str | None) -> str:
    """A card's full name in the page's language (calc_py.catalog.gpu_name)."""
    return gpu_name(gpu or "", _LANG.get())


def short_gpu(name: str | None) -> str:
    return re.sub(r"^(NVIDIA GeForce|NVIDIA|AMD Radeon|Intel Arc)\s+", "", name or "")


def calc_href(root: str, q: dict[str, str]) -> str:
    return f"{root}{P.localized('index.html', _LANG.get())}?{urlencode(q)}"


def cell_reason(c: dict[str, Any]) -> str:
    """Why a cell is unavailable, in the page's language (calc_py's notices for its query)."""
    lang = _LANG.get()
    if lang == LANG:
        return c["reason"]
    return _reason(tuple(sorted(c["query"].items())), lang)


@functools.lru_cache(maxsize=None)
def _reason(query: tuple[tuple[str, str], ...], lang: str) -> str:
    return "; ".join(api.estimate_query(dict(query), lang)["notices"])


def cell_gpu_text(c: dict[str, Any]) -> str:
    """The GPU line under a cell: the smallest common card that fits, else N x the largest."""
    if not c["ok"]:
        return ""
    if c["smallest_common_gpu"]:
        return short_gpu(gpu_text(c["smallest_common_gpu_name"]))
    largest = next(g for g in T.common_gpus() if g["id"] == c["largest_common_gpu"])
    return _t("tables.cell.cards", n=c["largest_common_gpu_cards"], gpu=short_gpu(gpu_text(largest)))


# ----------------------------------------------------------------------------
# pages
# ----------------------------------------------------------------------------

def doc_nav(lang: str | None = None) -> list[dict[str, str]]:
    """The site's nav, as build.py makes it (calculator, these tables, then the docs), in `lang`."""
    lang = lang or _LANG.get()
    nav = [{"href": P.localized("index.html", lang), "title": i18n.t("site.nav.calculator", lang)},
           {"href": P.localized("models/index.html", lang), "title": i18n.t("tables.nav.models", lang)},
           {"href": P.localized("gpus/index.html", lang), "title": i18n.t("tables.nav.gpus", lang)},
           {"href": P.localized("machines/index.html", lang), "title": i18n.t("tables.nav.machines", lang)}]
    return nav + [{"href": d["href"], "title": d["title"]} for d in P.docs(lang)]


class Renderer:
    """Writes the pages of one language (the `lang` of :func:`rendering_in` around it)."""

    def __init__(self, env, out: Path, assets: dict[str, str], nav: list[dict[str, str]] | None,
                 base_url: str = ""):
        self.env, self.out, self.assets, self.base_url = env, out, assets, base_url.rstrip("/")
        self.lang = _LANG.get()
        if nav is None:
            self.nav = doc_nav(self.lang)
        else:   # build.py's nav: calculator first, then these tables, then the rest
            ours = [n for n in doc_nav(self.lang)[1:4] if n["href"] not in {x["href"] for x in nav}]
            self.nav = list(nav[:1]) + ours + list(nav[1:])
        self.written: list[str] = []

    def page(self, template: str, path: str, *, title: str, description: str, **values: Any) -> None:
        """Render `template` to `path` (the English path; written under this language's name)."""
        path = P.localized(path, self.lang)
        depth = path.count("/")
        root = "../" * depth
        lang = self.lang

        def t(key: str, **kw: object) -> str:
            # base.html's one <meta name="description"> reads this key
            return description if key == "site.meta.description" else _t(key, **kw)

        html = self.env.get_template(template).render(
            t=t, root=root, page=path, title=title, description=description, lang=lang,
            assets={k: root + v for k, v in self.assets.items()}, nav=self.nav,
            canonical=f"{self.base_url}/{path}" if self.base_url else "",
            alternates=P.alternates(path, self.base_url), lang_links=P.lang_links(path, lang),
            href=lambda target: root + P.localized(target, lang),
            gib=gib, params_text=params_text, tokens_text=tokens_text, short_gpu=short_gpu,
            ctx_label=T.context_label, calc=lambda q: calc_href(root, q), cell_gpu=cell_gpu_text,
            cell_reason=cell_reason, attention_text=lambda kind: attention_label(kind, lang),
            quant_text=lambda quant_id, label: quant_label(quant_id, label, lang),
            settings=settings_in(lang), docs_how=(DOCS / "how-it-works.md").is_file(),
            common_names=", ".join(short_gpu(gpu_text(g)) for g in T.common_gpus()), **values)
        html = P.localize_links(html, lang)   # every link leads to the same language's page
        dest = self.out / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(html, encoding="utf-8")
        self.written.append(path)


def _sort_key(key: str) -> Callable[[dict[str, Any]], Any]:
    if key == "name":
        return lambda r: (r["name"].lower(), r["id"].lower())
    if key == "q4":
        return lambda r: (r["cells"]["Q4_K_M"].get("total_bytes", 0), r["id"].lower())
    return lambda r: (r[key], r["id"].lower())


def build_tables(env, out_dir: Path, assets: dict[str, str] | None = None,
                 nav: list[dict[str, str]] | None = None, base_url: str = "",
                 limit: int | None = None) -> list[str]:
    """Render models/, gpus/ and write data/; returns the pages written (for the sitemap).

    ``env`` is build.py's Jinja2 environment; ``assets`` its map of hashed asset
    names; ``limit`` caps the per-model pages (popular models first) if a build
    ever needs to be faster.
    """
    out_dir = Path(out_dir)
    entries = T.models()
    rows = [T.model_row(m) for m in entries]
    pages = {m.id: T.model_page(m) for m in entries}
    with_page = [m.id for m in sorted(entries, key=lambda m: (not m.popular, T.model_params(m.id)))]
    with_page = set(with_page[:limit] if limit is not None else with_page)
    settings = T.settings()
    gpu_pages = [T.gpu_page(g) for g in T.gpus()]
    written: list[str] = []
    for lang in P.languages():
        with rendering_in(lang):
            r = Renderer(env, out_dir, assets or {}, nav if lang == LANG else None, base_url)
            _render_pages(r, entries, rows, pages, with_page, settings, gpu_pages)
            build_accuracy_page(r, out_dir, with_page)
            render_machine_pages(r, _t, gib, with_page, lang=lang)
            written += r.written
    write_data(out_dir / "data", entries, pages, gpu_pages, settings)
    return written


def _render_pages(r: "Renderer", entries, rows, pages, with_page, settings, gpu_pages) -> None:
    """The models index (each order), a page per model, the GPUs index and a page per GPU."""
    # models index, in each pre-rendered order
    for name, key, desc in MODEL_SORTS:
        ordered = sorted(rows, key=_sort_key(key), reverse=desc)
        r.page("tables/models_index.html", f"models/{name}",
               title=_t("tables.models.title"),
               description=_t("tables.models.description", n=len(rows),
                              context=T.context_label(T.SUMMARY_CONTEXT)),
               rows=ordered, sorts=MODEL_SORTS, sort=name, with_page=with_page)

    # one page per model
    for m in entries:
        if m.id not in with_page:
            continue
        p = pages[m.id]
        q4 = p["cells"]["Q4_K_M"]
        r.page("tables/model.html", f"models/{p['slug']}.html",
               title=_t("tables.model.title", name=p["name"]),
               description=_t("tables.model.description", name=p["name"], params=params_text(p["params"]),
                              q4=gib(q4.get("total_bytes")), context=T.context_label(T.SUMMARY_CONTEXT),
                              engine=settings["engine_label"]),
               m=p)

    # GPUs: index and one page each, in the same order in every language (the catalog's
    # names), each card named as the page's language writes it
    gpu_pages = [{**g, "name": gpu_text(g)} for g in gpu_pages] if r.lang != LANG else gpu_pages
    english = {g["id"]: g["name"] for g in T.gpus()}
    by_memory = sorted(gpu_pages, key=lambda g: (g["usable_bytes"], english.get(g["id"], g["name"]).lower()))
    r.page("tables/gpus_index.html", "gpus/index.html", title=_t("tables.gpus.title"),
           description=_t("tables.gpus.description", n=len(gpu_pages), models=len(rows),
                          context=T.context_label(T.SUMMARY_CONTEXT), quant=T.MAX_CONTEXT_QUANT),
           gpus=by_memory, n_models=len(rows))
    for g in gpu_pages:
        r.page("tables/gpu.html", f"gpus/{g['id']}.html",
               title=_t("tables.gpu.title", name=g["name"]),
               description=_t("tables.gpu.description", name=g["name"], usable=gib(g["usable_bytes"]),
                              n=g["models_fitting"], total=len(g["rows"]),
                              context=T.context_label(T.SUMMARY_CONTEXT)),
               g=g, with_page=with_page, machines=machines_for_gpu(g["id"], _t, gib, lang=r.lang))


# ----------------------------------------------------------------------------
# accuracy-rows.html: every row benchmarks/accuracy.py measured, from its JSON
# ----------------------------------------------------------------------------

ACCURACY_JSON = ROOT / "calc_py" / "data" / "accuracy.json"
ACCURACY_PAGE = "accuracy-rows.html"
MiB = 1 << 20


def _anchor(*parts: str) -> str:
    """An id attribute from free text: letters, digits, '.', '_' and '-' only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts)).strip("-")


def exact(value: Any) -> str:
    """A JSON number as its exact text (ints as ints, floats as Python's repr)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return str(int(value))
    return repr(value)


def bytes_text(n: int | float | None) -> str:
    """MiB with one decimal; amounts under 1 MiB (per-token figures) in bytes."""
    if n is None:
        return ""
    if abs(n) < MiB:
        return _t("tables.accuracy.unit.bytes", value=f"{n:,.0f}")
    return _t("tables.accuracy.unit.mib", value=f"{n / MiB:,.1f}")


def settings_in(lang: str) -> dict[str, Any]:
    """T.settings() with the engines' versions as `lang` writes them (the data files keep
    engines.json's English)."""
    from calc_py import catalog as C
    s = T.settings()
    engines = {e["id"]: e for e in C.engines()}
    return {**s, "engine_version": C.engine_text(engines[s["engine"]], "version", lang),
            "engine_comparison": [{**row, "engine_version": C.engine_text(engines[row["engine"]], "version", lang)}
                                  for row in s["engine_comparison"]]}


def pct(x: float | None) -> str:
    """A percentage as the language writes it ("5 %" in English here, "5%" in Chinese)."""
    return "" if x is None else _t("tables.unit.pct", value=f"{x:g}")


def signed_pct(x: float | None) -> str:
    return "" if x is None else _t("tables.unit.pct", value=f"{x:+g}")


def signed_mib(x: float | None) -> str:
    return "" if x is None else f"{x:+,.2f}"


def fit_value(value: Any) -> str:
    """A cell of a fit's table: numbers as they are, nested maps as key=value."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={fit_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(fit_value(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else str(value)


def accuracy_data(data: dict[str, Any]) -> dict[str, Any]:
    """The page's tables from accuracy.json: the summary, one group of rows per
    engine and part (the summary's order), a per-model index into those groups,
    the skipped rows and the fitted constants with the rows they rest on."""
    records = data.get("records") or []
    summary = data.get("summary") or []
    order = [(s["engine"], s["part"]) for s in summary]
    for rec in records:
        if (rec["engine"], rec["part"]) not in order:
            order.append((rec["engine"], rec["part"]))
    groups: dict[tuple[str, str], dict[str, Any]] = {
        key: {"engine": key[0], "part": key[1], "anchor": _anchor("part", *key), "rows": []} for key in order}
    for n, rec in enumerate(records):
        groups[(rec["engine"], rec["part"])]["rows"].append(
            dict(rec, row_anchor=f"row-{n}", model_anchor=_anchor("model", rec["model"])))
    models: dict[str, dict[str, Any]] = {}
    for g in groups.values():
        g["rows"].sort(key=lambda r: (r["model"].lower(), r["id"]))
        for r in g["rows"]:
            m = models.setdefault(r["model"], {"model": r["model"], "anchor": _anchor("model", r["model"]),
                                               "rows": 0, "ok_errors": [], "groups": {}})
            m["rows"] += 1
            if r["status"] == "ok":
                m["ok_errors"].append(abs(r["err_pct"]))
            link = m["groups"].setdefault((g["engine"], g["part"]), {
                "engine": g["engine"], "part": g["part"], "href": "#" + r["row_anchor"], "n": 0})
            link["n"] += 1
    for m in models.values():
        errs = sorted(m.pop("ok_errors"))
        m["median"] = (errs[len(errs) // 2] if len(errs) % 2 else (errs[len(errs) // 2 - 1] + errs[len(errs) // 2]) / 2
                       ) if errs else None
        m["max"] = errs[-1] if errs else None
        m["groups"] = list(m["groups"].values())
    for s in summary:
        s["anchor"] = groups[(s["engine"], s["part"])]["anchor"]
    fits = []
    for name, fit in (data.get("fits") or {}).items():
        rows = fit.get("rows") or []
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        fits.append({"name": name, "anchor": _anchor("fit", name), "form": fit.get("form", ""),
                     "constants": [(k, v) for k, v in fit.items() if k not in ("rows", "form")],
                     "columns": columns, "rows": rows})
    return {"summary": summary, "groups": list(groups.values()),
            "models": sorted(models.values(), key=lambda m: m["model"].lower()),
            "skipped": data.get("skipped") or [], "fits": fits,
            "engine_versions": data.get("engine_versions") or {},
            "n_rows": len(records), "n_skipped": len(data.get("skipped") or []),
            "n_models": len(models), "n_ok": sum(1 for r in records if r["status"] == "ok")}


def build_accuracy_page(r: "Renderer", out_dir: Path, with_page: set[str] | None = None,
                        source: Path = ACCURACY_JSON) -> None:
    """accuracy-rows.html and data/accuracy.json (the file it is rendered from, as is)."""
    if not source.is_file():
        return
    data = json.loads(source.read_text(encoding="utf-8"))
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    (out_dir / "data" / "accuracy.json").write_bytes(source.read_bytes())
    page = accuracy_data(data)
    model_pages = {m: f"models/{T.slug(m)}.html" for m in (with_page or ())}
    r.page("tables/accuracy_rows.html", ACCURACY_PAGE,
           title=_t("tables.accuracy.title"),
           description=_t("tables.accuracy.description", n=page["n_rows"], models=page["n_models"],
                          skipped=page["n_skipped"]),
           exact=exact, bytes_text=bytes_text, pct=pct, signed_pct=signed_pct, signed_mib=signed_mib,
           fit_value=fit_value, model_pages=model_pages, **page)


# ----------------------------------------------------------------------------
# data/ downloads
# ----------------------------------------------------------------------------

GPU_JSON = ("gpu_name", "vendor", "segment", "memory_bytes")
MODEL_CSV = ("model", "engine", "quant", "context", "total_bytes", "weights_bytes", "kv_cache_bytes",
             "compute_bytes", "overhead_bytes", "host_bytes", "model_bytes", "file_bytes", "total_gib",
             "smallest_common_gpu", "calculator_query")
GPU_CSV = ("gpu", "usable_bytes", "model",
           "best_quant_8k", "best_quant_8k_total_bytes", "max_context_q4_k_m",
           "max_context_is_model_max")


def _schema(keys: tuple[str, ...], prefix: str) -> dict[str, str]:
    return {k: _t(f"{prefix}.{k}") for k in keys}


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def _csv(header: tuple[str, ...], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write_data(folder: Path, entries, pages: dict[str, dict], gpu_pages: list[dict], settings: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    cell_keys = ("engine", "quant", "context") + T.CELL_FIELDS + ("smallest_common_gpu",)
    models_json, model_rows = [], []
    for m in entries:
        p = pages[m.id]
        cells = []
        for c in T.model_cells(m):
            if not c["ok"]:
                continue
            q = urlencode(c["query"])
            cells.append({k: c[k] for k in cell_keys} | {"calculator_query": q})
            model_rows.append([m.id, c["engine"], c["quant"], c["context"]]
                              + [c[k] for k in T.CELL_FIELDS]
                              + [f"{c['total_bytes'] / GiB:.2f}", c["smallest_common_gpu"] or "", q])
        models_json.append({"id": m.id, "name": m.name, "family": m.family, "slug": p["slug"],
                            "popular": m.popular, "params": p["params"], "source": m.source,
                            "architecture": p["architecture"], "cells": cells})
    schema_m = {"note": _t("tables.schema.models.note"),
                "cell": _schema(("calculator_query",) + cell_keys, "tables.schema.cell")}
    (folder / "models.json").write_text(_dump({"schema": schema_m, "settings": settings,
                                               "models": models_json}), encoding="utf-8")
    (folder / "models.csv").write_text(_csv(MODEL_CSV, model_rows), encoding="utf-8")

    gpus_json, gpu_rows = [], []
    for g in gpu_pages:
        fits = [{"model": row["model"], "best_quant_8k": row["best_quant"],
                 "best_quant_8k_total_bytes": row["best_quant_total_bytes"],
                 "max_context_q4_k_m": row["max_context_q4"],
                 "max_context_is_model_max": row["max_context_is_model_max"]} for row in g["rows"]]
        gpus_json.append({"gpu": g["id"], "gpu_name": g["name"], "vendor": g["vendor"],
                          "segment": g["segment"], "memory_bytes": g["memory_bytes"],
                          "usable_bytes": g["usable_bytes"], "models": fits})
        for f in fits:
            gpu_rows.append([g["id"], g["usable_bytes"], f["model"], f["best_quant_8k"] or "",
                             "" if f["best_quant_8k_total_bytes"] is None else f["best_quant_8k_total_bytes"],
                             f["max_context_q4_k_m"], "true" if f["max_context_is_model_max"] else "false"])
    schema_g = {"note": _t("tables.schema.gpus.note", ladder=", ".join(settings["quant_ladder"]),
                           context=settings["summary_context"], quant=settings["max_context_quant"]), "fields": _schema(GPU_JSON + GPU_CSV, "tables.schema.gpu")}
    (folder / "gpus.json").write_text(_dump({"schema": schema_g, "settings": settings, "gpus": gpus_json}),
                                      encoding="utf-8")
    (folder / "gpus.csv").write_text(_csv(GPU_CSV, gpu_rows), encoding="utf-8")

    lines = [_t("tables.readme.head"), "",
             _t("tables.readme.settings", engine=settings["engine_label"], version=settings["engine_version"],
                defaults=", ".join(f"{k}={v}" for k, v in sorted(settings["defaults"].items()))), "",
             "models.json / models.csv", "  " + _t("tables.schema.models.note")]
    lines += [f"  {k}: {v}" for k, v in schema_m["cell"].items()]
    lines += ["", "gpus.json / gpus.csv", "  " + schema_g["note"]]
    lines += [f"  {k}: {v}" for k, v in schema_g["fields"].items()]
    (folder / "README.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------
# sitemap
# ----------------------------------------------------------------------------

def write_sitemap(out_dir: Path, pages: list[str], base_url: str = "") -> str:
    """sitemap.xml listing every .html page, each language's page its own <url>, with
    <xhtml:link rel="alternate" hreflang> to the same page in every language (the
    form search engines read); absolute URLs when ``base_url`` is given, else paths
    relative to the site root. Returns the file's name."""
    base = base_url.rstrip("/")
    urls = sorted({p for p in pages if p.endswith(".html")})
    present = set(urls)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for p in urls:
        loc = f"{base}/{p}" if base else p
        alts = [a for a in P.alternates(p) if a["href"] in present]
        if len(alts) < 2:
            lines.append(f"  <url><loc>{escape(loc)}</loc></url>")
            continue
        lines.append(f"  <url><loc>{escape(loc)}</loc>")
        for a in alts:
            href = f"{base}/{a['href']}" if base else a["href"]
            lines.append(f'    <xhtml:link rel="alternate" hreflang="{a["code"]}" href="{escape(href)}"/>')
        lines.append("  </url>")
    lines.append("</urlset>")
    (Path(out_dir) / "sitemap.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "sitemap.xml"
