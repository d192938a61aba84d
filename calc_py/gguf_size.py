"""The download: how many bytes a model's file has on disk (``file_bytes``).

Model bytes (what llama.cpp loads) are not the file's size: a GGUF also holds its
header, the metadata key/values -- above all the tokenizer's vocabulary, scores or
merges and the chat template -- one tensor-info record per tensor and the padding
that aligns every tensor's data. A safetensors checkpoint holds an 8-byte header
length and a JSON header before the tensor data. People size their disk and their
download by this number, and Hugging Face lists it, so the benchmark
(benchmarks/accuracy_files.py) checks it against published listings.

GGUF layout (ggml/src/gguf.cpp ``gguf_write_to_buf``; gguf-py ``GGUFWriter``):

* header: magic ``GGUF``, version u32, n_tensors u64, n_kv u64 = 24 bytes;
* each key/value: key (u64 length + bytes), value type u32, value (u32/f32 4,
  bool 1, string u64 length + bytes, array: item type u32 + count u64 + items);
* each tensor info: name (u64 length + bytes), n_dims u32, ne u64 x n_dims,
  type u32, offset u64;
* the data section starts at the next multiple of ``general.alignment``
  (``GGUF_DEFAULT_ALIGNMENT`` = 32) and every tensor's data is padded to it
  (llama-quantize: ``zeros(fout, GGML_PAD(new_size, align) - new_size)`` after
  each tensor, src/llama-quant.cpp).

The tokenizer is the only large metadata. Its bytes come from real vocabularies:
llama.cpp ships vocab-only GGUFs of the tokenizers it tests (``models/ggml-vocab-*.gguf``,
as vendored in llama-cpp-python 0.3.36 = b11312), written by the same converter;
:data:`VOCABS` records, per file, the bytes of its ``tokens``, ``token_type``,
``scores`` and ``merges`` key/values (read with gguf-py's ``GGUFReader``: key,
type, count and items). The merge counts of tokenizers without such a file are
the ``arr[str,N]`` llama.cpp's loader prints for published files (cited per entry).
"""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Iterable

from .architecture import Architecture

ALIGNMENT = 32          # GGUF_DEFAULT_ALIGNMENT (ggml/include/gguf.h), general.alignment
HEADER_BYTES = 4 + 4 + 8 + 8


def pad(n: int, to: int = ALIGNMENT) -> int:
    return (n + to - 1) // to * to


@dataclass(frozen=True)
class Vocab:
    """One measured tokenizer: bytes of each array key/value in a real GGUF."""

    n_tokens: int
    tokens: int            # tokenizer.ggml.tokens (strings)
    token_type: int        # tokenizer.ggml.token_type (i32 each)
    scores: int            # tokenizer.ggml.scores (f32 each; SentencePiece only)
    merges: int            # tokenizer.ggml.merges (strings; BPE only)
    n_merges: int
    source: str

    @property
    def bytes_per_token(self) -> float:
        """Average bytes of one token string (u64 length + UTF-8), key overhead included."""
        return self.tokens / self.n_tokens

    @property
    def bytes_per_merge(self) -> float:
        return self.merges / self.n_merges if self.n_merges else 0.0


_V = "llama.cpp b11312 models/ggml-vocab-{}.gguf (llama-cpp-python 0.3.36 sdist), read with gguf-py GGUFReader"

#: measured vocabularies (see the module docstring)
VOCABS: dict[str, Vocab] = {
    "llama-spm": Vocab(32000, 466_964, 128_049, 128_045, 0, 0, _V.format("llama-spm")),
    "phi-3": Vocab(32064, 468_153, 128_305, 128_301, 0, 0, _V.format("phi-3")),
    "llama-bpe": Vocab(128256, 2_099_538, 513_073, 0, 5_204_810, 280_147, _V.format("llama-bpe")),
    "qwen2": Vocab(151936, 2_588_241, 607_793, 0, 2_731_593, 151_387, _V.format("qwen2")),
    "deepseek-llm": Vocab(102400, 1_753_880, 409_649, 0, 1_805_784, 99_757, _V.format("deepseek-llm")),
    "command-r": Vocab(256000, 4_812_828, 1_024_049, 0, 5_027_747, 253_333, _V.format("command-r")),
    "gemma-4": Vocab(262144, 4_413_492, 1_048_625, 1_048_621, 9_251_764, 514_906, _V.format("gemma-4")),
    "starcoder": Vocab(49152, 738_116, 196_657, 0, 783_840, 48_872, _V.format("starcoder")),
    "gpt-2": Vocab(50257, 758_836, 201_077, 0, 806_349, 50_000, _V.format("gpt-2")),
}

