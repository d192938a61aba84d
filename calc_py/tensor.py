"""One weight tensor as llama.cpp names and shapes it.

Why GGUF names and ggml order: llama.cpp's quantizer picks a type per tensor by
*name* (``blk.N.attn_v.weight``) and falls back when the *row* length
(``ne[0]``, the innermost dimension in ggml order) is not a multiple of a
type's block size. Keeping both exactly as llama.cpp sees them lets one
inventory serve the byte count, the GGUF-mix rules and the GGUF header the
oracle writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import prod


@dataclass(frozen=True)
class Tensor:
    """A tensor: GGUF name, shape in ggml order (ne[0] = row length), role."""

    name: str
    ne: tuple[int, ...]
    #: layer index, or None for tensors outside the repeating blocks
    layer: int | None = None

    @property
    def n_elements(self) -> int:
        return prod(self.ne)

    @property
    def n_per_row(self) -> int:
        return self.ne[0]

    @property
    def n_rows(self) -> int:
        return self.n_elements // self.ne[0]
