"""Chinese messages drop the space beside full-width punctuation a value brings in
(a card named "…（32GB 统一内存）" then "放得下"), and keep the space between a Latin value
and a Chinese word; English is never touched."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from calc_py import i18n


def test_a_card_name_ending_in_a_full_width_bracket_has_no_space_after_it():
    text = i18n.t("fit.fits", "zh-CN", gpu="Apple M2 Max（32GB 统一内存）", headroom="3 GiB")
    assert text == "Apple M2 Max（32GB 统一内存）放得下：还剩 3 GiB。"


def test_a_latin_card_name_keeps_its_space_before_the_chinese_word():
    assert i18n.t("fit.fits", "zh-CN", gpu="RTX 4090", headroom="3 GiB") == "RTX 4090 放得下：还剩 3 GiB。"


def test_english_keeps_every_space():
    gpu = "Apple M2 Max (32GB unified memory)"
    assert i18n.t("fit.fits", "en", gpu=gpu, headroom="3 GiB") == \
        i18n.catalog("en")["fit.fits"].format(gpu=gpu, headroom="3 GiB")


@pytest.mark.parametrize("key", sorted(k for k, v in i18n.catalog("zh-CN").items() if "{gpu}" in v))
def test_no_chinese_message_naming_a_card_leaves_a_space_beside_full_width_punctuation(key):
    template = i18n.catalog("zh-CN")[key]
    fields = {name: "（X）" for name in _fields(template)}
    text = i18n.t(key, "zh-CN", **fields)
    for mark in i18n.FULL_WIDTH_PUNCTUATION:
        assert f" {mark}" not in text and f"{mark} " not in text, (key, text)


def _fields(template: str) -> set[str]:
    import string
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@given(st.text(alphabet="ab （）：。 1", max_size=20))
def test_the_rule_only_removes_spaces(value):
    text = i18n.t("fit.fits", "zh-CN", gpu=value, headroom="1 GiB")
    raw = i18n.catalog("zh-CN")["fit.fits"].format(gpu=value, headroom="1 GiB")
    assert text.replace(" ", "") == raw.replace(" ", "")
