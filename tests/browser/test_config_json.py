"""config.json on the page: pasted, dropped or picked, it gives exactly the total of
`python -m calc_py estimate --config FILE` (the CLI, a separate process); a broken
or hostile config gives one message, no injected element, and the previous answer
stays; a link carries the fields calc_py reads in its fragment and reproduces the
custom model's answer in a fresh browser context."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from calc_py import api

from helpers import shown_bytes, url_query

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
RESULTS = "#results [data-part]"
# the page's defaults, spelled out for the CLI
PAGE_FLAGS = ["--quant", api.DEFAULTS["quant"], "--context", api.DEFAULTS["context"],
              "--gpu", api.DEFAULTS["gpu"]]

# A Qwen3-8B config.json as its repository has it (aiconfigurator's verbatim copy).
QWEN3_8B = {
    "architectures": ["Qwen3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
    "bos_token_id": 151643, "eos_token_id": 151645, "head_dim": 128, "hidden_act": "silu",
    "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 12288,
    "max_position_embeddings": 40960, "max_window_layers": 36, "model_type": "qwen3",
    "num_attention_heads": 32, "num_hidden_layers": 36, "num_key_value_heads": 8,
    "rms_norm_eps": 1e-06, "rope_scaling": None, "rope_theta": 1000000, "sliding_window": None,
    "tie_word_embeddings": False, "torch_dtype": "bfloat16", "transformers_version": "4.51.0",
    "use_cache": True, "use_sliding_window": False, "vocab_size": 151936,
}


def cli_total(path: Path) -> int:
    """total_bytes as the command line computes it for this file (another process)."""
    out = subprocess.run([sys.executable, "-m", "calc_py", "estimate", "--config", str(path),
                          *PAGE_FLAGS, "--json"], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(json.loads(out.stdout)["total_bytes"])


def wait_config(page, state: str) -> None:
    page.wait_for_selector(f"html[data-config-state={state}]", state="attached", timeout=60_000)
    page.wait_for_selector("#results[aria-busy=false]", state="attached", timeout=60_000)


def total(page) -> int:
    return shown_bytes(page, RESULTS)["total"]


def paste(page, text: str) -> None:
    """A real paste (clipboard + Ctrl+V) into the config box."""
    page.evaluate("t => navigator.clipboard.writeText(t)", text)
    page.fill("#in-config", "")
    page.focus("#in-config")
    page.keyboard.press("Control+V")


def drop(page, text: str, name: str = "config.json") -> None:
    """A file dropped on the config box (a DataTransfer holding one File)."""
    dt = page.evaluate_handle("""([t, n]) => { const dt = new DataTransfer();
        dt.items.add(new File([t], n, {type: 'application/json'})); return dt; }""", [text, name])
    page.dispatch_event("#field-config", "drop", {"dataTransfer": dt})


@pytest.fixture(scope="module")
def config_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "config.json"
    path.write_text(json.dumps(QWEN3_8B, indent=2), encoding="utf-8")
    return path


def clipboard_probe(probe):
    p = probe(permissions=["clipboard-read", "clipboard-write"])
    return p


def test_pasted_dropped_and_picked_configs_give_the_cli_total(probe, config_file):
    expected = cli_total(config_file)
    text = config_file.read_text(encoding="utf-8")
    p = clipboard_probe(probe)
    page = p.open()
    default_total = total(page)
    assert default_total != expected

    paste(page, text)
    wait_config(page, "ready")
    assert total(page) == expected
    status = page.text_content("#config-status")
    assert "qwen3" in status and "8.19" in status            # the architecture and its count
    assert "defaulted" in status or "none was defaulted" in status
    assert page.is_disabled("#in-model") and page.input_value("#in-model") == "config.json (qwen3)"

    page.click("#config-clear")
    wait_config(page, "none")
    assert total(page) == default_total
    assert page.input_value("#in-model") == api.DEFAULTS["model"]

    drop(page, text, "qwen3-8b-config.json")
    wait_config(page, "ready")
    assert total(page) == expected
    assert "qwen3-8b-config.json" in page.text_content("#config-status")

    page.click("#config-clear")
    wait_config(page, "none")
    page.set_input_files("#in-config-file", str(config_file))
    wait_config(page, "ready")
    assert total(page) == expected
    # another input recomputes with the same config
    page.fill("#in-context", "32768")
    p.wait_idle()
    cli32 = subprocess.run([sys.executable, "-m", "calc_py", "estimate", "--config", str(config_file),
                            "--quant", "Q4_K_M", "--context", "32768", "--gpu", "rtx-4090", "--json"],
                           cwd=ROOT, capture_output=True, text=True, check=True)
    assert total(page) == json.loads(cli32.stdout)["total_bytes"]
    assert not p.errors, p.errors


def bad_configs() -> list[tuple[str, str]]:
    """Broken and hostile config.json texts: fixed ones, and a seeded handful made by
    breaking one field of a good config at a time."""
    fixed = [
        ("not json", "{ this is not json"),
        ("array", "[1, 2, 3]"),
        ("markup model_type", json.dumps({**QWEN3_8B, "model_type": '<img src=x onerror="window.__pwned=1">'})),
        ("script in a size", json.dumps({**QWEN3_8B, "hidden_size": "<script>window.__pwned=1</script>"})),
        ("nan", json.dumps(QWEN3_8B).replace('"hidden_size": 4096', '"hidden_size": NaN')),
        ("deep nesting", "[" * 5000 + "]" * 5000),
        ("no model_type", json.dumps({k: v for k, v in QWEN3_8B.items() if k != "model_type"})),
        ("huge", json.dumps({**QWEN3_8B, "num_hidden_layers": 10**40})),
    ]
    rng = random.Random(13)
    required = ["num_hidden_layers", "hidden_size", "vocab_size", "num_attention_heads"]
    poison = [-1, 0, 1e308, True, "<b onmouseover=alert(1)>x</b>", [], {"x": "<svg onload=alert(1)>"}]
    fuzzed = []
    for i in range(4):
        cfg = dict(QWEN3_8B)
        cfg[rng.choice(required)] = rng.choice(poison)
        fuzzed.append((f"fuzz {i}", json.dumps(cfg)))
    return fixed + fuzzed


INJECTED = """() => ({
  pwned: window.__pwned !== undefined,
  imgs: document.querySelectorAll('img, script:not([src]), svg[onload], b[onmouseover]').length,
  error_children: document.querySelector('#config-error').children.length,
})"""


def test_broken_and_hostile_configs_give_a_message_and_keep_the_answer(probe):
    p = probe()
    page = p.open("?context=16384")
    before = shown_bytes(page, RESULTS)
    clean = page.evaluate(INJECTED)
    assert clean["pwned"] is False and clean["error_children"] == 0
    for name, text in bad_configs():
        page.fill("#in-config", text)
        page.click("#config-use")
        wait_config(page, "error")
        error = page.text_content("#config-error")
        assert page.is_visible("#config-error"), name
        assert "qwen3" in error and "llama" in error, (name, error)   # says what is supported
        assert shown_bytes(page, RESULTS) == before, name              # the previous answer stays
        assert page.get_attribute("#results", "data-stale") == "false", name
        assert page.evaluate(INJECTED) == clean, name                  # nothing injected
        assert page.is_enabled("#in-model"), name                      # back on the model picker
        assert url_query(page.url).get("context") == "16384" and "#" not in page.url, name
    assert not p.errors, p.errors


def test_a_shared_fragment_link_reproduces_the_custom_model(probe, config_file):
    expected = cli_total(config_file)
    p = probe()
    page = p.open("?context=8192")
    page.set_input_files("#in-config-file", str(config_file))
    wait_config(page, "ready")
    p.wait_idle()
    link = page.url
    parts = urlsplit(link)
    assert parts.fragment.startswith("config=c1.")
    assert "model" not in url_query(link) and "params" not in url_query(link)   # not in the query
    assert page.input_value("#permalink") == link
    note = page.text_content("#config-link-note")
    assert page.is_visible("#config-link-note") and "hidden_size" in note and "#" in note
    # a fresh browser context (no storage shared) opens the link
    q = probe()
    again = q.open("?" + parts.query + "#" + parts.fragment)
    wait_config(again, "ready")
    assert total(again) == expected
    assert again.input_value("#in-model") == "config.json (qwen3)"
    assert again.url == link
    assert not p.errors and not q.errors, p.errors + q.errors


def test_a_hostile_fragment_is_a_message(probe):
    p = probe()
    clean = p.open().evaluate(INJECTED)
    q = probe()
    page = q.open("#config=c1.%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    wait_config(page, "error")
    assert "could not be used" in page.text_content("#config-error")
    assert page.evaluate(INJECTED) == clean
    assert shown_bytes(page, RESULTS)["total"] == api.estimate_query({})["result"]["total_bytes"]
    assert not p.errors and not q.errors, p.errors + q.errors


# google/gemma-3-4b-it's config.json (tt-metal's verbatim copy, models/demos/gemma3/model_params/
# gemma-3-4b-it/config.json): text_config + vision_config, several fields left to transformers
GEMMA3_4B_IT = {
    "architectures": ["Gemma3ForConditionalGeneration"], "boi_token_index": 255999, "eoi_token_index": 256000,
    "eos_token_id": [1, 106], "image_token_index": 262144, "mm_tokens_per_image": 256, "model_type": "gemma3",
    "text_config": {"hidden_size": 2560, "intermediate_size": 10240, "model_type": "gemma3_text",
                    "num_hidden_layers": 34, "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
                    "sliding_window": 1024},
    "torch_dtype": "bfloat16",
    "vision_config": {"hidden_size": 1152, "image_size": 896, "intermediate_size": 4304,
                      "model_type": "siglip_vision_model", "num_attention_heads": 16, "num_hidden_layers": 27,
                      "patch_size": 14, "vision_use_head": False},
}


def test_multimodal_config_counts_the_language_model_and_says_so(probe, tmp_path):
    file = tmp_path / "config.json"
    file.write_text(json.dumps(GEMMA3_4B_IT), encoding="utf-8")
    p = probe()
    page = p.open()
    page.set_input_files("#in-config-file", str(file))
    wait_config(page, "ready")
    assert total(page) == cli_total(file)
    status = page.text_content("#config-status")
    assert "gemma3" in status
    # the vision encoder is counted only with a chosen projector (none is chosen here)
    assert "vision encoder" in status and "counted only when" in status and "mmproj" in status
    assert "vocab_size" in status and "transformers" in status       # a field it defaulted, and from where
    p.wait_idle()
    # the link keeps saying so
    q = probe()
    again = q.open("?" + urlsplit(page.url).query + "#" + urlsplit(page.url).fragment)
    wait_config(again, "ready")
    assert total(again) == total(page) and "mmproj" in again.text_content("#config-status")
    assert not p.errors and not q.errors, p.errors + q.errors


def test_the_embed_takes_a_config_unless_locked(probe):
    p = probe()
    page = p.open(path="embed.html")
    assert page.locator("#in-config").count() == 1 and page.is_enabled("#in-config")
    locked = probe().open("?lock=model", path="embed.html", wait_ready=False)
    locked.wait_for_selector("#config-more[hidden]", state="attached", timeout=60_000)
    assert not p.errors, p.errors
