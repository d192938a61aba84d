"""The lenient query interface the page uses: bad values become defaults plus a notice."""
from calc_py.api import DEFAULTS, KEYS, catalog, compare_gpus, estimate_query


def test_default_query_estimates_the_default_model():
    r = estimate_query({})
    assert r["notices"] == []
    assert r["inputs"]["model"] == DEFAULTS["model"]
    assert r["result"]["total_bytes"] > r["result"]["weights_bytes"] > 0


def test_inputs_echo_every_cli_key():
    r = estimate_query({"model": "qwen/qwen3-8b", "quant": "Q8_0", "context": "32k"})
    assert set(r["inputs"]) == set(KEYS)
    assert r["inputs"]["context"] == "32768" and r["inputs"]["quant"] == "Q8_0"


def test_hostile_model_falls_back_with_a_notice():
    r = estimate_query({"model": "<script>alert(1)</script>"})
    assert r["inputs"]["model"] == DEFAULTS["model"]
    assert len(r["notices"]) == 1 and "model" in r["notices"][0]


def test_absurd_numbers_fall_back_to_defaults():
    r = estimate_query({"context": "99999999999", "batch": "-3", "params": "1e400"})
    assert r["inputs"]["context"] == DEFAULTS["context"]
    assert r["inputs"]["batch"] == DEFAULTS["batch"]
    assert len(r["notices"]) == 3      # params, context, batch


def test_overlong_values_are_rejected_before_parsing():
    r = estimate_query({"gpu": "x" * 10_000})
    assert r["inputs"]["gpu"] == "" and "too long" in r["notices"][0]


def test_incompatible_combination_falls_back_on_the_offending_input():
    r = estimate_query({"engine": "transformers", "quant": "Q4_K_M"})
    assert r["inputs"]["quant"] == "bf16" and r["notices"]


def test_gpu_comparison_marks_fit_by_headroom():
    r = estimate_query({"model": "meta-llama/Llama-3.1-70B", "quant": "Q4_K_M"})["result"]
    rows = {g["id"]: g for g in compare_gpus(r)}
    assert rows["h100-sxm-80gb"]["fits"] and not rows["rtx-4090"]["fits"]
    assert rows["rtx-4090"]["cards_needed"] >= 2
    assert all(g["fits"] == (g["headroom_bytes"] >= 0) for g in rows.values())


def test_vendor_filter():
    r = estimate_query({})["result"]
    assert {g["vendor"] for g in compare_gpus(r, "amd")} == {"amd"}


def test_catalog_lists_pickers():
    c = catalog()
    assert len(c["models"]) >= 50 and len(c["gpus"]) >= 50
    assert {"llama.cpp", "ollama", "transformers", "vllm"} <= {e["id"] for e in c["engines"]}
    assert any(q["id"] == "Q4_K_M" for q in c["quants"])


def test_fit_names_the_smallest_card_that_holds_the_model_alone():
    from calc_py.api import estimate
    r = estimate(model="meta-llama/Llama-3.1-70B", quant="Q4_K_M", gpu="rtx-4090")
    smallest = r["fit"]["smallest_fit"]
    rows = {g["id"]: g for g in compare_gpus(r)}
    assert rows[smallest["id"]]["fits"]
    assert all(not g["fits"] or g["usable_bytes"] >= rows[smallest["id"]]["usable_bytes"]
               for g in rows.values() if g["vendor"] == "nvidia")


def test_ollama_notes_its_vram_based_default_context():
    from calc_py.api import estimate
    small = estimate(model="qwen/qwen3-8b", engine="ollama", gpu="rtx-3060-12gb")
    big = estimate(model="qwen/qwen3-8b", engine="ollama", gpu="h100-sxm-80gb")
    assert any("4,096" in n for n in small["notes"])
    assert any("262,144" in n for n in big["notes"])
