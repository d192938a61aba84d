"""Permalinks: every input lives in the URL query, a permalink restores every input
and result, the URL follows the inputs without new history entries, "Copy link"
copies it, and hostile values fall back to defaults without injecting anything."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest

from calc_py import api, i18n

from helpers import expected_bytes, shown_bytes, url_query, no_injected_script

pytestmark = pytest.mark.browser

FIELDS = {"model": "#in-model", "params": "#in-params", "quant": "#in-quant", "context": "#in-context",
          "engine": "#in-engine", "batch": "#in-batch", "ubatch": "#in-ubatch", "flash-attn": "#in-fa",
          "kv-cache": "#in-kv", "gpu-layers": "#in-layers", "gpu": "#in-gpu-value", "ram": "#in-ram",
          "fit": "#in-fit", **{k: f"#in-{k}" for k in ("tensor-split", "split-mode", "main-gpu", "n-cpu-moe",
                                                        "cpu-moe", "override-tensor", "fit-target", "no-mmap")}}
#: every key the page has a field for (pipeline-parallel is vLLM's, set from the URL only)
KEYS = tuple(k for k in api.KEYS if k in FIELDS)
# every key away from its default (api.DEFAULTS); params only counts without a model
ALL_SET = {"model": "Qwen/Qwen2.5-7B-Instruct", "params": "13", "quant": "Q5_K_M", "context": "12288",
           "engine": "ollama", "batch": "2", "ubatch": "256", "flash-attn": "on", "kv-cache": "q8_0",
           "gpu-layers": "20", "gpu": "rtx-3090", "ram": "64", "tensor-split": "1", "n-cpu-moe": "0",
           "override-tensor": "output\\.weight=CPU", "fit-target": "2048", "no-mmap": "on"}


def shown_inputs(page) -> dict[str, str]:
    return {key: page.input_value(sel) for key, sel in FIELDS.items()}


def permalink_of(inputs: dict[str, str]) -> dict[str, str]:
    """What the page writes: every input calc_py settled on; empty ones (engine
    defaults) left out, except model= (empty: parameter count only)."""
    return {k: v for k, v in inputs.items() if v != "" or k == "model"}


@pytest.mark.parametrize("query", [
    ALL_SET,                                   # a catalog model (params is the model's own)
    {**ALL_SET, "model": ""},                  # no model: the parameter count decides
], ids=["model", "custom"])
def test_permalink_round_trips_every_input(probe, query):
    assert all(str(query[k]) != api.DEFAULTS[k] for k in query if k != "model" or query[k])
    answer = api.estimate_query(query)
    assert answer["notices"] == []
    inputs = answer["inputs"]
    p = probe()
    page = p.open("?" + urlencode(query))
    assert shown_bytes(page) == expected_bytes(query)
    shown = shown_inputs(page)
    for key in KEYS:
        if key == "params" and inputs["model"]:
            # the model's own count, read-only
            assert page.get_attribute("#in-params", "readonly") is not None
            assert float(shown["params"]) == pytest.approx(answer["result"]["params"] / 1e9, abs=0.01)
        else:
            assert shown[key] == inputs[key], key
    # the URL (and the permalink field) now name every input
    assert url_query(page.url) == permalink_of(inputs)
    assert page.input_value("#permalink") == page.url
    link = page.url
    # the permalink, opened afresh, restores the same inputs and numbers
    q = probe()
    again = q.open("?" + urlsplit(link).query)
    assert shown_inputs(again) == shown
    assert shown_bytes(again) == expected_bytes(url_query(link)) == expected_bytes(query)
    assert url_query(again.url) == url_query(link)
    assert not p.errors and not q.errors, p.errors + q.errors


def test_inputs_update_the_url_without_history_entries(probe):
    p = probe()
    page = p.open()
    length = page.evaluate("history.length")
    for step in range(6):   # slider steps, as a person dragging it
        page.evaluate(f"""() => {{ const r = document.querySelector('#in-context-range');
            r.value = '{step}'; r.dispatchEvent(new Event('input', {{bubbles: true}})); }}""")
        p.wait_idle()
        context = page.input_value("#in-context")
        assert url_query(page.url)["context"] == context
        assert shown_bytes(page) == expected_bytes(url_query(page.url))
    page.fill("#in-batch", "3")
    p.wait_idle()
    assert url_query(page.url)["batch"] == "3"
    assert page.evaluate("history.length") == length
    assert not p.errors, p.errors


def test_copy_link_copies_the_permalink(probe, base_url):
    p = probe(permissions=["clipboard-read", "clipboard-write"])
    page = p.open("?context=32768&gpu=rtx-3090")
    page.fill("#in-batch", "2")
    p.wait_idle()
    page.click("#copy-link")
    page.wait_for_function("() => document.querySelector('#copy-status').textContent !== ''")
    assert page.text_content("#copy-status") == i18n.t("site.js.copy.done")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url == page.input_value("#permalink")
    assert url_query(copied)["batch"] == "2" and url_query(copied)["context"] == "32768"
    # the field holds the link selected, for copying by hand where the clipboard is refused
    assert page.evaluate("""() => { const f = document.querySelector('#permalink');
        return document.activeElement === f && f.selectionEnd - f.selectionStart === f.value.length; }""")
    assert not p.errors, p.errors


HOSTILE = {
    "script": {"model": "<script>window.__pwned = 1</script>"},
    "attribute": {"model": '"><img src=x onerror="window.__pwned=1">', "gpu": "'><img src=x onerror=alert(1)>"},
    "huge numbers": {"context": "9" * 400, "batch": "1e308", "params": "1e999", "gpu-layers": "-99999999999"},
    "unknown model": {"model": "no-such/model-xyz", "quant": "Q99_K", "engine": "<b>x</b>"},
    "10 kB": {"model": "A" * 10_000, "kv-cache": "<" * 10_000, "ubatch": "1" * 10_000},
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_values_show_defaults_and_a_notice(probe, name):
    query = HOSTILE[name]
    answer = api.estimate_query(query)
    assert answer["notices"], "calc_py reports the bad inputs"
    p = probe()
    dialogs: list[str] = []
    p.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page = p.open("?" + urlencode(query))
    page.wait_for_timeout(300)   # let any injected handler fire
    assert shown_bytes(page) == expected_bytes(query)
    for key in query:
        if key in FIELDS and key != "params":
            assert page.input_value(FIELDS[key]) == answer["inputs"][key], key
    assert page.is_visible("#notices")
    assert page.locator("#notices li").count() == len(answer["notices"])
    assert page.locator("#notices *:not(li)").count() == 0
    assert page.locator("img").count() == 0
    assert no_injected_script(page)
    assert page.evaluate("window.__pwned") is None
    assert not dialogs
    # the URL now carries the defaults that were used, not the hostile text
    assert url_query(page.url) == permalink_of(answer["inputs"])
    assert not p.errors, p.errors
