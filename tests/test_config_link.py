"""A custom model's link fragment (calc_py.config_link): it carries only the fields
calc_py reads, gives back exactly the same architecture, and any other text is one
CalcError (never another exception, never a decompression bomb)."""
from __future__ import annotations

import base64
import json
import zlib

import pytest
from hypothesis import given, settings, strategies as st

from calc_py import api, catalog as cat, config_link as L
from calc_py.architecture import from_config
from calc_py.errors import CalcError

QWEN3_8B = {
    "architectures": ["Qwen3ForCausalLM"], "attention_bias": False, "bos_token_id": 151643,
    "eos_token_id": 151645, "head_dim": 128, "hidden_act": "silu", "hidden_size": 4096,
    "intermediate_size": 12288, "max_position_embeddings": 40960, "model_type": "qwen3",
    "num_attention_heads": 32, "num_hidden_layers": 36, "num_key_value_heads": 8, "rms_norm_eps": 1e-06,
    "rope_theta": 1000000, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
    "transformers_version": "4.51.0", "use_cache": True, "vocab_size": 151936,
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=16), json_values, max_size=8))
def test_encode_decode_round_trip(fields):
    assert L.decode(L.encode(fields)) == fields


@settings(max_examples=60, deadline=None)
@given(layers=st.integers(1, 120), heads=st.sampled_from([8, 16, 32, 64]), kv=st.sampled_from([1, 2, 4, 8]),
       hidden=st.sampled_from([1024, 2048, 4096, 5120]), vocab=st.integers(1000, 300_000),
       tied=st.booleans(), ctx=st.integers(512, 1 << 20))
def test_fragment_round_trip_gives_the_same_architecture(layers, heads, kv, hidden, vocab, tied, ctx):
    cfg = {**QWEN3_8B, "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": kv,
           "hidden_size": hidden, "vocab_size": vocab, "tie_word_embeddings": tied,
           "max_position_embeddings": ctx}
    assert from_config(L.from_fragment(L.to_fragment(cfg))) == from_config(cfg)


@pytest.mark.parametrize("model_id", [m.id for m in cat.supported_models()][::6])
def test_catalog_configs_round_trip(model_id):
    config = cat.find_model(model_id).config
    assert from_config(L.from_fragment(L.to_fragment(config))) == from_config(config)


def test_only_read_fields_travel():
    fields = L.read_fields(QWEN3_8B)
    assert "transformers_version" not in fields and "bos_token_id" not in fields and "use_cache" not in fields
    # a field equal to calc_py's default still travels (the link keeps its meaning if a default changes)
    assert fields["tie_word_embeddings"] is False
    assert {"model_type", "hidden_size", "num_hidden_layers", "vocab_size"} <= set(fields)


@pytest.mark.parametrize("fragment", [
    "", "c2.abc", "c1.", "c1.!!!!", "c1.<img src=x onerror=alert(1)>",
    "c1." + base64.urlsafe_b64encode(zlib.compress(b"[1, 2]")).decode(),
    "c1." + base64.urlsafe_b64encode(zlib.compress(b"\xff\xfe")).decode(),
    "c1." + base64.urlsafe_b64encode(b"not zlib").decode(),
    "c1." + "A" * (L.MAX_FRAGMENT_CHARS + 1),
    "c1." + base64.urlsafe_b64encode(zlib.compress(b" " * (L.MAX_JSON_BYTES + 10))).decode(),   # a bomb
    "c1." + base64.urlsafe_b64encode(zlib.compress(b"[" * 5000 + b"]" * 5000)).decode(),
])
def test_bad_fragments_are_one_calc_error(fragment):
    with pytest.raises(CalcError):
        L.from_fragment(fragment)


def test_query_interface_takes_text_or_fragment_and_refuses_with_the_supported_list():
    text = json.dumps(QWEN3_8B)
    a = api.estimate_query({"context": "16384", "model": "ignored/by-config"}, config=text)
    assert a["inputs"]["model"] == "" and a["config"]["arch"] == "qwen3"
    b = api.estimate_query({"context": "16384"}, config=a["config"]["fragment"])
    assert b["result"]["total_bytes"] == a["result"]["total_bytes"]
    assert b["config"]["fragment"] == a["config"]["fragment"]
    for bad in ("{", "[1]", json.dumps({**QWEN3_8B, "model_type": "<b>x</b>"}), "[" * 4000 + "]" * 4000):
        r = api.estimate_query({}, config=bad)
        assert r["result"] is None and r["error"] and "qwen3" in r["supported"]
