"""The GGUF-mix port must pick the same per-tensor types as llama.cpp's quantizer.

Expected values are read off src/llama-quant.cpp (llama_tensor_get_type_impl)
for a Llama-3-8B-shaped model; benchmarks/oracle_quant_check.py checks the same
against the compiled quantizer.
"""
from __future__ import annotations

import pytest

from benchmarks.gguf_writer import llama_tensors
from calc_py.ggml_types import tensor_bytes
from calc_py.gguf_mix import MIXES, plan_quantization, plan_types, tensor_allows_quantization
from calc_py.tensor import Tensor

N_LAYER = 32
N_EMBD = 4096
N_FF = 14336
N_VOCAB = 128256
LLAMA3_8B = dict(arch="llama", n_layer=N_LAYER, n_head=32, n_head_kv=8)

# use_more_bits(i, 32): i < 4, i >= 28, or (i - 4) % 3 == 2
MORE_BITS_LAYERS = {0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31}


def llama3_8b(*, tied: bool = False, n_embd: int = N_EMBD, n_ff: int = N_FF) -> list[Tensor]:
    """Llama-3-8B tensor inventory (ggml order, ne[0] = row length)."""
    return llama_tensors(n_layer=N_LAYER, n_embd=n_embd, n_head=32, n_head_kv=8, n_ff=n_ff, n_vocab=N_VOCAB,
                         tied=tied)


def moe_8x(n_expert: int = 8) -> list[Tensor]:
    """Mixtral-shaped model: 32 layers, n_expert experts stacked in *_exps tensors."""
    ts = [Tensor("token_embd.weight", (4096, 32000)), Tensor("output.weight", (4096, 32000)),
          Tensor("output_norm.weight", (4096,))]
    for i in range(32):
        p = f"blk.{i}."
        ts += [
            Tensor(p + "attn_norm.weight", (4096,), i),
            Tensor(p + "attn_q.weight", (4096, 4096), i),
            Tensor(p + "attn_k.weight", (4096, 1024), i),
            Tensor(p + "attn_v.weight", (4096, 1024), i),
            Tensor(p + "attn_output.weight", (4096, 4096), i),
            Tensor(p + "ffn_norm.weight", (4096,), i),
            Tensor(p + "ffn_gate_inp.weight", (4096, n_expert), i),
            Tensor(p + "ffn_gate_exps.weight", (4096, 14336, n_expert), i),
            Tensor(p + "ffn_up_exps.weight", (4096, 14336, n_expert), i),
            Tensor(p + "ffn_down_exps.weight", (14336, 4096, n_expert), i),
        ]
    return ts


def layer_types(types: dict[str, str], role: str) -> list[str]:
    return [types[f"blk.{i}.{role}.weight"] for i in range(N_LAYER)]


@pytest.fixture(scope="module")
def q4_k_m() -> dict[str, str]:
    return plan_types("Q4_K_M", llama3_8b(), **LLAMA3_8B)


def test_q4_k_m_output_is_q6_k(q4_k_m: dict[str, str]) -> None:
    assert q4_k_m["output.weight"] == "Q6_K"


def test_q4_k_m_untied_token_embd_keeps_the_default(q4_k_m: dict[str, str]) -> None:
    assert q4_k_m["token_embd.weight"] == "Q4_K"


def test_q4_k_m_attn_v_gets_q6_k_on_use_more_bits_layers(q4_k_m: dict[str, str]) -> None:
    expected = ["Q6_K" if i in MORE_BITS_LAYERS else "Q4_K" for i in range(N_LAYER)]
    assert layer_types(q4_k_m, "attn_v") == expected


def test_q4_k_m_ffn_down_gets_q6_k_on_use_more_bits_layers(q4_k_m: dict[str, str]) -> None:
    expected = ["Q6_K" if i in MORE_BITS_LAYERS else "Q4_K" for i in range(N_LAYER)]
    assert layer_types(q4_k_m, "ffn_down") == expected


def test_q4_k_m_bumps_exactly_half_the_layers(q4_k_m: dict[str, str]) -> None:
    assert layer_types(q4_k_m, "attn_v").count("Q6_K") == 16


@pytest.mark.parametrize("role", ["attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"])
def test_q4_k_m_other_matrices_stay_q4_k(q4_k_m: dict[str, str], role: str) -> None:
    assert set(layer_types(q4_k_m, role)) == {"Q4_K"}


def test_q4_k_m_norms_stay_f32(q4_k_m: dict[str, str]) -> None:
    norms = [n for n in q4_k_m if n.endswith("_norm.weight")]
    assert len(norms) == 2 * N_LAYER + 1
    assert {q4_k_m[n] for n in norms} == {"F32"}


