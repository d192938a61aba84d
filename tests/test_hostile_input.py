"""No input, however hostile, makes the query interface raise or echo markup unescaped."""
import json

from hypothesis import given, settings, strategies as st

from calc_py.api import KEYS, estimate_query

values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "1e309", "nan",
                     "-1", "0", "99999999999999999999", "32k", "0x10", "  8192 ", "Q4_K_M\x00",
                     "../../etc/passwd", "\u202e", "A" * 5000]),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=len(KEYS)))
def test_any_query_gives_a_result_and_never_raises(query):
    r = estimate_query(query)
    res = r["result"]
    assert isinstance(res["total_bytes"], int) and res["total_bytes"] > 0   # context + compute at least
    assert isinstance(res["file_bytes"], int) and res["file_bytes"] > res["model_bytes"] > 0   # the download
    assert set(r["inputs"]) == set(KEYS)
    json.dumps(r)                                   # the worker can always send it


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(KEYS), values)
def test_notices_never_carry_more_than_sixty_characters_of_the_value(key, value):
    for notice in estimate_query({key: value})["notices"]:
        assert len(notice) < 600
