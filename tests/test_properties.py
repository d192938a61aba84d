"""Properties every estimate must have, over many random setups (hypothesis)."""
import json

from hypothesis import given, settings, strategies as st

from calc_py import catalog
from calc_py.estimate import Setup, estimate

MODELS = [m.id for m in catalog.supported_models()
          if m.architecture.n_layer * m.architecture.n_embd < 80 * 8192 + 1]
GGUF_LADDER = ["F16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K"]
ENGINES = ["llama.cpp", "ollama", "transformers", "vllm"]

setups = st.builds(
    Setup,
    model=st.sampled_from(MODELS),
    quant=st.just("Q4_K_M"),
    context=st.integers(min_value=1, max_value=131072),
    engine=st.sampled_from(["llama.cpp", "ollama"]),
    batch=st.integers(min_value=1, max_value=8),
    flash_attn=st.sampled_from([None, True, False]),
    kv_cache=st.sampled_from([None, "f16", "q8_0"]),
).filter(lambda s: not (s.flash_attn is False and s.kv_cache == "q8_0"))  # llama.cpp refuses that


def _with(s, **kw):
    d = {f: getattr(s, f) for f in s.__dataclass_fields__}
    d.update(kw)
    return Setup(**d)


@settings(max_examples=60, deadline=None)
@given(setups, st.integers(min_value=1, max_value=65536))
def test_more_context_never_needs_less_memory(s, more):
    a, b = estimate(s), estimate(_with(s, context=min(s.context + more, 10_000_000)))
    for key in ("kv_cache_bytes", "compute_bytes", "total_bytes", "host_bytes"):
        assert b[key] >= a[key], key


@settings(max_examples=40, deadline=None)
@given(setups)
def test_more_parallel_sequences_never_need_less_memory(s):
    assert estimate(_with(s, batch=s.batch + 1))["total_bytes"] >= estimate(s)["total_bytes"]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(MODELS), st.integers(min_value=0, max_value=len(GGUF_LADDER) - 2))
def test_fewer_bits_never_need_more_weight_memory(model, i):
    hi = estimate(Setup(model=model, quant=GGUF_LADDER[i]))
    lo = estimate(Setup(model=model, quant=GGUF_LADDER[i + 1]))
    assert lo["model_bytes"] <= hi["model_bytes"]


@settings(max_examples=40, deadline=None)
@given(setups, st.sampled_from(ENGINES))
def test_total_is_the_sum_of_the_gpu_parts(s, engine):
    quant = "Q4_K_M" if engine in ("llama.cpp", "ollama") else "bf16"
    kv = s.kv_cache if engine in ("llama.cpp", "ollama") else None
    r = estimate(_with(s, engine=engine, quant=quant, kv_cache=kv))
    parts = [p for p in r["parts"] if p["part"] != "total"]
    assert r["total_bytes"] == sum(p["bytes"] for p in parts)
    assert r["total_bytes"] == (r["weights_bytes"] + r["kv_cache_bytes"] + r["compute_bytes"]
                                + r["overhead_bytes"])
    assert r["host_bytes"] == sum(p["bytes"] for p in r["host_parts"])


@settings(max_examples=25, deadline=None)
@given(setups)
def test_result_round_trips_through_json(s):
    r = estimate(s)
    assert json.loads(json.dumps(r)) == r


@settings(max_examples=30, deadline=None)
@given(setups, st.integers(min_value=0, max_value=200))
def test_fewer_gpu_layers_never_need_more_gpu_memory(s, layers):
    full = estimate(s)
    part = estimate(_with(s, gpu_layers=layers))
    assert part["weights_bytes"] <= full["weights_bytes"]
    assert part["weights_bytes"] + part["host_bytes"] >= full["weights_bytes"]


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=0.1, max_value=2000), st.floats(min_value=1.01, max_value=3))
def test_simple_mode_grows_with_parameter_count(p, factor):
    small = estimate(Setup(params=p, quant="Q4_K_M"))
    big = estimate(Setup(params=min(p * factor, 2000), quant="Q4_K_M"))
    assert small["approximate"] and big["approximate"]
    assert big["model_bytes"] >= small["model_bytes"]
