"""The message catalog (calc_py/messages/<lang>/*.json) and its translations.

English is the source of truth: every other language may only translate English
keys, must keep each message's {placeholders} and format specs, and must format
with the values the code passes. zh-CN must cover every English key (the whole
site is built in both languages), so whoever adds an English message sees which
keys still need a Chinese text.
"""
from __future__ import annotations

import json
import re
import string
import subprocess
import sys
import types
from pathlib import Path

import pytest

from calc_py import i18n

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = ROOT / "calc_py" / "messages"
EN = "en"
ZH = "zh-CN"
ZH_COVERAGE = 1.0           # share of English keys zh-CN must translate: all

_FORMATTER = string.Formatter()
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_NUMERIC_TYPES = set("bcdoxXneEfFgG%")


def _files(lang: str) -> list[Path]:
    return sorted((MESSAGES / lang).glob("*.json"))


def _raw(lang: str) -> dict[str, str]:
    """One language's own messages (no English fallback), all files merged."""
    merged: dict[str, str] = {}
    for path in _files(lang):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def _placeholders(text: str) -> set[tuple[str, str, str]]:
    """{(field, conversion, format spec)} of a str.format template."""
    return {(field, conv or "", spec or "")
            for _, field, spec, conv in _FORMATTER.parse(text) if field is not None}


def _dummy(spec: str) -> object:
    """A value of the type a format spec needs: numbers for :.2f, :, :.0% ..., else a string."""
    if not spec:
        return "X"
    kind = spec[-1]
    if kind in "eEfFgG%":
        return 1234.5
    if kind in _NUMERIC_TYPES or "," in spec or "_" in spec:
        return 1234
    if kind == "s":
        return "X"
    return 1234.5            # width/precision only (":8", ":.1"): a float formats with any of those


def _dummy_values(text: str) -> dict[str, object]:
    values: dict[str, object] = {}
    for field, _conv, spec in _placeholders(text):
        name = re.split(r"[.\[]", field, maxsplit=1)[0]
        values[name] = _dummy(spec)
    return values


LANGS = sorted(p.name for p in MESSAGES.iterdir() if p.is_dir())
EN_RAW = _raw(EN)
ZH_RAW = _raw(ZH) if (MESSAGES / ZH).is_dir() else {}
_EN_FILE = {k: p.name for p in _files(EN) for k in json.loads(p.read_text(encoding="utf-8"))}


# ----------------------------------------------------------------------------
# the catalog as a whole
# ----------------------------------------------------------------------------

def test_languages_include_english_and_chinese():
    langs = i18n.languages()
    assert EN in langs and ZH in langs, langs
    assert langs == LANGS


@pytest.mark.parametrize("lang", LANGS)
def test_files_are_flat_string_maps(lang):
    assert _files(lang), f"messages/{lang}/ has no .json file"
    for path in _files(lang):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict), path
        bad = [k for k, v in data.items() if not isinstance(k, str) or not isinstance(v, str)]
        assert not bad, f"{path.relative_to(ROOT)}: non-string values for {bad}"


@pytest.mark.parametrize("lang", LANGS)
def test_no_key_defined_in_two_files(lang):
    seen: dict[str, str] = {}
    clashes = []
    for path in _files(lang):
        for key in json.loads(path.read_text(encoding="utf-8")):
            if key in seen:
                clashes.append(f"{key} ({seen[key]} and {path.name})")
            seen[key] = path.name
    assert not clashes, f"messages/{lang}: keys defined twice: {clashes}"


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != EN])
def test_no_orphan_keys(lang):
    orphans = sorted(set(_raw(lang)) - set(EN_RAW))
    assert not orphans, (f"messages/{lang} has keys that English lacks (renamed or removed in "
                         f"messages/{EN}?): {orphans}")


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != EN])
def test_keys_live_in_the_same_file_as_english(lang):
    """calc.json keys translate into calc.json, etc., so a file can be reviewed alone."""
    misplaced = [f"{k} (in {p.name}, English has it in {_EN_FILE[k]})"
                 for p in _files(lang) for k in json.loads(p.read_text(encoding="utf-8"))
                 if k in _EN_FILE and _EN_FILE[k] != p.name]
    assert not misplaced, misplaced


def test_english_has_no_empty_strings():
    empty = sorted(k for k, v in EN_RAW.items() if not v.strip())
    assert not empty, f"empty English messages: {empty}"


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != EN])
def test_translations_have_no_empty_strings(lang):
    empty = sorted(k for k, v in _raw(lang).items() if not v.strip())
    assert not empty, (f"empty {lang} messages (delete the key to fall back to English): {empty}")


# ----------------------------------------------------------------------------
# every message: placeholders, markup, formatting
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != EN])
def test_placeholders_match_english(lang):
    bad = []
    for key, text in sorted(_raw(lang).items()):
        if key in EN_RAW and _placeholders(text) != _placeholders(EN_RAW[key]):
            bad.append(f"{key}: en {sorted(_placeholders(EN_RAW[key]))} vs {lang} {sorted(_placeholders(text))}")
    assert not bad, "placeholders differ from English:\n  " + "\n  ".join(bad)


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != EN])
def test_markup_matches_english(lang):
    bad = [key for key, text in sorted(_raw(lang).items())
           if key in EN_RAW and sorted(_TAG.findall(text)) != sorted(_TAG.findall(EN_RAW[key]))]
    assert not bad, f"HTML tags differ from English in: {bad}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_formats(lang):
    failures = []
    for key, text in sorted(_raw(lang).items()):
        try:
            text.format(**_dummy_values(text))
        except (ValueError, KeyError, IndexError, TypeError) as err:
            failures.append(f"{key}: {type(err).__name__}: {err}")
    assert not failures, f"messages/{lang} that do not format:\n  " + "\n  ".join(failures)


