"""The speed model (calc_py/speed.py): what it must do whatever its fitted constants are,
and published llama-bench results it must stay near.

The monotonicity tests hold for any positive efficiencies; the pinned rows
compare with published measurements (shared/groundtruth/llama_bench.jsonl,
copied here with their row ids so a clean clone needs no shared folder).
"""
from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

from calc_py import catalog
from calc_py.errors import CalcError
from calc_py.estimate import Setup, estimate
from calc_py.quants import resolve
from calc_py import speed as S
from calc_py.weights import weights_for


def setup(model, quant="Q4_K_M"):
    a = catalog.find_model(model).architecture
    return a, weights_for(a, resolve(quant, "llama.cpp"))


def gpu(gid):
    return next(g for g in catalog.gpus() if g["id"] == gid)


def decode(model, quant="Q4_K_M", gpus=("rtx-4090",), depth=0, **placement):
    a, w = setup(model, quant)
    r = S.estimate_speed(a, w, S.llamacpp_device_of(a, **placement), [gpu(g) for g in gpus], depth=depth)
    return r["decode_tokens_per_s"]


LLAMA8 = "meta-llama/Llama-3.1-8B"
QWEN_MOE = "Qwen/Qwen3-30B-A3B"


# ----------------------------------------------------------------------------
# what one token reads
# ----------------------------------------------------------------------------

def test_token_embedding_is_not_read_per_token():
    a, w = setup(LLAMA8)
    reads = S.decode_weight_reads(a, w, lambda wt: 0)
    embd = w.nbytes_of("token_embd.weight")
    assert sum(reads[0].values()) == pytest.approx(w.total - embd)


def test_tied_output_reads_the_embedding_once_as_the_output_matmul():
    # Llama 3.2 1B ties its output to token_embd: the output matmul reads the duplicate
    a, w = setup("meta-llama/Llama-3.2-1B-Instruct")
    assert a.tied_embeddings
    reads = S.decode_weight_reads(a, w, lambda wt: 0)
    assert sum(reads[0].values()) == pytest.approx(w.total)


def test_moe_reads_only_the_routed_experts_plus_everything_else():
    # Qwen3-30B-A3B: 8 of 128 experts per token
    a, w = setup(QWEN_MOE)
    exps = sum(x.nbytes for x in w.tensors if "_exps" in x.tensor.name)
    rest = sum(x.nbytes for x in w.tensors if "_exps" not in x.tensor.name and x.tensor.name != "token_embd.weight")
    reads = S.decode_weight_reads(a, w, lambda wt: 0)
    assert sum(reads[0].values()) == pytest.approx(rest + exps * 8 / 128)
    assert sum(reads[0].values()) < w.total / 5


def test_kv_read_grows_with_depth_by_the_cache_row_sizes():
    # Llama 3.1 8B: 32 layers x (8 KV heads x 128) x (K + V) x 2 bytes per token of depth
    a, _ = setup(LLAMA8)
    assert sum(S.kv_read_by_layer(a, 1000)) == 32 * 1024 * 2 * 2 * 1000
    assert sum(S.kv_read_by_layer(a, 1000, "q8_0")) == 32 * (1024 // 32 * 34) * 2 * 1000


def test_sliding_window_layers_read_at_most_their_window():
    a, _ = setup("google/gemma-3-27b-it")
    deep, deeper = S.kv_read_by_layer(a, 100_000), S.kv_read_by_layer(a, 200_000)
    for il in range(a.n_layer):
        if a.swa_layers[il]:
            assert deep[il] == deeper[il]
        else:
            assert deeper[il] == 2 * deep[il]


def test_recurrent_state_is_read_whole_at_any_depth():
    a, _ = setup("Qwen/Qwen3-Next-80B-A3B-Instruct")
    rec = [il for il in range(a.n_layer) if a.recurrent_layers[il]]
    assert rec
    shallow, deep = S.kv_read_by_layer(a, 10), S.kv_read_by_layer(a, 100_000)
    assert all(shallow[il] == deep[il] > 0 for il in rec)


# ----------------------------------------------------------------------------
# monotonicity
# ----------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=50, max_value=8000), st.floats(min_value=1.01, max_value=4))
def test_more_bandwidth_decodes_faster(bw, factor):
    x = S.decode_profile(*setup(LLAMA8))          # bytes once; only the GPU changes
    slow = S.decode_tokens_per_s(x, dict(gpu("rtx-4090"), bandwidth_gbs=bw))
    fast = S.decode_tokens_per_s(x, dict(gpu("rtx-4090"), bandwidth_gbs=bw * factor))
    assert fast > slow


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=500_000), st.integers(min_value=1, max_value=500_000))
def test_deeper_context_decodes_slower(depth, more):
    a, w = setup(LLAMA8)
    x = S.decode_profile(a, w)
    at = lambda d: replace(x, kv={0: sum(S.kv_read_by_layer(a, d))})  # noqa: E731
    g = gpu("rtx-4090")
    assert S.decode_tokens_per_s(at(depth + more), g) < S.decode_tokens_per_s(at(depth), g)


