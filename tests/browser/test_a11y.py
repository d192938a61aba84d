"""axe-core's WCAG 2.x A and AA rules find nothing on any page type of the site, in
every language and in both colour schemes (prefers-color-scheme light and dark):
the calculator (as it loads, after a change, with a GGUF file in use, with a
whole machine and its --fit plan, with a bad input and with a broken file), the embed, a model page, a GPU page, the indexes,
the accuracy rows and every doc.

One browser context per language; each page is loaded once and checked in both
schemes (the scheme is switched with emulate_media, no reload)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from site_pages import axe_violations, languages, serve_axe, static_pages

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCHEMES = ("light", "dark")
MODEL = "Qwen/Qwen3-0.6B"


def check_schemes(page, label: str) -> list[str]:
    found = []
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        found += axe_violations(page, f"{label} [{scheme}]")
    return found


@pytest.fixture
def a11y_probe(probe):
    def make(**options):
        p = probe(**options)
        serve_axe(p.context)
        return p
    return make


@pytest.mark.parametrize("lang", languages())
def test_static_pages_have_no_wcag_violations(a11y_probe, lang):
    p = a11y_probe(java_script_enabled=True)
    found = []
    for path in static_pages(lang):
        p.page.goto(f"{p.base_url}/{path}")
        found += check_schemes(p.page, path)
    assert not found, "\n".join(found)
    assert not p.errors, p.errors


@pytest.fixture(scope="module")
def gguf_header(tmp_path_factory) -> Path | None:
    try:
        sys.path.insert(0, str(ROOT / "tests"))
        from test_gguf_file import _header_only_gguf
    except ImportError:         # the gguf writer package is a test requirement
        pytest.fail("tests need the gguf package (requirements-dev.txt)")
    return _header_only_gguf(tmp_path_factory.mktemp("gguf") / "qwen3-0.6b-Q4_K_M.gguf", MODEL, "Q4_K_M")


@pytest.mark.parametrize("lang", languages())
def test_calculator_has_no_wcag_violations_in_any_state(a11y_probe, lang, gguf_header, tmp_path):
    from site_src import pages as P
    p = a11y_probe()
    page = p.open(path=P.localized("index.html", lang))
    index = P.localized("index.html", lang)
    found = check_schemes(page, f"{index} default")
    # after a change (a GPU chosen, so the fit verdict and the GPU table's marks show)
    page.select_option("#in-gpu", "rtx-3060-12gb")
    page.fill("#in-context", "131072")
    p.wait_idle()
    found += check_schemes(page, f"{index} changed")
    # a GGUF file in use
    page.set_input_files("#in-gguf", str(gguf_header))
    page.wait_for_selector("html[data-gguf-state=ready]", state="attached", timeout=60_000)
    p.wait_idle()
    found += check_schemes(page, f"{index} gguf")
    # a broken file: the error, the old numbers marked not current
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(gguf_header.read_bytes()[:1000])
    page.set_input_files("#in-gguf", str(cut))
    page.wait_for_selector("#gguf-error:not([hidden])", timeout=60_000)
    found += check_schemes(page, f"{index} gguf error")
    # a whole machine: two cards and RAM, the per-device table and bars, the --fit plan
    page = p.open("?model=Qwen/Qwen3-30B-A3B&gpu=2xrtx-3060-12gb&ram=64&fit=on&context=32768", path=index)
    page.click("#machine-flags > summary")
    page.wait_for_selector("#plan:not([hidden])", state="visible")
    assert page.is_visible("#devices")
    found += check_schemes(page, f"{index} machine and plan")
    # a value the calculator cannot use: replaced by its default, with a notice
    page = p.open("?context=abc&gpu=no-such-gpu", path=index)
    page.wait_for_selector("#notices:not([hidden])", state="attached")
    found += check_schemes(page, f"{index} bad input")
    assert not found, "\n".join(found)
    assert not p.errors, p.errors


@pytest.mark.parametrize("lang", languages())
def test_embed_has_no_wcag_violations(a11y_probe, lang):
    from site_src import pages as P
    p = a11y_probe()
    embed = P.localized("embed.html", lang)
    page = p.open("?model=meta-llama/Llama-3.1-8B&gpu=rtx-4090", path=embed)
    found = check_schemes(page, embed)
    page.click("#more-settings > summary")
    found += check_schemes(page, f"{embed} settings open")
    for theme in ("light", "dark"):     # the embedding page's choice, whatever the reader's scheme
        p.open(f"?theme={theme}&lock=model", path=embed)
        found += check_schemes(page, f"{embed} theme={theme}")
    assert not found, "\n".join(found)
    assert not p.errors, p.errors
