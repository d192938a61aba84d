"""A config.json can never crash calc_py, and the page's worker entry point never raises.

Property: whatever JSON value tree comes in (NaN, Infinity, 5000-digit numbers,
booleans where numbers belong, lists, nested text_config garbage), the parser
either returns an Architecture that every engine estimates with finite,
non-negative byte counts, or raises one CalcError that names the field. Nothing
else may escape: any other exception is a traceback on the CLI and a broken page.
Derandomized (same examples every run) and modest in size, for ``make test``.
"""
import json
import math

from hypothesis import HealthCheck, given, settings, strategies as st

from calc_py import api, catalog
from calc_py.architecture import Architecture, from_config, load_config
from calc_py.errors import CalcError
from calc_py.estimate import Setup, estimate

FUZZ = settings(max_examples=60, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

CONFIGS = [m.config for m in catalog.supported_models()]
#: a few architectures of each kind: dense, MoE, MLA, SWA, hybrid, chunked
SAMPLE = [m.config for m in catalog.supported_models() if m.id in {
    "meta-llama/Llama-3.1-8B", "Qwen/Qwen3-30B-A3B", "deepseek-ai/DeepSeek-V2-Lite",
    "google/gemma-2-2b-it", "Qwen/Qwen3-Next-80B-A3B-Instruct", "openai/gpt-oss-20b",
    "meta-llama/Llama-4-Scout-17B-16E-Instruct", "Qwen/Qwen3.5-9B", "zai-org/GLM-4.5-Air"}]

hostile_numbers = st.one_of(
    st.just(float("nan")), st.just(float("inf")), st.just(float("-inf")), st.just(-1), st.just(0),
    st.just(1), st.just(10**15), st.just(10**400), st.just(2.5), st.just(1e308), st.booleans(),
    st.integers(min_value=-10**6, max_value=10**7), st.floats(allow_nan=True, allow_infinity=True))
hostile_scalars = st.one_of(st.none(), hostile_numbers, st.text(max_size=12),
                            st.sampled_from(["4096", "llama", "sliding_attention", "linear_attention",
                                             "noaux_tc", "bfloat16", "float32", "NaN", ""]))
json_values = st.recursive(hostile_scalars,
                           lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                  st.dictionaries(st.text(max_size=8), kids, max_size=4)),
                           max_leaves=12)


def _all_keys(config: dict) -> list[str]:
    keys = [k for k in config if k != "text_config"]
    if isinstance(config.get("text_config"), dict):
        keys += ["text_config." + k for k in config["text_config"]]
    return sorted(keys) + ["text_config"]


def _mutate(config: dict, key: str, value) -> dict:
    out = json.loads(json.dumps(config))
    if key.startswith("text_config."):
        out["text_config"][key.split(".", 1)[1]] = value
    else:
        out[key] = value
    return out


def _parses_or_names_the_problem(config) -> Architecture | None:
    try:
        return from_config(config)
    except CalcError as err:
        assert err.message and len(err.message.splitlines()) == 1
        return None


def _estimates_cleanly(config: dict, engine: str) -> None:
    try:
        r = estimate(Setup(config=config, engine=engine, context=4096,
                           quant="Q4_K_M" if engine == "llama.cpp" else "bf16"), with_fit=False)
    except CalcError as err:
        assert err.message
        return
    for k in ("model_bytes", "weights_bytes", "kv_cache_bytes", "compute_bytes", "total_bytes", "host_bytes"):
        assert isinstance(r[k], int) and r[k] >= 0, (k, r[k])
    assert r["params"] > 0 and math.isfinite(r["params"])
    json.dumps(r, allow_nan=False)            # the CLI's --json must be valid JSON


@FUZZ
@given(json_values)
def test_any_json_value_tree_parses_or_raises_calcerror(value):
    _parses_or_names_the_problem(value)
    if isinstance(value, dict):
        _parses_or_names_the_problem({**value, "model_type": "llama"})
        _parses_or_names_the_problem({"model_type": "gemma3", "text_config": value})


@FUZZ
@given(st.sampled_from(SAMPLE), st.data())
def test_a_catalog_config_with_one_hostile_field_parses_or_names_it(config, data):
    key = data.draw(st.sampled_from(_all_keys(config)))
    value = data.draw(json_values)
    a = _parses_or_names_the_problem(_mutate(config, key, value))
    if a is not None:
        _estimates_cleanly(_mutate(config, key, value), data.draw(st.sampled_from(
            ["llama.cpp", "vllm", "transformers"])))


