"""The accuracy doc's summary table (both languages) is the one accuracy.json holds:
no figure in the docs is typed by hand, so a re-run that moves a number cannot leave
the doc behind (`python benchmarks/accuracy.py --write-docs` rewrites it)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from accuracy import SUMMARY_DOCS, summary_table_rows, summary_table_span  # noqa: E402


def table_body(doc: Path) -> list[str]:
    lines = doc.read_text(encoding="utf-8").split("\n")
    start, end = summary_table_span(lines)
    return lines[start:end]


@pytest.mark.parametrize("doc", SUMMARY_DOCS, ids=lambda d: str(d.relative_to(ROOT)))
def test_summary_table_is_accuracy_json(doc):
    summary = json.loads((ROOT / "calc_py" / "data" / "accuracy.json").read_text(encoding="utf-8"))["summary"]
    assert table_body(doc) == summary_table_rows(summary), \
        "run: python benchmarks/accuracy.py --write-docs"


def test_every_summary_part_has_a_row():
    summary = json.loads((ROOT / "calc_py" / "data" / "accuracy.json").read_text(encoding="utf-8"))["summary"]
    rows = summary_table_rows(summary)
    assert len(rows) == len(summary) >= 10
    assert all(r.count("|") == 11 for r in rows)