def test_bigger_quant_decodes_slower():
    speeds = [decode(LLAMA8, q) for q in ("Q2_K", "Q4_K_M", "Q6_K", "Q8_0", "F16")]
    assert speeds == sorted(speeds, reverse=True)


def test_experts_on_the_cpu_decode_slower_than_on_the_gpu():
    on_gpu = decode(QWEN_MOE)
    some = decode(QWEN_MOE, n_cpu_moe=24)
    all_cpu = decode(QWEN_MOE, experts_on_cpu=True)
    assert on_gpu > some > all_cpu


def test_fewer_gpu_layers_decode_slower():
    assert decode(LLAMA8) > decode(LLAMA8, n_gpu_layers=20) > decode(LLAMA8, n_gpu_layers=0)


def test_layer_split_over_two_identical_gpus_does_not_speed_decode_up():
    # layer split is a pipeline: one token visits the devices one after another
    a, w = setup(LLAMA8)
    one = S.estimate_speed(a, w, S.llamacpp_device_of(a), [gpu("rtx-3090")])
    half = lambda wt: S.HOST if wt.tensor.name == "token_embd.weight" else (  # noqa: E731
        1 if wt.tensor.layer is None or wt.tensor.layer >= 16 else 0)
    two = S.estimate_speed(a, w, half, [gpu("rtx-3090"), gpu("rtx-3090")])
    # same bytes at the same bandwidth; only the per-token fixed cost is paid on both devices
    assert 0.9 * one["decode_tokens_per_s"] < two["decode_tokens_per_s"] <= one["decode_tokens_per_s"]
    assert set(two["decode_seconds_by_device"]) == {0, 1}


def test_more_fp16_throughput_prefills_faster():
    a, w = setup(LLAMA8)
    dev = S.llamacpp_device_of(a)
    lo = S.estimate_speed(a, w, dev, [dict(gpu("rtx-4090"), fp16_tflops=50)])
    hi = S.estimate_speed(a, w, dev, [dict(gpu("rtx-4090"), fp16_tflops=100)])
    assert hi["prefill_tokens_per_s"] > lo["prefill_tokens_per_s"]


# ----------------------------------------------------------------------------
# inputs and outputs
# ----------------------------------------------------------------------------

def test_a_gpu_without_bandwidth_is_a_clear_error():
    a, w = setup(LLAMA8)
    with pytest.raises(CalcError, match="bandwidth"):
        S.estimate_speed(a, w, S.llamacpp_device_of(a), [dict(gpu("rtx-4090"), bandwidth_gbs=None)])


def test_a_gpu_without_fp16_throughput_has_no_prefill_but_a_decode():
    a, w = setup(LLAMA8)
    r = S.estimate_speed(a, w, S.llamacpp_device_of(a), [dict(gpu("rtx-4090"), fp16_tflops=None)])
    assert r["prefill_tokens_per_s"] is None and r["decode_tokens_per_s"] > 0


def test_placement_naming_a_missing_device_is_a_clear_error():
    a, w = setup(LLAMA8)
    with pytest.raises(CalcError, match="device"):
        S.estimate_speed(a, w, lambda wt: 3, [gpu("rtx-4090")])


def test_json_speed_is_null_without_a_gpu_and_for_pytorch_engines():
    assert estimate(Setup(model=LLAMA8))["speed"] is None
    assert estimate(Setup(model=LLAMA8, engine="vllm", quant="bf16", gpu="h100-sxm-80gb"))["speed"] is None