@FUZZ
@given(st.sampled_from(CONFIGS), st.data())
def test_any_catalog_config_with_a_shrunk_or_grown_size_estimates_or_names_it(config, data):
    key = data.draw(st.sampled_from(_all_keys(config)))
    value = data.draw(st.integers(min_value=-3, max_value=300_000))
    mutated = _mutate(config, key, value)
    if _parses_or_names_the_problem(mutated) is not None:
        _estimates_cleanly(mutated, data.draw(st.sampled_from(["llama.cpp", "vllm", "transformers"])))


@FUZZ
@given(st.sampled_from(SAMPLE), st.data())
def test_a_catalog_config_missing_fields_takes_transformers_defaults_or_names_them(config, data):
    keys = data.draw(st.lists(st.sampled_from(_all_keys(config)), max_size=6, unique=True))
    out = json.loads(json.dumps(config))
    for key in keys:
        if key.startswith("text_config.") and isinstance(out.get("text_config"), dict):
            out["text_config"].pop(key.split(".", 1)[1], None)
        else:
            out.pop(key, None)
    a = _parses_or_names_the_problem(out)
    if a is not None:
        for field, value, source in a.defaults_used:
            assert field and value and source.startswith("transformers ")
        _estimates_cleanly(out, "llama.cpp")


@FUZZ
@given(st.text(max_size=200))
def test_any_text_given_as_a_config_loads_or_raises_calcerror(text):
    for source in (text, "{" + text, '{"model_type": "llama", "hidden_size": ' + text + "}"):
        try:
            cfg = load_config(source)
        except CalcError:
            continue
        _parses_or_names_the_problem(cfg)


def test_deep_nesting_and_huge_numbers_in_config_text_are_calcerrors():
    for text in ['{"a": ' * 50_000 + "1" + "}" * 50_000, '{"hidden_size": ' + "9" * 5000 + "}",
                 '{"model_type": "llama", "hidden_size": NaN}', '{"text_config": "x", "model_type": "gemma3"}']:
        try:
            from_config(load_config(text))
        except CalcError as err:
            assert len(err.message) < 300
        else:
            raise AssertionError(f"accepted {text[:40]}")


def test_a_binary_config_file_is_one_line_and_exit_2(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "config.json"
    path.write_bytes(bytes(range(256)) * 4)
    p = subprocess.run([sys.executable, "-m", "calc_py", "estimate", "--config", str(path)],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "not UTF-8" in p.stderr and "Traceback" not in p.stderr


# ---- the worker's entry point and the query interface -------------------------

hostile_strings = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["NaN", "nan", "inf", "-inf", "1e999", "-1", "0", "10m", "1e12", "99999999999",
                     "<script>alert(1)</script>", "\x00", "\u202e", "%00", "${x}", "{0}", "{context}",
                     "../../etc/passwd", "Q4_K_M\n", "x" * 300, "１２３", "true", "[]", "{}"]))
query_keys = st.sampled_from(api.KEYS)


@FUZZ
@given(st.dictionaries(query_keys, hostile_strings, max_size=5))
def test_estimate_query_never_raises_and_always_answers(query):
    answer = api.estimate_query(query)
    r = answer["result"]
    assert r["total_bytes"] > 0
    assert set(answer["inputs"]) == set(api.KEYS)
    assert all(isinstance(n, str) and len(n.splitlines()) == 1 for n in answer["notices"])


@FUZZ
@given(st.dictionaries(st.one_of(query_keys, st.text(max_size=6)),
                       st.one_of(hostile_strings, st.integers(), st.none(), st.booleans(),
                                 st.floats(allow_nan=True)), max_size=5),
       st.sampled_from(["", "nvidia", "amd", "<b>", "x" * 100]), st.sampled_from(["en", "zh-CN"]))
def test_the_worker_entry_point_returns_a_display_model_for_any_query(query, vendor, lang):
    from site_src import view
    out = json.loads(view.run(json.dumps(query), vendor, lang))
    assert out["total"]["bytes"] > 0 and isinstance(out["notices"], list)
