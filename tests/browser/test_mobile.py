"""On a phone and with large text, every page type stays usable.

- At 360 CSS px wide (a common Android width; with touch) nothing scrolls sideways:
  wide tables scroll inside their own box, their first column kept in view.
- Every control a finger uses is at least 44 px tall (WCAG 2.5.5's target size).
- The calculator's total stays in view while the form scrolls (the sticky summary).
- With the reader's text at 200 % (WCAG 1.4.4) on a desktop-wide window, nothing
  scrolls sideways, no text is cut off by its box, and no select hides its choice.

Pages are checked with every <details> open, so folded settings are checked too.
"""
from __future__ import annotations

import pytest

from site_pages import languages, static_pages
from site_src import pages as P

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
MACHINE_QUERY = "?model=Qwen/Qwen3-30B-A3B&gpu=2xrtx-3060-12gb&ram=64&fit=on&context=32768"
#: the generated "what runs on my machine" pages: the index and one machine
MACHINE_PAGES = ("machines/index.html", "machines/12gb-32gb-ram.html")

#: elements whose right edge passes the viewport's, outside any box that scrolls or clips
OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth, out = [];
  const contained = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX; if (x !== 'visible') return true; } return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > vw + 0.5 || r.left < -0.5) && !el.closest('.visually-hidden, .skip-link')
        && !contained(el))
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, width: vw, wide: out.slice(0, 10)};
}"""

#: controls shorter than a fingertip (checkboxes: at least 24 px)
SMALL_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, button, summary, textarea')) {
    const r = el.getBoundingClientRect();
    if (!r.width || el.closest('.visually-hidden')) continue;
    const least = (el.type === 'checkbox' || el.type === 'radio') ? 24 : 44;
    if (r.height < least - 0.5)
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${el.textContent.trim().slice(0, 30)}" ${Math.round(r.height)} px`);
  }
  return out;
}"""

#: text its box cuts off: a select narrower than its chosen option's text, or an element
#: that hides overflow with more content than room (form fields scroll their own value)
CLIPPED_JS = """() => {
  const out = [], ctx = document.createElement('canvas').getContext('2d');
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || el.closest('.visually-hidden')) continue;
    const s = getComputedStyle(el);
    if (el.tagName === 'SELECT') {
      const chosen = el.options[el.selectedIndex];
      if (!chosen) continue;
      ctx.font = s.font;
      // the text, the padding and the drop-down arrow (about 20 px)
      const need = ctx.measureText(chosen.text).width + parseFloat(s.paddingLeft) + parseFloat(s.paddingRight) + 20;
      if (need > el.clientWidth + 1) out.push(`select#${el.id} ${el.clientWidth} px for ${Math.round(need)} px`);
    } else if (!['INPUT', 'TEXTAREA'].includes(el.tagName) && ['hidden', 'clip'].includes(s.overflowX)
               && el.scrollWidth > el.clientWidth + 1) {
      out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} ${el.clientWidth} px for ${el.scrollWidth} px`);
    }
  }
  return out;
}"""


def body_text_px(page, px: float) -> None:
    """Wait until the body's text is `px` (the page's CSP refuses wait_for_function's eval)."""
    for _ in range(100):
        if page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)") == px:
            return
        page.wait_for_timeout(20)
    raise AssertionError(f"the body's text never became {px} px")


