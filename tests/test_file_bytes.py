"""The download size (``file_bytes``): GGUF layout checked against gguf-py's writer
(llama.cpp's own Python GGUF writer), the tokenizer model against llama.cpp's
measured vocabularies, and the estimate's field on every engine."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

gguf = pytest.importorskip("gguf")

from calc_py import api, catalog, gguf_file, gguf_size
from calc_py.architecture import from_config
from calc_py.estimate import Setup, estimate
from calc_py.weights import gguf_file_weights, gguf_weights

#: a tiny qwen3: head_dim 12, so the q/k norms hold 48 bytes (not a multiple of the
#: 32-byte alignment) and the writer has padding to add between tensors
TINY = {"model_type": "qwen3", "hidden_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "head_dim": 12, "intermediate_size": 96, "vocab_size": 301,
        "max_position_embeddings": 4096, "tie_word_embeddings": True}


def _write_full_gguf(path, a, mix):
    """A complete GGUF (tensor data included) written by gguf-py, with a tokenizer."""
    w = gguf.GGUFWriter(str(path), a.arch)
    w.add_block_count(a.n_layer)
    w.add_embedding_length(a.n_embd)
    w.add_head_count(a.n_head)
    w.add_head_count_kv(a.n_head_kv[0])
    w.add_key_length(a.head_dim_k)
    w.add_value_length(a.head_dim_v)
    w.add_feed_forward_length(a.n_ff[0])
    w.add_context_length(a.max_context)
    w.add_file_type(7)                                # LLAMA_FTYPE_MOSTLY_Q8_0
    w.add_tokenizer_model("gpt2")
    w.add_token_list([f"tok{i}" for i in range(a.n_vocab)])
    w.add_token_types([1] * a.n_vocab)
    w.add_token_merges([f"t {i}" for i in range(a.n_vocab - 20)])
    for wt in gguf_weights(a, mix).tensors:
        q = gguf.GGMLQuantizationType[wt.type]
        shape = gguf.quant_shape_to_byte_shape(tuple(reversed(wt.tensor.ne)), q)
        w.add_tensor(wt.tensor.name, np.zeros(shape, dtype=np.uint8), raw_dtype=q)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory):
    a = from_config(TINY)
    path = _write_full_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf", a, "Q8_0")
    return a, path


def test_the_tiny_file_needs_padding_between_tensors(tiny_file):
    a, _ = tiny_file
    assert any(x.nbytes % gguf_size.ALIGNMENT for x in gguf_weights(a, "Q8_0").tensors)


def test_file_size_from_the_header_equals_what_gguf_py_wrote(tiny_file):
    a, path = tiny_file
    m = gguf_file.load(path.read_bytes())
    assert gguf_size.gguf_file_bytes_from_header(m.header.header_bytes, 32, m.weights) == os.path.getsize(path)


def test_tensor_info_records_are_sized_as_gguf_py_writes_them(tiny_file):
    a, path = tiny_file
    reader = gguf.GGUFReader(str(path))
    kv = sum(int(p.nbytes) for f in reader.fields.values() for p in f.parts) - 24   # GGUFReader counts the header too
    rows = [(x.tensor.name, len(x.tensor.ne), x.nbytes) for x in gguf_weights(a, "Q8_0").tensors]
    assert gguf_size.gguf_file_bytes_from(rows, kv) == os.path.getsize(path)


def test_the_estimate_of_a_given_gguf_reports_its_size(tiny_file):
    _, path = tiny_file
    size = os.path.getsize(path)
    assert estimate(Setup(gguf=str(path)))["file_bytes"] == size
    assert estimate(Setup(gguf=path.read_bytes()[:4096 * 16]))["file_bytes"] == size   # header bytes only
    assert estimate(Setup(gguf=str(path)))["file_kind"] == "file"


@pytest.mark.parametrize("vocab, model_id", [
    ("llama-bpe", "meta-llama/Llama-3.1-8B"), ("qwen2", "Qwen/Qwen2.5-1.5B-Instruct"),
    ("llama-spm", "meta-llama/Llama-2-7b-hf"), ("phi-3", "microsoft/Phi-3-mini-4k-instruct"),
    ("command-r", "CohereForAI/c4ai-command-r-v01"), ("deepseek-llm", "deepseek-ai/DeepSeek-V2-Lite"),
])
def test_a_model_whose_vocabulary_llamacpp_ships_gets_its_measured_tokenizer_bytes(vocab, model_id):
    v = gguf_size.VOCABS[vocab]
    a = catalog.find_model(model_id).architecture
    assert a.n_vocab == v.n_tokens
    measured = v.tokens + v.token_type + v.scores + v.merges
    assert abs(gguf_size.tokenizer_bytes(a) - measured) <= 300      # key names: a few bytes each


def test_gemma2_file_size_matches_the_published_exact_byte_count():
    # duyntnet/gemma-2-27b-it-imatrix-GGUF git-lfs pointers (groundtruth gguf-0329, gguf-0331):
    # Q4_K_M 16,645,383,008 bytes, Q4_0 15,681,463,136 bytes, both quantized with an imatrix
    a = catalog.find_model("google/gemma-2-27b").architecture
    for quant, published in (("Q4_K_M", 16_645_383_008), ("Q4_0", 15_681_463_136)):
        w = gguf_file_weights(a, quant, has_imatrix=True)
        assert abs(gguf_size.gguf_file_bytes(a, w) - published) < 2048, quant
    r = estimate(Setup(model="google/gemma-2-27b", quant="Q4_K_M"), with_fit=False)
    assert abs(r["file_bytes"] - 16_645_383_008) < 2048


@pytest.mark.parametrize("model", catalog.supported_models(), ids=lambda m: m.id)
def test_every_catalog_gguf_is_its_tensors_plus_a_few_megabytes_of_metadata(model):
    r = estimate(Setup(model=model.id), with_fit=False)
    w = gguf_weights(model.architecture, "Q4_K_M")      # NextN/MTP blocks: in the file, not loaded
    assert r["file_kind"] == "gguf" and r["file_bytes"] > w.file_total >= r["model_bytes"]
    assert 300_000 < r["file_bytes"] - w.file_total < 20_000_000   # header, tokenizer, tensor list


def test_a_safetensors_checkpoint_is_its_tensors_plus_json_headers():
    r = estimate(Setup(model="meta-llama/Llama-3.1-8B", engine="vllm", quant="bf16"), with_fit=False)
    assert r["file_kind"] == "safetensors"
    # four 5 GB shards, each an 8-byte length and a JSON header of ~100 bytes per tensor
    assert 8 * 4 < r["file_bytes"] - r["model_bytes"] < 100_000


def test_the_cli_table_shows_the_download_in_both_languages():
    for lang, label in (("en", "Download (file)"), ("zh-CN", "下载大小（文件）")):
        p = subprocess.run([sys.executable, "-m", "calc_py", "estimate", "--model", "Qwen/Qwen3-8B",
                            "--lang", lang], capture_output=True, text=True)
        assert p.returncode == 0 and label in p.stdout


def test_the_page_shows_the_download():
    from site_src import view
    out = json.loads(view.run(json.dumps({"model": "Qwen/Qwen3-8B"})))
    r = api.estimate_query({"model": "Qwen/Qwen3-8B"})["result"]
    assert out["download"]["bytes"] == r["file_bytes"] > r["model_bytes"]
    assert out["download"]["gib"].endswith("GiB")
