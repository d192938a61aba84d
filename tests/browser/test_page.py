"""The calculator page, driven as a person would, checked against calc_py itself.

Every number the page shows must be exactly what `calc_py.api.estimate_query`
returns in this test process for the same inputs: the page runs the same
Python (in Pyodide), so the comparison is on exact bytes, part by part.
"""
from __future__ import annotations

import os
from pathlib import Path
import pytest

from calc_py import api

from helpers import assert_matches, expected_bytes, shown_bytes, no_injected_script

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def differs(value, default) -> bool:
    return str(value) != str(default)


@pytest.fixture(scope="module")
def cat():
    return api.catalog()


def test_prerendered_default_without_javascript(probe):
    p = probe(java_script_enabled=False)
    page = p.open(wait_ready=False)
    assert page.get_attribute("html", "data-calc-state") == "loading"
    assert shown_bytes(page) == expected_bytes({})
    for part in ("weights", "kv_cache", "compute", "overhead", "total"):
        assert page.locator(f'[data-part="{part}"]').count() == 1
    assert page.locator("#gpu-rows tr").count() == len(api.compare_gpus(api.estimate_query({})["result"]))
    assert "GiB" in page.text_content('[data-part="total"]')
    assert "GB" in page.text_content('[data-part="total"]')


def test_prerendered_numbers_before_scripts_run(probe):
    p = probe()
    p.page.route("**/assets/app.*.js", lambda route: route.abort())  # the glue never arrives
    page = p.open(wait_ready=False)
    page.wait_for_selector('[data-part="total"][data-bytes]', state="attached")
    assert shown_bytes(page) == expected_bytes({})
    p.errors.clear()  # the aborted script is the point of this test


def test_ready_and_default_matches_python(probe):
    p = probe()
    page = p.open()
    assert shown_bytes(page) == expected_bytes({})
    assert page.text_content("#calc-status").strip()
    assert not p.errors, p.errors


def test_each_input_changes_numbers_like_calc_py(probe, cat):
    p = probe()
    page = p.open()
    d = cat["defaults"]
    query: dict[str, str] = {}

    def step(action, **changes):
        before = shown_bytes(page)
        action()
        p.wait_idle()
        query.update(changes)
        assert_matches(page, query)
        return before, shown_bytes(page)

    # custom mode (no model): the parameter count alone; number field, then slider
    shown_params = page.input_value("#in-params")
    step(lambda: page.fill("#in-model", ""), model="", params=shown_params)
    assert page.get_attribute("#in-params", "readonly") is None
    b, a = step(lambda: page.fill("#in-params", "13"), params="13")
    assert a != b
    b, a = step(lambda: set_range(page, "#in-params-range", "70"), params="70")
    assert a != b
    # quantization: a quick button and the full select
    quick = page.locator("button[data-quant]").all()
    target = next(x for x in quick if x.get_attribute("aria-pressed") == "false")
    qid = target.get_attribute("data-quant")
    b, a = step(target.click, quant=qid)
    assert a["weights"] != b["weights"]
    assert target.get_attribute("aria-pressed") == "true"
    other = next(o for o in page.eval_on_selector_all("#in-quant option", "os => os.map(o => o.value)")
                 if o != qid and api.estimate_query({**query, "quant": o})["result"]["weights_bytes"]
                 != a["weights"] and not api.estimate_query({**query, "quant": o})["notices"])
    b, a = step(lambda: page.select_option("#in-quant", other), quant=other)
    assert a["weights"] != b["weights"]
    # context: exact tokens, then the power-of-two slider
    b, a = step(lambda: page.fill("#in-context", "20000"), context="20000")
    assert a["kv_cache"] != b["kv_cache"]
    idx = int(page.get_attribute("#in-context-range", "max")) - 1
    stop = page.evaluate(f"""() => {{ const r = document.querySelector('#in-context-range');
        r.value = '{idx}'; r.dispatchEvent(new Event('input', {{bubbles: true}}));
        return document.querySelector('#in-context').value; }}""")
    p.wait_idle()
    query["context"] = stop
    assert_matches(page, query)
    assert int(stop) & (int(stop) - 1) == 0, "slider stops are powers of two"
    # engine, KV type, flash attention, batch, ubatch, GPU layers, GPU
    for sel, key in (("#in-engine", "engine"), ("#in-kv", "kv-cache"), ("#in-fa", "flash-attn")):
        values = page.eval_on_selector_all(f"{sel} option", "os => os.map(o => o.value)")
        value = next((v for v in values if differs(v, query.get(key, d.get(key)))
                      and not api.estimate_query({**query, key: v})["notices"]), None)
        if value is None:
            continue
        step(lambda: page.select_option(sel, value), **{key: value})
    for sel, key, value in (("#in-batch", "batch", "4"), ("#in-ubatch", "ubatch", "256"),
                            ("#in-layers", "gpu-layers", "10")):
        b, a = step(lambda: page.fill(sel, value), **{key: value})
        assert a != b, f"changing {key} changed nothing"
    gpu = next(g["id"] for g in cat["gpus"] if differs(g["id"], d.get("gpu")))
    step(lambda: page.select_option("#in-gpu", gpu), gpu=gpu)
    assert page.get_attribute("#fit", "data-fits") in ("true", "false")
    assert not p.errors, p.errors