#: Gemma 1/2's 256,000-token SentencePiece vocabulary (no vocab file in llama.cpp):
#: bytes per token string measured on the exact git-lfs sizes of gemma-2-27b-it
#: GGUFs (groundtruth gguf-0329..0335: file - tensor data = 6,060,896 B for six
#: mixes), less the tensor infos, types, scores and other keys this module counts:
#: see benchmarks/accuracy_files.py, which prints the residual.
GEMMA2_BYTES_PER_TOKEN = 15.52

#: Merge counts llama.cpp's loader prints for published files
#: ("tokenizer.ggml.merges arr[str,N]") of tokenizers with no vocab file above.
KNOWN_MERGES: dict[tuple[str, int], tuple[int, str]] = {
    ("gpt-oss", 201088): (446_189, "gpt-oss-20b/120b GGUF load logs (tokens arr[str,201088])"),
    ("glm4moe", 151552): (318_088, "GLM-4.5 / GLM-4.5-Air GGUF load logs (tokens arr[str,151552])"),
    ("deepseek2", 129280): (127_741, "DeepSeek-V3 / R1 GGUF load logs (tokens arr[str,129280])"),
}

#: metadata besides the vocabulary arrays: general.* (name, basename, size label,
#: license, tags, languages, base model links), the architecture's hyper-parameters
#: (about 20 u32/f32 keys of ~45 bytes), tokenizer scalars (model, pre, bos/eos/pad
#: ids, add_bos) and the chat template. The vocab files above hold 540-1,900 bytes of
#: such keys with stub templates; published files carry real templates of 0.3-15 KB
#: (Gemma 4's 12,088 B, Command-R's three totalling 8,952 B in the vocab files).
#: A guess, not a measurement: 8 KiB, under 0.01 % of any catalog file.
OTHER_METADATA_BYTES = 8192


def tokenizer_plan(a: Architecture) -> tuple[str, float, float, int, float, str]:
    """How the converter writes ``a``'s tokenizer: (kind, bytes per token string,
    bytes per merge, number of merges, scores per token (0 or 1), evidence)."""
    n = a.n_vocab
    mt = a.hf_model_type
    if a.arch.startswith("gemma"):
        if n > 256000:     # Gemma 3's 262k vocabulary = Gemma 4's, written without merges
            v = VOCABS["gemma-4"]
            return "spm", v.bytes_per_token, 0.0, 0, 1, v.source + " (tokens, scores, types)"
        return "spm", GEMMA2_BYTES_PER_TOKEN, 0.0, 0, 1, "gemma-2-27b-it file sizes (GEMMA2_BYTES_PER_TOKEN)"
    if a.arch == "phi3" and n <= 32064:
        v = VOCABS["phi-3"]
        return "spm", v.bytes_per_token, 0.0, 0, 1, v.source
    if n <= 32768 and a.arch in ("llama", "granite"):
        v = VOCABS["llama-spm"]
        return "spm", v.bytes_per_token, 0.0, 0, 1, v.source
    # byte-level BPE: tokens + token types + merges
    known = KNOWN_MERGES.get((a.arch, n))
    if n == 128256:                       # Llama 3.x vocabulary (also SmolLM3, R1-Distill-Llama)
        v = VOCABS["llama-bpe"]
        return "bpe", v.bytes_per_token, v.bytes_per_merge, v.n_merges, 0, v.source
    if mt.startswith(("qwen2", "qwen3")) and n <= 151936:
        v = VOCABS["qwen2"]
        return "bpe", v.bytes_per_token, v.bytes_per_merge, v.n_merges, 0, v.source
    if a.arch in ("command-r", "cohere2"):
        v = VOCABS["command-r"]
        return "bpe", v.bytes_per_token, v.bytes_per_merge, round(v.n_merges * n / v.n_tokens), 0, v.source
    if a.arch == "deepseek2":
        v = VOCABS["deepseek-llm"]
        merges = known[0] if known else round(v.n_merges * n / v.n_tokens)
        return "bpe", v.bytes_per_token, v.bytes_per_merge, merges, 0, v.source
    if n in (49152, 49155):               # StarCoder vocabulary (Granite, SmolLM2)
        v = VOCABS["starcoder"]
        return "bpe", v.bytes_per_token, v.bytes_per_merge, v.n_merges, 0, v.source
    # tiktoken-derived vocabularies list about 2.2 merges per token (Llama 3: 280,147 /
    # 128,256; gpt-oss 446,189 / 201,088; GLM-4.5 318,088 / 151,552); others about one
    v = VOCABS["llama-bpe"] if a.arch in ("llama4", "gpt-oss", "glm4moe") or mt == "kimi_k2" else VOCABS["qwen2"]
    merges = known[0] if known else round(v.n_merges * n / v.n_tokens)
    return "bpe", v.bytes_per_token, v.bytes_per_merge, merges, 0, (known[1] if known else v.source + " (scaled)")


