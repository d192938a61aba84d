"""llama.cpp's --fit policy (common/fit.cpp common_params_fit_impl) as calc_py/fit_plan.py reproduces it."""
from __future__ import annotations

import subprocess
import sys

import pytest

from calc_py.api import estimate_query
from calc_py.estimate import Setup, estimate

MiB = 1 << 20


def _plan(**kw):
    return estimate(Setup(fit=True, **kw), with_fit=False)


def test_nothing_changes_when_every_device_keeps_its_margin():
    r = _plan(model="meta-llama/Llama-3.1-8B", context=8192, gpu="rtx-4090")
    assert r["plan"]["status"] == "unchanged" and r["plan"]["override_tensor"] == []


def test_auto_context_on_one_gpu_is_interpolated_and_rounded_to_256():
    r = _plan(model="meta-llama/Llama-3.1-8B", context=0, gpu="rtx-3060-12gb")
    ctx = r["plan"]["context"]
    assert 4096 <= ctx < 131072 and ctx % 256 == 0
    assert r["inputs"]["context"] == ctx                 # the result describes the plan's layout


def test_context_never_drops_below_4096():
    r = _plan(model="Qwen/Qwen3-30B-A3B", quant="F16", context=0, gpu="rtx-4090")
    assert r["plan"]["context"] == 4096


def test_moe_experts_go_to_the_cpu_from_the_back():
    plan = _plan(model="Qwen/Qwen3-30B-A3B", quant="F16", context=0, gpu="rtx-4090")["plan"]
    layers = plan["experts_on_cpu_layers"]
    assert layers and layers[-1] == 47 and layers == list(range(layers[0], 48))
    assert plan["gpu_layers"] == 49                       # every layer on the GPU, experts aside


def test_the_margin_is_the_users_to_change():
    small = _plan(model="Qwen/Qwen3-30B-A3B", quant="F16", context=0, gpu="rtx-4090", fit_target=(1024,))
    big = _plan(model="Qwen/Qwen3-30B-A3B", quant="F16", context=0, gpu="rtx-4090", fit_target=(8192,))
    assert len(big["plan"]["experts_on_cpu_layers"]) > len(small["plan"]["experts_on_cpu_layers"])


def test_the_fitted_layout_meets_every_target():
    r = _plan(model="Qwen/Qwen3-30B-A3B", context=0, gpu="rtx-3060-12gb")
    assert all(d["meets_target"] for d in r["plan"]["devices"])
    assert r["devices"][0]["fits"]


def test_dense_layers_fill_back_to_front_over_two_gpus():
    plan = _plan(model="meta-llama/Llama-3.1-70B", context=32768, gpu="2xrtx-3090")["plan"]
    assert plan["status"] == "fitted" and plan["tensor_split"] and sum(plan["tensor_split"]) == plan["gpu_layers"]
    assert plan["gpu_layers"] < 81                        # 70B Q4_K_M at 32k does not fit 48 GB whole
    assert f"-ts {','.join(map(str, plan['tensor_split']))}" in plan["command"]


@pytest.mark.parametrize("kw,why", [
    ({"gpu_layers": 20}, "user_ngl"),
    ({"n_cpu_moe": 4}, "user_ot"),
    ({"override_tensor": r"blk\.0\.attn_q\.=CPU"}, "user_ot"),
])
def test_what_fit_leaves_alone(kw, why):
    r = _plan(model="Qwen/Qwen3-30B-A3B", quant="Q8_0", context=0, gpu="rtx-3060-12gb", **kw)
    assert r["plan"]["status"] == "untouched" and r["plan"]["reason"] == why


def test_a_tensor_split_on_several_gpus_is_left_alone():
    r = _plan(model="meta-llama/Llama-3.1-70B", context=32768, gpu="2xrtx-3090", tensor_split="1,1")
    assert r["plan"]["reason"] == "user_ts"


def test_the_command_is_a_llama_server_line():
    cmd = _plan(model="Qwen/Qwen3-30B-A3B", context=0, gpu="rtx-3060-12gb")["plan"]["command"]
    assert cmd.startswith("llama-server -m ") and " -c " in cmd and " -ngl " in cmd and " -ot '" in cmd


def test_mtp_models_say_what_the_plan_does_not_count():
    r = _plan(model="zai-org/GLM-4.5-Air", context=0, gpu="2xrtx-3090")
    assert "MTP" in r["plan"]["extras_not_counted"]


def test_fit_needs_a_gpu():
    from calc_py.errors import CalcError
    with pytest.raises(CalcError) as e:
        _plan(model="meta-llama/Llama-3.1-8B", context=0)
    assert e.value.field == "fit"


def test_query_interface_takes_fit_and_auto_context():
    r = estimate_query({"model": "Qwen/Qwen3-30B-A3B", "gpu": "rtx-3060-12gb", "fit": "on", "context": "auto"})
    assert r["notices"] == [] and r["result"]["plan"]["context"] >= 4096


def _cli(*args):
    p = subprocess.run([sys.executable, "-m", "calc_py", "estimate", *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def test_cli_fit_prints_the_command():
    rc, out, _ = _cli("--model", "Qwen/Qwen3-30B-A3B", "--gpu", "rtx-3060-12gb", "--fit", "on", "--context", "auto")
    assert rc == 0 and "llama-server -m" in out


@pytest.mark.parametrize("args", [
    ["--gpu", "3xno-such-card"],
    ["--gpu", "2xrtx-3090", "-ts", "1,2,3"],
    ["--gpu", "rtx-3090", "-ot", "nomatch=CPU"],
    ["--gpu", "rtx-3090", "-ot", "exps=CUDA5"],
    ["--gpu", "rtx-3090", "--ram", "0"],
    ["--gpu", "99xrtx-3090"],
    ["--gpu", "rtx-3090", "--split-mode", "diagonal"],
])
def test_cli_bad_machine_is_one_line_and_exit_2(args):
    rc, out, err = _cli("--model", "Qwen/Qwen3-8B", *args)
    assert rc == 2 and out == "" and err.count("\n") == 1 and err.startswith("error: ")


def test_cli_json_carries_devices_and_host():
    import json
    rc, out, _ = _cli("--model", "Qwen/Qwen3-8B", "--gpu", "2xrtx-3090", "--ram", "64", "--json")
    d = json.loads(out)
    assert [x["name"] for x in d["devices"]] == ["CUDA0", "CUDA1"] and d["host"]["ram_bytes"] == 64 << 30
    assert d["total_bytes"] == sum(x["total_bytes"] for x in d["devices"])


def test_cli_json_without_a_machine_has_no_device_fields():
    import json
    rc, out, _ = _cli("--model", "meta-llama/Llama-3.1-8B", "--quant", "Q4_K_M", "--context", "32768", "--json")
    d = json.loads(out)
    assert rc == 0 and "devices" not in d and "host" not in d and "plan" not in d
    assert all(isinstance(d[k], int) for k in ("weights_bytes", "kv_cache_bytes", "total_bytes", "host_bytes"))
