"""Numbers and units in Chinese output follow Chinese conventions where they differ
from English, and nothing the reader sees in zh-CN is left in English.

Chinese writes the same digits, decimal point and thousands grouping as English
(8,192; 4.30 GiB), so calc_py formats numbers the same way in both. What differs:
no space before a percent sign (12%, not 12 %), no plural on a noun (token, not
tokens: "8,192 个 token", "181 token/s"), × rather than x between counts. The
engines' version notes and overhead sources (calc_py/data/engines.json, English)
are messages too (engine.version.<id>, engine.overhead_summary.<id>), and the GPU
segment column reads from tables.segment.<id>.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from calc_py import catalog as cat
from calc_py import i18n

ROOT = Path(__file__).resolve().parents[1]
ZH = "zh-CN"


def _own(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((ROOT / "calc_py" / "messages" / lang).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


ZH_OWN = _own(ZH)


@pytest.mark.parametrize("field", ["version", "overhead_summary"])
def test_engine_texts_are_messages_equal_to_the_data_in_english(field):
    for e in cat.engines():
        key = f"engine.{field}.{e['id'].replace('.', '')}"
        assert i18n.t(key, "en") == e[field], f"{key} differs from engines.json's {field} of {e['id']}"
        assert key in ZH_OWN, f"{key} has no Chinese text"
        assert cat.engine_text(e, field, ZH) == ZH_OWN[key]


def test_quant_labels_are_messages_equal_to_the_data_in_english():
    from calc_py.present import quant_label
    labels = {q["id"]: q["label"] for q in json.loads((ROOT / "calc_py" / "data" / "quants.json")
                                                      .read_text(encoding="utf-8"))["quants"]}
    own = [k for k in i18n.catalog("en") if k.startswith("quant.label.")]
    assert own, "no quant.label.* messages"
    for key in own:
        qid = key.removeprefix("quant.label.")
        assert i18n.t(key, "en") == labels[qid], f"{key} differs from quants.json"
        assert key in ZH_OWN, f"{key} has no Chinese text"
    # every label with an English word in it has a message
    for qid, label in labels.items():
        if re.search(r"\b(?!INT|AWQ|GPTQ|NF)[a-z]{3,}", label.replace("bitsandbytes", "")):
            assert f"quant.label.{qid}" in own, f"{qid}: {label!r} needs quant.label.{qid}"
        assert quant_label(qid, label, "en") == label


def test_every_gpu_segment_has_a_label():
    for segment in sorted({g["segment"] for g in cat.gpus()}):
        key = f"tables.segment.{segment}"
        assert i18n.t(key, "en")
        assert key in ZH_OWN, f"{key} has no Chinese text"


@pytest.mark.parametrize("key", sorted(ZH_OWN))
def test_chinese_messages_follow_chinese_conventions(key):
    text = re.sub(r"\{[^{}]*\}", "9", ZH_OWN[key])            # a placeholder stands for a number
    assert not re.search(r"\d\s+%", text), f"{key}: no space before % in Chinese: {ZH_OWN[key]!r}"
    assert not re.search(r"\btokens\b", text), f"{key}: Chinese has no plural, write token: {ZH_OWN[key]!r}"
    assert "词元" not in text, f"{key}: the catalog says token, not 词元: {ZH_OWN[key]!r}"


@pytest.mark.parametrize("doc", sorted(p.name for p in (ROOT / "docs" / ZH).glob("*.md")))
def test_chinese_docs_write_percent_without_a_space(doc):
    text = (ROOT / "docs" / ZH / doc).read_text(encoding="utf-8")
    text = re.sub(r"(`+).+?\1", " ", re.sub(r"^```.*?^```", " ", text, flags=re.S | re.M))
    bad = [line.strip() for line in text.splitlines() if re.search(r"\d\s+%", line)]
    assert not bad, f"docs/{ZH}/{doc}: {bad[:3]}"


def _cli(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "calc_py", "estimate", "--lang", ZH, *args],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return out.stdout


@pytest.mark.parametrize("args", [
    ("--model", "meta-llama/Llama-3.1-8B", "--gpu", "rtx-4090"),
    ("--model", "meta-llama/Llama-3.1-8B", "--engine", "vllm", "--gpu", "h100-sxm-80gb"),
    ("--model", "meta-llama/Llama-3.1-8B", "--engine", "transformers", "--gpu", "rtx-4090"),
])
def test_cli_in_chinese_has_no_english_sentences(args):
    text = _cli(*args)
    assert not re.search(r"\d\s+%", text), text
    assert not re.search(r"\btokens\b", text), text
    # whole English phrases from engines.json or a hard-coded label
    for english in ("vendored", "measured", "fitted", "engine)", "a guess", "\n    host "):
        assert english not in text, f"{english!r} in zh-CN output:\n{text}"


def test_cli_in_english_keeps_the_engine_notes():
    out = subprocess.run([sys.executable, "-m", "calc_py", "estimate", "--model", "meta-llama/Llama-3.1-8B",
                          "--gpu", "rtx-4090"], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    llama = cat.find_engine("llama.cpp")
    assert llama["version"] in out and llama["overhead_summary"] in out
    assert "\n    host " in out
