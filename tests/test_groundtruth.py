"""calc_py against every published measurement in shared/groundtruth (via benchmarks/accuracy.py).

Each part has a tolerance stated here; a row that misses it fails the test
unless it is marked an outlier in benchmarks/accuracy.py / groundtruth_map.json
(with its reason) or listed in KNOWN_GAPS below (a calc_py gap, with the
reason, to be closed by the owner of that module). Runs in a few seconds.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import accuracy  # noqa: E402

pytestmark = pytest.mark.skipif(accuracy.groundtruth_dir() is None,
                                reason="shared/groundtruth not found (set GROUNDTRUTH_DIR)")

#: (engine, part) -> max |error| in %, added to the row's printed-rounding half-width
TOLERANCE = {
    ("gguf", "gguf_file"): 2.0,                 # issue target: median <= 0.5 %, max <= 2 %
    ("gguf", "gguf_tensor_bytes"): 2.0,
    ("gguf", "mmproj_file"): 1.5,               # vision projectors; Gemma 3 Q8_0 +0.99 % (an older converter's input projection)
    ("llama.cpp", "kv_cache"): 0.1,             # exact: cells x layers x row bytes
    ("llama.cpp-cpu", "kv_cache"): 0.1,
    ("llama.cpp-cpu", "gguf_tensor_bytes"): 0.1,
    ("llama.cpp", "weights_all_buffers"): 2.0,
    ("llama.cpp", "weights_device"): 6.0,
    ("llama.cpp", "total_process"): 6.0,        # issue target for GPU totals: max 6 %
    ("llama.cpp", "compute"): 12.0,             # graph-phase form, no fitted constant: mainline CUDA rows -12..+1 %
    ("llama.cpp", "compute_host"): 0.5,         # graph inputs: KQ mask(s) + input embeddings, exact on every row
    ("vllm", "kv_per_token"): 0.5,              # issue target
    ("vllm", "weights"): 15.0,                  # quantized checkpoints: scales/padding per kernel
    ("vllm", "activation_peak"): 20.0,          # fitted form; residuals in docs/accuracy.md
    ("vllm", "non_torch_plus_graphs"): 25.0,    # fitted form; gpt-oss is the worst
    ("transformers", "peak_total"): 6.0,
}
#: bf16 checkpoints at TP1 have no scale/padding excuse
VLLM_BF16_WEIGHTS_TOL = 3.0

#: calc_py gaps the data shows, owned by other modules (reported, not hidden)
KNOWN_GAPS = {
    # gguf_mix: phi3's fused attn_qkv / ffn_up get other types than our plan gives (+2..7 %)
    **{rid: "gguf_mix: phi3 fused attn_qkv/ffn_up tensor types differ from llama-quantize"
       for rid in ("gguf-0465", "gguf-0466", "gguf-0467", "gguf-0470", "gguf-0483", "gguf-0484",
                   "gguf-0485", "gguf-0489", "gguf-0490", "gguf-0491", "gguf-0494", "gguf-0497",
                   "gguf-0498")},
    "vllm-llmd-meta-llama-llama-4-scout-tp4pp1dp1--8192:weights":
        "multimodal checkpoint: vision tower loaded by vLLM, not in calc_py's text inventory",
    "vllm-llmd-google-gemma-3-27b-it-tp1pp1dp1--8192:weights":
        "multimodal checkpoint: SigLIP vision tower (~0.4 B params) not in calc_py's text inventory",
}


@pytest.fixture(scope="module")
def report():
    return accuracy.build()


def _misses(report, engine: str, part: str) -> list[str]:
    tol = TOLERANCE[(engine, part)]
    out = []
    for r in report.recs:
        if r.engine != engine or r.part != part or r.status != "ok":
            continue
        if r.id in KNOWN_GAPS or f"{r.id}:{part}" in KNOWN_GAPS:
            continue
        t = tol
        if engine == "vllm" and part == "weights" and "bf16" in r.id and "tp1" in r.id:
            t = VLLM_BF16_WEIGHTS_TOL
        if abs(r.err_pct) > t + r.precision_pct:
            out.append(f"{r.id} {part}: predicted {r.predicted} measured {r.measured} ({r.err_pct:+.2f} %)")
    return out


@pytest.mark.parametrize("engine,part", sorted(TOLERANCE))
def test_part_within_tolerance(report, engine, part):
    misses = _misses(report, engine, part)
    assert not misses, "\n".join(misses)


def test_gguf_summary_targets(report):
    """Issue targets on GGUF file sizes: median <= 0.5 %, (max is covered per row above)."""
    s = {(x["engine"], x["part"]): x for x in accuracy.summarize(report)}
    assert s[("gguf", "gguf_file")]["ours"]["median"] <= 0.5
    assert s[("gguf", "gguf_tensor_bytes")]["ours"]["median"] <= 0.5
    assert s[("vllm", "kv_per_token")]["ours"]["max"] <= 0.5


def test_enough_rows_checked(report):
    """Guard against a mapping change silently dropping most rows."""
    parts = {(r.engine, r.part) for r in report.recs}
    n = len(report.recs)
    assert n >= 450, n
    assert ("gguf", "gguf_file") in parts and ("vllm", "kv_per_token") in parts
    assert ("llama.cpp", "kv_cache") in parts


def test_every_skip_has_a_reason(report):
    assert all(s["why"] for s in report.skipped)


def test_rule_of_thumb_is_worse(report):
    """The point of the project: our median error is far below the article's on the same rows."""
    for s in accuracy.summarize(report):
        if s["ours"] and s["rule_of_thumb"] and s["part"] in ("gguf_file", "kv_cache", "peak_total"):
            assert s["ours"]["median"] < s["rule_of_thumb"]["median"], s
