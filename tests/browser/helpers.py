"""Helpers the browser tests share: the bytes a page shows, the bytes calc_py gives
for the same query, and the query a URL carries."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from calc_py import api

from conftest import READY_TIMEOUT_MS

PART_FIELDS = {"weights": "weights_bytes", "kv_cache": "kv_cache_bytes", "compute": "compute_bytes",
               "overhead": "overhead_bytes", "total": "total_bytes", "host": "host_bytes",
               "download": "file_bytes"}


def shown_bytes(page, selector: str = "[data-part]") -> dict[str, int]:
    """Each part's exact bytes as the page (or frame) shows them in data-bytes."""
    pairs = page.eval_on_selector_all(
        selector, "els => els.map(e => [e.dataset.part, e.dataset.bytes])")
    return {part: int(b) for part, b in pairs}


def expected_bytes(query: dict[str, str], gguf: bytes | None = None) -> dict[str, int]:
    """Each part's bytes as calc_py computes them here for the same query (and GGUF header)."""
    result = api.estimate_query(query, gguf=gguf)["result"]
    assert result is not None, f"calc_py gives no result for {query}"
    parts = {part: result[field] for part, field in PART_FIELDS.items()}
    # parts shown only when asked for (the vision projector): as calc_py lists them
    parts.update({p["part"]: p["bytes"] for p in result["parts"] if p["part"] not in parts})
    return parts


def url_query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def assert_matches(page, query: dict[str, str]) -> None:
    shown = shown_bytes(page)
    assert shown == expected_bytes(query), f"page differs from calc_py for {query}"
    # the URL the page wrote describes the same configuration
    assert expected_bytes(url_query(page.url)) == shown


def wait_calc_ready(page) -> None:
    """Python is up in the page (or frame) and its newest answer is on screen."""
    page.wait_for_selector("html[data-calc-state=ready]", state="attached", timeout=READY_TIMEOUT_MS)
    page.wait_for_selector("#results[aria-busy=false]", state="attached", timeout=60_000)


def no_injected_script(page) -> bool:
    """Every <script> is one the build wrote: a same-origin file under assets/ or the JSON boot block
    (hostile inputs must never add one, inline or with a foreign src)."""
    scripts = page.locator("script")
    ours = page.locator('script[src^="assets/"], script[type="application/json"]#calc-boot')
    return scripts.count() == ours.count() and page.locator("script#calc-boot").count() == 1
