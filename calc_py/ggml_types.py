"""Every ggml tensor type with its block geometry, and the byte counts built on it.

Why a hand-written table: the calculator's claim is byte-exact agreement with
llama.cpp, and every weight byte llama.cpp allocates is
``ggml_row_size(type, ne[0]) * n_rows``. That product only depends on two
numbers per type, ``blck_size`` (values per block) and ``type_size`` (bytes per
block), which ggml keeps in ``type_traits[]`` in ``ggml/src/ggml.c`` and derives
from the ``block_*`` structs in ``ggml/src/ggml-common.h`` (each guarded by a
``static_assert`` on its ``sizeof``). Copying them here, with the struct
arithmetic written out, lets Pyodide compute sizes without ggml.

Source: llama.cpp build b11312 as vendored by llama-cpp-python 0.3.36.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import prod

__all__ = [
    "GgmlType",
    "GGML_TYPES",
    "QK_K",
    "get_type",
    "row_bytes",
    "tensor_bytes",
    "bits_per_weight",
]

# ggml/src/ggml-common.h: `#define QK_K 256` (super-block size of the k-/i-quants)
QK_K = 256
# ggml/src/ggml-common.h: `#define K_SCALE_SIZE 12` (packed 6-bit scales of Q4_K/Q5_K)
K_SCALE_SIZE = 12
# ggml/src/ggml-common.h: `#define IQ3S_N_SCALE QK_K/64`
IQ3S_N_SCALE = QK_K // 64

# sizeof(ggml_half) == sizeof(ggml_bf16_t) == 2, sizeof(float) == 4 (ggml-common.h typedefs)
_HALF = 2
_FLOAT = 4


@dataclass(frozen=True)
class GgmlType:
    """One ``enum ggml_type`` entry as ``type_traits[]`` in ggml.c describes it.

    ``type_size`` is bytes per *block* of ``block_size`` values, exactly
    ``ggml_type_size()``; ``block_size`` is ``ggml_blck_size()``.
    """

    name: str
    type_id: int
    block_size: int
    type_size: int
    #: ggml.c type_traits[].is_quantized -- the quantizer only applies its
    #: per-tensor mix rules when the default type of a mix is quantized
    is_quantized: bool = False
    #: ggml.c type_traits[].type_name, the spelling llama.cpp prints in logs
    ggml_name: str = ""

    @property
    def bits_per_weight(self) -> float:
        """Bits per stored value: 8 * type_size / block_size."""
        return 8.0 * self.type_size / self.block_size


def _t(name: str, type_id: int, block_size: int, type_size: int, quantized: bool, ggml_name: str) -> GgmlType:
    return GgmlType(name, type_id, block_size, type_size, quantized, ggml_name)


# Type ids: ggml/include/ggml.h `enum ggml_type`.
# Block sizes / type sizes: ggml/src/ggml.c `type_traits[GGML_TYPE_COUNT]` (.blck_size,
# .type_size = sizeof(block_*)) with the sizeof worked out from the struct members in
# ggml/src/ggml-common.h (each line names the struct; its static_assert says the same sum).
_TABLE: tuple[GgmlType, ...] = (
    # plain types: blck_size 1, type_size = sizeof(element)
    _t("F32", 0, 1, 4, False, "f32"),          # sizeof(float)
    _t("F16", 1, 1, 2, False, "f16"),          # sizeof(ggml_fp16_t)
    # block_q4_0: ggml_half d; uint8_t qs[QK4_0/2]          QK4_0 = 32
    _t("Q4_0", 2, 32, _HALF + 32 // 2, True, "q4_0"),
    # block_q4_1: ggml_half d, m; uint8_t qs[QK4_1/2]       QK4_1 = 32
    _t("Q4_1", 3, 32, 2 * _HALF + 32 // 2, True, "q4_1"),
    # block_q5_0: ggml_half d; uint8_t qh[4]; qs[QK5_0/2]   QK5_0 = 32
    _t("Q5_0", 6, 32, _HALF + 4 + 32 // 2, True, "q5_0"),
    # block_q5_1: ggml_half d, m; uint8_t qh[4]; qs[QK5_1/2]
    _t("Q5_1", 7, 32, 2 * _HALF + 4 + 32 // 2, True, "q5_1"),
    # block_q8_0: ggml_half d; int8_t qs[QK8_0]              QK8_0 = 32
    _t("Q8_0", 8, 32, _HALF + 32, True, "q8_0"),
    # block_q8_1: ggml_half d, s; int8_t qs[QK8_1]           QK8_1 = 32
    _t("Q8_1", 9, 32, 2 * _HALF + 32, True, "q8_1"),
    # block_q2_K: uint8_t scales[QK_K/16]; qs[QK_K/4]; ggml_half d, dmin
    _t("Q2_K", 10, QK_K, 2 * _HALF + QK_K // 16 + QK_K // 4, True, "q2_K"),
    # block_q3_K: uint8_t hmask[QK_K/8]; qs[QK_K/4]; scales[12]; ggml_half d
    _t("Q3_K", 11, QK_K, _HALF + QK_K // 4 + QK_K // 8 + 12, True, "q3_K"),
    # block_q4_K: ggml_half d, dmin; uint8_t scales[K_SCALE_SIZE]; qs[QK_K/2]
    _t("Q4_K", 12, QK_K, 2 * _HALF + K_SCALE_SIZE + QK_K // 2, True, "q4_K"),
    # block_q5_K: ggml_half d, dmin; scales[K_SCALE_SIZE]; qh[QK_K/8]; qs[QK_K/2]
    _t("Q5_K", 13, QK_K, 2 * _HALF + K_SCALE_SIZE + QK_K // 2 + QK_K // 8, True, "q5_K"),
    # block_q6_K: uint8_t ql[QK_K/2]; qh[QK_K/4]; int8_t scales[QK_K/16]; ggml_half d
    _t("Q6_K", 14, QK_K, _HALF + QK_K // 16 + 3 * QK_K // 4, True, "q6_K"),
    # block_q8_K: float d; int8_t qs[QK_K]; int16_t bsums[QK_K/16]
    _t("Q8_K", 15, QK_K, _FLOAT + QK_K + QK_K // 16 * 2, True, "q8_K"),
    # block_iq2_xxs: ggml_half d; uint16_t qs[QK_K/8]
    _t("IQ2_XXS", 16, QK_K, _HALF + QK_K // 8 * 2, True, "iq2_xxs"),
    # block_iq2_xs: ggml_half d; uint16_t qs[QK_K/8]; uint8_t scales[QK_K/32]
    _t("IQ2_XS", 17, QK_K, _HALF + QK_K // 8 * 2 + QK_K // 32, True, "iq2_xs"),
    # block_iq3_xxs: ggml_half d; uint8_t qs[3*QK_K/8]
    _t("IQ3_XXS", 18, QK_K, _HALF + 3 * (QK_K // 8), True, "iq3_xxs"),
    # block_iq1_s: ggml_half d; uint8_t qs[QK_K/8]; uint16_t qh[QK_K/32]
    _t("IQ1_S", 19, QK_K, _HALF + QK_K // 8 + QK_K // 16, True, "iq1_s"),
    # block_iq4_nl: ggml_half d; uint8_t qs[QK4_NL/2]        QK4_NL = 32
    _t("IQ4_NL", 20, 32, _HALF + 32 // 2, True, "iq4_nl"),
    # block_iq3_s: ggml_half d; qs[QK_K/4]; qh[QK_K/32]; signs[QK_K/8]; scales[IQ3S_N_SCALE]
    _t("IQ3_S", 21, QK_K, _HALF + 13 * (QK_K // 32) + IQ3S_N_SCALE, True, "iq3_s"),
    # block_iq2_s: ggml_half d; uint8_t qs[QK_K/4]; qh[QK_K/32]; scales[QK_K/32]
    _t("IQ2_S", 22, QK_K, _HALF + QK_K // 4 + QK_K // 16, True, "iq2_s"),
    # block_iq4_xs: ggml_half d; uint16_t scales_h; uint8_t scales_l[QK_K/64]; qs[QK_K/2]
    _t("IQ4_XS", 23, QK_K, _HALF + 2 + QK_K // 64 + QK_K // 2, True, "iq4_xs"),
    _t("I8", 24, 1, 1, False, "i8"),           # sizeof(int8_t)
    _t("I16", 25, 1, 2, False, "i16"),         # sizeof(int16_t)
    _t("I32", 26, 1, 4, False, "i32"),         # sizeof(int32_t)
    _t("I64", 27, 1, 8, False, "i64"),         # sizeof(int64_t)
    _t("F64", 28, 1, 8, False, "f64"),         # sizeof(double)
    # block_iq1_m: uint8_t qs[QK_K/8]; qh[QK_K/16]; scales[QK_K/32]  (no d member)
    _t("IQ1_M", 29, QK_K, QK_K // 8 + QK_K // 16 + QK_K // 32, True, "iq1_m"),
    _t("BF16", 30, 1, 2, False, "bf16"),       # sizeof(ggml_bf16_t)
    # ids 31-33 (Q4_0_4_4 ...) removed: type_traits has blck_size 0 for them
    # block_tq1_0: uint8_t qs[(QK_K - 4*QK_K/64)/5]; qh[QK_K/64]; ggml_half d
    _t("TQ1_0", 34, QK_K, _HALF + QK_K // 64 + (QK_K - 4 * QK_K // 64) // 5, True, "tq1_0"),
    # block_tq2_0: uint8_t qs[QK_K/4]; ggml_half d
    _t("TQ2_0", 35, QK_K, _HALF + QK_K // 4, True, "tq2_0"),
    # ids 36-38 (IQ4_NL_4_4 ...) removed
    # block_mxfp4: uint8_t e; uint8_t qs[QK_MXFP4/2]         QK_MXFP4 = 32
    _t("MXFP4", 39, 32, 1 + 32 // 2, True, "mxfp4"),
    # block_nvfp4: uint8_t d[QK_NVFP4/QK_NVFP4_SUB]; qs[QK_NVFP4/2]  QK_NVFP4 = 64, SUB = 16
    _t("NVFP4", 40, 64, 64 // 16 + 64 // 2, True, "nvfp4"),
    # block_q1_0: ggml_half d; uint8_t qs[QK1_0/8]           QK1_0 = 128
    _t("Q1_0", 41, 128, _HALF + 128 // 8, True, "q1_0"),
    # block_q2_0: ggml_half d; uint8_t qs[QK2_0/4]           QK2_0 = 64
    _t("Q2_0", 42, 64, _HALF + 64 // 4, True, "q2_0"),
)

#: upper-case name (``Q4_K``, ``IQ2_XXS``, ``BF16``) -> type
GGML_TYPES: dict[str, GgmlType] = {t.name: t for t in _TABLE}

# ggml_type_name() spelling (``q4_K``) and numeric id, so parsed llama.cpp logs
# and GGUF headers (which store the id) resolve to the same entry.
_BY_ALIAS: dict[str, GgmlType] = {t.ggml_name: t for t in _TABLE}
_BY_ID: dict[int, GgmlType] = {t.type_id: t for t in _TABLE}


def get_type(type_name: str | int) -> GgmlType:
    """Look a type up by upper-case name, ggml's lower-case name, or enum id.

    Accepting all three spellings because GGUF headers carry the id and
    llama.cpp logs print ``ggml_type_name`` (``q4_K``) while the UI uses ``Q4_K``.
    """
    if isinstance(type_name, int):
        try:
            return _BY_ID[type_name]
        except KeyError:
            raise ValueError(f"unknown ggml type id {type_name}") from None
    t = GGML_TYPES.get(type_name) or _BY_ALIAS.get(type_name) or GGML_TYPES.get(type_name.upper())
    if t is None:
        raise ValueError(f"unknown ggml type {type_name!r}; known: {', '.join(GGML_TYPES)}")
    return t


def row_bytes(type_name: str, n_per_row: int) -> int:
    """Bytes of one row of ``n_per_row`` values: ``ggml_row_size`` (ggml.c).

    ggml asserts ``ne % blck_size == 0``; the quantizer never asks for such a
    row because it falls back first, so a bad row here is a caller bug and we
    say so instead of silently rounding.
    """
    t = get_type(type_name)
    if n_per_row < 0:
        raise ValueError(f"row length must be >= 0, got {n_per_row}")
    if n_per_row % t.block_size != 0:
        raise ValueError(
            f"row length {n_per_row} is not a multiple of the {t.name} block size {t.block_size}"
        )
    # ggml.c ggml_row_size: ggml_type_size(type)*ne/ggml_blck_size(type)
    return t.type_size * n_per_row // t.block_size


def tensor_bytes(type_name: str, ne: tuple[int, ...]) -> int:
    """Bytes of a contiguous tensor of shape ``ne`` (ggml order): ``ggml_nbytes``.

    For a contiguous tensor ggml_nbytes reduces to row size times the number of
    rows; ggml returns 0 as soon as any dimension is <= 0, and so do we.
    """
    if not ne:
        raise ValueError("tensor shape must have at least one dimension")
    # ggml.c ggml_nbytes: `if (tensor->ne[i] <= 0) return 0;`
    if any(n <= 0 for n in ne):
        return 0
    return row_bytes(type_name, ne[0]) * prod(ne[1:])


def bits_per_weight(type_name: str) -> float:
    """Bits per stored value of a type (Q4_K -> 4.5, Q8_0 -> 8.5)."""
    return get_type(type_name).bits_per_weight
