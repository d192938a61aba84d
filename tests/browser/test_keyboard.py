"""The calculator with the keyboard alone: a reader who never touches the mouse can
reach every control in the order they are read, sees where the focus is, drives a
full estimate (model, quantization, context, the machine and a placement flag),
hears the answer once it settles (not on every keystroke) and copies the link.

Keys only: Tab / Shift+Tab to move, typing into fields, Enter/Space on buttons and
<summary>, type-ahead on <select>. No click, no fill, no select_option."""
from __future__ import annotations

import pytest

from helpers import expected_bytes, shown_bytes, url_query

pytestmark = pytest.mark.browser

MODEL = "Qwen/Qwen3-30B-A3B"
MAX_TABS = 200

ACTIVE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {id: e.id, tag: e.tagName.toLowerCase(), quant: e.dataset.quant || null,
          text: (e.textContent || '').trim().slice(0, 40),
          inForm: !!e.closest('#calc-form'), inResults: !!e.closest('#results'),
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          shadow: s.boxShadow !== 'none', width: r.width, height: r.height};
}"""


def active(page) -> dict | None:
    return page.evaluate(ACTIVE)


def tab_until(page, matches, limit: int = MAX_TABS, key: str = "Tab") -> dict:
    """Press Tab until the focused element satisfies `matches`; its description."""
    for _ in range(limit):
        page.keyboard.press(key)
        a = active(page)
        if a and matches(a):
            return a
    raise AssertionError(f"{key} never reached the element after {limit} presses")


def replace_text(page, text: str) -> None:
    """Select the focused field's text and type over it, key by key."""
    page.keyboard.press("Control+A")
    page.keyboard.type(text, delay=30)


def form_controls_in_dom_order(page) -> list[str]:
    """Ids of the form's enabled, visible, focusable controls, in document order."""
    return page.eval_on_selector_all(
        "#calc-form input:not([type=hidden]), #calc-form select, #calc-form textarea, "
        "#calc-form button, #calc-form summary",
        """els => els.filter(e => !e.disabled && e.offsetParent !== null && e.tabIndex >= 0
                                 && !e.closest('details:not([open]) > :not(summary)'))
                     .map(e => e.id || e.dataset.quant || e.textContent.trim())""")


def test_the_first_tab_offers_to_skip_to_the_content(probe):
    p = probe()
    page = p.open()
    page.keyboard.press("Tab")
    first = active(page)
    assert first["tag"] == "a" and page.evaluate("() => document.activeElement.hash") == "#main"
    assert first["width"] > 0 and first["height"] > 0, "the skip link shows when it has focus"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    # the next Tab starts inside the content, not back at the header
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('#main')")
    assert not p.errors, p.errors


def test_tab_reaches_every_form_control_in_reading_order_with_a_visible_focus_ring(probe):
    p = probe()
    page = p.open()
    wanted = form_controls_in_dom_order(page)
    assert len(wanted) >= 15, wanted
    seen: list[str] = []
    unringed: list[str] = []
    page.keyboard.press("Tab")
    for _ in range(MAX_TABS):
        a = active(page)
        if a and a["inForm"]:
            name = a["id"] or a["quant"] or a["text"]
            if name not in seen:
                seen.append(name)
            if not (a["outline"] or a["shadow"]):
                unringed.append(name)
        elif seen:          # left the form: every control was passed on the way
            break
        page.keyboard.press("Tab")
    assert seen == wanted, "Tab order differs from the form's reading order"
    assert not unringed, f"no visible focus indicator on {unringed}"
    # Shift+Tab walks back through the same controls
    back = []
    for _ in range(len(wanted)):
        page.keyboard.press("Shift+Tab")
        a = active(page)
        back.append(a["id"] or a["quant"] or a["text"])
    assert back == list(reversed(wanted))
    assert not p.errors, p.errors


def test_a_full_estimate_with_the_keyboard_alone(probe):
    p = probe(permissions=["clipboard-read", "clipboard-write"])
    page = p.open()
    announced = lambda: int(page.get_attribute("#live-summary", "data-announced"))  # noqa: E731

    # the model: typed into its field, confirmed by leaving it
    tab_until(page, lambda a: a["id"] == "in-model")
    replace_text(page, MODEL)
    page.keyboard.press("Tab")
    p.wait_idle()

    # Q4 among the quick quantization buttons, pressed with Enter
    tab_until(page, lambda a: a["quant"] is not None and a["text"] == "Q4")
    page.keyboard.press("Enter")
    p.wait_idle()
    assert page.get_attribute('[data-quant][aria-pressed="true"]', "data-quant") == "Q4_K_M"
    assert page.input_value("#in-quant") == "Q4_K_M"

    # the context: typed digit by digit; the answer is announced once, after it settles
    tab_until(page, lambda a: a["id"] == "in-context")
    page.wait_for_timeout(1500)
    before = announced()
    replace_text(page, "32768")
    page.keyboard.press("Tab")
    p.wait_idle()
    page.wait_for_selector(f'#live-summary:not([data-announced="{before}"])', state="attached",
                           timeout=10_000)
    page.wait_for_timeout(1500)     # longer than the settle time: nothing more is said
    assert announced() == before + 1, "one announcement for the whole typed value"
    live = page.text_content("#live-summary")
    assert page.text_content('[data-part="total"]').strip() in live

    # the card: the <select> answers type-ahead, as a reader would choose it
    tab_until(page, lambda a: a["id"] == "in-gpu")
    page.keyboard.type("NVIDIA GeForce RTX 4090", delay=20)
    page.keyboard.press("Tab")
    p.wait_idle()
    assert page.input_value("#in-gpu") == "rtx-4090"

    # system RAM
    tab_until(page, lambda a: a["id"] == "in-ram")
    replace_text(page, "64")
    page.keyboard.press("Tab")
    p.wait_idle()

    # the placement flags are folded: Enter on the summary opens them
    tab_until(page, lambda a: a["tag"] == "summary" and a["inForm"]
              and page.evaluate("() => document.activeElement.parentElement.id") == "machine-flags")
    page.keyboard.press("Enter")
    assert page.get_attribute("#machine-flags", "open") is not None
    tab_until(page, lambda a: a["id"] == "in-n-cpu-moe")
    replace_text(page, "8")
    page.keyboard.press("Tab")
    p.wait_idle()

    query = {"model": MODEL, "quant": "Q4_K_M", "context": "32768", "gpu": "rtx-4090",
             "ram": "64", "n-cpu-moe": "8"}
    q = url_query(page.url)
    assert {k: q.get(k) for k in query} == query
    assert shown_bytes(page) == expected_bytes(q)
    assert page.is_visible("#devices"), "a card and RAM: the per-device table shows"

    # the link, copied with Enter on its button
    tab_until(page, lambda a: a["id"] == "copy-link")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert url_query(page.evaluate("() => navigator.clipboard.readText()")) == q
    assert not p.errors, p.errors