def open_everything(page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


def calculator_pages(lang: str) -> list[tuple[str, str]]:
    """The calculator (as it loads, and with a whole machine and its --fit plan) and the embed."""
    index, embed = P.localized("index.html", lang), P.localized("embed.html", lang)
    return [(index, ""), (index, MACHINE_QUERY), (embed, "?model=meta-llama/Llama-3.1-8B&gpu=rtx-4090")]


def generated_pages(lang: str) -> list[str]:
    return static_pages(lang) + [P.localized(p, lang) for p in MACHINE_PAGES]


def visit_all(p, lang: str, check) -> list[str]:
    """`check(page, label)` on every page type in `lang`, details open; its findings."""
    found = []
    for path, query in calculator_pages(lang):
        page = p.open(query, path=path)
        open_everything(page)
        found += check(page, path + query)
    for path in generated_pages(lang):
        p.page.goto(f"{p.base_url}/{path}")
        open_everything(p.page)
        found += check(p.page, path)
    return found


def no_sideways_scroll(page, label: str) -> list[str]:
    o = page.evaluate(OVERFLOW_JS)
    found = [f"{label}: {w}" for w in o["wide"]]
    if o["scrollWidth"] > o["width"]:
        found.append(f"{label}: the page is {o['scrollWidth']} px wide in a {o['width']} px window")
    return found


@pytest.mark.parametrize("lang", languages())
def test_no_page_scrolls_sideways_on_a_phone(probe, lang):
    p = probe(**PHONE)
    found = visit_all(p, lang, no_sideways_scroll)
    assert not found, "\n".join(found)
    assert not p.errors, p.errors


@pytest.mark.parametrize("lang", languages())
def test_a_wide_table_scrolls_in_its_own_box_keeping_its_first_column(probe, lang):
    p = probe(**PHONE)
    p.page.goto(f"{p.base_url}/{P.localized('models/by-q4.html', lang)}")
    wrap = p.page.locator(".table-wrap").first
    sizes = wrap.evaluate("w => [w.scrollWidth, w.clientWidth, getComputedStyle(w).overflowX]")
    assert sizes[0] > sizes[1] and sizes[2] == "auto", sizes
    first = wrap.locator("tbody tr").first.locator("th, td").first
    left = first.evaluate("c => c.getBoundingClientRect().left")
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    assert wrap.evaluate("w => w.scrollLeft") > 0
    assert first.evaluate("c => c.getBoundingClientRect().left") == pytest.approx(left, abs=1)


@pytest.mark.parametrize("lang", languages())
def test_every_control_is_big_enough_for_a_finger(probe, lang):
    p = probe(**PHONE)
    found = visit_all(p, lang, lambda page, label: [f"{label}: {s}" for s in page.evaluate(SMALL_JS)])
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", languages())
def test_the_total_stays_in_view_while_the_form_scrolls(probe, lang):
    p = probe(**PHONE)
    page = p.open("?model=meta-llama/Llama-3.1-8B&gpu=rtx-4090", path=P.localized("index.html", lang))
    total = page.inner_text(".total[data-part=total]").strip()
    for field in ("#in-context", "#in-ram"):
        page.locator(field).scroll_into_view_if_needed()
        box = page.locator("#sticky-total").bounding_box()
        assert box is not None and box["height"] > 0
        assert 0 <= box["y"] and box["y"] + box["height"] <= 740 + 0.5, (field, box)
        # the summary is the result's own words, and the field being used is not under it
        assert total in page.inner_text("#sticky-total")
        field_box = page.locator(field).bounding_box()
        assert field_box["y"] + field_box["height"] <= box["y"] + 0.5, (field, field_box, box)


@pytest.mark.parametrize("lang", languages())
def test_text_at_200_percent_is_neither_cut_off_nor_wider_than_the_window(probe, lang):
    p = probe(**DESKTOP)

    cdp = p.context.new_cdp_session(p.page)

    def check(page, label):
        # the browser's own font-size setting (chrome://settings/fonts), which also moves
        # the stylesheet's em media queries: 16 px text becomes 32 px
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
        body_text_px(page, 32)
        found = no_sideways_scroll(page, f"{label} at 200 %")
        found += [f"{label} at 200 %: {c}" for c in page.evaluate(CLIPPED_JS)]
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 16, "fixed": 13}})
        body_text_px(page, 16)
        return found

    found = visit_all(p, lang, check)
    assert not found, "\n".join(found)
    assert not p.errors, p.errors