@pytest.mark.parametrize("key", sorted(ZH_RAW))
def test_zh_cn_formats_through_t(key):
    """t() with dummy values of the right type, exactly as the code calls it."""
    values = _dummy_values(EN_RAW.get(key, ZH_RAW[key]))
    out = i18n.t(key, ZH, **values)
    assert out == (ZH_RAW[key].format(**values) if values else ZH_RAW[key])
    assert out.strip()


def test_dummy_values_cover_format_specs():
    assert _dummy_values("{bpw:.2f} {util:.0%} {n:,} {name}") == {
        "bpw": 1234.5, "util": 1234.5, "n": 1234, "name": "X"}


# ----------------------------------------------------------------------------
# coverage and fallback
# ----------------------------------------------------------------------------

def test_zh_cn_covers_english():
    missing = sorted(set(EN_RAW) - set(ZH_RAW))
    share = 1 - len(missing) / len(EN_RAW)
    assert share >= ZH_COVERAGE, (
        f"zh-CN translates {share:.1%} of the English messages (needs {ZH_COVERAGE:.0%}). "
        f"Add these {len(missing)} keys to calc_py/messages/{ZH}/<file> (the file English has them in):\n  "
        + "\n  ".join(f"{_EN_FILE.get(k, '?')}  {k}: {EN_RAW[k]!r}" for k in missing))


def test_zh_cn_is_chinese():
    """Guard against an English copy pasted as the 'translation'."""
    han = re.compile(r"[\u4e00-\u9fff]")
    chinese = [k for k, v in ZH_RAW.items() if han.search(v)]
    assert len(chinese) >= 0.7 * len(ZH_RAW), f"only {len(chinese)} of {len(ZH_RAW)} zh-CN messages contain Chinese"


def test_every_english_key_resolves_in_zh_cn():
    assert set(i18n.catalog(ZH)) >= set(EN_RAW)
    for key in EN_RAW:
        i18n.t(key, ZH)          # no KeyError: translation or English fallback


def test_unknown_key_raises():
    with pytest.raises(KeyError):
        i18n.t("no.such.key.anywhere", ZH)


@pytest.fixture
def fake_messages(tmp_path, monkeypatch):
    """A catalog with one key only English has, read through i18n's own loader."""
    (tmp_path / "messages" / "en").mkdir(parents=True)
    (tmp_path / "messages" / ZH).mkdir(parents=True)
    (tmp_path / "messages" / "en" / "calc.json").write_text(
        json.dumps({"both": "Both {n:,}", "only_en": "English only {x}"}), encoding="utf-8")
    (tmp_path / "messages" / ZH / "calc.json").write_text(
        json.dumps({"both": "两者 {n:,}"}, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(i18n, "resources", types.SimpleNamespace(files=lambda _pkg: tmp_path))
    i18n.catalog.cache_clear()
    yield
    i18n.catalog.cache_clear()


def test_missing_translation_falls_back_to_english(fake_messages):
    assert i18n.languages() == ["en", ZH]
    assert i18n.t("only_en", ZH, x="y") == "English only y"
    assert i18n.t("both", ZH, n=12345) == "两者 12,345"
    assert i18n.t("both", "en", n=12345) == "Both 12,345"
    assert i18n.t("only_en", "xx-unknown", x=1) == "English only 1"   # no folder: all English


def test_real_fallback_for_keys_zh_cn_lacks():
    for key in sorted(set(EN_RAW) - set(ZH_RAW)):
        assert i18n.catalog(ZH)[key] == EN_RAW[key]


# ----------------------------------------------------------------------------
# the translations in use
# ----------------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "calc_py", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_default_is_english():
    r = _cli("estimate", "--model", "meta-llama/Llama-3.1-8B")
    assert r.returncode == 0, r.stderr
    assert EN_RAW["part.weights"] in r.stdout and EN_RAW["part.kv_cache"] in r.stdout
    assert not re.search(r"[\u4e00-\u9fff]", r.stdout)


@pytest.mark.parametrize("args", [
    ("--model", "meta-llama/Llama-3.1-8B", "--gpu", "rtx-3060-12gb", "--context", "128k", "--quant", "Q8_0"),
    ("--model", "meta-llama/Llama-3.1-8B", "--engine", "vllm", "--gpu", "rtx-4090"),
    ("--params", "7", "--engine", "transformers"),
    ("--model", "google/gemma-2-2b-it",),
    ("--model", "deepseek-ai/DeepSeek-V2-Lite",),
])
def test_cli_in_chinese(args):
    r = _cli("estimate", *args, "--lang", ZH, "--json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    labels = {p["part"]: p["label"] for p in result["parts"]}
    for part, label in labels.items():
        assert label == i18n.t(f"part.{part}", ZH)
    texts = [p["explain"] for p in result["parts"] if p["explain"]] + result["notes"]
    if result.get("fit"):
        texts += [result["fit"]["message"], *result["fit"]["advice"]]
    assert texts and all(re.search(r"[\u4e00-\u9fff]", s) for s in texts), texts
