"""Context limits: every catalog model is estimable up to its own trained maximum,
and a context no model has is refused with one clear message."""
import subprocess
import sys

import pytest

from calc_py import api, catalog
from calc_py.errors import CalcError
from calc_py.estimate import CONTEXT_MAX, Setup, estimate

MODELS = catalog.supported_models()
LONGEST = max(MODELS, key=lambda m: m.architecture.max_context)


def test_the_cap_is_above_every_catalog_models_maximum_with_a_margin():
    assert LONGEST.architecture.max_context == 10_485_760          # Llama 4 Scout
    assert CONTEXT_MAX >= 1.5 * LONGEST.architecture.max_context


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.id)
def test_every_catalog_model_estimates_at_its_own_max_context_on_llamacpp(model):
    n = model.architecture.max_context
    r = estimate(Setup(model=model.id, context=n), with_fit=False)
    assert r["inputs"]["context"] == n
    assert r["kv_cache_bytes"] > 0 and r["total_bytes"] > r["model_bytes"] > 0
    assert not any("beyond the model's trained maximum" in x for x in r["notes"])


def test_the_page_takes_llama4_scouts_ten_million_tokens_without_a_notice():
    answer = api.estimate_query({"model": LONGEST.id, "context": "10485760"})
    assert answer["notices"] == []
    assert answer["inputs"]["context"] == "10485760"


def test_the_cli_takes_10m_as_scouts_maximum():
    p = subprocess.run([sys.executable, "-m", "calc_py", "estimate", "--model", LONGEST.id,
                        "--context", "10m", "--json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert '"context": 10485760' in p.stdout


@pytest.mark.parametrize("context", [CONTEXT_MAX + 1, 10**12])
def test_a_context_beyond_the_cap_is_refused_naming_the_field(context):
    with pytest.raises(CalcError) as err:
        estimate(Setup(model=LONGEST.id, context=context))
    assert err.value.field == "context" and f"{CONTEXT_MAX:,}" in err.value.message


@pytest.mark.parametrize("text", ["99999999999", "1e12", "17m", "inf", "nan"])
def test_absurd_context_strings_fall_back_with_a_notice_on_the_page(text):
    answer = api.estimate_query({"model": LONGEST.id, "context": text})
    assert answer["inputs"]["context"] == api.DEFAULTS["context"]
    assert len(answer["notices"]) == 1 and "context" in answer["notices"][0]


def test_absurd_context_on_the_cli_is_one_line_and_exit_2():
    p = subprocess.run([sys.executable, "-m", "calc_py", "estimate", "--model", LONGEST.id,
                        "--context", "100m"], capture_output=True, text=True)
    assert p.returncode == 2 and p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1 and "context must be between" in p.stderr
