"""The precomputed tables (models/, gpus/, data/): every figure is calc_py's answer
for the inputs its "open in calculator" link carries, and HTML, JSON and CSV agree."""
from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calc_py import api, fit, tables as T  # noqa: E402
from calc_py import catalog as cat  # noqa: E402
from calc_py.estimate import Setup  # noqa: E402

GiB = 1 << 30
URL = re.compile(r"https?://[^\s\"'<>()`]+", re.I)


def _jinja_env():
    pytest.importorskip("jinja2")
    pytest.importorskip("markdown")
    spec = importlib.util.spec_from_file_location("calc_build", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.jinja_env()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from site_src.tables import build_tables, write_sitemap
    out = tmp_path_factory.mktemp("tables")
    pages = build_tables(_jinja_env(), out, assets={"style.css": "assets/style.css"})
    write_sitemap(out, pages)
    return out, pages


class Page(HTMLParser):
    """Title, meta description, links and the table cells that carry data-bytes."""

    def __init__(self, text: str):
        super().__init__()
        self.title, self.description, self.links = "", None, []
        self.cells: list[dict] = []     # td[data-bytes] with the first <a> inside and its text
        self.rows: list[dict] = []      # tr attributes
        self.facts: dict[str, str] = {}
        self._in_title = False
        self._td: dict | None = None
        self._fact: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "meta" and a.get("name") == "description":
            self.description = a.get("content")
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
            if self._td is not None and self._td.get("href") is None:
                self._td["href"] = a["href"]
        elif tag == "td" and "data-bytes" in a:
            self._td = dict(a, text="", href=None)
        elif tag == "td" and "data-key" in a:
            self._fact = a["data-key"]
            self.facts[self._fact] = a.get("data-value", "")
        elif tag == "small" and self._td is not None:
            self._td["gpu"] = a.get("data-gpu")
        elif tag == "tr":
            self.rows.append(a)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "td" and self._td is not None:
            self.cells.append(self._td)
            self._td = None
        elif tag == "td":
            self._fact = None
        elif tag == "a" and self._td is not None and "linked" not in self._td:
            self._td["linked"] = self._td["text"]

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._td is not None:
            self._td["text"] += data


def page(site, path: str) -> Page:
    return Page((site[0] / path).read_text(encoding="utf-8"))


def query_of(href: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(href).query))


# a deterministic sample: the default model, the popular ones and every 9th of the rest
SAMPLE = sorted({"meta-llama/Llama-3.1-8B", "google/gemma-3-27b-it", "deepseek-ai/DeepSeek-V3",
                 "Qwen/Qwen3-Next-80B-A3B-Instruct", "openai/gpt-oss-20b"}
                | {m.id for m in T.models()[::9]})


@pytest.mark.parametrize("model_id", SAMPLE)
def test_model_cells_equal_the_calculator_for_their_link(site, model_id):
    p = page(site, f"models/{T.slug(model_id)}.html")
    grid = [c for c in p.cells if c.get("href")]
    # every quant at every context column the model's window allows (a 4k model has one)
    columns = T.contexts_for(cat.find_model(model_id).architecture.max_context)
    assert len(grid) >= min(3, len(columns)) * len(T.GGUF_QUANTS)
    for c in grid:
        href = c["href"]
        assert href.startswith("../index.html?"), href
        q = query_of(href)
        assert q["model"] == model_id
        assert (q["engine"], q["quant"], q["context"]) == (c["data-engine"], c["data-quant"], c["data-context"])
        answer = api.estimate_query(q)
        assert answer["notices"] == [], (href, answer["notices"])
        r = answer["result"]
        assert int(c["data-bytes"]) == r["total_bytes"], href
        assert c["linked"].strip() == f"{r['total_bytes'] / GiB:.2f} GiB"
        fits = {g["id"] for g in api.compare_gpus(r) if g["fits"]}
        smallest = next((g["id"] for g in T.common_gpus() if g["id"] in fits), "")
        assert c["gpu"] == smallest, href


def test_model_page_layout_and_architecture_facts(site):
    entry = cat.find_model("meta-llama/Llama-3.1-8B")
    p = page(site, f"models/{T.slug(entry.id)}.html")
    assert entry.name in p.title and p.description and entry.name in p.description
    summary = entry.architecture.summary()
    for key in ("layers", "kv_heads", "head_dim", "experts", "sliding_window", "max_context"):
        assert p.facts[key] == str(summary[key]), key
    assert entry.source in p.links
    # rows: every GGUF mix (llama.cpp), every vLLM format, the engine comparison
    quants = [(r.get("data-engine"), r.get("data-quant")) for r in p.rows if r.get("data-quant")]
    for q in T.GGUF_QUANTS:
        assert ("llama.cpp", q) in quants
    for q in T.VLLM_QUANTS:
        assert ("vllm", q) in quants
    engines = {r.get("data-engine") for r in p.rows}
    assert {"llama.cpp", "ollama", "transformers", "vllm"} <= engines
    # context columns: the standard ones up to the model's maximum, then the maximum
    ctx = sorted({int(c["data-context"]) for c in p.cells if c.get("data-engine") == "llama.cpp"})
    assert ctx == T.contexts_for(summary["max_context"])


