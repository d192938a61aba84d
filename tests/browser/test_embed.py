"""Embedding: the full page's "Embed this calculator" code, pasted into a page served
from another origin (a second http.server on 127.0.0.1), frames the calculator; the
parent's embed-resize.js receives the frame's {height} messages and sizes the frame;
the framed calculator's numbers are calc_py's for the code's query; its options
(lock=model, theme=, lang=) apply."""
from __future__ import annotations

import html
import re
import shutil
from urllib.parse import urlsplit

import pytest

from calc_py import api, i18n

from conftest import READY_TIMEOUT_MS, serve
from helpers import expected_bytes, shown_bytes, url_query, wait_calc_ready, no_injected_script

pytestmark = pytest.mark.browser

KEYS = set(api.KEYS)

RECORDER = """
window.heights = [];
addEventListener("message", (e) => {
  const frame = document.querySelector("iframe");
  if (e.source === frame.contentWindow) window.heights.push({origin: e.origin, data: e.data});
});
"""


def inputs_of(url: str) -> dict[str, str]:
    return {k: v for k, v in url_query(url).items() if k in KEYS}


def iframe_height(page) -> float:
    return page.evaluate("() => document.querySelector('iframe').getBoundingClientRect().height")


@pytest.fixture
def parent_site(tmp_path, site_dir):
    """Another origin: a second server on 127.0.0.1, another port, for the embedding page."""
    folder = tmp_path / "blog"
    folder.mkdir()
    shutil.copyfile(site_dir / "embed-resize.js", folder / "embed-resize.js")  # the blogger's copy
    (folder / "record.js").write_text(RECORDER, encoding="utf-8")
    server, url = serve(folder)
    yield folder, url
    server.shutdown()


def snippet_from_full_page(probe, query: str, lock: bool, theme: str) -> str:
    p = probe()
    page = p.open(query)
    page.fill("#in-batch", "2")     # a change made on the page is in the code too
    p.wait_idle()
    if lock:
        page.check("#embed-lock")
    page.select_option("#embed-theme", theme)
    code = page.input_value("#embed-code")
    assert code and page.locator("#embed-copy").is_enabled()
    assert not p.errors, p.errors
    return code


def test_snippet_embeds_the_calculator_in_another_origin(probe, parent_site, base_url):
    folder, parent_url = parent_site
    code = snippet_from_full_page(probe, "?model=Qwen/Qwen2.5-7B-Instruct&context=16384&gpu=rtx-3090",
                                  lock=True, theme="dark")
    iframe = re.search(r"<iframe [^>]*></iframe>", code).group(0)
    src = html.unescape(re.search(r'src="([^"]+)"', iframe).group(1))
    assert src.startswith(base_url + "/embed.html?")
    query = inputs_of(src)
    assert query["model"] == "Qwen/Qwen2.5-7B-Instruct" and query["batch"] == "2"
    assert url_query(src)["lock"] == "model"
    assert url_query(src)["theme"] == "dark"
    assert 'data-llm-vram-calc' in iframe and "<script" not in iframe
    assert f'src="{base_url}/embed-resize.js"' in code
    # the blogger pastes the code and serves the resize script from their own site
    pasted = code.replace(f"{base_url}/embed-resize.js", "embed-resize.js")
    (folder / "parent.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>blog</title><link rel='icon' href='data:,'>"
        "<script src='record.js'></script></head><body><h1>My post</h1>\n"
        f"{pasted}\n<p>after the frame</p></body></html>", encoding="utf-8")

    p = probe()
    page = p.page
    page.goto(f"{parent_url}/parent.html")
    before = iframe_height(page)
    page.wait_for_function("() => window.heights.length > 0", timeout=READY_TIMEOUT_MS)
    embedded = next(f for f in page.frames if f.url.startswith(base_url))
    wait_calc_ready(embedded)
    # the frame's numbers are calc_py's for the code's query
    assert shown_bytes(embedded) == expected_bytes(query)
    assert embedded.input_value("#in-batch") == "2"
    # messages come from the calculator's origin, and only carry a height
    messages = page.evaluate("window.heights")
    assert all(m["origin"] == base_url and set(m["data"]) == {"height"} for m in messages)
    # the parent's script applied the last height
    page.wait_for_function("""() => { const h = window.heights[window.heights.length - 1].data.height;
        return Math.abs(document.querySelector('iframe').getBoundingClientRect().height - h) < 1; }""")
    first = iframe_height(page)
    assert first != before
    # the frame grows with its content (the folded engine and machine settings opened: together
    # taller than the result beside them at any width), and so does the iframe
    count = len(page.evaluate("window.heights"))
    embedded.click("#more-settings summary")
    embedded.click("#machine-more summary")
    page.wait_for_function(f"() => window.heights.length > {count}")
    page.wait_for_function(f"""() => document.querySelector('iframe').getBoundingClientRect().height > {first}
        && Math.abs(document.querySelector('iframe').getBoundingClientRect().height
                    - window.heights[window.heights.length - 1].data.height) < 1""")
    # no scrollbar needed inside the frame
    assert embedded.evaluate("() => document.documentElement.scrollHeight <= innerHeight + 1")
    # options: the model picker is hidden (the model still counts), the theme is dark
    assert not embedded.is_visible("#in-model")
    assert embedded.input_value("#in-model") == "Qwen/Qwen2.5-7B-Instruct"
    assert "theme-dark" in embedded.get_attribute("html", "class")
    assert embedded.evaluate("() => getComputedStyle(document.documentElement).colorScheme") == "dark"
    # an input change in the frame recomputes there, and the full-calculator link follows it
    embedded.fill("#in-context", "4096")
    embedded.wait_for_selector("#results[aria-busy=false]", state="attached")
    want = {**query, "context": "4096"}
    assert shown_bytes(embedded) == expected_bytes(want)
    link = embedded.get_attribute("#embed-open", "href")
    assert link.startswith(base_url + "/index.html?")
    assert api.estimate_query(inputs_of(link))["inputs"] == api.estimate_query(want)["inputs"]
    # the embed did not navigate the parent
    assert page.url == f"{parent_url}/parent.html"
    assert page.text_content("h1") == "My post"
    assert not p.errors, p.errors


