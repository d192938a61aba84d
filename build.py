"""Build the static site into one folder: `python build.py --out dist`.

The page runs the *same* Python formulas as the CLI: calc_py is packed as a wheel
and loaded into Pyodide inside a Web Worker. The pipeline, top to bottom:

1. pack calc_py as a deterministic pure-Python wheel (py3-none-any);
2. copy the few Pyodide files the page needs out of node_modules/pyodide;
3. copy the page's JS/CSS, each with a content hash in its file name;
4. render the Jinja2 templates in site_src/, with the pickers' catalogs and the
   default configuration's result computed here, at build time, so the numbers
   are in the HTML before any script runs (index.html and embed.html once per
   language folder of calc_py/messages: index.<lang>.html and embed.<lang>.html
   for each language but English, with the default computed in that language);
5. render docs/*.md with Python-Markdown into the same layout;
6. copy embed-resize.js (the script a page embedding the calculator copies; a
   stable name, not hashed) and write the service worker, which precaches exactly
   the calculator's files above and is versioned by their content hash.

Nothing in dist/ refers to another origin; the same sources give a byte-identical
dist/ (fixed zip timestamps, sorted entries, no dates, hashes from content).
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import re
import shutil
import sys
import tomllib
import zipfile
from pathlib import Path

import jinja2
import markdown

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # build against this checkout's calc_py, not an installed one

from calc_py import api, i18n  # noqa: E402
from site_src import pages as P  # noqa: E402  (which file each language's page is)


def load_view():
    """site_src/view.py: the display model, shared by this build and the worker."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("calc_view", SITE_SRC / "view.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

SITE_SRC = ROOT / "site_src"
DOCS = ROOT / "docs"
PYODIDE_SRC = ROOT / "node_modules" / "pyodide"

# Only what loadPyodide() fetches for a page that needs no extra packages:
# the loader, the Emscripten module, the wasm binary, the standard library and
# the lock file (read at start-up even when no package is installed).
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
# Page assets whose file names get a content hash (source name -> dist folder).
STATIC_ASSETS = ("static/style.css", "static/app.js", "static/worker.js", "static/a11y.js",
                 "static/first-paint.js", "view.py")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest timestamp a zip can store
LANG = i18n.DEFAULT_LANG
# Pages of the calculator itself; a doc of the same name is written as <name>-guide.html.
APP_PAGES = P.APP_PAGES
# Copied to the root under its own name: pages on other sites include it.
EMBED_RESIZE = "static/embed-resize.js"
LANG_CODE = P.LANG_CODE
# Generated pages a hand-written doc leads to (a line under its heading): slug -> (href, message key).
# accuracy-rows.html is rendered by site_src/tables.py from calc_py/data/accuracy.json.
DOC_LINK_KEYS = {"accuracy": (("accuracy-rows.html", "tables.accuracy.link"),)}


