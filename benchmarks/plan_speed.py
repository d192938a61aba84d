"""How long the machine plan and "what runs on my machine" take (issue 11 goal: < 1 s in CPython).

    python benchmarks/plan_speed.py

Prints seconds, cold (first call in a fresh process -- whatfits runs first, so its first "cold" plans every
model's weights; the plans after it find them planned)
and warm (the memoised steps reused, as on the page after the first answer). No assertion:
a speed target is a number to read, not a timed test.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from calc_py import catalog as cat  # noqa: E402
from calc_py.estimate import Setup, estimate  # noqa: E402
from calc_py.whatfits import what_fits  # noqa: E402


def _t(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> int:
    models = [m.id for m in cat.supported_models()]
    machines = [("rtx-3060-12gb", 32), ("rtx-4090", 64), ("2xrtx-3090", 64), ("apple-m4-max-128gb", None)]

    def plans(gpu, ram):
        for mid in models:
            try:
                estimate(Setup(model=mid, context=0, gpu=gpu, ram=ram, fit=True), with_fit=False)
            except Exception as err:    # noqa: BLE001 - a model the fit refuses is still timed
                if type(err).__name__ != "CalcError":
                    raise
    print(f"{len(models)} catalog models")
    for gpu, ram in machines:
        cold = _t(lambda: what_fits(gpu, ram))
        warm = _t(lambda: what_fits(gpu, ram))
        print(f"whatfits, whole catalog,  {gpu:20} cold {cold:6.2f} s  warm {warm:6.2f} s")
    for gpu, ram in machines:
        cold = _t(lambda: plans(gpu, ram))
        warm = _t(lambda: plans(gpu, ram))
        print(f"--fit plan, every model, {gpu:20} cold {cold:6.2f} s  warm {warm:6.2f} s  "
              f"({warm / len(models) * 1000:.1f} ms a model)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
