"""Speed predicted vs published: every usable llama-bench row, with the shipped constants.

    python benchmarks/accuracy_speed.py            # every row, then the summaries
    python benchmarks/accuracy_speed.py --quiet    # summaries only

Uses calc_py/data/speed_fit.json exactly as the calculator ships it (refit it
with benchmarks/speed_fit.py) and prints, per row, predicted and measured
tokens/s, our error and the naive rule's (bandwidth / model bytes x 0.55, as
llmfit uses; decode only), then median / p90 / max |error| per placement
(single GPU, unified memory, multi-GPU, partial offload, experts on the CPU),
per test (tg128, pp512, and the rows where depth grows: tgN, ppN, pp@dN) and
per backend. ``benchmarks/accuracy.py`` calls :func:`add_to_report`, which
puts the same rows and summaries into calc_py/data/accuracy.json (its
``fits`` section, which the accuracy-rows page renders as tables).
Error = (predicted - measured) / measured.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import speed_fit as F  # noqa: E402
from calc_py import speed as S  # noqa: E402

CATEGORY_ORDER = ("single", "unified", "multi_gpu", "partial", "experts_cpu")
TEST_ORDER = ("tg128", "pp512", "tg_depth", "pp_depth")
#: the issue's targets on single-GPU full-offload rows (|error| %)
TARGETS = {"tg128": {"median": 10.0, "p90": 25.0}, "pp512": {"median": 20.0}}


def evaluate(fit: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """One dict per predictable row (our and the naive rule's prediction), and the skipped rows."""
    f = F.with_old_builds(dict(fit or S.speed_fit()))
    rows, skipped = F.prepare()
    held = {x["id"]: x for x in (f.get("provenance") or {}).get("rows", [])}
    out = []
    for r in rows:
        p = r.predict(f)
        nv = r.naive()
        h = held.get(r.id, {})
        out.append({
            "id": r.id, "placement": r.category, "test_class": F.test_class(r), "test": r.test,
            "backend": r.backend, "gpu": r.gpu_key, "model": r.model, "quant": r.quant,
            "measured_tps": r.measured, "predicted_tps": None if p is None else round(p, 2),
            "err_pct": None if p is None else round(F.err_pct(p, r.measured), 2),
            "naive_tps": None if nv is None else round(nv, 2),
            "naive_err_pct": None if nv is None else round(F.err_pct(nv, r.measured), 2),
            "held_out_gpu_err_pct": h.get("held_out_gpu_err_pct"),
            "held_out_model_err_pct": h.get("held_out_model_err_pct"),
            "old_build": r.old_build, "status": r.status, "reason": r.reason})
    return out, skipped


def _s(xs: list[float | None]) -> dict[str, float] | None:
    return F.stats([x for x in xs if x is not None])


def summary(rows: list[dict[str, Any]], by_backend: bool = False) -> list[dict[str, Any]]:
    """|error| % per placement and test (and backend): ours (ok rows / all rows), the naive rule, held out."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for x in rows:
        key = (x["placement"], x["test_class"]) + ((x["backend"],) if by_backend else ())
        groups.setdefault(key, []).append(x)
    order = lambda k: (CATEGORY_ORDER.index(k[0]), TEST_ORDER.index(k[1]), k[2:] if by_backend else ())  # noqa: E731
    out = []
    for key in sorted(groups, key=order):
        g = groups[key]
        ok = [x for x in g if x["status"] == "ok"]
        out.append({"placement": key[0], "test": key[1], **({"backend": key[2]} if by_backend else {}),
                    "rows": len(g), "outliers": len(g) - len(ok),
                    "ours": _s([x["err_pct"] for x in ok]),
                    "ours_all_rows": _s([x["err_pct"] for x in g]),
                    "naive": _s([x["naive_err_pct"] for x in ok]),
                    "held_out_gpu": _s([x["held_out_gpu_err_pct"] for x in ok]),
                    "held_out_model": _s([x["held_out_model_err_pct"] for x in ok])})
    return out


def _flat(s: dict[str, Any]) -> dict[str, Any]:
    """A summary row as flat columns (the accuracy page renders fit rows as plain tables)."""
    row = {k: v for k, v in s.items() if not isinstance(v, dict) and v is not None}
    for k in ("ours", "ours_all_rows", "naive", "held_out_gpu", "held_out_model"):
        st = s.get(k) or {}
        for m in ("median", "p90", "max"):
            row[f"{k}_{m}"] = st.get(m)
    return row


def add_to_report(rep: Any) -> None:
    """benchmarks/accuracy.py: the speed rows and summaries into ``rep.fits``, skipped rows into ``rep.skipped``."""
    if F.groundtruth_dir() is None:
        return
    rows, skipped = evaluate()
    f = S.speed_fit()
    form = ("t/token = sum over devices [weight bytes/(BW*eta[backend, type]) + KV bytes(depth)/(BW*eta_kv) "
            "+ (layers + k_moe*MoE layers + k_rec*recurrent layers)*tau + c0]; prefill: FLOPs/(FP16 TFLOPS*eff) "
            "(calc_py/speed.py); error % = (predicted - measured)/measured")
    rep.fits["llamacpp_speed_summary"] = {
        "form": form, "fitted": f.get("fitted"), "targets": TARGETS,
        "naive_rule": "bandwidth / model bytes x 0.55 (llmfit), decode only",
        "rows": [_flat(s) for s in summary(rows)]}
    rep.fits["llamacpp_speed_by_backend"] = {
        "form": "as llamacpp_speed_summary, per backend", "rows": [_flat(s) for s in summary(rows, True)]}
    rep.fits["llamacpp_speed_rows"] = {
        "form": "every llama_bench.jsonl row we can predict: tokens/s predicted (ours, naive) vs published",
        "rows": rows}
    for s in skipped:
        rep.skip(s["file"], s["id"], s["why"])


def _fmt_stats(s: dict[str, Any] | None) -> str:
    if not s:
        return f"{'–':>6} {'–':>6} {'–':>7}"
    return f"{s['median']:6.1f} {s['p90']:6.1f} {s['max']:7.1f}"


def print_summary(rows: list[dict[str, Any]], by_backend: bool) -> None:
    head = f"{'placement':12} {'test':9} " + (f"{'backend':7} " if by_backend else "")
    print(f"{head}{'n':>4} {'out':>3} | {'ours med':>6} {'p90':>6} {'max':>7} | {'naive med':>6} {'p90':>6} "
          f"{'max':>7} | {'all med':>6} {'p90':>6} {'max':>7} | {'hoGPU med':>6} {'p90':>6} {'max':>7}")
    for s in summary(rows, by_backend):
        lead = f"{s['placement']:12} {s['test']:9} " + (f"{s['backend']:7} " if by_backend else "")
        print(f"{lead}{s['rows']:4d} {s['outliers']:3d} | {_fmt_stats(s['ours'])} | {_fmt_stats(s['naive'])} | "
              f"{_fmt_stats(s['ours_all_rows'])} | {_fmt_stats(s['held_out_gpu'])}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quiet", action="store_true", help="summaries only")
    args = ap.parse_args(argv)
    if F.groundtruth_dir() is None:
        print("no groundtruth found (set GROUNDTRUTH_DIR)", file=sys.stderr)
        return 2
    rows, skipped = evaluate()
    if not args.quiet:
        print(f"{'row':40} {'placement':11} {'be':6} {'gpu':22} {'model':30} {'quant':10} {'test':12} "
              f"{'meas':>9} {'ours':>9} {'err%':>7} {'naive':>9} {'err%':>7}  status")
        for x in rows:
            nv = "" if x["naive_tps"] is None else f"{x['naive_tps']:9.2f} {x['naive_err_pct']:7.1f}"
            print(f"{x['id'][:40]:40} {x['placement']:11} {x['backend']:6} {x['gpu'][:22]:22} {x['model'][-30:]:30} "
                  f"{x['quant'][:10]:10} {x['test']:12} {x['measured_tps']:9.2f} {x['predicted_tps'] or 0:9.2f} "
                  f"{x['err_pct'] or 0:7.1f} {nv:>17}  {x['status']}{(': ' + x['reason'][:50]) if x['reason'] else ''}")
        print(f"\nskipped rows: {len(skipped)}")
        for s in skipped:
            print(f"  {s['id'][:44]:44} {s['why'][:100]}")
    print("\n|error| % per placement and test (ours on ok rows; naive = bandwidth/model bytes x 0.55; "
          "all = ours incl. outliers; hoGPU = each GPU left out of the fit):")
    print_summary(rows, False)
    print("\nper backend:")
    print_summary(rows, True)
    print("\ntargets (single GPU, full offload):", TARGETS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