#: set by build(): per language, {"dir", "version", "files", "bytes", "models"} of
#: site_src/first_paint.py's files (each language's views carry its own labels)
FIRST_PAINT: dict[str, dict] = {}


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def hashed_name(name: str, data: bytes) -> str:
    """`app.js` -> `app.<hash>.js` (the hash goes before the last suffix)."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{content_hash(data)}.{suffix}" if dot else f"{name}.{content_hash(data)}"


# 1. The wheel ------------------------------------------------------------------
#
# Why not pyodide-build: it needs an Emscripten cross-build environment that it
# downloads, and this build must work offline. It is not needed either: calc_py is
# pure Python (standard library only), and a py3-none-any wheel is exactly what
# Pyodide installs for such a package; `pyodide.unpackArchive(bytes, "wheel")`
# unpacks it into site-packages.

def project_metadata() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


#: package data calc_py never reads at run time: the build renders it (accuracy.json
#: -> accuracy-rows.html, data/accuracy.json), so the page's wheel leaves it out
#: (1.2 MB raw, 70 KB compressed on every cold load); tests/test_build.py checks
#: that no module of calc_py names it
BUILD_ONLY_DATA = ("calc_py/data/accuracy.json",)


def package_files() -> list[Path]:
    """Every file of the calc_py package the page runs, sorted, without caches."""
    pkg = ROOT / "calc_py"
    return sorted(
        (p for p in pkg.rglob("*")
         if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
         and p.relative_to(ROOT).as_posix() not in BUILD_ONLY_DATA),
        key=lambda p: p.relative_to(ROOT).as_posix(),
    )


def build_wheel() -> tuple[str, bytes]:
    """(standard wheel file name, wheel bytes), the same bytes for the same sources."""
    meta = project_metadata()
    name, version = meta["name"], meta["version"]
    dist_info = f"{name}-{version}.dist-info"
    entries: list[tuple[str, bytes]] = [
        (p.relative_to(ROOT).as_posix(), p.read_bytes()) for p in package_files()
    ]
    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {meta.get('description', '')}",
        f"Requires-Python: {meta.get('requires-python', '>=3.11')}",
    ]
    if "license" in meta and "text" in meta["license"]:
        metadata.append(f"License: {meta['license']['text']}")
    entries.append((f"{dist_info}/METADATA", ("\n".join(metadata) + "\n").encode()))
    entries.append((f"{dist_info}/WHEEL", (
        "Wheel-Version: 1.0\n"
        "Generator: calc_py build.py\n"
        "Root-Is-Purelib: true\n"
        "Tag: py3-none-any\n").encode()))
    scripts = meta.get("scripts", {})
    if scripts:
        lines = ["[console_scripts]"] + [f"{k} = {v}" for k, v in sorted(scripts.items())]
        entries.append((f"{dist_info}/entry_points.txt", ("\n".join(lines) + "\n").encode()))
    record = []
    for path, data in entries:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    entries.append((f"{dist_info}/RECORD", ("\n".join(record) + "\n").encode()))

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        # package files sorted, dist-info last (as the wheel spec recommends)
        for path, data in entries:
            info = zipfile.ZipInfo(path, date_time=ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever the build machine
            zf.writestr(info, data, compresslevel=9)
    return f"{name}-{version}-py3-none-any.whl", buf.getvalue()


# 2. Pyodide --------------------------------------------------------------------

def pyodide_version() -> str:
    """The installed Pyodide, which must be the exact version package.json pins."""
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["pyodide"]
    if not PYODIDE_SRC.is_dir():
        sys.exit("node_modules/pyodide is missing: run `npm ci` (or `make setup`) first")
    installed = json.loads((PYODIDE_SRC / "package.json").read_text())["version"]
    if installed != pinned:
        sys.exit(f"node_modules has pyodide {installed}, package.json pins {pinned}: run `npm ci`")
    return installed


def copy_pyodide(out: Path) -> str:
    """Copy the loader files into out/pyodide-<version>/ and return that folder's URL."""
    folder = f"pyodide-{pyodide_version()}"
    (out / folder).mkdir(parents=True)
    for name in PYODIDE_FILES:
        shutil.copyfile(PYODIDE_SRC / name, out / folder / name)
    return folder + "/"


# 3.-5. Pages -------------------------------------------------------------------

def gib(n: int) -> str:
    return f"{n / 2**30:.2f}"


def gb(n: int) -> str:
    return f"{n / 1e9:.2f}"


def item_id(item) -> str:
    """A catalog entry's id (entries are dicts with "id", or plain strings)."""
    return str(item["id"]) if isinstance(item, dict) else str(item)


def item_label(item) -> str:
    if isinstance(item, dict):
        return str(item.get("name") or item.get("label") or item["id"])
    return str(item)


def groupby_first(items, key: str) -> list[tuple[str, list]]:
    """Group catalog entries by `key`, groups in order of first appearance."""
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.get(key, "") if isinstance(item, dict) else "", []).append(item)
    return list(groups.items())