def set_range(page, sel, value):
    page.evaluate(f"""() => {{ const r = document.querySelector('{sel}'); r.value = '{value}';
        r.dispatchEvent(new Event('input', {{bubbles: true}})); }}""")


def test_choosing_a_model_sets_architecture(probe, cat):
    p = probe()
    page = p.open()
    # leave the default model for the simple, params-only mode
    page.fill("#in-model", "")
    p.wait_idle()
    assert page.get_attribute("#in-params", "readonly") is None
    assert page.get_attribute("#mode-hint", "data-approximate") == "true"
    assert page.is_visible("#approx")
    page.fill("#in-params", "30")
    p.wait_idle()
    assert_matches(page, {"model": "", "params": "30"})
    # choose a catalog model: its architecture sets the numbers, params is read-only
    default_model = api.estimate_query({})["inputs"]["model"]
    mid = next(m["id"] for m in cat["models"] if m["id"] != default_model)
    page.fill("#in-model", mid)
    p.wait_idle()
    expected = api.estimate_query({"model": mid})["result"]
    assert page.get_attribute("#in-params", "readonly") is not None
    assert page.is_disabled("#in-params-range")
    assert float(page.input_value("#in-params")) == pytest.approx(expected["params"] / 1e9, abs=0.01)
    assert page.get_attribute("#mode-hint", "data-approximate") == "false"
    assert not page.is_visible("#approx")
    assert_matches(page, {"model": mid})
    assert not p.errors, p.errors


def test_gpu_list_marks_fit(probe, cat):
    p = probe()
    page = p.open()
    mid = cat["models"][min(len(cat["models"]) - 1, 3)]
    mid = mid["id"] if isinstance(mid, dict) else mid
    page.fill("#in-model", mid)
    p.wait_idle()
    query = {"model": mid}
    for vendor in ("", *sorted({g["vendor"] for g in cat["gpus"]})):
        if vendor:
            page.select_option("#in-vendor", vendor)
            p.wait_idle()
        want = api.compare_gpus(api.estimate_query(query)["result"], vendor or None)
        rows = page.eval_on_selector_all(
            "#gpu-rows tr", "rs => rs.map(r => [r.dataset.gpu, r.dataset.fits, r.dataset.headroomBytes])")
        assert rows == [[g["id"], "true" if g["fits"] else "false", str(g["headroom_bytes"])] for g in want]
    assert not p.errors, p.errors


def test_pending_while_computing(probe):
    p = probe()
    page = p.open()
    busy = page.evaluate("""() => { const c = document.querySelector('#in-context');
        c.value = '8192'; c.dispatchEvent(new Event('input', {bubbles: true}));
        return document.querySelector('#results').getAttribute('aria-busy'); }""")
    assert busy == "true", "a result being recomputed must not look current"
    p.wait_idle()
    assert_matches(page, {"context": "8192"})


def test_url_query_is_read(probe, cat):
    mid = cat["models"][0]["id"] if isinstance(cat["models"][0], dict) else cat["models"][0]
    query = {"model": mid, "context": "16384"}
    p = probe()
    page = p.open(f"?model={mid}&context=16384")
    assert shown_bytes(page) == expected_bytes(query)
    assert page.input_value("#in-model") == api.estimate_query(query)["inputs"]["model"]
    assert not p.errors, p.errors