def test_result_covers_every_tensor_in_input_order() -> None:
    ts = llama3_8b()
    assert list(plan_types("Q4_K_M", ts, **LLAMA3_8B)) == [t.name for t in ts]


def test_q8_0_quantizes_every_matrix_to_q8_0_and_keeps_1d_f32() -> None:
    types = plan_types("Q8_0", llama3_8b(), **LLAMA3_8B)
    assert {t for n, t in types.items() if not n.endswith("_norm.weight")} == {"Q8_0"}
    assert {t for n, t in types.items() if n.endswith("_norm.weight")} == {"F32"}


def test_f16_converts_matrices_but_leaves_1d_at_source_type() -> None:
    types = plan_types("F16", llama3_8b(), **LLAMA3_8B)
    assert types["output.weight"] == types["blk.0.attn_v.weight"] == "F16"
    assert types["blk.0.attn_norm.weight"] == "F32"


def test_source_types_decide_what_non_quantizable_tensors_keep() -> None:
    types = plan_types("Q4_K_M", llama3_8b(), **LLAMA3_8B,
                       source_types={"output_norm.weight": "F16"})
    assert types["output_norm.weight"] == "F16"


def test_tied_embeddings_give_token_embd_the_output_rule() -> None:
    types = plan_types("Q4_K_M", llama3_8b(tied=True), **LLAMA3_8B)
    assert "output.weight" not in types
    assert types["token_embd.weight"] == "Q6_K"


def test_tied_embeddings_under_an_iq2_mix_get_q5_k() -> None:
    types = plan_types("IQ2_XXS", llama3_8b(tied=True), **LLAMA3_8B)
    assert types["token_embd.weight"] == "Q5_K"


def test_untied_token_embd_under_iq2_xxs_is_q2_k() -> None:
    types = plan_types("IQ2_XXS", llama3_8b(), **LLAMA3_8B)
    assert types["token_embd.weight"] == "Q2_K"


def test_row_not_multiple_of_256_falls_back_to_a_32_block_type() -> None:
    # n_embd 4160 = 130 * 32, not a multiple of 256
    plan = plan_quantization("Q4_K_M", llama3_8b(n_embd=4160), **LLAMA3_8B)
    assert plan.types["blk.5.attn_q.weight"] == "Q5_0"         # Q4_K -> Q5_0
    assert plan.types["blk.0.attn_v.weight"] == "Q8_0"         # Q6_K -> Q8_0
    assert plan.types["blk.5.ffn_down.weight"] == "Q4_K"       # row 14336 is fine
    assert plan.n_fallback > 0


def test_output_with_odd_row_goes_straight_to_q8_0_without_fallback() -> None:
    plan = plan_quantization("Q4_K_M", llama3_8b(n_embd=4160), **LLAMA3_8B)
    assert plan.types["output.weight"] == "Q8_0"
    assert "output.weight" not in plan.fallbacks


def test_row_not_multiple_of_32_falls_back_to_f16() -> None:
    ts = [Tensor("blk.0.attn_q.weight", (100, 4096), 0)]
    types = plan_types("Q4_K_M", ts, arch="llama", n_layer=1, n_head=32, n_head_kv=8)
    assert types["blk.0.attn_q.weight"] == "F16"


def test_moe_with_8_experts_bumps_attn_v_and_attn_k_to_q8_0() -> None:
    types = plan_types("Q4_K_M", moe_8x(8), arch="llama", n_layer=32, n_head=32, n_head_kv=8, n_expert=8)
    assert set(layer_types(types, "attn_v")) == {"Q8_0"}
    assert set(layer_types(types, "attn_k")) == {"Q8_0"}


def test_moe_expert_ffn_down_uses_the_layer_from_its_name() -> None:
    types = plan_types("Q4_K_M", moe_8x(8), arch="llama", n_layer=32, n_head=32, n_head_kv=8, n_expert=8)
    expected = ["Q6_K" if i in MORE_BITS_LAYERS else "Q4_K" for i in range(N_LAYER)]
    assert layer_types(types, "ffn_down_exps") == expected


def test_moe_router_is_never_quantized() -> None:
    types = plan_types("Q4_K_M", moe_8x(8), arch="llama", n_layer=32, n_head=32, n_head_kv=8, n_expert=8,
                       source_types={"blk.0.ffn_gate_inp.weight": "F32"})
    assert types["blk.0.ffn_gate_inp.weight"] == "F32"
    assert types["blk.1.ffn_gate_inp.weight"] == "BF16"


def test_mxfp4_moe_puts_experts_in_mxfp4_and_the_rest_in_q8_0() -> None:
    types = plan_types("MXFP4_MOE", moe_8x(32), arch="gpt-oss", n_layer=32, n_head=64, n_head_kv=8,
                       n_expert=32)
    assert types["blk.3.ffn_up_exps.weight"] == "MXFP4"
    assert types["blk.3.attn_q.weight"] == "Q8_0"
    assert types["output.weight"] == types["token_embd.weight"] == "Q8_0"