def test_engine_comparison_parts_add_up(site):
    m = cat.find_model("Qwen/Qwen3-8B")
    page_data = T.model_page(m)
    for c in page_data["compare"]:
        r = api.estimate_query(c["query"])["result"]
        for k in T.CELL_FIELDS:
            assert c[k] == r[k]
        assert c["total_bytes"] == c["weights_bytes"] + c["kv_cache_bytes"] + c["compute_bytes"] + c["overhead_bytes"]


def test_models_index_lists_every_model_in_each_order(site):
    ids = {m.id for m in cat.supported_models()}
    rows_by_order = {}
    for name, key, desc in __import__("site_src.tables", fromlist=["MODEL_SORTS"]).MODEL_SORTS:
        p = page(site, f"models/{name}")
        order = [r["data-model"] for r in p.rows if r.get("data-model")]
        assert set(order) == ids and len(order) == len(ids), name
        assert p.title and p.description
        rows_by_order[name] = order
    params = [T.model_params(mid) for mid in rows_by_order["index.html"]]
    assert params == sorted(params)
    # the summary cells are the calculator's, and their links carry the inputs
    p = page(site, "models/index.html")
    for c in p.cells[::17]:
        r = api.estimate_query(query_of(c["href"]))["result"]
        assert int(c["data-bytes"]) == r["total_bytes"]
        assert c["data-context"] == str(T.SUMMARY_CONTEXT)


def test_json_and_csv_agree_with_each_other_and_the_html(site):
    out = site[0]
    data = json.loads((out / "data" / "models.json").read_text(encoding="utf-8"))
    assert data["schema"]["cell"] and data["settings"]["engine"] == "llama.cpp"
    cells = {(m["id"], c["engine"], c["quant"], c["context"]): c for m in data["models"] for c in m["cells"]}
    with open(out / "data" / "models.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(cells)
    for row in rows:
        c = cells[(row["model"], row["engine"], row["quant"], int(row["context"]))]
        for k in T.CELL_FIELDS:
            assert int(row[k]) == c[k]
        assert row["calculator_query"] == c["calculator_query"]
        assert row["smallest_common_gpu"] == (c["smallest_common_gpu"] or "")
    p = page(site, f"models/{T.slug('meta-llama/Llama-3.1-8B')}.html")
    for td in p.cells:
        if td.get("href"):
            key = ("meta-llama/Llama-3.1-8B", td["data-engine"], td["data-quant"], int(td["data-context"]))
            assert cells[key]["total_bytes"] == int(td["data-bytes"])
            assert query_of(td["href"]) == dict(parse_qsl(cells[key]["calculator_query"]))
    # a JSON cell, re-estimated from its own query
    for c in list(cells.values())[::97]:
        assert api.estimate_query(dict(parse_qsl(c["calculator_query"])))["result"]["total_bytes"] == c["total_bytes"]

    gdata = json.loads((out / "data" / "gpus.json").read_text(encoding="utf-8"))
    assert len(gdata["gpus"]) == len(cat.gpus())
    with open(out / "data" / "gpus.csv", newline="", encoding="utf-8") as f:
        grows = list(csv.DictReader(f))
    assert len(grows) == len(cat.gpus()) * len(cat.supported_models())
    by = {(g["gpu"], m["model"]): m for g in gdata["gpus"] for m in g["models"]}
    for row in grows[::37]:
        m = by[(row["gpu"], row["model"])]
        assert row["best_quant_8k"] == (m["best_quant_8k"] or "")
        assert int(row["max_context_q4_k_m"]) == m["max_context_q4_k_m"]
    assert "total_bytes" in (out / "data" / "README.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("gpu_id,model_id", [("rtx-3060-12gb", "meta-llama/Llama-3.1-8B"),
                                             ("rtx-4090", "Qwen/Qwen3-32B"),
                                             ("rtx-3090", "google/gemma-3-27b-it"),
                                             ("apple-m2-max-64gb", "meta-llama/Llama-3.3-70B-Instruct"),
                                             ("h100-pcie-80gb", "Qwen/Qwen3-Next-80B-A3B-Instruct")])
