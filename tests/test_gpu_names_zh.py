"""GPU names as a Chinese reader sees them (calc_py.catalog.gpu_name).

English is the catalog's name byte for byte. zh-CN rewrites the English words in a
name (Laptop GPU, unified memory, Ada Generation, Workstation Edition, Superchip,
"one of its two ... GPUs") by the rules the gpu.name.* messages spell, and keeps
brand and model names (NVIDIA, GeForce RTX 4090, Apple M2 Max, H100 SXM, 8GB).
"""
from __future__ import annotations

import re
import string

import pytest

from calc_py import catalog as cat
from calc_py import i18n

ZH = "zh-CN"
GPUS = cat.gpus()
HAN = re.compile(r"[\u4e00-\u9fff]")


def _rule_words(lang: str) -> set[str]:
    """The literal words of the gpu.name.* messages in `lang` (placeholders left out)."""
    words: set[str] = set()
    for key, text in i18n.catalog(lang).items():
        if key.startswith("gpu.name."):
            literal = "".join(lit for lit, *_ in string.Formatter().parse(text))
            words |= set(re.findall(r"[A-Za-z]+", literal))
    return words


#: English words the rules translate (those the Chinese texts keep, such as GPU, are not here)
ENGLISH_WORDS = _rule_words("en") - _rule_words(ZH)


def test_english_is_the_catalog_name_unchanged():
    for g in GPUS:
        assert cat.gpu_name(g, "en") == g["name"]
        assert cat.gpu_name(g) == g["name"]
        assert cat.gpu_name_of(g["id"], "en") == g["name"]


def test_every_rule_is_a_message_in_both_languages():
    en, zh = i18n.catalog("en"), i18n.catalog(ZH)
    for rule in cat.GPU_NAME_RULES:
        key = f"gpu.name.{rule}"
        assert key in en and key in zh
        assert en[key] != zh[key], f"{key} is not translated"


def test_the_rules_have_english_words_to_translate():
    assert {"Laptop", "unified", "memory", "Generation", "Workstation", "Edition", "Superchip",
            "two", "GPUs"} <= ENGLISH_WORDS


@pytest.mark.parametrize("gpu", GPUS, ids=[g["id"] for g in GPUS])
def test_no_english_rule_word_is_left_in_chinese(gpu):
    zh = cat.gpu_name(gpu, ZH)
    left = sorted(w for w in ENGLISH_WORDS if re.search(rf"(?<![A-Za-z]){w}(?![A-Za-z])", zh))
    assert not left, f"{gpu['id']}: {zh!r} keeps {left}"
    assert "(" not in zh and ")" not in zh, f"{gpu['id']}: Chinese writes full-width parentheses: {zh!r}"


def test_chinese_names_of_each_pattern():
    want = {
        "rtx-4090-laptop": "NVIDIA GeForce RTX 4090 笔记本电脑 GPU",
        "rtx-5070-ti-laptop": "NVIDIA GeForce RTX 5070 Ti 笔记本电脑 GPU",
        "apple-m2-max-96gb": "Apple M2 Max（96GB 统一内存）",
        "ryzen-ai-max-395-128gb": "AMD Ryzen AI Max+ 395（Radeon 8060S，128GB 统一内存）",
        "dgx-spark": "NVIDIA DGX Spark（GB10 Grace Blackwell，128GB 统一内存）",
        "rtx-6000-ada": "NVIDIA RTX 6000 Ada 架构",
        "rtx-pro-6000-blackwell": "NVIDIA RTX PRO 6000 Blackwell 工作站版",
        "rtx-pro-6000-blackwell-max-q": "NVIDIA RTX PRO 6000 Blackwell Max-Q 工作站版",
        "gh200-144gb": "NVIDIA GH200 Grace Hopper 超级芯片（144GB HBM3e）",
        "tesla-k80": "NVIDIA Tesla K80（两颗 GK210 GPU 之一）",
        "tesla-p100-16gb": "NVIDIA Tesla P100 16GB（PCIe）",
        "b300": "NVIDIA B300（Blackwell Ultra）",
    }
    for gid, name in want.items():
        assert cat.gpu_name_of(gid, ZH) == name


@pytest.mark.parametrize("gid", ["rtx-4090", "h100-sxm-80gb", "a100-80gb-pcie", "rx-7900-xtx",
                                 "arc-pro-b60", "mi300x", "rtx-5060-ti-16gb"])
def test_brand_and_model_names_stay(gid):
    g = cat.find_gpu(gid)
    assert cat.gpu_name(g, ZH) == g["name"]


def test_model_names_inside_translated_names_stay():
    for g in GPUS:
        zh = cat.gpu_name(g, ZH)
        if zh == g["name"]:
            continue
        assert HAN.search(zh) or "（" in zh, f"{g['id']}: changed but not to Chinese: {zh!r}"
        # the part before the first rewritten word is the English name's, as it is
        head = re.split(r"[（\u4e00-\u9fff]", zh, maxsplit=1)[0].rstrip()
        assert g["name"].startswith(head), (g["id"], zh)


def test_every_laptop_and_unified_entry_is_translated():
    for g in GPUS:
        zh = cat.gpu_name(g, ZH)
        if g["segment"] == "laptop":
            assert "笔记本电脑 GPU" in zh, g["id"]
        if g["segment"] in ("apple-silicon", "unified"):
            assert "统一内存" in zh, g["id"]


def test_deterministic_and_a_pure_function_of_the_name():
    first = [cat.gpu_name(g, ZH) for g in GPUS]
    cat._gpu_name_in.cache_clear()
    assert [cat.gpu_name(g, ZH) for g in GPUS] == first
    # a compare_gpus row (id, name, ...) reads the same as the catalog entry
    for g in GPUS:
        assert cat.gpu_name({"id": g["id"], "name": g["name"]}, ZH) == cat.gpu_name(g, ZH)