def test_q3_k_m_first_two_attn_v_get_q5_k() -> None:
    types = plan_types("Q3_K_M", llama3_8b(), **LLAMA3_8B)
    assert layer_types(types, "attn_v")[:3] == ["Q5_K", "Q5_K", "Q4_K"]
    assert set(layer_types(types, "attn_output")) == {"Q4_K"}


def test_q2_k_with_gqa_gives_attn_v_q4_k() -> None:
    types = plan_types("Q2_K", llama3_8b(), **LLAMA3_8B)
    assert set(layer_types(types, "attn_v")) == {"Q4_K"}
    assert set(layer_types(types, "ffn_down")) == {"Q3_K"}


def test_q2_k_without_gqa_gives_attn_v_q3_k() -> None:
    types = plan_types("Q2_K", llama3_8b(), arch="llama", n_layer=32, n_head=32, n_head_kv=32)
    assert set(layer_types(types, "attn_v")) == {"Q3_K"}


def test_70b_llama_lifts_q4_k_attn_v_to_q5_k() -> None:
    ts = [Tensor(f"blk.{i}.attn_v.weight", (8192, 1024), i) for i in range(80)]
    types = plan_types("Q4_K_S", ts, arch="llama", n_layer=80, n_head=64, n_head_kv=8)
    assert set(types.values()) == {"Q5_K"}


def test_iq2_xxs_needs_an_imatrix() -> None:
    plan = plan_quantization("IQ2_XXS", llama3_8b(), **LLAMA3_8B)
    assert "blk.10.ffn_up.weight" in plan.requires_imatrix
    assert "token_embd.weight" not in plan.requires_imatrix


def test_q4_0_output_still_gets_q6_k() -> None:
    types = plan_types("Q4_0", llama3_8b(), **LLAMA3_8B)
    assert types["output.weight"] == "Q6_K"
    assert types["blk.0.ffn_down.weight"] == "Q4_0"


def test_pure_skips_the_mix_rules() -> None:
    types = plan_types("Q4_K_M", llama3_8b(), **LLAMA3_8B, pure=True)
    assert types["output.weight"] == types["blk.0.attn_v.weight"] == "Q4_K"


def test_position_embeddings_and_ssm_conv1d_are_not_quantized() -> None:
    assert not tensor_allows_quantization("position_embd.weight", (768, 1024), arch="gpt2")
    assert not tensor_allows_quantization("blk.0.ssm_conv1d.weight", (4, 8192), arch="mamba")
    assert not tensor_allows_quantization("blk.0.attn_q.bias", (4096, 2), arch="llama")
    assert tensor_allows_quantization("blk.0.attn_q.weight", (4096, 4096), arch="llama")


def test_a_trailing_size_1_dimension_counts_as_1d() -> None:
    assert not tensor_allows_quantization("blk.0.attn_q.weight", (4096, 1), arch="llama")


def test_copy_keeps_every_source_type() -> None:
    types = plan_types("COPY", llama3_8b(), **LLAMA3_8B)
    assert types["output.weight"] == "BF16"
    assert types["output_norm.weight"] == "F32"


def test_all_requested_mixes_exist() -> None:
    wanted = ("F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K Q2_K_S Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M "
              "Q5_K_S Q5_K_M Q6_K IQ1_S IQ1_M IQ2_XXS IQ2_XS IQ2_S IQ2_M IQ3_XXS IQ3_XS IQ3_S IQ3_M "
              "IQ4_NL IQ4_XS TQ1_0 TQ2_0 MXFP4_MOE Q1_0 Q2_0").split()
    assert set(wanted) <= set(MIXES)


@pytest.mark.parametrize("mix", sorted(MIXES))
def test_every_mix_plans_llama3_8b(mix: str) -> None:
    types = plan_types(mix, llama3_8b(), **LLAMA3_8B)
    assert len(types) == 3 + 9 * N_LAYER


@pytest.mark.parametrize(
    ("mix", "n_bytes", "oracle_mib"),
    [
        # oracle_mib: "quant size = ... MiB" printed by llama_model_quantize(dry_run) in
        # llama.cpp b11312 for this exact inventory (benchmarks/oracle_quant_check.py)
        ("Q4_K_M", 4_912_898_048, 4685.30),
        ("Q8_0", 8_532_934_656, 8137.64),
        ("Q3_K_S", 3_656_663_040, 3487.27),
        ("IQ2_XXS", 2_391_375_872, 2280.59),
    ],
)
def test_llama3_8b_file_size_matches_llama_cpp(mix: str, n_bytes: int, oracle_mib: float) -> None:
    ts = llama3_8b()
    types = plan_types(mix, ts, **LLAMA3_8B)
    total = sum(tensor_bytes(types[t.name], t.ne) for t in ts)
    assert total == n_bytes
    assert f"{total / 2**20:.2f}" == f"{oracle_mib:.2f}"


