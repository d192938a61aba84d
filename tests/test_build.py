"""build.py: templates render, assets are content-hashed, builds are reproducible,
and nothing in dist/ points the browser at another origin."""
from __future__ import annotations

import hashlib
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


def test_every_doc_is_rendered_in_the_layout(dist):
    for md in sorted((ROOT / "docs").glob("*.md")):
        page = dist / f"{md.stem}.html"
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
