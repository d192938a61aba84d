"""The GGUF file picker: a header-only GGUF chosen on the page gives exactly the
numbers `calc_py.api.estimate_query(query, gguf=bytes)` gives here; later input
changes recompute from the same bytes; a header cut short is a visible error
with the old numbers marked not current; "clear" returns to the model picker.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("gguf")
pytest.importorskip("numpy")

from calc_py import api  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from test_gguf_file import _header_only_gguf  # noqa: E402

from helpers import expected_bytes, shown_bytes, url_query  # noqa: E402

pytestmark = pytest.mark.browser

MODEL = "Qwen/Qwen3-0.6B"
RESULTS = "#results [data-part]"  # the numbers of the results panel


def wait_file_state(page, state: str) -> None:
    page.wait_for_selector(f"html[data-gguf-state={state}]", state="attached", timeout=60_000)


@pytest.fixture(scope="module")
def header(tmp_path_factory) -> Path:
    return _header_only_gguf(tmp_path_factory.mktemp("gguf") / "qwen3-0.6b-Q4_K_M.gguf", MODEL, "Q4_K_M")


def test_gguf_file_replaces_the_model_and_clear_returns(probe, header, tmp_path):
    data = header.read_bytes()
    p = probe()
    page = p.open("?context=16384")
    before = shown_bytes(page, RESULTS)
    assert before == expected_bytes({"context": "16384"})
    assert page.is_enabled("#in-gguf")
    assert page.is_hidden("#gguf-clear") and page.is_hidden("#link-note")

    # 1. the file: its numbers, its name in the model picker, its type in the quant select
    page.set_input_files("#in-gguf", str(header))
    wait_file_state(page, "ready")
    p.wait_idle()
    result = api.estimate_query({"context": "16384"}, "en", gguf=data)["result"]
    assert shown_bytes(page, RESULTS) == expected_bytes({"context": "16384"}, data)
    assert page.is_disabled("#in-model") and page.is_disabled("#in-params") and page.is_disabled("#in-quant")
    assert page.input_value("#in-model") == result["model"]["name"]
    assert page.input_value("#in-quant") == result["inputs"]["quant"] == "Q4_K_M"
    assert page.get_attribute("#results", "data-stale") == "false"
    # the URL cannot hold the file: no model= (nor params/quant), and the page says so
    query = url_query(page.url)
    assert "model" not in query and "params" not in query and "quant" not in query
    assert query.get("context") == "16384"
    assert page.is_visible("#link-note") and page.is_visible("#gguf-clear")
    assert "model=" not in page.input_value("#permalink")

    # 2. another input: recomputed from the same bytes, without reading the file again
    page.fill("#in-context", "65536")
    p.wait_idle()
    assert shown_bytes(page, RESULTS) == expected_bytes({"context": "65536"}, data)
    assert page.input_value("#in-model") == result["model"]["name"]

    # 3. a header cut short: a visible error, the previous numbers marked not current
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(data[:1000])
    page.set_input_files("#in-gguf", str(cut))
    wait_file_state(page, "error")
    p.wait_idle()
    assert page.is_visible("#gguf-error")
    assert "truncated" in page.text_content("#gguf-error")
    assert page.get_attribute("#results", "data-stale") == "true"
    assert page.is_visible("#results .stale-tag")
    # back on the model picker (nothing computed for the bad file)
    assert page.is_enabled("#in-model") and page.is_enabled("#in-quant")

    # 4. clear: the model's numbers for the inputs on screen
    page.click("#gguf-clear")
    wait_file_state(page, "none")
    p.wait_idle()
    assert page.get_attribute("#results", "data-stale") == "false"
    assert page.is_hidden("#gguf-error") and page.is_hidden("#link-note")
    assert page.input_value("#in-model") == api.DEFAULTS["model"]
    assert shown_bytes(page, RESULTS) == expected_bytes({"context": "65536"})
    query = url_query(page.url)
    assert query.get("model") == api.DEFAULTS["model"] and query.get("context") == "65536"
    assert not p.errors, p.errors


def test_clear_after_a_good_file(probe, header):
    data = header.read_bytes()
    p = probe()
    page = p.open()
    page.set_input_files("#in-gguf", str(header))
    wait_file_state(page, "ready")
    p.wait_idle()
    assert shown_bytes(page, RESULTS) == expected_bytes({}, data)
    page.click("#gguf-clear")
    wait_file_state(page, "none")
    p.wait_idle()
    assert shown_bytes(page, RESULTS) == expected_bytes({})
    assert page.is_enabled("#in-model") and page.is_enabled("#in-quant")
    assert page.input_value("#in-quant") == api.DEFAULTS["quant"]
    assert not p.errors, p.errors


def test_no_file_picker_in_the_embed(probe):
    p = probe()
    page = p.open(path="embed.html")
    assert page.locator("#in-gguf").count() == 0
    assert not p.errors, p.errors
