"""Weight bytes: per-tensor sizes against an independent implementation (gguf-py)."""
import numpy as np
import pytest

gguf = pytest.importorskip("gguf")

from calc_py import catalog
from calc_py.architecture import from_config
from calc_py.ggml_types import tensor_bytes
from calc_py.quants import resolve
from calc_py.weights import gguf_weights, place_llamacpp, weights_for

TINY = {"model_type": "llama", "hidden_size": 512, "intermediate_size": 1536,
        "num_hidden_layers": 2, "num_attention_heads": 8, "num_key_value_heads": 2,
        "vocab_size": 1024, "max_position_embeddings": 4096, "tie_word_embeddings": False}


def _write_gguf(path, weights):
    """A GGUF whose tensor infos carry gguf-py's own byte sizes for each type."""
    w = gguf.GGUFWriter(str(path), "llama")
    for wt in weights.tensors:
        qtype = gguf.GGMLQuantizationType[wt.type]
        shape = tuple(reversed(wt.tensor.ne))             # numpy order
        byte_shape = gguf.quant_shape_to_byte_shape(shape, qtype)
        w.add_tensor(wt.tensor.name, np.zeros(byte_shape, dtype=np.uint8), raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


@pytest.mark.parametrize("mix", ["Q4_K_M", "Q8_0", "Q2_K", "IQ4_XS", "BF16"])
def test_tensor_bytes_equal_gguf_py_sizes_in_a_written_file(tmp_path, mix):
    weights = gguf_weights(from_config(TINY), mix)
    path = tmp_path / "tiny.gguf"
    _write_gguf(path, weights)
    reader = gguf.GGUFReader(str(path))
    ours = {wt.tensor.name: wt.nbytes for wt in weights.tensors}
    theirs = {t.name: int(t.n_bytes) for t in reader.tensors}
    assert theirs == ours


def test_q4_k_m_llama_3_1_8b_matches_the_quantizer_total():
    # llama-quantize (b11312) prints "quant size = 4685.30 MiB" for this shape
    w = gguf_weights(catalog.find_model("meta-llama/Llama-3.1-8B").architecture, "Q4_K_M")
    assert round(w.total / 2**20, 2) == 4685.30


def test_norms_stay_f32_in_every_mix():
    w = gguf_weights(from_config(TINY), "Q4_K_M")
    assert all(x.type == "F32" for x in w.tensors if len(x.tensor.ne) == 1)


def test_bf16_checkpoint_is_two_bytes_per_parameter():
    a = from_config(TINY)
    w = weights_for(a, resolve("bf16", "vllm"))
    assert w.total == 2 * sum(x.tensor.n_elements for x in w.tensors)


def test_awq_stores_half_a_byte_per_weight_plus_group_scales():
    a = from_config(TINY)
    w = weights_for(a, resolve("awq", "vllm"))
    q = next(x for x in w.tensors if x.tensor.name == "blk.0.attn_q.weight")
    n_in, n_out = q.tensor.ne
    groups = n_out * (n_in // 128)
    assert q.nbytes == n_in * n_out // 2 + groups * 2 + groups // 2


def test_token_embedding_stays_on_the_host_at_full_offload():
    a = from_config(TINY)
    w = gguf_weights(a, "Q8_0")
    p = place_llamacpp(a, w, a.n_layer + 1)
    embd = next(x.nbytes for x in w.tensors if x.tensor.name == "token_embd.weight")
    assert p.host_bytes == embd
    assert p.device_bytes == w.total - embd


def test_gpu_layers_leave_the_first_layers_on_the_host():
    a = from_config(TINY)
    w = gguf_weights(a, "Q8_0")
    p = place_llamacpp(a, w, 2)          # llama.cpp: i_gpu_start = n_layer + 1 - 2 = 1
    assert p.gpu_layers == frozenset({1}) and p.output_on_gpu
    layer0 = sum(x.nbytes for x in w.tensors if x.tensor.layer == 0)
    embd = next(x.nbytes for x in w.tensors if x.tensor.name == "token_embd.weight")
    assert p.host_bytes == layer0 + embd


def test_ggml_nbytes_of_a_3d_expert_tensor():
    assert tensor_bytes("Q4_K", (4096, 14336, 8)) == 14336 * 8 * (4096 // 256 * 144)


def test_mtp_block_counts_in_the_quantizer_plan_but_is_not_loaded():
    """llama-quantize's ffn counters run over block_count = n_layer + n_layer_nextn (the file's
    tensors, MTP block included); llama.cpp then skips the MTP block (TENSOR_SKIP)."""
    from calc_py.inventory import file_tensors, is_nextn, tensors
    from calc_py.weights import gguf_file_weights
    a = catalog.find_model("Qwen/Qwen3.5-397B-A17B").architecture
    w = gguf_weights(a, "Q4_K_M")
    assert w is gguf_weights(a, "Q4_K_M")                      # memoised, totals cached on it
    assert [x.tensor for x in w.tensors] == list(tensors(a))
    assert not any(is_nextn(a, x.tensor) for x in w.tensors)
    assert {x.tensor.name for x in w.tensors + w.not_loaded} == {t.name for t in file_tensors(a)}
    assert w.file_total == w.total + sum(x.nbytes for x in w.not_loaded) > w.total
    trunk = gguf_file_weights(a, "Q4_K_M", mtp_in_file=False)   # a file without the MTP block
    assert trunk.file_total == trunk.total and not trunk.not_loaded
    shifted = {x.tensor.name: (t.type, x.type) for x, t in zip(w.tensors, trunk.tensors) if x.type != t.type}
    assert shifted == {f"blk.52.{n}.weight": ("Q6_K", "Q4_K")
                       for n in ("attn_qkv", "ffn_down_exps", "ffn_down_shexp")}


def test_models_without_mtp_have_no_file_extra():
    w = gguf_weights(catalog.find_model("meta-llama/Llama-3.1-8B").architecture, "Q4_K_M")
    assert w.file_total == w.total and w.not_loaded == ()
