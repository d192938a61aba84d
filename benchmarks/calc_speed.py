"""Per-call timings of what the page's worker runs, in CPython (prints numbers; not a test).

    .venv/bin/python benchmarks/calc_speed.py [--repeat 200] [--profile SETUP]

For a few setups: ``api.estimate_query``, ``api.compare_gpus`` and
``site_src/view.py``'s ``view`` + ``run`` (the worker's one call), each timed
cold (first call in a fresh process state is not reproducible, so "first" is
the first call of this script for that setup) and warm (median / p95 over
``--repeat`` calls with the context changed each time, as the page's
benchmark does). Pyodide runs the same code about 2-4x slower.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "site_src"))

SETUPS = {
    "default": {},
    "llama70b-q4-4090": {"model": "meta-llama/Llama-3.3-70B-Instruct", "quant": "Q4_K_M"},
    "qwen3-30b-moe": {"model": "Qwen/Qwen3-30B-A3B", "quant": "Q5_K_M"},
    "custom-13b": {"model": "", "params": "13"},
    "vllm-8b": {"engine": "vllm", "quant": "bf16"},
    "transformers-8b": {"engine": "transformers", "quant": "awq"},
    "partial-offload": {"gpu-layers": "20", "context": "65536"},
}


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def timed(fn, *args) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn(*args)
    return (time.perf_counter() - t0) * 1000, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--profile", default="", help="cProfile the warm loop of this setup")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from calc_py import api
    import view as v
    print(f"import calc_py.api + view: {(time.perf_counter() - t0) * 1000:.1f} ms")
    ms, _ = timed(v.run, json.dumps({}))
    print(f"first run() (catalog/i18n loads): {ms:.1f} ms\n")

    print(f"{'setup':22} {'first':>7} | {'estimate p50/p95':>17} | {'compare p50/p95':>16} | "
          f"{'view p50/p95':>14} | {'run p50/p95':>14}  (ms)")
    for name, base in SETUPS.items():
        if args.profile and name != args.profile:
            continue
        first, _ = timed(v.run, json.dumps(base))
        est, cmp_, viw, run = [], [], [], []
        for i in range(args.repeat):
            q = dict(base, context=str(1024 + 97 * i))
            ms, answer = timed(api.estimate_query, q)
            est.append(ms)
            ms, gpus = timed(api.compare_gpus, answer["result"], None)
            cmp_.append(ms)
            ms, _ = timed(v.view, answer, gpus)
            viw.append(ms)
        if args.profile:
            import cProfile
            import pstats
            qs = [json.dumps(dict(base, context=str(1024 + 97 * i))) for i in range(args.repeat)]
            pr = cProfile.Profile()
            pr.enable()
            for q in qs:
                v.run(q)
            pr.disable()
            pstats.Stats(pr).sort_stats("cumulative").print_stats(35)
        for i in range(args.repeat):
            q = json.dumps(dict(base, context=str(1024 + 97 * i)))
            ms, _ = timed(v.run, q)
            run.append(ms)
        f = lambda xs: f"{statistics.median(xs):6.2f}/{pct(xs, 95):6.2f}"
        print(f"{name:22} {first:7.2f} | {f(est):>17} | {f(cmp_):>16} | {f(viw):>14} | {f(run):>14}")


if __name__ == "__main__":
    main()