def jinja_env(lang: str = LANG) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(SITE_SRC / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["t"] = lambda key, **kw: i18n.t(key, lang, **kw)
    # where the first-paint script finds the tables' precomputed answers in this language
    fp = FIRST_PAINT.get(lang, {})
    env.globals["first_paint"] = {"dir": fp.get("dir", ""), "version": fp.get("version", ""),
                                  "keys": " ".join(api.KEYS), "model": api.DEFAULTS["model"],
                                  "models": fp.get("models", "")}
    env.filters["gib"] = gib
    env.filters["gb"] = gb
    env.filters["item_id"] = item_id
    env.filters["item_label"] = item_label
    env.filters["groupby_first"] = groupby_first
    return env


doc_title = P.doc_title


def doc_href(slug: str, lang: str = LANG) -> str:
    """The page a doc is rendered to: faq.md -> faq.html (faq.zh-CN.html), embed.md ->
    embed-guide.html (embed.html is the calculator for iframes)."""
    return P.doc_href(slug, lang)


def render_markdown(text: str, lang: str = LANG) -> str:
    html = markdown.markdown(
        text, extensions=["tables", "fenced_code", "toc", "sane_lists"], output_format="html"
    )
    # links between docs point at the rendered pages: method.md -> method.html (in this language),
    # and links to the site's other pages at the same language's page
    html = re.sub(r'href="([\w./-]+?)\.md(#[^"]*)?"',
                  lambda m: f'href="{doc_href(m.group(1), lang)}{m.group(2) or ""}"', html)
    return wrap_tables(P.localize_links(html, lang), lang)


def wrap_tables(html: str, lang: str = LANG) -> str:
    """Each Markdown table in its own sideways-scrolling region: a phone scrolls the table,
    not the page, and the keyboard can reach it (focusable, named by the heading above it)."""
    from markupsafe import escape
    out, last_heading = [], ""
    pos = 0
    for m in re.finditer(r"<h[1-6][^>]*>(.*?)</h[1-6]>|<table>.*?</table>", html, re.S):
        out.append(html[pos:m.start()])
        if m.group(0).startswith("<h"):
            last_heading = re.sub(r"<[^>]+>", "", m.group(1)).strip()
            out.append(m.group(0))
        else:
            label = i18n.t("site.table.region", lang, name=last_heading) if last_heading \
                else i18n.t("site.table.region.plain", lang)
            out.append(f'<div class="table-wrap" role="region" tabindex="0" aria-label="{escape(label)}">'
                       f"{m.group(0)}</div>")
        pos = m.end()
    out.append(html[pos:])
    # code blocks scroll sideways too: reachable with the keyboard
    return "".join(out).replace("<pre>", '<pre tabindex="0">')


def with_doc_links(body: str, links) -> str:
    """The doc's HTML with a line of links to generated pages under its first heading."""
    if not links:
        return body
    from markupsafe import escape
    line = '<p class="doc-links">' + " · ".join(
        f'<a href="{escape(link["href"])}">{escape(link["title"])}</a>' for link in links) + "</p>"
    head = body.find("</h1>")
    return body[:head + 5] + "\n" + line + body[head + 5:] if head >= 0 else line + "\n" + body


def doc_pages(lang: str = LANG) -> list[dict]:
    """Every doc in one language (docs/<lang>/<slug>.md; English where a translation is missing)."""
    return P.docs(lang)


def languages() -> list[str]:
    """The catalog's languages, English first (each gets every page of the site)."""
    return P.languages()


def embed_page(lang: str) -> str:
    return P.localized("embed.html", lang)


def index_page(lang: str) -> str:
    """The full calculator in one language: index.html (English), index.zh-CN.html ..."""
    return P.localized("index.html", lang)


def boot_data(view_module, v: dict, lang: str = LANG) -> dict:
    """What app.js needs before Python is up: its UI strings, the view shown,
    which options each engine takes, the embed page of each language and the
    full calculator of this one."""
    messages = {k: m for k, m in i18n.catalog(lang).items() if k.startswith("site.js.")}
    return {"messages": messages, "view": v, "lang": lang, "index": index_page(lang),
            "langs": {code: embed_page(code) for code in languages()}, **view_module.boot(lang)}


def nav_items(docs: list[dict], lang: str = LANG) -> list[dict]:
    """The header's links: the calculator, the tables, the docs, all in `lang`."""
    return [{"href": index_page(lang), "title": i18n.t("site.nav.calculator", lang)},
            {"href": P.localized("models/index.html", lang), "title": i18n.t("tables.nav.models", lang)},
            {"href": P.localized("gpus/index.html", lang), "title": i18n.t("tables.nav.gpus", lang)},
            {"href": P.localized("machines/index.html", lang), "title": i18n.t("tables.nav.machines", lang)}] + [
        {"href": d["href"], "title": d["title"]} for d in docs]


def lang_links(lang: str, page: str | None = None) -> list[dict]:
    """This page (default: the calculator) in every other language, each named in its own language."""
    return P.lang_links(page or index_page(lang), lang)


def render_site(out: Path, assets: dict[str, str], wheel_url: str, pyodide_url: str,
                base_url: str = "") -> list[str]:
    """The calculator, its embed and every doc, once per catalog language."""
    env = jinja_env()
    cat = api.catalog()
    view_module = load_view()

    def default_view(lang: str) -> dict:
        default = api.estimate_query({}, lang)
        return view_module.view(default, api.compare_gpus(default["result"]), lang)

    v = default_view(LANG)
    docs = doc_pages()
    common = {
        "assets": assets, "wheel_url": wheel_url, "pyodide_url": pyodide_url, "root": "",
        "nav": nav_items(docs), "lang": LANG, "docs": {d["slug"]: d["href"] for d in docs},
        "catalog": cat, "v": v, "boot": boot_data(view_module, v),
        "vendors": sorted({g["vendor"] for g in cat["gpus"]}),
        "doc_titles": {d["slug"]: d["title"] for d in docs},
        # named in the picker by the browser (Intl.DisplayNames), so no catalog needs every name
        "languages": [{"code": code} for code in languages()],
        "lang_links": lang_links(LANG),
        "alternates": P.alternates(index_page(LANG), base_url),
    }
    written = []
    for lang in languages():
        # every page in each language: that catalog's strings, the default's labels and
        # explanations computed in that language, the docs from docs/<lang>/
        lv = v if lang == LANG else default_view(lang)
        ldocs = docs if lang == LANG else doc_pages(lang)
        values = {**common, "lang": lang, "v": lv, "boot": boot_data(view_module, lv, lang),
                  # the GPU select's labels: each card's name as this language writes it
                  "catalog": cat if lang == LANG else {**cat, "gpus": api.catalog(lang)["gpus"]},
                  "nav": nav_items(ldocs, lang), "docs": {d["slug"]: d["href"] for d in ldocs},
                  "doc_titles": {d["slug"]: d["title"] for d in ldocs}}
        lenv = env if lang == LANG else jinja_env(lang)
        for name, template in ((index_page(lang), "index.html"), (embed_page(lang), "embed.html")):
            page_values = {**values, "lang_links": lang_links(lang, name),
                           "alternates": P.alternates(name, base_url)}
            (out / name).write_text(lenv.get_template(template).render(page=name, **page_values),
                                    encoding="utf-8")
            written.append(name)
        doc_links = {slug: [{"href": P.localized(href, lang), "title": i18n.t(key, lang)}
                            for href, key in links] for slug, links in DOC_LINK_KEYS.items()}
        for d in ldocs:
            body = with_doc_links(render_markdown(d["text"], lang), doc_links.get(d["slug"], ()))
            html = lenv.get_template("doc.html").render(
                page=d["href"], title=d["title"], body=body, text_lang=d["text_lang"],
                **{**values, "lang_links": lang_links(lang, d["href"]),
                   "alternates": P.alternates(d["href"], base_url)})
            (out / d["href"]).write_text(html, encoding="utf-8")
            written.append(d["href"])
    for extra in sorted(DOCS.glob("*")) if DOCS.is_dir() else []:
        if extra.suffix.lower() in (".png", ".svg", ".jpg", ".webp"):
            shutil.copyfile(extra, out / extra.name)
            written.append(extra.name)
    return written


# 6. Service worker -------------------------------------------------------------

def write_service_worker(out: Path, files: list[str]) -> None:
    """sw.js at the root (its scope), versioned by the hash of everything it caches and
    of its own code: its cache is named after VERSION, so each build gets a new cache
    and the old one is deleted when the new worker takes over."""
    files = sorted(files)
    src = (SITE_SRC / "static" / "sw.js").read_text(encoding="utf-8")
    version = content_hash("".join(f + content_hash((out / f).read_bytes()) for f in files).encode()
                           + src.encode())
    head = (f"const VERSION = {json.dumps(version)};\n"
            f"const PRECACHE = {json.dumps(['./'] + files, indent=1)};\n")
    (out / "sw.js").write_text(head + src, encoding="utf-8")


def build(out: Path, base_url: str = "") -> None:
    if out.exists():
        shutil.rmtree(out)
    (out / "assets").mkdir(parents=True)

    wheel_name, wheel = build_wheel()
    wheel_file = f"assets/{hashed_name(wheel_name, wheel)}"
    (out / wheel_file).write_bytes(wheel)

    pyodide_url = copy_pyodide(out)

    assets = {}
    for src in STATIC_ASSETS:
        data = (SITE_SRC / src).read_bytes()
        name = Path(src).name
        assets[name] = f"assets/{hashed_name(name, data)}"
        (out / assets[name]).write_bytes(data)

    # the model tables' calculator links answered at build time (site_src/first_paint.py)
    from site_src import first_paint
    FIRST_PAINT.clear()
    for lang in i18n.languages():
        FIRST_PAINT[lang] = fp = first_paint.write(out, load_view(), lang)
        print(f"first paint ({lang}): {fp['files']} files, {fp['bytes']:,} bytes")
    pages = render_site(out, assets, wheel_file, pyodide_url, base_url)
    # for the pages that embed the calculator: not part of it, so not precached
    shutil.copyfile(SITE_SRC / EMBED_RESIZE, out / Path(EMBED_RESIZE).name)
    # precomputed tables (models/, gpus/, data/): in the sitemap, not precached
    from site_src.tables import build_tables, write_sitemap
    table_pages = build_tables(jinja_env(), out, assets=assets, base_url=base_url)
    precache = pages + list(assets.values()) + [wheel_file] + [
        pyodide_url + f for f in PYODIDE_FILES]
    write_service_worker(out, precache)
    write_sitemap(out, pages + table_pages, base_url)
    print(f"built {len(pages) + len(table_pages)} pages into {out}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default dist/)")
    parser.add_argument("--base-url", default="", help="site URL for sitemap.xml and canonical links "
                        "(default: none, relative URLs)")
    args = parser.parse_args(argv)
    build(args.out.resolve(), args.base_url)


if __name__ == "__main__":
    main()
