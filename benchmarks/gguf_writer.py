"""Sparse GGUF files for the llama.cpp oracles, and the llama-style tensor list.

benchmarks/llamacpp_oracle.py and benchmarks/oracle_quant_check.py both hand
llama.cpp a *sparse* GGUF: real KV metadata and tensor infos, the data section
left as a hole (``os.truncate``), so a model-sized file costs a few KiB of disk.
``add_kv`` writes their (key, kind, value) metadata, ``add_tensor_info`` one
tensor's info, ``finish_sparse`` the header and the hole.

``llama_tensors`` is the tensor inventory of a llama-style dense decoder, shared
by oracle_quant_check's synthetic cases and tests/test_gguf_mix.py.

``gguf`` (and numpy) live in the oracle venv only: they are imported where used,
so the tests can import ``llama_tensors`` with the standard library alone.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from calc_py.tensor import Tensor

if TYPE_CHECKING:
    import gguf

#: llama.cpp's LLAMA_FTYPE_MOSTLY_BF16 (general.file_type of a BF16 source)
FTYPE_MOSTLY_BF16 = 32


def llama_tensors(*, n_layer: int, n_embd: int, n_head: int, n_head_kv: int, n_ff: int, n_vocab: int,
                  tied: bool = False) -> list[Tensor]:
    """A llama-style dense decoder's tensors (ggml order, ne[0] = row length)."""
    ts = [Tensor("token_embd.weight", (n_embd, n_vocab)), Tensor("output_norm.weight", (n_embd,))]
    if not tied:
        ts.append(Tensor("output.weight", (n_embd, n_vocab)))
    kv = n_embd // n_head * n_head_kv
    for i in range(n_layer):
        p = f"blk.{i}."
        ts += [
            Tensor(p + "attn_norm.weight", (n_embd,), i),
            Tensor(p + "attn_q.weight", (n_embd, n_embd), i),
            Tensor(p + "attn_k.weight", (n_embd, kv), i),
            Tensor(p + "attn_v.weight", (n_embd, kv), i),
            Tensor(p + "attn_output.weight", (n_embd, n_embd), i),
            Tensor(p + "ffn_norm.weight", (n_embd,), i),
            Tensor(p + "ffn_gate.weight", (n_embd, n_ff), i),
            Tensor(p + "ffn_up.weight", (n_embd, n_ff), i),
            Tensor(p + "ffn_down.weight", (n_ff, n_embd), i),
        ]
    return ts


def add_kv(w: gguf.GGUFWriter, kv: Iterable[tuple[str, str, object]]) -> None:
    """(key, kind, value) metadata; kind: u32, f32, str, arr_u32 or arr_bool."""
    import gguf

    for key, kind, value in kv:
        if kind == "u32":
            w.add_uint32(key, value)
        elif kind == "f32":
            w.add_float32(key, value)
        elif kind == "str":
            w.add_string(key, value)
        elif kind == "arr_u32":
            w.add_key_value(key, value, gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.UINT32)
        elif kind == "arr_bool":
            w.add_key_value(key, value, gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.BOOL)
        else:
            raise ValueError(f"unknown KV kind {kind!r} for {key}")


def add_tensor_info(w: gguf.GGUFWriter, t: Tensor, ggml_type: str, nbytes: int) -> None:
    """One tensor's info: its name, shape (GGUF order) and type; no data."""
    import gguf
    import numpy as np

    # any dtype but uint8: with raw_dtype given, add_tensor_info takes the shape as element counts
    w.add_tensor_info(t.name, tuple(reversed(t.ne)), np.float16, nbytes,
                      raw_dtype=gguf.GGMLQuantizationType[ggml_type])


def finish_sparse(w: gguf.GGUFWriter, path: Path) -> int:
    """Header + KV + tensor infos, then extend the file (a hole) to the full data length.
    Returns the data section's length in bytes."""
    import gguf

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    fout = w.fout[0]
    fout.flush()
    pos = fout.tell()
    align = w.data_alignment
    data_start = (pos + align - 1) // align * align
    data_len = sum(gguf.GGUFWriter.ggml_pad(ti.nbytes, align) for ti in w.tensors[0].values())
    fout.close()
    w.fout = None
    os.truncate(path, data_start + data_len)
    return data_len
