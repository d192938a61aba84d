"""Estimating from a GGUF file's header: exact types, clear errors on bad files."""
import numpy as np
import pytest

gguf = pytest.importorskip("gguf")

from calc_py import catalog, gguf_file
from calc_py.errors import CalcError
from calc_py.estimate import Setup, estimate
from calc_py.weights import gguf_weights

MODEL = "Qwen/Qwen3-0.6B"


def _header_only_gguf(path, model_id, mix):
    """A GGUF header as llama.cpp's converter writes it, with no tensor data."""
    a = catalog.find_model(model_id).architecture
    w = gguf.GGUFWriter(str(path), a.arch)
    w.add_block_count(a.n_layer)
    w.add_embedding_length(a.n_embd)
    w.add_head_count(a.n_head)
    w.add_head_count_kv(a.n_head_kv[0])
    w.add_key_length(a.head_dim_k)
    w.add_value_length(a.head_dim_v)
    w.add_feed_forward_length(a.n_ff[0])
    w.add_context_length(a.max_context)
    w.add_file_type(15)                               # LLAMA_FTYPE_MOSTLY_Q4_K_M
    for wt in gguf_weights(a, mix).tensors:
        q = gguf.GGMLQuantizationType[wt.type]
        shape = gguf.quant_shape_to_byte_shape(tuple(reversed(wt.tensor.ne)), q)
        w.add_tensor_info(wt.tensor.name, shape, np.dtype(np.uint8), wt.nbytes, raw_dtype=q)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    w.close()
    return path


def test_a_gguf_header_gives_the_same_estimate_as_the_catalog_model(tmp_path):
    path = _header_only_gguf(tmp_path / "m.gguf", MODEL, "Q4_K_M")
    from_file = estimate(Setup(gguf=str(path), context=32768))
    from_catalog = estimate(Setup(model=MODEL, quant="Q4_K_M", context=32768))
    for key in ("model_bytes", "weights_bytes", "kv_cache_bytes", "compute_bytes", "total_bytes",
                "host_bytes"):
        assert from_file[key] == from_catalog[key], key
    assert from_file["inputs"]["quant"] == "Q4_K_M"


def test_header_bytes_alone_are_enough(tmp_path):
    path = _header_only_gguf(tmp_path / "m.gguf", MODEL, "Q8_0")
    data = path.read_bytes()
    m = gguf_file.load(data)
    assert m.weights.total == gguf_weights(catalog.find_model(MODEL).architecture, "Q8_0").total
    assert m.architecture.n_layer == 28 and m.architecture.tied_embeddings


@pytest.mark.parametrize("cut", [0, 3, 24, 200, -1])
def test_a_truncated_header_is_a_clear_error(tmp_path, cut):
    data = _header_only_gguf(tmp_path / "m.gguf", MODEL, "Q4_K_M").read_bytes()
    data = data[:cut] if cut >= 0 else data[:-7]
    with pytest.raises(CalcError, match="truncated|not a GGUF"):
        gguf_file.load(data)


def test_not_a_gguf_is_a_clear_error():
    with pytest.raises(CalcError, match="not a GGUF"):
        gguf_file.load(b"PK\x03\x04 a zip file, not a model")


def test_hostile_counts_are_refused_before_allocating():
    header = b"GGUF" + (3).to_bytes(4, "little") + (2**60).to_bytes(8, "little") + (0).to_bytes(8, "little")
    with pytest.raises(CalcError, match="impossible"):
        gguf_file.load(header)


def test_gguf_is_refused_for_checkpoint_engines(tmp_path):
    path = _header_only_gguf(tmp_path / "m.gguf", MODEL, "Q4_K_M")
    with pytest.raises(CalcError, match="llama.cpp or Ollama"):
        estimate(Setup(gguf=str(path), engine="vllm", quant="bf16"))


def test_page_interface_takes_header_bytes_and_reports_truncation(tmp_path):
    from calc_py.api import estimate_query
    data = _header_only_gguf(tmp_path / "m.gguf", MODEL, "Q4_K_M").read_bytes()
    ok = estimate_query({"context": "16384"}, gguf=data)
    assert ok["result"]["model_bytes"] == gguf_weights(catalog.find_model(MODEL).architecture, "Q4_K_M").total
    assert ok["inputs"]["quant"] == "Q4_K_M" and ok["inputs"]["model"] == ""
    cut = estimate_query({}, gguf=data[:300])
    assert cut["result"] is None and cut["truncated"] is True and "truncated" in cut["error"]
    vllm = estimate_query({"engine": "vllm"}, gguf=data)
    assert vllm["inputs"]["engine"] == "llama.cpp" and vllm["notices"]
