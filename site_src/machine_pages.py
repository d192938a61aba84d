"""machines/: the build-time "what runs on my machine" pages (numbers from calc_py.machine_tables).

One index and, per common machine, two orderings of the same rows (by model
size, as ``python -m calc_py whatfits`` ranks them, and by decode speed). No
JavaScript: each row links to the calculator with the query that reproduces it.
"""
from __future__ import annotations

from typing import Any

from calc_py import machine_tables as MT
from calc_py import tables as T
from calc_py.catalog import gpu_name


def machine_title(p: dict[str, Any], t, gib, lang: str = "en") -> str:
    """"RTX 4090 + 64 GiB RAM", "2× RTX 3090 + ...", or the unified machine's name
    (each card named as `lang` writes it: calc_py.catalog.gpu_name)."""
    names: dict[str, int] = {}
    for n in p["gpu_names"]:
        n = gpu_name(n, lang)
        names[n] = names.get(n, 0) + 1
    gpus = " + ".join(n if k == 1 else t("tables.cell.cards", n=k, gpu=n) for n, k in names.items())
    if p["unified"] or p["ram_bytes"] is None:
        return gpus
    ram = p["ram_bytes"]
    ram_text = t("tables.unit.gib", value=ram >> 30) if ram % (1 << 30) == 0 else gib(ram)
    return t("tables.machine.name", gpus=gpus, ram=ram_text)


def machines_for_gpu(gpu_id: str, t, gib, lang: str = "en") -> list[dict[str, str]]:
    """Links from a GPU page to the machine pages with that card: ``href`` (from the GPU page), ``title``."""
    return [{"href": f"../machines/{p['id']}.html", "title": machine_title(p, t, gib, lang)}
            for p in MT.machines_with_gpu(gpu_id)]


def tables_for_pages() -> list[dict[str, Any]]:
    """Every machine's table (computed once per build: machine_table is memoised)."""
    out = []
    for p in MT.presets():
        tb = MT.machine_table(p["id"])
        rows = [{**r, "slug": T.slug(r["model"])} for r in tb["rows"]]
        out.append({**tb, "rows": rows})
    return out


def render_machine_pages(r, t, gib, with_page: set[str], lang: str = "en") -> None:
    """Write machines/index.html and two pages per machine with renderer ``r``."""
    tables = [{**tb, "title": machine_title(tb["machine"], t, gib, lang)} for tb in tables_for_pages()]
    r.page("tables/machines_index.html", "machines/index.html", title=t("tables.machines.title"),
           description=t("tables.machines.description", n=len(tables), context=T.context_label(MT.TABLE_CONTEXT)),
           machines=tables, context=MT.TABLE_CONTEXT)
    for tb in tables:
        desc = t("tables.machine.description", name=tb["title"], n_gpu=tb["n_gpu"], n_offload=tb["n_offload"],
                 context=T.context_label(tb["context"]))
        by_speed = MT.ranked_by_speed(tb)
        for suffix, order, rows in (("", "size", tb["rows"]), ("-by-speed", "speed", by_speed)):
            r.page("tables/machine.html", f"machines/{tb['machine']['id']}{suffix}.html",
                   title=t("tables.machine.title", name=tb["title"]),
                   description=desc if order == "size" else f"{desc} ({t('tables.machine.order.speed')})",
                   m=tb, rows=rows, order=order, with_page=with_page)