def test_json_speed_with_a_gpu_names_its_basis():
    sp = estimate(Setup(model=LLAMA8, context=32768, gpu="rtx-4090"))["speed"]
    assert sp["decode_tokens_per_s"] > sp["decode_tokens_per_s_at_context"] > 0
    assert sp["prefill_tokens_per_s"] > sp["decode_tokens_per_s"]
    assert sp["basis"]["bandwidth_gbs"] == gpu("rtx-4090")["bandwidth_gbs"]
    assert sp["basis"]["backend"] == "cuda" and "speed_fit.json" in sp["basis"]["fit"]


def test_compare_table_speed_matches_the_full_model():
    a, w = setup(LLAMA8)
    prof = S.decode_profile(a, w)
    for gid in ("rtx-4090", "apple-m3-max-64gb", "radeon-pro-w7900", "arc-pro-b70"):
        full = S.estimate_speed(a, w, S.llamacpp_device_of(a), [gpu(gid)])["decode_tokens_per_s"]
        assert S.decode_tokens_per_s(prof, gpu(gid)) == pytest.approx(full, rel=1e-9)


# ----------------------------------------------------------------------------
# published llama-bench rows (id in shared/groundtruth/llama_bench.jsonl, GPU, model, quant, test, t/s)
# ----------------------------------------------------------------------------

#: tolerance on |predicted - measured| / measured: the issue's p90 target for decode
#: (25 %) and a prefill allowance of 35 % (prefill depends on kernels per build more)
TOL = {"tg": 0.25, "pp": 0.35}

PUBLISHED = [
    # (row id, catalog GPU, backend, model, mix, test kind, measured tokens/s)
    ("f43387339247-010", "radeon-pro-w7900", "rocm", "meta-llama/Llama-2-7b-hf", "Q4_0", "tg", 99.42),
    ("f6903513756-018", "mi300x", "rocm", "meta-llama/Llama-2-7b-hf", "Q4_0", "tg", 183.18),
    ("reddit-mbweff-03-tg128", "rtx-3050-6gb", "cuda", "meta-llama/Llama-2-7b-hf", "Q4_0", "tg", 37.77),
    ("gh-llamacpp-pr16834-001", "rtx-4090", "cuda", "openai/gpt-oss-20b", "MXFP4_MOE", "tg", 186.1),
    ("f56029580622-012", "arc-pro-b70", "sycl", "Qwen/Qwen3-8B", "Q4_K_M", "tg", 81.79),
    ("f55913994130-022", "arc-pro-b70", "vulkan", "Qwen/Qwen3-14B", "Q4_K_M", "tg", 23.46),
    ("f53143770214-040", "rtx-5060-ti-16gb", "cuda", "Qwen/Qwen3.5-27B", "Q3_K_S", "tg", 26.21),
    ("geerling-issue48-025", "apple-m1-ultra-128gb", "metal", "meta-llama/Llama-3.2-3B", "Q4_K_M", "pp", 2142.59),
    ("f40195527572-003", "apple-m3-ultra-512gb", "metal", "Qwen/Qwen3-30B-A3B", "Q4_K_M", "pp", 2315.08),
    ("f56029580622-001", "arc-pro-b70", "sycl", "meta-llama/Llama-3.1-8B", "Q4_K_M", "pp", 1068.94),
    ("f55913994130-001", "arc-pro-b70", "vulkan", "meta-llama/Llama-3.1-8B", "Q4_K_M", "pp", 1980.11),
]


@pytest.mark.parametrize("rid,gid,backend,model,mix,kind,measured", PUBLISHED, ids=[p[0] for p in PUBLISHED])
def test_published_llama_bench_row_within_tolerance(rid, gid, backend, model, mix, kind, measured):
    a, w = setup(model, mix)
    r = S.estimate_speed(a, w, S.llamacpp_device_of(a), [gpu(gid)], backend=backend,
                         depth=64 if kind == "tg" else 0)
    pred = r["decode_tokens_per_s"] if kind == "tg" else r["prefill_tokens_per_s"]
    assert abs(pred - measured) / measured <= TOL[kind], f"{rid}: predicted {pred:.1f}, published {measured}"


def test_gpu_comparison_rows_carry_the_same_decode_speed_as_the_estimate():
    r = estimate(Setup(model=LLAMA8, context=512, gpu="rtx-4090"))
    from calc_py.fit import compare_gpus
    row = next(g for g in compare_gpus(r) if g["id"] == "rtx-4090")
    assert row["decode_tokens_per_s"] == pytest.approx(r["speed"]["decode_tokens_per_s"], rel=2e-3)