def tokenizer_bytes(a: Architecture) -> int:
    """Bytes of the tokenizer's array key/values in ``a``'s GGUF (one token per vocab row)."""
    _, per_tok, per_merge, n_merges, scores, _ = tokenizer_plan(a)
    n = a.n_vocab
    return ceil(n * per_tok + n * 4 + scores * n * 4 + n_merges * per_merge) + 3 * 40


def tensor_info_bytes(name: str, n_dims: int) -> int:
    """One tensor-info record: name (u64 length + bytes), n_dims, ne[], type, offset."""
    return 8 + len(name.encode("utf-8")) + 4 + 8 * n_dims + 4 + 8


def gguf_file_bytes_from(names_dims_nbytes: Iterable[tuple[str, int, int]], metadata_bytes: int) -> int:
    """A GGUF's size from its tensors (name, n_dims, data bytes) and its key/value bytes."""
    infos = data = 0
    for name, n_dims, nbytes in names_dims_nbytes:
        infos += tensor_info_bytes(name, n_dims)
        data += pad(nbytes)
    return pad(HEADER_BYTES + metadata_bytes + infos) + data


def gguf_metadata_bytes(a: Architecture) -> int:
    """Key/value bytes of a converted + quantized GGUF of ``a`` (tokenizer + the rest)."""
    return tokenizer_bytes(a) + OTHER_METADATA_BYTES


def gguf_file_bytes(a: Architecture, w) -> int:
    """The GGUF file of ``a`` with weights ``w`` (every tensor the file holds,
    NextN/MTP blocks included: ``w.tensors`` + ``w.not_loaded``)."""
    rows = ((x.tensor.name, len(x.tensor.ne), x.nbytes) for x in (*w.tensors, *w.not_loaded))
    return gguf_file_bytes_from(rows, gguf_metadata_bytes(a))


def gguf_file_bytes_from_header(header_bytes: int, alignment: int, w) -> int:
    """A GGUF's size from its own header: the header's length (key/values and tensor
    infos, as read), padded to the file's alignment, then every tensor's padded data."""
    align = alignment if isinstance(alignment, int) and alignment > 0 else ALIGNMENT
    return pad(header_bytes, align) + sum(pad(x.nbytes, align) for x in (*w.tensors, *w.not_loaded))


# ---- safetensors ---------------------------------------------------------------

#: transformers' save_pretrained shards checkpoints at max_shard_size = "5GB"
#: (transformers 4.x default; most hub checkpoints are 5 GB shards)
SHARD_BYTES = 5 * 10**9


def _json_int_len(n: int) -> int:
    return len(str(int(n)))


def safetensors_bytes(w, dtype_label: str = "BF16") -> int:
    """A safetensors checkpoint of weights ``w``: per shard an 8-byte header length and
    a JSON header (``{"name": {"dtype", "shape", "data_offsets"}, ..., "__metadata__":
    {"format": "pt"}}``, safetensors' format spec), then the tensors' bytes.

    Hugging Face names are longer than GGUF's (``model.layers.12.self_attn.q_proj.weight``
    vs ``blk.12.attn_q.weight``): 16 characters more per name, on average, is assumed.
    The JSON header is padded to 8 bytes (safetensors >= 0.3 aligns the data start).
    """
    data = sum(x.nbytes for x in w.tensors)
    n_shards = max(1, ceil(data / SHARD_BYTES))
    header = 0
    offset = 0
    for x in w.tensors:
        shape = ",".join(str(d) for d in reversed(x.tensor.ne))
        header += (len(x.tensor.name) + 16 + 2 + len('":{"dtype":"') + len(dtype_label) + len('","shape":[')
                   + len(shape) + len('],"data_offsets":[') + _json_int_len(offset) + 1
                   + _json_int_len(offset + x.nbytes) + len("]},"))
        offset = (offset + x.nbytes) % max(1, SHARD_BYTES)
    header += n_shards * (len('{"__metadata__":{"format":"pt"}}') + 8)
    return data + n_shards * 8 + header


# ---- the estimate's download -----------------------------------------------------

def download_bytes(a: Architecture, quant, weights=None) -> int:
    """``file_bytes`` of the estimate: the GGUF file for a GGUF format, else the
    safetensors checkpoint in that format (tensor bytes of ``weights``)."""
    from .weights import weights_for
    w = weights if weights is not None else weights_for(a, quant)
    if quant.is_gguf:
        return gguf_file_bytes(a, w)
    return safetensors_bytes(w, "F32" if quant.id == "fp32" else "BF16")


def gguf_source_bytes(source, model) -> int:
    """The size of a GGUF the user gave: the file's own size for a path, else (the
    page's header bytes) computed from its header (:func:`gguf_file_bytes_from_header`)."""
    import os
    if isinstance(source, (str, os.PathLike)):
        try:
            return os.path.getsize(source)
        except OSError:
            pass
    h = model.header
    return gguf_file_bytes_from_header(h.header_bytes, h.metadata.get("general.alignment", ALIGNMENT),
                                       model.weights)
