"""Offline after the first visit, and a clean switch to a new build.

The site is built into its own folder and served on its own port (its own origin,
so its service worker and caches are this test's alone). After one visit the page
works with the network off. Then a *new* build (a temporary copy of the sources
with one message changed; the repository's files are not touched) is written into
the same served folder: the page, still served from the old cache, shows the
"new version" notice; its Reload button brings the new build, and the old cache is
gone."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from calc_py import i18n

from conftest import ROOT, build_site, serve
from helpers import expected_bytes, shown_bytes, wait_calc_ready

pytestmark = pytest.mark.browser

NEW_HEADING = "Will this model fit? (new build)"


def sw_version(dist: Path) -> str:
    return re.search(r'const VERSION = "([0-9a-f]+)";', (dist / "sw.js").read_text()).group(1)


def sw_precache(dist: Path) -> list[str]:
    return json.loads(re.search(r"const PRECACHE = (\[.*?\]);", (dist / "sw.js").read_text(), re.S).group(1))


def build_changed_copy(tmp: Path, out: Path) -> None:
    """build.py run on a copy of the sources whose heading message differs."""
    src = tmp / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("calc_py", "site_src", "docs"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("build.py", "pyproject.toml", "package.json"):
        shutil.copyfile(ROOT / name, src / name)
    (src / "node_modules").mkdir()
    (src / "node_modules" / "pyodide").symlink_to(ROOT / "node_modules" / "pyodide")
    messages = src / "calc_py" / "messages" / "en" / "site.json"
    data = json.loads(messages.read_text(encoding="utf-8"))
    data["site.heading"] = NEW_HEADING
    messages.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    subprocess.run([sys.executable, str(src / "build.py"), "--out", str(out)], check=True, cwd=src,
                   capture_output=True)


def cache_names(page) -> list[str]:
    return page.evaluate("async () => (await caches.keys()).sort()")


def test_offline_then_a_new_build_replaces_the_cache(browser, tmp_path):
    served = build_site(tmp_path / "site")
    old_version, old_files = sw_version(served), sw_precache(served)
    server, url = serve(served)
    context = browser.new_context(service_workers="allow")
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/index.html")
        wait_calc_ready(page)
        # first visit: the worker installs, precaches everything, takes control
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60_000)
        assert cache_names(page) == [f"calc-{old_version}"]
        cached = page.evaluate(f"""async () => (await (await caches.open('calc-{old_version}')).keys())
            .map(r => r.url)""")
        assert sorted(cached) == sorted(f"{url}/{f}" if f != "./" else f"{url}/" for f in old_files)

        # offline: reload, change inputs; the numbers are still calc_py's
        context.set_offline(True)
        page.reload()
        wait_calc_ready(page)
        assert page.text_content("h1") == i18n.t("site.heading")
        page.fill("#in-context", "4096")
        wait_calc_ready(page)
        page.select_option("#in-gpu", "rtx-3090")
        wait_calc_ready(page)
        assert shown_bytes(page) == expected_bytes({"context": "4096", "gpu": "rtx-3090"})
        page.goto(f"{url}/index.html?model=Qwen/Qwen2.5-7B-Instruct&quant=Q8_0")
        wait_calc_ready(page)
        assert shown_bytes(page) == expected_bytes({"model": "Qwen/Qwen2.5-7B-Instruct", "quant": "Q8_0"})
        assert page.is_hidden("#update-notice")

        # a new build in the same folder; back online, the page (from the old cache) says so
        build_changed_copy(tmp_path, served)
        new_version = sw_version(served)
        assert new_version != old_version
        context.set_offline(False)
        page.reload()
        wait_calc_ready(page)
        assert page.text_content("h1") == i18n.t("site.heading")   # still the old build
        page.wait_for_selector("#update-notice", state="visible", timeout=120_000)
        assert page.text_content("#update-notice").strip().startswith(i18n.t("site.update.available"))

        # Reload: the new worker takes over, deletes the old cache, the page is the new build
        with page.expect_navigation(timeout=60_000):
            page.click("#update-reload")
        page.wait_for_selector(f"h1:text-is('{NEW_HEADING}')", timeout=60_000)
        wait_calc_ready(page)
        assert cache_names(page) == [f"calc-{new_version}"]
        assert page.is_hidden("#update-notice")
        page.fill("#in-context", "16384")
        wait_calc_ready(page)
        assert shown_bytes(page) == expected_bytes({"model": "Qwen/Qwen2.5-7B-Instruct", "quant": "Q8_0",
                                                    "context": "16384"})
        # and the new build works offline too
        context.set_offline(True)
        page.reload()
        wait_calc_ready(page)
        assert page.text_content("h1") == NEW_HEADING
        assert not errors, errors
    finally:
        context.close()
        server.shutdown()
