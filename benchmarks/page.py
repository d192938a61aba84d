"""Page-load and recompute timings of the built site (prints numbers; not a test).

    .venv/bin/python benchmarks/page.py [--runs 3] [--changes 200] [--site DIR ...]

--site benchmarks an already built site (a dist/ folder) instead of building
this checkout; given several times, the sites are measured in turn, run by
run (A, B, A, B, ...), so a comparison is not skewed by a machine that gets
busier or quieter during the measurement.

Each cold load uses a fresh browser context (empty cache, no service worker):
  - prerendered numbers: when the parser has put the default's numbers into
    the DOM (they are in the HTML), first paint and DOMContentLoaded;
  - ready: until <html data-calc-state="ready"> (Pyodide + calc_py loaded);
  - recompute latency over N input changes, measured inside the page: from
    just before the `input` event is dispatched on #in-context (a new value
    each time, one change after the other) to the moment the new answer's
    numbers are in the DOM. That moment is the MutationObserver callback that
    sees #results[aria-busy] turn "false": app.js sets it in the same task,
    right after it has written the answer (numbers, parts, GPU rows) into the
    DOM, and the callback runs when that task's script is done, so the time
    covers the worker's run, the message hops, the main-thread work the reply
    waited behind (e.g. the style/layout/paint of a frame that came due) and
    app.js's DOM update; it does not cover this change's own layout and paint,
    nor the address bar (app.js updates the URL once the answers pause). Each
    answer is checked to be the one for its input (#results[data-query] names
    the new context);
  - bytes the page fetched, raw (as served) and gzip-compressed (what a server
    with compression would send);
  - first paint of a table link (a model page's cell, cold, a fresh context):
    from navigation start until the link's own total is in the DOM
    (<html data-answer="precomputed">, site_src/first_paint.py; goal <= 0.3 s),
    and the bytes the precomputed answers add: the one file that link fetched,
    and all of first-paint/ in the build;
  - a throttled network (--throttle, on by default): cold loads through
    Chrome's own network emulation (CDP Network.emulateNetworkConditions) at
    DevTools' "Fast 4G" and "Slow 4G" presets, from a server that sends gzip
    as a static host would. Time to the prerendered numbers, to the first
    paint of a table link's own answer, and to ready; and what loads first,
    what later: each file in the order it finished, with its bytes on the wire.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import threading
import time
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from conftest import CHROMIUM, CHROMIUM_ARGS, Handler, build_site, serve  # noqa: E402

MARK_READY = """
(() => {
  // poll every 2 ms: when the prerendered numbers exist, and when Python is ready
  const timer = setInterval(() => {
    if (!window.__numbersAt && document.querySelector('[data-part="total"][data-bytes]'))
      window.__numbersAt = performance.now();
    if (document.documentElement && document.documentElement.dataset.calcState === 'ready') {
      window.__readyAt = performance.now();
      clearInterval(timer);
    }
  }, 2);
})();
"""

RECOMPUTE = """async (n) => {
  const ctx = document.querySelector('#in-context');
  const results = document.querySelector('#results');
  const idle = () => new Promise((resolve) => {
    if (results.getAttribute('aria-busy') === 'false') return resolve();
    const o = new MutationObserver(() => {
      if (results.getAttribute('aria-busy') === 'false') { o.disconnect(); resolve(); }
    });
    o.observe(results, {attributes: true, attributeFilter: ['aria-busy']});
  });
  const times = [];
  for (let i = 0; i < n; i++) {
    const value = String(1024 + 97 * i);
    const t0 = performance.now();
    ctx.value = value;
    ctx.dispatchEvent(new Event('input', {bubbles: true}));
    await idle();
    times.push(performance.now() - t0);
    if (!new URLSearchParams(results.dataset.query).getAll('context').includes(value))
      throw new Error(`the numbers on screen are not those of context=${value}`);
  }
  return times;
}"""


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--changes", type=int, default=200)
    ap.add_argument("--site", type=Path, action="append", default=[],
                    help="a built site to measure (repeat to compare sites, interleaved)")
    ap.add_argument("--no-throttle", dest="throttle", action="store_false",
                    help="skip the throttled-network loads (they take about a minute)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sites = args.site or [build_site(Path(tmp) / "dist")]
        results = measure(sites, args.runs, args.changes)
        fp = [first_paint(site, args.runs) for site in sites]
        slow = [throttled(site) for site in sites] if args.throttle else [None for _ in sites]
    for site, (loads, times, raw, gz, n_requests), f in zip(sites, results, fp):
        if len(sites) > 1:
            print(f"\n== {site}")
        report(args.runs, loads, times, raw, gz, n_requests)
        print(f"first paint of a table link ({f['link']}): median {statistics.median(f['ms']):.0f} ms, "
              f"max {max(f['ms']):.0f} ms over {len(f['ms'])} cold loads (goal <= 300 ms)")
        print(f"precomputed answers: that link fetched {f['file_raw'] / 1024:.1f} KiB raw, "
              f"{f['file_gz'] / 1024:.1f} KiB gzip; first-paint.js {f['script'] / 1024:.1f} KiB; "
              f"the build holds {f['files']} files, {f['all_raw'] / 2**20:.1f} MiB raw, "
              f"{f['all_gz'] / 2**20:.1f} MiB gzip")
        if slow[sites.index(site)]:
            report_throttled(slow[sites.index(site)])


def measure(sites: list[Path], runs: int, changes: int) -> list[tuple]:
    from playwright.sync_api import sync_playwright

    servers = [serve(site) for site in sites]
    out = [([], [], 0, 0, 0) for _ in sites]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for run in range(runs):
            for i, (site, (server, base)) in enumerate(zip(sites, servers)):
                loads, times, raw, gz, n_requests = out[i]
                context = browser.new_context(service_workers="block")
                context.add_init_script(MARK_READY)
                urls: list[str] = []
                context.on("request", lambda r: urls.append(r.url))
                page = context.new_page()
                page.goto(f"{base}/index.html")
                page.wait_for_selector("html[data-calc-state=ready]", state="attached", timeout=180_000)
                page.wait_for_selector("#results[aria-busy=false]", state="attached")
                t = page.evaluate("""() => ({
                    numbers: window.__numbersAt,
                    fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || -1,
                    dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
                    ready: window.__readyAt })""")
                loads.append(t)
                label = f" [{site}]" if len(sites) > 1 else ""
                print(f"cold load {run + 1}{label}: numbers in the DOM {t['numbers']:.0f} ms, "
                      f"first paint {t['fcp']:.0f} ms (-1: not reported), "
                      f"DOMContentLoaded {t['dcl']:.0f} ms, ready {t['ready']:.0f} ms", flush=True)
                if run == runs - 1 or len(sites) > 1:
                    times = times + page.evaluate(RECOMPUTE, changes)
                if run == runs - 1:
                    raw = gz = 0
                    for u in dict.fromkeys(urls):
                        path = urlsplit(u).path.lstrip("/") or "index.html"
                        f = site / path
                        if f.is_file():
                            data = f.read_bytes()
                            raw += len(data)
                            gz += len(gzip.compress(data, compresslevel=6, mtime=0))
                    n_requests = len(set(urls))
                out[i] = (loads, times, raw, gz, n_requests)
                context.close()
        browser.close()
    for server, _ in servers:
        server.shutdown()
    return out


FIRST_PAINT_MODEL, FIRST_PAINT_QUERY = "Qwen/Qwen3-30B-A3B", "quant=Q5_K_M&context=32768&engine=llama.cpp"


def first_paint(site: Path, runs: int) -> dict:
    """Cold loads of one model-table link until its own total is on screen."""
    from playwright.sync_api import sync_playwright
    sys.path.insert(0, str(ROOT))
    from calc_py import tables as T
    from urllib.parse import quote
    cell = T.cell(FIRST_PAINT_MODEL, "llama.cpp", "Q5_K_M", 32768)
    link = f"index.html?model={quote(FIRST_PAINT_MODEL, safe='')}&{FIRST_PAINT_QUERY}"
    server, base = serve(site)
    ms = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            context = browser.new_context(service_workers="block")
            # the moment app.js marks the answer (polled every 1 ms in the page, not over the wire)
            context.add_init_script("""const fpTimer = setInterval(() => {
                const root = document.documentElement;
                if (root && root.dataset.answer === 'precomputed') {
                  window.__firstPaintAt = performance.now(); clearInterval(fpTimer); }
              }, 1);""")
            page = context.new_page()
            page.goto(f"{base}/{link}", wait_until="commit")
            page.wait_for_function(
                "b => window.__firstPaintAt && "
                "document.querySelector('[data-part=total]').dataset.bytes === b", arg=str(cell["total_bytes"]),
                timeout=60_000)
            ms.append(page.evaluate("window.__firstPaintAt"))
            context.close()
        browser.close()
    server.shutdown()
    folder = site / "first-paint"
    files = sorted(folder.glob("*.json"))
    one = (folder / (T.slug(FIRST_PAINT_MODEL) + ".json")).read_bytes()
    script = next((site / "assets").glob("first-paint.*.js")).stat().st_size
    all_raw = sum(f.stat().st_size for f in files)
    all_gz = sum(len(gzip.compress(f.read_bytes(), compresslevel=6, mtime=0)) for f in files)
    return {"link": link, "ms": ms, "file_raw": len(one), "file_gz": len(gzip.compress(one, 6, mtime=0)),
            "script": script, "files": len(files), "all_raw": all_raw, "all_gz": all_gz}


#: Chrome DevTools' presets (front_end/core/sdk/NetworkManager.ts: Fast4GConditions,
#: Slow4GConditions): bytes/s down and up, round-trip latency in ms
NETWORKS = {
    "Fast 4G": {"download": 9e6 / 8 * 0.9, "upload": 1.5e6 / 8 * 0.9, "latency": 60 * 2.75},
    "Slow 4G": {"download": 1.6e6 / 8 * 0.9, "upload": 750e3 / 8 * 0.9, "latency": 150 * 3.75},
}
#: already compressed: sent as they are
STORED = {".whl", ".zip", ".png", ".jpg", ".gz", ".br", ".woff2"}


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files as a host with compression sends them: gzip when the browser accepts it."""
    extensions_map = Handler.extensions_map
    _cache: dict[str, bytes] = {}

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (not path.is_file() or path.suffix in STORED
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        key = str(path)
        if key not in self._cache:
            self._cache[key] = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        body = self._cache[key]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def serve_gzip(directory: Path):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(directory)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def throttled(site: Path) -> dict:
    """One cold load of the calculator and one of a table link per network preset."""
    from playwright.sync_api import sync_playwright
    sys.path.insert(0, str(ROOT))
    from urllib.parse import quote
    server, base = serve_gzip(site)
    link = f"index.html?model={quote(FIRST_PAINT_MODEL, safe='')}&{FIRST_PAINT_QUERY}"
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, net in NETWORKS.items():
            for kind, path in (("calculator", "index.html"), ("table link", link)):
                context = browser.new_context(service_workers="block")
                context.add_init_script(MARK_READY)
                context.add_init_script("""const fpTimer2 = setInterval(() => {
                    const root = document.documentElement;
                    if (root && root.dataset.answer === 'precomputed') {
                      window.__firstPaintAt = performance.now(); clearInterval(fpTimer2); }
                  }, 2);""")
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", {
                    "offline": False, "latency": net["latency"],
                    "downloadThroughput": net["download"], "uploadThroughput": net["upload"]})
                done: dict[str, tuple[float, int]] = {}
                t0 = time.perf_counter()

                def seen(r, done=done, t0=t0, final=False):
                    """A file's headers arrived (a streamed compile may never report 'finished')
                    or all of it did; with its bytes on the wire once known."""
                    path = urlsplit(r.url).path
                    size = 0
                    if final:
                        try:
                            s = r.sizes()
                            size = s["responseBodySize"] + s["responseHeadersSize"]
                        except Exception:  # noqa: BLE001 - a request without sizes still counts
                            pass
                    if final or path not in done:
                        done[path] = ((time.perf_counter() - t0) * 1000, size)
                context.on("response", lambda r: seen(r.request))
                context.on("requestfinished", lambda r: seen(r, final=True))
                page.goto(f"{base}/{path}", wait_until="commit")
                page.wait_for_selector("html[data-calc-state=ready]", state="attached", timeout=600_000)
                t = page.evaluate("""() => ({numbers: window.__numbersAt, ready: window.__readyAt,
                    answer: window.__firstPaintAt || null})""")
                page.wait_for_timeout(500)      # the last 'finished' events arrive
                out[(name, kind)] = {**t, "files": [(ms, path, size) for path, (ms, size) in done.items()]}
                context.close()
        browser.close()
    server.shutdown()
    return out