def test_gpu_rows_are_fit_answers(site, gpu_id, model_id):
    gpu = cat.find_gpu(gpu_id)
    budget = cat.usable_gpu_bytes(gpu)
    p = page(site, f"gpus/{gpu_id}.html")
    assert gpu["name"] in p.title and p.description
    row = next(r for r in p.rows if r.get("data-model") == model_id)
    # largest context: fit.max_context, bounded by the model's maximum
    cap = T.table_max_context(cat.find_model(model_id).architecture.max_context)
    expect = min(fit.max_context(Setup(model=model_id, quant=T.MAX_CONTEXT_QUANT, context=8192), budget),
                 cap // 256 * 256)
    assert int(row["data-max-context"]) == expect
    # best quantization: it fits, the next better one does not
    best = row["data-best-quant"]
    ladder = list(T.QUANT_LADDER)
    fits = lambda q: gpu_id in {g["id"] for g in api.compare_gpus(api.estimate_query(
        T.query(model_id, "llama.cpp", q, T.SUMMARY_CONTEXT))["result"]) if g["fits"]}
    if best:
        assert fits(best)
        for better in ladder[:ladder.index(best)]:
            assert not fits(better)
    else:
        assert not any(fits(q) for q in ladder)


def test_every_page_has_title_description_and_is_in_the_sitemap(site):
    out, pages = site
    assert len(pages) == len(set(pages))
    from site_src import pages as P
    english = [p for p in pages if P.split_lang(p)[1] == "en"]
    assert len([p for p in english if p.startswith("models/") and not p.split("/")[1].startswith(("index", "by-"))]) \
        == len(cat.supported_models())
    assert len([p for p in english if p.startswith("gpus/")]) == len(cat.gpus()) + 1
    # every page in every language, under that language's name
    for lang in P.languages():
        assert sorted(P.localized(p, lang) for p in english) == sorted(p for p in pages if P.split_lang(p)[1] == lang)
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert set(pages) <= set(locs)
    descriptions = set()
    for path in pages:
        text = (out / path).read_text(encoding="utf-8")
        p = Page(text)
        assert p.title.strip(), path
        assert p.description, path
        descriptions.add(p.description)
        assert text.count('name="description"') == 1, path
        # no other origin outside plain links (sources are cited with <a href>)
        assert not URL.findall(re.sub(r'<a\s[^>]*href="https?://[^"]*"', "<a", text)), path
        assert "<script" not in text, path
        # relative links stay inside the site; those into the tables' folders exist
        for href in p.links:
            if href.startswith(("http://", "https://")):
                continue
            resolved = (out / path).parent.joinpath(urlsplit(href).path).resolve()
            rel = resolved.relative_to(out.resolve())
            if len(rel.parts) > 1:
                assert resolved.is_file(), (path, href)
    # each page describes itself (in each language)
    n_sorts = len(__import__("site_src.tables", fromlist=["x"]).MODEL_SORTS)
    assert len(descriptions) >= len(pages) - n_sorts * len(P.languages())


def test_sitemap_with_base_url(tmp_path):
    from site_src.tables import write_sitemap
    write_sitemap(tmp_path, ["index.html", "models/index.html", "data/models.json"], "https://example.org/calc/")
    text = (tmp_path / "sitemap.xml").read_text(encoding="utf-8")
    assert re.findall(r"<loc>([^<]+)</loc>", text) == ["https://example.org/calc/index.html",
                                                      "https://example.org/calc/models/index.html"]


def test_common_gpus_exist_and_slugs_are_unique():
    assert [g["id"] for g in T.common_gpus()]
    assert all(g["vendor"] == "nvidia" and g["segment"] == "consumer" for g in T.common_gpus())
    slugs = [T.slug(m.id) for m in cat.supported_models()]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", s) for s in slugs)


def test_machine_pages_list_whatfits_rows_with_links_that_reproduce_them(site):
    """machines/<id>.html (both languages, both orders): one row per whatfits answer, readable
    without JavaScript, each linking to the calculator with the machine's own keys."""
    from urllib.parse import parse_qs, urlsplit
    from calc_py import machine_tables as MT
    out, pages = site
    for p in MT.presets():
        tb = MT.machine_table(p["id"])
        for name in (f"machines/{p['id']}.html", f"machines/{p['id']}.zh-CN.html",
                     f"machines/{p['id']}-by-speed.html"):
            assert name in pages, name
            page = Page((out / name).read_text(encoding="utf-8"))
            models = [r["data-model"] for r in page.rows if "data-model" in r]
            assert sorted(models) == sorted(r["model"] for r in tb["rows"]), name
        html = (out / f"machines/{p['id']}.html").read_text(encoding="utf-8")
        first = tb["rows"][0]
        link = next(h for h in Page(html).links if "model=" in h and parse_qs(urlsplit(h).query)["model"] == [first["model"]])
        q = parse_qs(urlsplit(link).query)
        assert q["gpu"] == [p["gpu"]] and q["quant"] == [first["quant"]] and q["context"] == [str(first["context"])]
    index = Page((out / "machines/index.html").read_text(encoding="utf-8"))
    assert len([r for r in index.rows if "data-machine" in r]) == len(MT.presets())


def test_gpu_page_links_to_the_machines_with_that_card(site):
    out, _ = site
    html = (out / "gpus/rtx-4090.html").read_text(encoding="utf-8")
    assert "../machines/24gb-64gb-ram.html" in html and "../machines/24gb-32gb-ram.html" in html
