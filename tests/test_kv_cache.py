"""KV cache bytes against hand computation, one attention kind per test.

Every expected value below is written out from the model card's shapes and
llama.cpp's allocation rules (see calc_py/kv_cache.py), not from calc_py.
"""
from calc_py import catalog
from calc_py.kv_cache import llamacpp_kv, torch_kv_bytes

F16 = 2


def arch(model_id):
    return catalog.find_model(model_id).architecture


def test_gqa_llama_3_1_8b_f16_at_32k_is_exactly_4_gib():
    # 32 layers x 32768 cells x (8 KV heads x 128) x (K + V) x 2 bytes
    kv = llamacpp_kv(arch("meta-llama/Llama-3.1-8B"), 32768)
    assert kv.total == 32 * 32768 * 1024 * 2 * F16 == 4 << 30


def test_q8_0_cache_stores_34_bytes_per_32_values():
    kv = llamacpp_kv(arch("meta-llama/Llama-3.1-8B"), 32768, kv_type="q8_0")
    assert kv.total == 32 * 32768 * (1024 // 32 * 34) * 2


def test_q4_0_cache_stores_18_bytes_per_32_values():
    kv = llamacpp_kv(arch("meta-llama/Llama-3.1-8B"), 8192, kv_type="q4_0")
    assert kv.total == 32 * 8192 * (1024 // 32 * 18) * 2


def test_context_is_padded_to_256_cells():
    a = arch("meta-llama/Llama-3.1-8B")
    assert llamacpp_kv(a, 1000).cells == 1024
    assert llamacpp_kv(a, 1000).total == llamacpp_kv(a, 1024).total


def test_mla_caches_only_the_latent_and_rope_part():
    # DeepSeek-V3: 61 layers, kv_lora_rank 512 + qk_rope_head_dim 64, no V tensor
    kv = llamacpp_kv(arch("deepseek-ai/DeepSeek-V3"), 16384)
    assert kv.v_bytes == 0
    assert kv.k_bytes == 61 * 16384 * (512 + 64) * F16


def test_sliding_window_layers_keep_window_plus_ubatch():
    a = arch("google/gemma-3-27b-it")
    assert a.n_swa == 1024
    kv = llamacpp_kv(a, 32768, n_ubatch=512)
    swa_cells = 1024 + 512                      # pad256(n_swa * 1 + n_ubatch)
    per_cell = 16 * 128 * 2 * F16                 # 16 KV heads x 128, K + V
    full_layers = sum(1 for il in range(62) if il % 6 == 5)
    assert kv.swa_cells == swa_cells
    assert kv.total == (full_layers * 32768 + (62 - full_layers) * swa_cells) * per_cell


def test_sliding_window_cache_grows_with_parallel_sequences():
    a = arch("google/gemma-3-27b-it")
    assert llamacpp_kv(a, 32768 * 4, 4, n_ubatch=512).swa_cells == 4 * 1024 + 512


def test_hybrid_model_keeps_fixed_recurrent_state_per_sequence():
    a = arch("Qwen/Qwen3-Next-80B-A3B-Instruct")
    n_attn = sum(1 for il in range(48) if (il + 1) % 4 == 0)
    conv = (4 - 1) * (4096 + 2 * 16 * 128)        # (d_conv-1) x conv channels, f32
    state = 128 * 4096                            # head_k_dim x value_dim, f32
    for seqs in (1, 4):
        kv = llamacpp_kv(a, 8192 * seqs, seqs)
        assert kv.recurrent_bytes == (48 - n_attn) * (conv + state) * 4 * seqs
        assert kv.k_bytes == n_attn * 8192 * seqs * 2 * 256 * F16


def test_recurrent_state_does_not_grow_with_context():
    a = arch("Qwen/Qwen3-Next-80B-A3B-Instruct")
    assert llamacpp_kv(a, 4096).recurrent_bytes == llamacpp_kv(a, 262144).recurrent_bytes


def test_moe_model_kv_depends_only_on_attention_shape():
    # Mixtral 8x7B: 32 layers, 8 KV heads x 128, experts do not matter
    kv = llamacpp_kv(arch("mistralai/Mixtral-8x7B-v0.1"), 4096)
    assert kv.total == 32 * 4096 * 1024 * 2 * F16


def test_non_unified_cache_pads_each_stream():
    a = arch("meta-llama/Llama-3.1-8B")
    kv = llamacpp_kv(a, 3000, 4, unified=False)
    assert (kv.cells, kv.n_stream) == (768, 4)    # pad256(pad256(3000) / 4) per stream


def test_transformers_dynamic_cache_is_exact_tokens_times_batch():
    a = arch("meta-llama/Llama-3.1-8B")
    assert torch_kv_bytes(a, 1000, 3, F16) == 32 * 1000 * 3 * 1024 * 2 * F16


# ---- 'auto' KV dtype of the PyTorch engines follows the model's dtype ------------

def _torch_kv(model_id, engine, quant, kv_cache=None, context=4096):
    from calc_py.estimate import Setup, estimate
    return estimate(Setup(model=model_id, engine=engine, quant=quant, context=context,
                          kv_cache=kv_cache), with_fit=False)["kv_cache_bytes"]


def test_a_float32_model_has_a_4_byte_auto_kv_cache_on_transformers():
    # 36 layers x 4096 tokens x (8 KV heads x 128) x (K + V) x 4 bytes (Qwen3-8B in float32)
    assert _torch_kv("Qwen/Qwen3-8B", "transformers", "fp32") == 36 * 4096 * 1024 * 2 * 4
    assert _torch_kv("Qwen/Qwen3-8B", "transformers", "bf16") == 36 * 4096 * 1024 * 2 * 2


def test_auto_is_the_16_bit_compute_dtype_for_quantized_checkpoints_and_a_named_dtype_wins():
    from calc_py.kv_cache import torch_kv_dtype_bytes
    assert torch_kv_dtype_bytes("auto", "fp32", "bfloat16") == 4         # --dtype float32
    assert torch_kv_dtype_bytes("auto", None, "float32") == 2            # vLLM: "Downcast for float32 models"
    assert torch_kv_dtype_bytes("auto", None, "float16") == 2
    assert torch_kv_dtype_bytes("auto", None, "") == 2
    assert torch_kv_dtype_bytes("fp8", "fp32", "float32") == 1
    assert _torch_kv("Qwen/Qwen3-8B", "vllm", "bf16", "fp8") * 2 == _torch_kv("Qwen/Qwen3-8B", "vllm", "bf16")
