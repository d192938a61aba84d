"""ggml type geometry must equal llama.cpp's type_traits / block_* structs byte for byte."""
from __future__ import annotations

import pytest

from calc_py.ggml_types import GGML_TYPES, GgmlType, bits_per_weight, get_type, row_bytes, tensor_bytes


@pytest.mark.parametrize(
    ("name", "block_size", "type_size"),
    [
        # sizeof(block_*) from ggml/src/ggml-common.h (checked by its static_asserts)
        ("Q4_0", 32, 18),
        ("Q4_1", 32, 20),
        ("Q5_0", 32, 22),
        ("Q5_1", 32, 24),
        ("Q8_0", 32, 34),
        ("Q8_1", 32, 36),
        ("Q2_K", 256, 84),
        ("Q3_K", 256, 110),
        ("Q4_K", 256, 144),
        ("Q5_K", 256, 176),
        ("Q6_K", 256, 210),
        ("Q8_K", 256, 292),
        ("IQ1_S", 256, 50),
        ("IQ1_M", 256, 56),
        ("IQ2_XXS", 256, 66),
        ("IQ2_XS", 256, 74),
        ("IQ2_S", 256, 82),
        ("IQ3_XXS", 256, 98),
        ("IQ3_S", 256, 110),
        ("IQ4_NL", 32, 18),
        ("IQ4_XS", 256, 136),
        ("TQ1_0", 256, 54),
        ("TQ2_0", 256, 66),
        ("MXFP4", 32, 17),
        ("NVFP4", 64, 36),
        ("Q1_0", 128, 18),
        ("Q2_0", 64, 18),
        ("F32", 1, 4),
        ("F16", 1, 2),
        ("BF16", 1, 2),
        ("F64", 1, 8),
        ("I8", 1, 1),
        ("I16", 1, 2),
        ("I32", 1, 4),
        ("I64", 1, 8),
    ],
)
def test_block_geometry_matches_the_c_structs(name: str, block_size: int, type_size: int) -> None:
    t = GGML_TYPES[name]
    assert (t.block_size, t.type_size) == (block_size, type_size)


@pytest.mark.parametrize(
    ("name", "type_id"),
    [("F32", 0), ("F16", 1), ("Q4_0", 2), ("Q8_0", 8), ("Q4_K", 12), ("Q6_K", 14),
     ("IQ4_XS", 23), ("BF16", 30), ("TQ1_0", 34), ("MXFP4", 39), ("Q2_0", 42)],
)
def test_type_ids_are_the_enum_ggml_type_values(name: str, type_id: int) -> None:
    assert GGML_TYPES[name].type_id == type_id


def test_table_is_keyed_by_upper_case_name_and_frozen() -> None:
    for key, t in GGML_TYPES.items():
        assert key == t.name == key.upper()
    with pytest.raises(AttributeError):
        GGML_TYPES["Q4_K"].type_size = 1  # type: ignore[misc]


def test_type_ids_are_unique() -> None:
    ids = [t.type_id for t in GGML_TYPES.values()]
    assert len(ids) == len(set(ids))


def test_lookup_accepts_ggml_spelling_and_enum_id() -> None:
    assert get_type("q4_K") is GGML_TYPES["Q4_K"]
    assert get_type(12) is GGML_TYPES["Q4_K"]
    assert get_type("iq2_xxs") is GGML_TYPES["IQ2_XXS"]


def test_unknown_type_raises_value_error() -> None:
    with pytest.raises(ValueError, match="unknown ggml type"):
        get_type("Q9_9")


def test_row_bytes_is_type_size_times_blocks() -> None:
    assert row_bytes("Q4_K", 4096) == 16 * 144
    assert row_bytes("Q8_0", 4096) == 128 * 34
    assert row_bytes("F16", 4096) == 8192
    assert row_bytes("F32", 7) == 28


def test_row_bytes_rejects_a_row_that_is_not_whole_blocks() -> None:
    with pytest.raises(ValueError, match="not a multiple of the Q4_K block size 256"):
        row_bytes("Q4_K", 4160)


def test_row_bytes_rejects_a_partial_32_block() -> None:
    with pytest.raises(ValueError, match="block size 32"):
        row_bytes("Q8_0", 100)


def test_tensor_bytes_multiplies_row_bytes_by_rows() -> None:
    # Llama-3-8B token_embd in Q4_K: 128256 rows of 4096
    assert tensor_bytes("Q4_K", (4096, 128256)) == 128256 * 16 * 144
    # 3-D expert tensor: rows = ne[1] * ne[2]
    assert tensor_bytes("MXFP4", (2880, 2880, 32)) == 2880 * 32 * (2880 // 32) * 17


def test_tensor_bytes_of_a_1d_tensor() -> None:
    assert tensor_bytes("F32", (4096,)) == 16384


def test_tensor_bytes_is_zero_for_an_empty_dimension() -> None:
    # ggml_nbytes returns 0 as soon as any ne[i] <= 0
    assert tensor_bytes("Q4_K", (256, 0)) == 0


def test_bits_per_weight() -> None:
    assert bits_per_weight("Q4_K") == 4.5
    assert bits_per_weight("Q8_0") == 8.5
    assert bits_per_weight("Q6_K") == 6.5625
    assert bits_per_weight("IQ4_XS") == 4.25
    assert bits_per_weight("F16") == 16.0


def test_dataclass_keeps_the_four_positional_fields() -> None:
    t = GgmlType("X", 99, 32, 18)
    assert (t.name, t.type_id, t.block_size, t.type_size) == ("X", 99, 32, 18)
