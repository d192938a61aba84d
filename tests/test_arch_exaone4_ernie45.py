"""EXAONE 4.0 (exaone4) and ERNIE 4.5 MoE (ernie4_5-moe): the facts calc_py reads off their
config.json, as llama.cpp b11312 lays them out.

The tensor lists themselves are checked against llama.cpp's own converter
(tests/test_conformance.py, records from benchmarks/convert_check.py) and the
memory against llama.cpp's loader and KV cache (tests/test_oracle.py); this file
pins the per-architecture rules those rest on.
"""
from __future__ import annotations

from calc_py import catalog
from calc_py.architecture import from_config
from calc_py.inventory import count_params, tensors
from calc_py.kv_cache import llamacpp_kv


def _arch(model_id: str):
    return catalog.find_model(model_id).architecture


def test_ernie45_moe_layout_and_published_count() -> None:
    a = _arch("baidu/ERNIE-4.5-21B-A3B-Thinking")
    assert a.arch == "ernie4_5-moe"
    assert a.moe_layers == (False,) + (True,) * 27          # moe_layer_start_index 1
    assert (a.n_expert, a.n_expert_used, a.n_ff_exp, a.n_ff_shexp) == (64, 6, 1536, 3072)
    assert a.router_bias and a.tied_embeddings
    names = {t.name: t.ne for t in tensors(a)}
    assert names["blk.1.exp_probs_b.bias"] == (64, 1)
    assert names["blk.0.ffn_gate.weight"] == (2560, 12288)
    assert "output.weight" not in names
    # Hugging Face API safetensors.total (catalog params_source)
    assert count_params(a) == 21_825_437_888


def test_exaone4_32b_sliding_window_layers() -> None:
    a = _arch("LGAI-EXAONE/EXAONE-4.0-32B")
    assert a.arch == "exaone4" and a.has_swa and a.n_swa == 4096
    assert a.swa_layers == (True, True, True, False) * 16
    assert not a.tied_embeddings and a.qk_norm and a.rope_freqs
    kv = llamacpp_kv(a, 32768)
    assert (kv.cells, kv.swa_cells) == (32768, 4608)        # GGML_PAD(4096 + 512, 256)


def test_exaone4_only_the_64_layer_model_has_sliding_windows() -> None:
    """src/models/exaone4.cpp: swa_type STANDARD only for n_layer == 64."""
    a = _arch("LGAI-EXAONE/EXAONE-4.0-1.2B")
    assert not a.has_swa and a.tied_embeddings
    cfg = dict(catalog.find_model("LGAI-EXAONE/EXAONE-4.0-32B").config)
    cfg.update(num_hidden_layers=32, layer_types=cfg["layer_types"][:32])
    assert not from_config(cfg).has_swa


def test_exaone4_pattern_string_without_layer_types() -> None:
    cfg = dict(catalog.find_model("LGAI-EXAONE/EXAONE-4.0-32B").config)
    cfg.pop("layer_types")
    assert from_config(cfg).swa_layers == (True, True, True, False) * 16
    cfg["sliding_window_pattern"] = 2
    assert from_config(cfg).swa_layers == (True, False) * 32


def test_exaone4_tensors_post_norms_only() -> None:
    a = _arch("LGAI-EXAONE/EXAONE-4.0-32B")
    names = {t.name for t in tensors(a)}
    assert "blk.0.attn_norm.weight" not in names and "blk.0.ffn_norm.weight" not in names
    assert {"blk.0.post_attention_norm.weight", "blk.0.post_ffw_norm.weight",
            "blk.0.attn_q_norm.weight", "blk.0.attn_k_norm.weight", "rope_freqs.weight"} <= names