def report_throttled(slow: dict) -> None:
    print("\nthrottled network (Chrome's emulation, DevTools presets; gzip as a static host sends it):")
    for (name, kind), t in slow.items():
        net = NETWORKS[name]
        answer = f", its own answer {t['answer']:.0f} ms" if t["answer"] else ""
        print(f"  {name} ({net['download'] * 8 / 1e6:.2f} Mbit/s down, {net['latency']:.0f} ms RTT), "
              f"{kind}: numbers {t['numbers']:.0f} ms{answer}, ready {t['ready']:.0f} ms")
    (name, kind), t = next(iter((k, v) for k, v in slow.items() if k[0] == "Slow 4G"
                                and k[1] == "calculator"))
    print(f"  what loads first, what later ({name}, {kind}; finished at, bytes on the wire):")
    total = 0
    for ms, path, size in sorted(t["files"]):
        total += size
        shown = f"{size / 1024:8.1f} KiB" if size else "streamed"
        print(f"    {ms:7.0f} ms  {shown:>12}  {path}")
    print(f"    total {total / 2**20:.2f} MiB over {len(t['files'])} requests")


def report(runs: int, loads: list[dict], times: list[float], raw: int, gz: int, n_requests: int) -> None:
    print(f"\nmedian of {runs} cold loads: prerendered numbers "
          f"{statistics.median(t['numbers'] for t in loads):.0f} ms, "
          f"ready {statistics.median(t['ready'] for t in loads):.0f} ms")
    print(f"recompute over {len(times)} input changes: p50 {pct(times, 50):.1f} ms, "
          f"p95 {pct(times, 95):.1f} ms, max {max(times):.1f} ms")
    print(f"transferred for one cold load: {raw / 2**20:.2f} MiB raw, {gz / 2**20:.2f} MiB gzip "
          f"({n_requests} requests)")


if __name__ == "__main__":
    main()