def test_unknown_mix_raises() -> None:
    with pytest.raises(ValueError, match="unknown GGUF mix"):
        plan_types("Q4_K_X", llama3_8b(), **LLAMA3_8B)


# --- options that model published files b11312 itself would not make -------

def _phi3_like(n_layer: int = 8) -> list[Tensor]:
    """Fused attn_qkv + fused gate/up ffn_up, MHA (n_gqa = 1), like Phi-3.5-mini."""
    ts = [Tensor("token_embd.weight", (3072, 32064)), Tensor("output_norm.weight", (3072,)),
          Tensor("output.weight", (3072, 32064))]
    for il in range(n_layer):
        ts += [Tensor(f"blk.{il}.attn_norm.weight", (3072,), il),
               Tensor(f"blk.{il}.attn_qkv.weight", (3072, 9216), il),
               Tensor(f"blk.{il}.attn_output.weight", (3072, 3072), il),
               Tensor(f"blk.{il}.ffn_norm.weight", (3072,), il),
               Tensor(f"blk.{il}.ffn_down.weight", (8192, 3072), il),
               Tensor(f"blk.{il}.ffn_up.weight", (3072, 16384), il)]
    return ts


def _qkv_types(mix: str, legacy: bool) -> set[str]:
    types = plan_types(mix, _phi3_like(), arch="phi3", n_layer=8, n_head=32, n_head_kv=32,
                       legacy_qkv=legacy)
    return {types[f"blk.{il}.attn_qkv.weight"] for il in range(8)}


@pytest.mark.parametrize("mix,b11312,legacy", [
    ("Q2_K", {"Q3_K"}, {"Q2_K"}),            # attn_v rule (n_gqa < 4) vs default
    ("Q3_K_L", {"Q5_K"}, {"Q4_K"}),
    ("Q4_K_M", {"Q4_K", "Q6_K"}, {"Q5_K"}),  # use_more_bits vs every layer Q5_K
    ("Q5_K_M", {"Q5_K", "Q6_K"}, {"Q6_K"}),
    ("Q4_K_S", {"Q4_K", "Q5_K"}, {"Q4_K"}),  # i_attention_wv < 4 bump vs none
    ("IQ2_M", {"IQ3_S"}, {"IQ2_S"}),
])
def test_attn_qkv_b11312_treats_it_as_attn_v_legacy_rule_does_not(mix, b11312, legacy) -> None:
    assert _qkv_types(mix, legacy=False) == b11312
    assert _qkv_types(mix, legacy=True) == legacy


def test_legacy_qkv_leaves_models_without_fused_qkv_alone() -> None:
    ts = _phi3_like()  # any non-qkv tensor keeps its type
    a = plan_types("Q4_K_M", ts, arch="phi3", n_layer=8, n_head=32, n_head_kv=32)
    b = plan_types("Q4_K_M", ts, arch="phi3", n_layer=8, n_head=32, n_head_kv=32, legacy_qkv=True)
    assert {k: v for k, v in a.items() if "attn_qkv" not in k} == \
           {k: v for k, v in b.items() if "attn_qkv" not in k}


def _gpt_oss_like() -> tuple[list[Tensor], dict[str, str]]:
    ts = [Tensor("token_embd.weight", (2880, 201088)), Tensor("output.weight", (2880, 201088))]
    src = {}
    for il in range(2):
        for n, ne in (("ffn_gate_exps", (2880, 2880, 32)), ("ffn_down_exps", (2880, 2880, 32)),
                      ("ffn_up_exps", (2880, 2880, 32))):
            ts.append(Tensor(f"blk.{il}.{n}.weight", ne, il))
            src[f"blk.{il}.{n}.weight"] = "MXFP4"
        ts.append(Tensor(f"blk.{il}.attn_q.weight", (2880, 4096), il))
    return ts, src


@pytest.mark.parametrize("mix", ["Q4_K_M", "Q8_0", "F16", "Q2_K"])
def test_keep_quantized_source_copies_mxfp4_experts(mix) -> None:
    ts, src = _gpt_oss_like()
    kw = dict(arch="gpt-oss", n_layer=2, n_head=64, n_head_kv=8, n_expert=32, source_types=src)
    plain = plan_types(mix, ts, **kw)
    kept = plan_types(mix, ts, keep_quantized_source=True, **kw)
    for name in src:
        assert plain[name] != "MXFP4"          # b11312 plans a re-quantization
        assert kept[name] == "MXFP4"
    assert kept["blk.0.attn_q.weight"] == plain["blk.0.attn_q.weight"]
