"""Read a GGUF file's header: metadata and tensor infos, never the weights.

Why: a GGUF a person already has answers the weights question exactly -- every
tensor's real type and shape is in its header -- so the estimate needs no
quantizer model at all. Only the header is read (a few MB even for a 400 B
model), which is also what the page can do with ``File.slice`` in the browser.

Format (ggml/docs/gguf.md; gguf-py/gguf/constants.py GGUFValueType): magic
``GGUF``, version, tensor count, metadata count, then key/value pairs, then
per tensor: name, n_dims, ne[0..n_dims), ggml type id, data offset. All
little-endian. A truncated or malformed header raises CalcError, never a
struct or index error.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .architecture import Architecture, _SWA_PATTERN
from .errors import CalcError
from .ggml_types import get_type, tensor_bytes
from .tensor import Tensor
from .weights import Weights, WeightTensor

MAGIC = b"GGUF"
#: gguf-py GGUFValueType: id -> struct format (None = variable length)
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
            10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
#: arrays longer than this are skipped (tokenizer lists): only their length is kept
_KEEP_ARRAY_MAX = 4096
#: sanity limits so a hostile header cannot make us allocate without bound
_MAX_COUNT = 10_000_000
_MAX_STRING = 1 << 20


class _Truncated(Exception):
    pass


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise _Truncated
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def scalar(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        n = self.scalar("<Q")
        if n > _MAX_STRING:
            raise CalcError("GGUF header has an impossibly long string", field="gguf")
        return self.take(n).decode("utf-8", errors="replace")

    def value(self, vtype: int) -> Any:
        if vtype in _SCALARS:
            return self.scalar(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            itype = self.scalar("<I")
            n = self.scalar("<Q")
            if n > _MAX_COUNT * 100:
                raise CalcError("GGUF header has an impossibly long array", field="gguf")
            if itype in _SCALARS and n > _KEEP_ARRAY_MAX:
                self.take(struct.calcsize(_SCALARS[itype]) * n)
                return _Length(n)
            items = [self.value(itype) for _ in range(n)] if n <= _KEEP_ARRAY_MAX else None
            if items is None:              # long string arrays (tokenizer): walk, keep the length
                for _ in range(n):
                    self.value(itype)
                return _Length(n)
            return items
        raise CalcError(f"GGUF header has an unknown value type {vtype}", field="gguf")


@dataclass(frozen=True)
class _Length:
    """A long array whose items we skipped."""
    n: int


@dataclass(frozen=True)
class GgufHeader:
    version: int
    metadata: dict[str, Any]
    tensors: tuple[tuple[str, tuple[int, ...], str], ...]   # name, ne, ggml type name
    header_bytes: int

    @property
    def arch(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    def get(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(f"{self.arch}.{key}", default)


def read_header(source: bytes | bytearray | memoryview | str | Path) -> GgufHeader:
    """Parse the header of a GGUF given as bytes (its start suffices) or a path."""
    if isinstance(source, (str, Path)):
        try:
            with open(source, "rb") as fh:
                data = fh.read(64 << 20)      # headers are a few MB; 64 MiB is plenty
        except OSError as exc:
            raise CalcError(f"cannot read GGUF file {source}: {exc.strerror}", field="gguf")
    else:
        data = bytes(source)
    r = _Reader(data)
    try:
        if r.take(4) != MAGIC:
            raise CalcError("not a GGUF file (the first bytes are not 'GGUF')", field="gguf")
        version = r.scalar("<I")
        if version not in (2, 3):
            raise CalcError(f"unsupported GGUF version {version} (2 and 3 are)", field="gguf")
        n_tensors = r.scalar("<Q")
        n_kv = r.scalar("<Q")
        if n_tensors > _MAX_COUNT or n_kv > _MAX_COUNT:
            raise CalcError("GGUF header declares an impossible number of entries", field="gguf")
        meta: dict[str, Any] = {}
        for _ in range(n_kv):
            key = r.string()
            meta[key] = r.value(r.scalar("<I"))
        tensors = []
        for _ in range(n_tensors):
            name = r.string()
            n_dims = r.scalar("<I")
            if not 1 <= n_dims <= 4:
                raise CalcError(f"GGUF tensor {name!r} has {n_dims} dimensions", field="gguf")
            ne = tuple(r.scalar("<Q") for _ in range(n_dims))
            type_id = r.scalar("<I")
            r.scalar("<Q")                  # data offset: not needed
            try:
                type_name = get_type(type_id).name
            except (KeyError, ValueError):
                raise CalcError(f"GGUF tensor {name!r} has unknown ggml type {type_id}", field="gguf")
            tensors.append((name, ne, type_name))
    except _Truncated:
        raise CalcError("the GGUF header is truncated: the file ends before its tensor list does",
                        field="gguf")
    return GgufHeader(version, meta, tuple(tensors), r.pos)


# ----------------------------------------------------------------------------
# header -> architecture + exact weights
# ----------------------------------------------------------------------------

def _layer_of(name: str) -> int | None:
    if name.startswith("blk."):
        part = name.split(".", 2)[1]
        if part.isdigit():
            return int(part)
    return None


def _per_layer(value: Any, n_layer: int, default: int = 0) -> tuple[int, ...]:
    if isinstance(value, list):
        vals = [int(v) for v in value[:n_layer]]
        return tuple(vals + [vals[-1] if vals else default] * (n_layer - len(vals)))
    return (int(value if value is not None else default),) * n_layer


def weights_from_header(h: GgufHeader, n_layer: int) -> Weights:
    """The file's own tensors at their own types (exact ggml_nbytes).

    Blocks at or past ``n_layer`` are NextN/MTP draft heads, which llama.cpp
    skips unless asked to load them (TENSOR_SKIP in src/models/*.cpp).
    """
    loaded, skipped = [], []
    for name, ne, type_name in h.tensors:
        layer = _layer_of(name)
        wt = WeightTensor(Tensor(name, ne, layer), type_name, tensor_bytes(type_name, ne))
        (skipped if layer is not None and layer >= n_layer else loaded).append(wt)
    return Weights(tuple(loaded), tuple(skipped))


@dataclass(frozen=True)
class GgufModel:
    header: GgufHeader
    architecture: Architecture
    weights: Weights
    label: str            # the mix the file states, e.g. Q4_K_M

    @property
    def name(self) -> str:
        return str(self.header.metadata.get("general.name") or f"GGUF ({self.header.arch})")


@lru_cache(maxsize=4)
def load_cached(data: bytes) -> GgufModel:
    """:func:`load` for header bytes, memoised: the page re-estimates on every input change."""
    return load(data)


def load(source: bytes | bytearray | memoryview | str | Path) -> GgufModel:
    """A GGUF's header as everything the estimate needs."""
    h = read_header(source)
    a = architecture_from_header(h)
    w = weights_from_header(h, a.n_layer)
    return GgufModel(h, a, w, file_type_label(h, w))


def architecture_from_header(h: GgufHeader) -> Architecture:
    """What the KV cache and compute buffers need, from the GGUF metadata.

    Keys are llama.cpp's (src/llama-arch.cpp LLM_KV_NAMES); per-layer arrays
    (head_count_kv, feed_forward_length) are honoured; MoE layers, recurrent
    layers and tied embeddings are read off the tensor list itself.
    """
    if not h.arch:
        raise CalcError("GGUF has no general.architecture", field="gguf")
    names = {name for name, _, _ in h.tensors}
    block_count = h.get("block_count")
    n_embd = h.get("embedding_length")
    n_head = h.get("attention.head_count")
    if not block_count or not n_embd or not n_head:
        raise CalcError(f"GGUF metadata lacks {h.arch}.block_count / embedding_length / "
                        "attention.head_count", field="gguf")
    n_nextn = int(h.get("nextn_predict_layers") or 0)
    n_layer = int(block_count) - n_nextn
    heads = _per_layer(n_head, n_layer)
    n_head0 = max(heads)
    kv = _per_layer(h.get("attention.head_count_kv", n_head0), n_layer, n_head0)
    embd_shape = next((ne for name, ne, _ in h.tensors if name == "token_embd.weight"), None)
    n_vocab = int(embd_shape[1]) if embd_shape and len(embd_shape) > 1 else int(h.get("vocab_size") or 0)
    if not n_vocab:
        tok = h.metadata.get("tokenizer.ggml.tokens")
        n_vocab = tok.n if isinstance(tok, _Length) else len(tok or [])
    head_k = int(h.get("attention.key_length") or int(n_embd) // n_head0)
    head_v = int(h.get("attention.value_length") or head_k)
    kv_lora = int(h.get("attention.kv_lora_rank") or 0)
    rope_dim = 0
    if kv_lora:
        rope_dim = int(h.get("rope.dimension_count") or 64)
        head_k = int(h.get("attention.key_length_mla") or head_k)
        head_v = int(h.get("attention.value_length_mla") or head_v)
    n_expert = int(h.get("expert_count") or 0)
    moe_layers = tuple(f"blk.{il}.ffn_gate_inp.weight" in names for il in range(n_layer))
    ff = _per_layer(h.get("feed_forward_length", 0), n_layer)
    n_ff = tuple(0 if moe_layers[il] else ff[il] for il in range(n_layer))
    recurrent = tuple(f"blk.{il}.ssm_conv1d.weight" in names for il in range(n_layer))
    n_swa = int(h.get("attention.sliding_window") or 0)
    swa_layers: tuple[bool, ...] = (False,) * n_layer
    if n_swa and h.arch in _SWA_PATTERN:
        pattern = h.get("attention.sliding_window_pattern")
        if isinstance(pattern, list):
            swa_layers = tuple(bool(x) for x in pattern[:n_layer])
        else:
            p = int(pattern or _SWA_PATTERN[h.arch])
            swa_layers = tuple(il % p < p - 1 for il in range(n_layer))
    elif h.arch not in _SWA_PATTERN:
        n_swa = 0
    return Architecture(
        arch=h.arch, hf_model_type=f"gguf:{h.arch}", n_layer=n_layer, n_embd=int(n_embd),
        n_vocab=n_vocab, n_head=n_head0,
        n_head_kv=tuple(0 if recurrent[il] else kv[il] for il in range(n_layer)),
        head_dim_k=head_k, head_dim_v=head_v, n_ff=n_ff,
        max_context=int(h.get("context_length") or 4096),
        tied_embeddings="output.weight" not in names,
        n_expert=n_expert, n_expert_used=int(h.get("expert_used_count") or 0),
        n_ff_exp=int(h.get("expert_feed_forward_length") or 0),
        n_ff_shexp=int(h.get("expert_shared_feed_forward_length") or 0),
        moe_layers=moe_layers,
        q_lora_rank=int(h.get("attention.q_lora_rank") or 0), kv_lora_rank=kv_lora,
        rope_dim=rope_dim, n_swa=n_swa, swa_layers=swa_layers,
        swa_chunked=h.arch == "llama4", recurrent_layers=recurrent,
        ssm_d_conv=int(h.get("ssm.conv_kernel") or 0), ssm_d_state=int(h.get("ssm.state_size") or 0),
        ssm_n_group=int(h.get("ssm.group_count") or 0), ssm_dt_rank=int(h.get("ssm.time_step_rank") or 0),
        ssm_d_inner=int(h.get("ssm.inner_size") or 0),
        notes=("read from a GGUF header",),
    )


def file_type_label(h: GgufHeader, w: Weights) -> str:
    """The mix name the file states (general.file_type), else its most common type."""
    from .gguf_mix import MIXES
    ftype = h.metadata.get("general.file_type")
    for name, mix in MIXES.items():
        if ftype is not None and mix.ftype == ftype and not mix.only_copy and len(name) > 2:
            if name not in ("Q3_K", "Q4_K", "Q5_K"):
                return name
    counts = w.type_counts()
    return max(counts, key=counts.get) if counts else "unknown"