def test_hostile_query_shows_defaults_and_notice(probe):
    p = probe()
    dialogs = []
    p.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    hostile = {"model": "<script>alert(1)</script>", "context": "99999999999"}
    page = p.open("?model=<script>alert(1)</script>&context=99999999999")
    answer = api.estimate_query(hostile)
    assert answer["notices"], "calc_py reports the bad inputs"
    assert shown_bytes(page) == expected_bytes(hostile) == expected_bytes({})
    assert page.is_visible("#notices")
    assert page.locator("#notices li").count() == len(answer["notices"])
    assert page.text_content("#notices").strip()
    assert no_injected_script(page)
    assert page.locator("#notices *:not(li)").count() == 0
    assert not dialogs
    assert "<script>" not in page.inner_html("body").replace("&lt;script&gt;", "")
    assert not p.errors, p.errors


def test_no_request_leaves_the_origin(probe, base_url):
    p = probe()
    page = p.open()
    page.fill("#in-context", "65536")
    p.wait_idle()
    assert p.requests
    outside = [u for u in p.requests if not (u.startswith(base_url + "/") or u.startswith("data:"))]
    assert not outside, outside
    assert not p.errors, p.errors


def test_embed_posts_height(probe, base_url):
    p = probe()
    # a parent page that frames embed.html and records the messages it gets
    p.page.set_content(
        "<script>window.heights = []; addEventListener('message', e => heights.push(e.data));</script>"
        f"<iframe src='{base_url}/embed.html?context=8192' width='400' height='300'></iframe>")
    p.page.wait_for_function("() => window.heights.some(h => h && h.height > 0)", timeout=120_000)
    frame = p.page.frames[1]
    frame.wait_for_selector("html[data-calc-state=ready]", state="attached", timeout=120_000)
    frame.wait_for_selector("#results[aria-busy=false]", state="attached")
    assert shown_bytes(frame) == expected_bytes({"context": "8192"})
    assert not p.errors, p.errors


def test_phone_width_and_screenshot(probe, cat, tmp_path):
    """The README's screenshot is this page; UPDATE_SCREENSHOT=1 writes it to docs/ (a test
    run leaves the checkout as it was)."""
    p = probe()
    page = p.open()
    mid = next((m["id"] for m in cat["models"] if isinstance(m, dict) and m.get("popular")),
               cat["models"][0]["id"] if isinstance(cat["models"][0], dict) else cat["models"][0])
    page.fill("#in-model", mid)
    p.wait_idle()
    gpu = next((g["id"] for g in cat["gpus"] if g["id"] == "rtx-4090"), cat["gpus"][0]["id"])
    page.select_option("#in-gpu", gpu)
    p.wait_idle()
    assert_matches(page, {"model": mid, "gpu": gpu})
    shot = ROOT / "docs" / "screenshot.png" if os.environ.get("UPDATE_SCREENSHOT") else tmp_path / "shot.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    page.set_viewport_size({"width": 360, "height": 800})
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than a 360px phone"
    assert not p.errors, p.errors



def test_speed_follows_the_inputs(probe):
    """Choosing a card shows calc_py's speed line for it, and changing the quantization
    rewrites it; each GPU row shows that card's decode speed (site_src/view.py, as the worker
    computes it)."""
    import json
    from site_src import view
    from helpers import url_query
    p = probe()
    page = p.open("?model=meta-llama/Llama-3.1-8B")
    assert page.is_hidden("#speed"), "no card chosen: no speed"
    for quant in ("Q4_K_M", "Q8_0"):
        page.select_option("#in-gpu", "rtx-4090")
        page.select_option("#in-quant", quant)
        p.wait_idle()
        want = json.loads(view.run(json.dumps(url_query(page.url))))
        assert want["speed"]["shown"]
        assert page.is_visible("#speed")
        assert page.text_content("#speed-text") == want["speed"]["text"]
        assert page.get_attribute("#speed-link", "href") == want["speed"]["href"]
        rows = page.eval_on_selector_all(
            "#gpu-rows tr", "rs => rs.map(r => [r.dataset.gpu, r.cells[5].textContent])")
        assert rows == [[g["id"], g["speed"]] for g in want["gpus"]]
        assert any(s != "–" for _, s in rows), "cards that hold the model show a speed"
    assert not p.errors, p.errors