def test_a_new_entry_is_translated_by_the_rules():
    assert cat.gpu_name({"name": "Apple M9 Ultra (1024GB unified memory)"}, ZH) == "Apple M9 Ultra（1024GB 统一内存）"
    assert cat.gpu_name({"name": "NVIDIA GeForce RTX 6090 Laptop GPU"}, ZH) == "NVIDIA GeForce RTX 6090 笔记本电脑 GPU"


def test_a_language_without_the_messages_keeps_english():
    """A language falls back to English messages, and English rules rewrite nothing."""
    for g in GPUS:
        assert cat._gpu_name_in(g["name"], "xx-fallback") == g["name"]


# ----------------------------------------------------------------------------
# where a reader sees the names: api.catalog, the page's view, the CLI
# ----------------------------------------------------------------------------

def test_api_catalog_names_in_each_language():
    from calc_py import api
    assert [g["name"] for g in api.catalog()["gpus"]] == [g["name"] for g in GPUS]
    assert [g["name"] for g in api.catalog("en")["gpus"]] == [g["name"] for g in GPUS]
    assert [g["name"] for g in api.catalog(ZH)["gpus"]] == [cat.gpu_name(g, ZH) for g in GPUS]


def test_the_page_view_shows_chinese_names():
    import json
    from site_src import view
    query = json.dumps({"model": "meta-llama/Llama-3.1-8B", "gpu": "rtx-4090-laptop"})
    en, zh = json.loads(view.run(query, "", "en")), json.loads(view.run(query, "", ZH))
    assert [r["name"] for r in en["gpus"]] == [g["name"] for g in GPUS]
    assert [r["name"] for r in zh["gpus"]] == [cat.gpu_name(g, ZH) for g in GPUS]
    assert "RTX 4090 笔记本电脑 GPU" in zh["fit"]["text"] and "Laptop" not in zh["fit"]["text"]
    assert "RTX 4090 Laptop GPU" in en["fit"]["text"]


def test_the_page_view_labels_a_unified_device_in_chinese():
    import json
    from site_src import view
    query = json.dumps({"model": "meta-llama/Llama-3.1-8B", "gpu": "apple-m2-max-32gb"})
    zh = json.loads(view.run(query, "", ZH))
    labels = [d["label"] for d in zh["machine"]["devices"]]
    assert labels == ["Apple M2 Max（32GB 统一内存）"], labels
    en = json.loads(view.run(query, "", "en"))
    assert [d["label"] for d in en["machine"]["devices"]] == ["Apple M2 Max (32GB unified memory)"]


def _cli(*args: str) -> str:
    import subprocess
    import sys
    from pathlib import Path
    return subprocess.run([sys.executable, "-m", "calc_py", *args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1], check=True).stdout


def test_cli_gpu_list_in_chinese_and_english():
    en = _cli("gpus").splitlines()
    assert [line.split("\t")[1] for line in en] == [g["name"] for g in GPUS]
    zh = _cli("gpus", "--lang", ZH).splitlines()
    assert [line.split("\t")[1] for line in zh] == [cat.gpu_name(g, ZH) for g in GPUS]
    assert "Laptop" not in "\n".join(zh) and "unified memory" not in "\n".join(zh)


def test_cli_estimate_names_the_card_in_chinese():
    zh = _cli("estimate", "--lang", ZH, "--model", "meta-llama/Llama-3.1-8B", "--gpu", "apple-m2-max-32gb")
    assert "Apple M2 Max（32GB 统一内存）" in zh and "unified memory" not in zh
    en = _cli("estimate", "--model", "meta-llama/Llama-3.1-8B", "--gpu", "apple-m2-max-32gb")
    assert "Apple M2 Max (32GB unified memory)" in en


# ----------------------------------------------------------------------------
# the precomputed pages (site_src/tables.py, site_src/machine_pages.py)
# ----------------------------------------------------------------------------

def test_tables_write_the_card_in_the_page_language():
    from site_src import tables as ST
    laptop = cat.find_gpu("rtx-4090-laptop")
    with ST.rendering_in(ZH):
        assert ST.gpu_text(laptop) == "NVIDIA GeForce RTX 4090 笔记本电脑 GPU"
        assert ST.short_gpu(ST.gpu_text(laptop)) == "RTX 4090 笔记本电脑 GPU"
        assert ST.gpu_text(laptop["name"]) == ST.gpu_text(laptop)
    with ST.rendering_in("en"):
        assert ST.gpu_text(laptop) == laptop["name"]


def test_machine_titles_name_the_cards_in_the_page_language():
    from calc_py import machine_tables as MT
    from site_src import machine_pages as MP

    def t_in(lang):
        return lambda key, **kw: i18n.t(key, lang, **kw)

    unified = next(p for p in MT.presets() if p["unified"])
    name = cat.gpu_name_of(unified["gpu_ids"][0], ZH)
    assert MP.machine_title(unified, t_in(ZH), str, ZH) == name and "统一内存" in name
    assert MP.machine_title(unified, t_in("en"), str) == unified["gpu_names"][0]
    for p in MT.presets():
        en = MP.machine_title(p, t_in("en"), str)
        assert MP.machine_title(p, t_in("en"), str, "en") == en
        zh = MP.machine_title(p, t_in(ZH), str, ZH)
        assert not re.search(r"\b(Laptop|unified memory)\b", zh), zh
    links = MP.machines_for_gpu(unified["gpu_ids"][0], t_in(ZH), str, lang=ZH)
    assert links and all("统一内存" in link["title"] for link in links)
