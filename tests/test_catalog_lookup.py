"""Finding models and GPUs by the names people type."""
import pytest

from calc_py import catalog
from calc_py.errors import CalcError


def test_model_lookup_is_case_insensitive():
    assert catalog.find_model("META-LLAMA/llama-3.1-8b").id == "meta-llama/Llama-3.1-8B"


def test_model_lookup_accepts_an_ollama_style_alias():
    assert catalog.find_model("llama3.1:8b").id == "meta-llama/Llama-3.1-8B"


def test_instruct_variant_resolves_to_its_base_architecture():
    assert catalog.find_model("meta-llama/Llama-3.1-8B-Instruct").id == "meta-llama/Llama-3.1-8B"


def test_unknown_model_error_names_the_closest_entries():
    with pytest.raises(CalcError) as e:
        catalog.find_model("meta-llama/Llama-3.1-8BB")
    assert "meta-llama/Llama-3.1-8B" in e.value.suggestions
    assert e.value.field == "model"


def test_gpu_lookup_by_alias_and_name():
    assert catalog.find_gpu("4090")["id"] == "rtx-4090"
    assert catalog.find_gpu("NVIDIA GeForce RTX 4090")["id"] == "rtx-4090"


def test_usable_memory_of_apple_silicon_is_the_gpu_share():
    g = catalog.find_gpu("apple-m4-max-128gb")
    assert catalog.usable_gpu_bytes(g) == int(g["memory_bytes"] * g["gpu_share_default"])


def test_usable_memory_prefers_the_driver_reported_total():
    g = catalog.find_gpu("rtx-4090")          # a published llama.cpp log prints 24080 MiB
    assert g["cuda_total_mib"] == 24080
    assert catalog.usable_gpu_bytes(g) == 24080 << 20 < g["memory_bytes"]
