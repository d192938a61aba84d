"""What runs on my machine (calc_py/whatfits.py): ranked rows with a plan each."""
from __future__ import annotations

import json
import subprocess
import sys

from calc_py.whatfits import what_fits


def test_rows_carry_model_quant_context_and_plan():
    rows = what_fits("rtx-4090", 64)
    assert rows and all({"model", "quant", "context", "plan", "kind"} <= set(r) for r in rows)
    assert all(r["plan"]["command"].startswith("llama-server -m ") for r in rows)


def test_gpu_rows_come_before_offload_rows():
    kinds = [r["kind"] for r in what_fits("rtx-4090", 64)]
    assert kinds == sorted(kinds, key=lambda k: k != "gpu") and "offload" in kinds


def test_offload_rows_need_ram():
    assert all(r["kind"] == "gpu" for r in what_fits("rtx-4090"))


def test_every_gpu_row_reaches_the_asked_context_or_the_models_maximum():
    from calc_py import catalog as cat
    for r in what_fits("rtx-3060-12gb"):
        if r["kind"] == "gpu":
            assert r["context"] >= min(8192, cat.find_model(r["model"]).architecture.max_context), r["model"]


def test_cli_whatfits_json_is_a_list():
    p = subprocess.run([sys.executable, "-m", "calc_py", "whatfits", "--gpu", "2xrtx-3090", "--ram", "64", "--json"],
                       capture_output=True, text=True)
    rows = json.loads(p.stdout)
    assert p.returncode == 0 and isinstance(rows, list) and rows[0]["plan"]["tensor_split"]
