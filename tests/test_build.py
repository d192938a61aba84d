"""build.py: templates render, assets are content-hashed, builds are reproducible,
and nothing in dist/ points the browser at another origin."""
from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})\.(?P<suffix>\w+)$")
URL = re.compile(r"https?://[^\s\"'<>()`]+", re.I)
PARTS = ("weights", "kv_cache", "compute", "overhead", "total")


def build(out: Path) -> Path:
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(out)], check=True,
                   cwd=ROOT, capture_output=True)
    return out


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("build") / "dist")


def test_index_renders_with_prerendered_default(dist):
    from calc_py import api
    html = (dist / "index.html").read_text(encoding="utf-8")
    result = api.estimate_query({})["result"]
    assert 'data-calc-state="loading"' in html
    for part in PARTS:
        field = f"{part}_bytes"
        assert f'data-part="{part}" data-bytes="{result[field]}"' in html, part
    assert "Content-Security-Policy" in html
    assert "{{" not in html and "{%" not in html
    for gpu in api.catalog()["gpus"]:
        assert f'data-gpu="{gpu["id"]}"' in html


def load_build():
    spec = importlib.util.spec_from_file_location("calc_build", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_doc_is_rendered_in_the_layout(dist):
    doc_href = load_build().doc_href
    for md in sorted((ROOT / "docs").glob("*.md")):
        page = dist / doc_href(md.stem)
        assert page.is_file(), md.name
        text = page.read_text(encoding="utf-8")
        assert '<header class="site-header">' in text and "<article" in text
        assert 'href="index.html"' in text


def test_no_inline_script_or_handler(dist):
    for page in dist.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (page.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", text), page.name
        assert "style=" not in text, page.name


def test_assets_are_content_hashed(dist):
    index = (dist / "index.html").read_text(encoding="utf-8")
    assets = sorted((dist / "assets").iterdir())
    assert {HASHED.match(a.name).group("suffix") for a in assets} >= {"js", "css", "whl"}
    for asset in assets:
        m = HASHED.match(asset.name)
        assert m, asset.name
        assert m.group("hash") == hashlib.sha256(asset.read_bytes()).hexdigest()[:12]
    for ref in re.findall(r'(?:src|href|data-[a-z]+)="(assets/[^"]+)"', index):
        assert (dist / ref).is_file(), ref


def test_wheel_is_a_valid_pure_python_wheel(dist):
    wheel = next((dist / "assets").glob("calc_py-*.whl"))
    assert "py3-none-any" in wheel.name
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert names == sorted(n for n in names if ".dist-info/" not in n) + [
            n for n in names if ".dist-info/" in n]
        assert "calc_py/api.py" in names and "calc_py/messages/en/site.json" in names
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        info = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        wheel_meta = zf.read(info).decode()
        assert "Root-Is-Purelib: true" in wheel_meta and "Tag: py3-none-any" in wheel_meta
        record = zf.read(info.replace("WHEEL", "RECORD")).decode().splitlines()
        assert {line.split(",")[0] for line in record} == set(names)
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            if digest:
                data = zf.read(path)
                import base64
                want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                assert digest == f"sha256={want}" and int(size) == len(data), path
        assert {z.date_time for z in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_wheel_leaves_out_only_data_calc_py_never_reads(dist):
    import build
    wheel = next((dist / "assets").glob("calc_py-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for path in build.BUILD_ONLY_DATA:
        assert path not in names
        base = Path(path).name
        readers = [m for m in (ROOT / "calc_py").rglob("*.py") if base in m.read_text(encoding="utf-8")]
        assert not readers, f"{base} is read at run time by {readers}: it must stay in the wheel"
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "calc_py").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert shipped - set(build.BUILD_ONLY_DATA) <= names


def test_pyodide_is_the_pinned_npm_distribution_unmodified(dist):
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["pyodide"]
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/pyodide"]["version"] == pinned
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "pinned exactly"
    folder = dist / f"pyodide-{pinned}"
    shipped = sorted(p.name for p in folder.iterdir())
    assert "pyodide.asm.wasm" in shipped and "python_stdlib.zip" in shipped
    for name in shipped:
        assert (folder / name).read_bytes() == (ROOT / "node_modules" / "pyodide" / name).read_bytes()


def test_two_builds_are_byte_identical(dist, tmp_path):
    again = build(tmp_path / "again")
    first, second = tree(dist), tree(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_no_urls_to_other_origins(dist):
    """Our HTML, JS and CSS name no other origin (the vendored Pyodide is checked
    above to be the npm files unmodified; its default CDN is overridden by the
    worker, and the browser tests record that no request leaves the origin).
    Markdown pages may cite sources with plain <a href> links: those are not loads."""
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["pyodide"]
    ours = [p for p in dist.rglob("*")
            if p.suffix in (".html", ".js", ".mjs", ".css", ".py")
            and f"pyodide-{pinned}" not in p.parts]
    assert ours
    for path in ours:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            text = re.sub(r'<a\s[^>]*href="https?://[^"]*"', "<a", text)
        assert not URL.findall(text), (path.name, URL.findall(text)[:3])


def test_service_worker_precaches_every_asset(dist):
    sw = (dist / "sw.js").read_text(encoding="utf-8")
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", sw, re.S).group(1))
    for f in precache:
        assert f == "./" or (dist / f).is_file(), f
    for asset in (dist / "assets").iterdir():
        assert f"assets/{asset.name}" in precache


def sw_constants(dist: Path) -> tuple[str, list[str]]:
    sw = (dist / "sw.js").read_text(encoding="utf-8")
    version = json.loads(re.search(r"const VERSION = (\"[0-9a-f]+\");", sw).group(1))
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", sw, re.S).group(1))
    return version, precache


def test_service_worker_caches_the_whole_calculator_and_versions_it(dist, tmp_path):
    version, precache = sw_constants(dist)
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["pyodide"]
    for name in ("./", "index.html", "embed.html"):
        assert name in precache
    assert {f for f in precache if f.startswith(f"pyodide-{pinned}/")} == {
        f"pyodide-{pinned}/{p.name}" for p in (dist / f"pyodide-{pinned}").iterdir()}
    # everything the pages load from this origin is in the list
    for page in ("index.html", "embed.html"):
        html = (dist / page).read_text(encoding="utf-8")
        for ref in re.findall(r'(?:src|href|data-(?:worker|wheel|view))="(assets/[^"]+)"', html):
            assert ref in precache, (page, ref)
    # a changed file is a new version: the cache name changes, so the old one is dropped
    changed = tmp_path / "changed"
    import shutil
    shutil.copytree(dist, changed)
    (changed / "faq.html").write_text("changed", encoding="utf-8")
    build_mod = load_build()
    src = (changed / "sw.js").read_text(encoding="utf-8")
    build_mod.write_service_worker(changed, [f for f in precache if f != "./"])
    assert sw_constants(changed)[0] != version
    assert sw_constants(changed)[1] == precache
    (changed / "faq.html").write_bytes((dist / "faq.html").read_bytes())
    build_mod.write_service_worker(changed, [f for f in precache if f != "./"])
    assert (changed / "sw.js").read_text(encoding="utf-8") == src
    sw_src = (ROOT / "site_src" / "static" / "sw.js").read_text(encoding="utf-8")
    assert "skipWaiting" in sw_src and "caches.delete" in sw_src


def test_base_layout_has_a_description_block_and_a_root_prefix():
    base = (ROOT / "site_src" / "templates" / "base.html").read_text(encoding="utf-8")
    assert "{% block description %}" in base
    assert 'href="{{ root }}{{ item.href }}"' in base and 'href="{{ root }}{{ l.href }}"' in base
    layout = (ROOT / "site_src" / "templates" / "tables" / "layout.html").read_text(encoding="utf-8")
    assert "site-header" not in layout, "the tables reuse base.html's header"
    assert "{% block description %}" in layout


def test_embed_pages_and_resize_script(dist):
    from calc_py import i18n
    html = (dist / "embed.html").read_text(encoding="utf-8")
    assert 'data-embed="true"' in html and 'id="calc-form"' in html and 'id="embed-open"' in html
    assert '<header class="site-header">' not in html and "site-footer" not in html
    for name in ("model", "params", "quant", "context", "engine", "batch", "ubatch",
                 "flash-attn", "kv-cache", "gpu-layers", "gpu"):
        assert f'name="{name}"' in html, name
    # one embed page per catalog language, in that language, with its own html lang
    for lang in i18n.languages():
        page = dist / ("embed.html" if lang == "en" else f"embed.{lang}.html")
        text = page.read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in text
        assert i18n.t("site.embed.open", lang) in text
        boot = json.loads(re.search(r'<script type="application/json" id="calc-boot">(.*?)</script>',
                                    text, re.S).group(1))
        assert boot["lang"] == lang and boot["langs"]["en"] == "embed.html"
    # the script other sites include: a stable name at the root, checks event.source
    resize = (dist / "embed-resize.js").read_text(encoding="utf-8")
    assert "event.source" in resize and "event.origin" in resize and "data-llm-vram-calc" in resize
    # never frame-busting
    for path in [dist / "embed-resize.js", *(dist / "assets").glob("app.*.js")]:
        text = path.read_text(encoding="utf-8")
        assert "top.location" not in text and "parent.location" not in text
    # the embedding guide is a doc page that does not replace embed.html
    guide = (dist / "embed-guide.html").read_text(encoding="utf-8")
    assert "<article" in guide and "embed-resize.js" in guide


def test_pages_have_one_description(dist):
    for page in [*dist.glob("*.html"), *(dist / "models").glob("*.html"), *(dist / "gpus").glob("*.html")]:
        text = page.read_text(encoding="utf-8")
        assert text.count('<meta name="description" content="') == 1, page.name
        assert re.search(r'<meta name="description" content="[^"]+">', text), page.name


def test_full_calculator_in_every_language(dist):
    """index.<lang>.html per catalog language: its html lang, its strings, the default
    prerendered with calc_py's own labels and explanations in that language, the
    header link to the other languages."""
    from calc_py import api, i18n
    build_mod = load_build()
    result_en = api.estimate_query({})["result"]
    for lang in i18n.languages():
        name = build_mod.index_page(lang)
        assert name == ("index.html" if lang == "en" else f"index.{lang}.html")
        text = (dist / name).read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in text
        assert i18n.t("site.heading", lang) in text
        result = api.estimate_query({}, lang)["result"]
        for part in result["parts"]:
            field = f"{part['part']}_bytes"
            assert f'data-part="{part["part"]}" data-bytes="{result_en[field]}"' in text
            if part["part"] != "total":
                explain = part["explain"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                assert explain.replace("'", "&#39;").replace('"', "&#34;") in text, (lang, part["part"])
        boot = json.loads(re.search(r'<script type="application/json" id="calc-boot">(.*?)</script>',
                                    text, re.S).group(1))
        assert boot["lang"] == lang and boot["index"] == name
        for other in i18n.languages():
            if other != lang:
                assert f'href="{build_mod.index_page(other)}" hreflang="{other}"' in text
                assert i18n.t("site.lang.name", other) in text
    zh = (dist / "index.zh-CN.html").read_text(encoding="utf-8")
    assert i18n.t("site.js.status.loading", "zh-CN") in zh
    embed_zh = (dist / "embed.zh-CN.html").read_text(encoding="utf-8")
    assert 'id="embed-open" href="index.zh-CN.html"' in embed_zh


def test_table_pages_link_docs_by_their_page_names(dist):
    """The tables' header names each doc by build.doc_href (embed.md -> embed-guide.html)."""
    doc_href = load_build().doc_href
    sys.path.insert(0, str(ROOT))
    from site_src.tables import doc_nav
    hrefs = [n["href"] for n in doc_nav()]
    for md in sorted((ROOT / "docs").glob("*.md")):
        assert doc_href(md.stem) in hrefs, md.name
    assert "embed.html" not in hrefs
    models = (dist / "models" / "index.html").read_text(encoding="utf-8")
    for md in sorted((ROOT / "docs").glob("*.md")):
        assert f'href="../{doc_href(md.stem)}"' in models, md.name


def test_accuracy_rows_page_is_built_linked_and_in_the_sitemap(dist):
    """accuracy-rows.html (site_src/tables.py, from calc_py/data/accuracy.json): linked
    from the hand-written accuracy page, in the sitemap, with the JSON beside it."""
    source = ROOT / "calc_py" / "data" / "accuracy.json"
    if not source.is_file():
        pytest.skip("no calc_py/data/accuracy.json")
    page = (dist / "accuracy-rows.html").read_text(encoding="utf-8")
    assert '<header class="site-header">' in page and 'href="data/accuracy.json"' in page
    assert page.count("data-record=") == len(json.loads(source.read_text(encoding="utf-8"))["records"])
    assert (dist / "data" / "accuracy.json").read_bytes() == source.read_bytes()
    assert "<loc>accuracy-rows.html</loc>" in (dist / "sitemap.xml").read_text(encoding="utf-8")
    if (ROOT / "docs" / "accuracy.md").is_file():
        assert 'href="accuracy-rows.html"' in (dist / "accuracy.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------
# every page in every language
# ----------------------------------------------------------------------------

def _site_pages(dist: Path) -> list[str]:
    return sorted(p.relative_to(dist).as_posix() for p in dist.rglob("*.html"))


def test_every_doc_is_translated_into_every_language():
    """docs/<slug>.md has docs/<lang>/<slug>.md for each catalog language, and no
    translation lacks its English source: a doc added in one language only fails here."""
    from site_src import pages as P
    english = {md.stem for md in (ROOT / "docs").glob("*.md")}
    assert english, "no docs"
    for lang in P.languages()[1:]:
        translated = {md.stem for md in (ROOT / "docs" / lang).glob("*.md")}
        assert english - translated == set(), f"docs/{lang}/ lacks translations of {sorted(english - translated)}"
        assert translated - english == set(), f"docs/{lang}/ has docs without an English source: {sorted(translated - english)}"
        for slug in english:
            text = (ROOT / "docs" / lang / f"{slug}.md").read_text(encoding="utf-8")
            assert re.search(r"^# \S", text, re.M), f"docs/{lang}/{slug}.md has no title"
            if lang.startswith("zh"):
                assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 200, f"docs/{lang}/{slug}.md is not Chinese"


def test_every_page_exists_in_every_language_with_a_switch_and_alternates(dist):
    """Each page of the site in each language: its own <html lang>, hreflang links to all
    of them, a language switch to the same page in the other languages, the sitemap
    listing all of them; a page's links lead to pages of its own language."""
    from site_src import pages as P
    pages = _site_pages(dist)
    langs = P.languages()
    english = [p for p in pages if P.split_lang(p)[1] == "en"]
    assert {"index.html", "embed.html", "faq.html", "models/index.html", "gpus/index.html",
            "gpus/rtx-4090.html", "models/meta-llama--Llama-3.1-8B.html"} <= set(english)
    sitemap = (dist / "sitemap.xml").read_text(encoding="utf-8")
    locs = set(re.findall(r"<loc>([^<]+)</loc>", sitemap))
    for page in english:
        for lang in langs:
            name = P.localized(page, lang)
            assert (dist / name).is_file(), f"{name} missing"
            text = (dist / name).read_text(encoding="utf-8")
            assert f'<html lang="{lang}"' in text, name
            root = "../" * name.count("/")
            for other in langs:
                assert f'<link rel="alternate" hreflang="{other}" href="{root}{P.localized(page, other)}">' in text, (name, other)
                if other != lang and page != "embed.html":
                    assert f'<a href="{root}{P.localized(page, other)}" hreflang="{other}"' in text, (name, other)
            assert name in locs, name
            if lang != "en":
                for tag in re.findall(r"<a\s[^>]*>", text):
                    href = re.search(r'href="([^"]*)"', tag)
                    if not href or "hreflang=" in tag or re.match(r"[a-z]+:|#", href.group(1)):
                        continue
                    path = re.split(r"[?#]", href.group(1))[0]
                    if path.endswith(".html"):
                        assert P.split_lang(path)[1] == lang, (name, href.group(1))


def test_translated_docs_are_rendered_from_their_translation(dist):
    from site_src import pages as P
    for lang in P.languages()[1:]:
        for md in sorted((ROOT / "docs").glob("*.md")):
            source = ROOT / "docs" / lang / md.name
            if not source.is_file():
                continue        # test_every_doc_is_translated_into_every_language says so
            title = P.doc_title(source.read_text(encoding="utf-8"), md.stem)
            html = (dist / P.doc_href(md.stem, lang)).read_text(encoding="utf-8")
            assert f"<title>{title} · " in html or title.replace("&", "&amp;") in html
            assert '<article class="doc">' in html, "the doc is in the page's own language"
