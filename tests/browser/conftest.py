"""Browser-test fixtures: one build, one local server, one chromium per session.

The site is built with build.py into a temporary folder and served on a free
port of 127.0.0.1 by a threading http.server (with the MIME types Pyodide needs:
application/wasm for instantiateStreaming, text/javascript for .mjs modules).
Chromium is Debian's (/usr/bin/chromium); Playwright only drives it.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
READY_TIMEOUT_MS = 120_000  # a cold Pyodide start on a slow CI machine


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript",
                      ".js": "text/javascript", ".whl": "application/zip",
                      ".py": "text/plain", ".json": "application/json"}

    def log_message(self, *args):  # keep pytest output clean
        pass


def build_site(out: Path) -> Path:
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(out)], check=True, cwd=ROOT)
    return out


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("site") / "dist")


@pytest.fixture(scope="session")
def base_url(site_dir):
    server, url = serve(site_dir)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageProbe:
    """A fresh context + page that records console errors and every request URL."""

    def __init__(self, browser, base_url, **context_options):
        self.base_url = base_url
        options = {"viewport": {"width": 1280, "height": 900}, "service_workers": "block"}
        self.context = browser.new_context(**(options | context_options))
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, query: str = "", wait_ready: bool = True, path: str = "index.html"):
        self.page.goto(f"{self.base_url}/{path}{query}")
        if wait_ready:
            self.wait_ready()
        return self.page

    def wait_ready(self):
        self.page.wait_for_selector("html[data-calc-state=ready]", state="attached",
                                    timeout=READY_TIMEOUT_MS)
        self.wait_idle()

    def wait_idle(self):
        """The newest answer is on screen, and the address bar has caught up with it
        (app.js writes the URL once the answers pause: <html data-url-state>)."""
        self.page.wait_for_selector("#results[aria-busy=false]", state="attached", timeout=60_000)
        self.page.wait_for_selector("html:not([data-url-state=pending])", state="attached",
                                    timeout=60_000)

    def close(self):
        self.context.close()


@pytest.fixture
def probe(browser, base_url):
    made: list[PageProbe] = []

    def make(**options) -> PageProbe:
        made.append(PageProbe(browser, base_url, **options))
        return made[-1]

    yield make
    for p in made:
        p.close()