def test_embed_has_no_site_chrome_and_carries_the_query(probe, base_url):
    p = probe()
    page = p.open("?context=16384&engine=vllm&gpu=a100-80gb", path="embed.html")
    assert page.locator(".site-header, .site-footer, #embed").count() == 0
    assert shown_bytes(page) == expected_bytes({"context": "16384", "engine": "vllm", "gpu": "a100-80gb"})
    assert page.is_visible("#in-model")
    link = page.get_attribute("#embed-open", "href")
    assert api.estimate_query(inputs_of(link))["inputs"] == \
        api.estimate_query({"context": "16384", "engine": "vllm", "gpu": "a100-80gb"})["inputs"]
    # opened on its own (not in a frame), it points to the embedding guide
    assert page.is_visible("#embed-standalone a")
    assert "theme-dark" not in (page.get_attribute("html", "class") or "")
    assert not p.errors, p.errors


def test_embed_theme_light_overrides_a_dark_system(probe):
    p = probe(color_scheme="dark")
    page = p.open("?theme=light", path="embed.html")
    assert page.evaluate("() => getComputedStyle(document.documentElement).colorScheme") == "light"
    q = probe(color_scheme="dark")
    auto = q.open("?theme=auto", path="embed.html")
    bg = "() => getComputedStyle(document.querySelector('.panel')).backgroundColor"
    assert page.evaluate(bg) != auto.evaluate(bg)
    assert not p.errors and not q.errors


@pytest.mark.parametrize("lang", [lang for lang in i18n.languages() if lang != "en"])
def test_embed_lang_param(probe, lang):
    p = probe()
    page = p.open(f"?lang={lang}&context=4096", path="embed.html")
    assert page.get_attribute("html", "lang") == lang
    assert urlsplit(page.url).path.endswith(f"/embed.{lang}.html")
    assert page.text_content("#embed-open") == i18n.t("site.embed.open", lang)
    assert shown_bytes(page) == expected_bytes({"context": "4096"})
    assert not p.errors, p.errors


def test_embed_unknown_lang_falls_back_to_english(probe):
    p = probe()
    page = p.open("?lang=xx-Nope&context=4096", path="embed.html")
    assert page.get_attribute("html", "lang") == "en"
    assert urlsplit(page.url).path.endswith("/embed.html")
    assert shown_bytes(page) == expected_bytes({"context": "4096"})
    assert not p.errors, p.errors


def test_embed_hostile_values(probe):
    p = probe()
    dialogs: list[str] = []
    p.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page = p.open("?model=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&lock=%3Cscript%3E"
                  "&theme=%22%3E%3Cimg%3E&lang=%3Cimg%3E", path="embed.html")
    page.wait_for_timeout(300)
    assert page.is_visible("#notices")
    assert shown_bytes(page) == expected_bytes({})
    assert page.locator("img").count() == 0 and no_injected_script(page)
    assert not dialogs
    assert not p.errors, p.errors
