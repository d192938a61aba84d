"""accuracy-rows.html: every row of calc_py/data/accuracy.json, once, with its exact
predicted and measured bytes; the summary figures are the JSON's; the skipped rows
and the fitted constants are listed; the JSON itself is published beside the page."""
from __future__ import annotations

import collections
import importlib.util
import json
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ACCURACY = ROOT / "calc_py" / "data" / "accuracy.json"
pytestmark = pytest.mark.skipif(not ACCURACY.is_file(), reason="no calc_py/data/accuracy.json")


class Parsed(HTMLParser):
    """Rows (tr[data-record]) with their cells' data-field values, summary cells
    (td[data-key]), skipped rows, fit constants, ids and in-page links."""

    def __init__(self, text: str):
        super().__init__()
        self.records: list[tuple[str, dict[str, str]]] = []
        self.summary: dict[str, str] = {}
        self.skipped: list[str] = []
        self.constants: dict[str, str] = {}
        self.ids: list[str] = []
        self.links: list[str] = []
        self.description = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "meta" and a.get("name") == "description":
            self.description = a.get("content")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "tr" and "data-record" in a:
            self.records.append((a["data-record"], {}))
        elif tag == "tr" and "data-skipped" in a:
            self.skipped.append(a["data-skipped"])
        elif tag == "td" and "data-field" in a and self.records:
            self.records[-1][1][a["data-field"]] = a.get("data-bytes", a.get("data-value"))
        elif tag == "td" and "data-key" in a:
            self.summary[a["data-key"]] = a.get("data-value", "")
        elif tag == "li" and "data-constant" in a:
            self.constants[a["data-constant"]] = a.get("data-value", "")


def _number(text: str):
    return float(text) if any(c in text for c in ".eE") or text in ("inf", "-inf", "nan") else int(text)


@pytest.fixture(scope="module")
def data() -> dict:
    return json.loads(ACCURACY.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    pytest.importorskip("jinja2")
    spec = importlib.util.spec_from_file_location("calc_build", ROOT / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    from site_src.tables import ACCURACY_PAGE, Renderer, build_accuracy_page
    out = tmp_path_factory.mktemp("accuracy")
    r = Renderer(build.jinja_env(), out, {"style.css": "assets/style.css"}, None)
    build_accuracy_page(r, out)
    assert r.written == [ACCURACY_PAGE]
    return out, Parsed((out / ACCURACY_PAGE).read_text(encoding="utf-8"))


def test_every_record_appears_once_with_its_exact_bytes(data, rendered):
    _, page = rendered
    key = lambda r: f"{r['engine']}|{r['part']}|{r['id']}"
    counts = collections.Counter(k for k, _ in page.records)
    assert len(page.records) == len(data["records"])
    assert counts == collections.Counter(key(r) for r in data["records"])
    assert max(counts.values()) == 1
    cells = dict(page.records)
    for r in data["records"]:
        c = cells[key(r)]
        for field in ("predicted", "measured"):
            assert _number(c[field]) == r[field], (key(r), field)   # exact: ints as ints, floats by repr
        assert float(c["err_pct"]) == r["err_pct"]
        assert float(c["err_mib"]) == r["err_mib"]
        if r["rule_of_thumb"] is None:
            assert c["rule_of_thumb"] == "" and c["rot_err_pct"] == ""
        else:
            assert int(c["rule_of_thumb"]) == r["rule_of_thumb"]
            assert float(c["rot_err_pct"]) == r["rot_err_pct"]


def test_summary_figures_equal_the_json(data, rendered):
    _, page = rendered
    assert data["summary"]
    for s in data["summary"]:
        k = f"{s['engine']}|{s['part']}"
        assert int(page.summary[f"{k}|rows"]) == s["rows"]
        assert int(page.summary[f"{k}|outliers"]) == s["outliers"]
        for stat, field in (("ours", "median"), ("ours", "p90"), ("ours", "max"),
                            ("ours_all_rows", "median"), ("ours_all_rows", "max"),
                            ("rule_of_thumb", "median"), ("rule_of_thumb", "p90")):
            shown = page.summary[f"{k}|{stat}.{field}"]
            if s.get(stat) is None:
                assert shown == "", (k, stat)
            else:
                assert float(shown) == s[stat][field], (k, stat, field)
        # the summary's row count is the rows listed for that engine and part
        assert s["rows"] == sum(1 for rk, _ in page.records if rk.startswith(k + "|"))


def test_skipped_rows_are_listed_with_their_reasons(data, rendered):
    out, page = rendered
    assert page.skipped == [f"{s['file']}|{s['id']}" for s in data["skipped"]]
    text = (out / "accuracy-rows.html").read_text(encoding="utf-8")
    from markupsafe import escape
    for s in data["skipped"]:
        assert str(escape(s["why"])) in text


def test_fits_and_per_model_index(data, rendered):
    _, page = rendered
    for name, fit in data["fits"].items():
        assert f"fit-{name}" in page.ids
        for k, v in fit.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                assert float(page.constants[f"{name}|{k}"]) == v
    models = {r["model"] for r in data["records"]}
    model_rows = [i for i in page.ids if i.startswith("model-")]
    assert len(model_rows) == len(models)
    # every in-page link has its target; every row is reachable from its model's entry
    ids = set(page.ids)
    assert len(ids) == len(page.ids)
    for href in page.links:
        if href.startswith("#"):
            assert href[1:] in ids, href
    assert page.description


def test_published_json_is_the_benchmarks(rendered):
    out, _ = rendered
    assert (out / "data" / "accuracy.json").read_bytes() == ACCURACY.read_bytes()
