"""The CLI contract: flags, --json fields, one-line errors with exit status 2."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["params", "model_bytes", "weights_bytes", "kv_cache_bytes", "compute_bytes",
          "overhead_bytes", "total_bytes", "host_bytes"]


def run(*args):
    p = subprocess.run([sys.executable, "-m", "calc_py", *args], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def test_json_output_has_the_integer_contract_fields():
    rc, out, err = run("estimate", "--model", "meta-llama/Llama-3.1-8B", "--quant", "Q4_K_M",
                       "--context", "32768", "--json")
    assert rc == 0, err
    d = json.loads(out)
    for f in FIELDS:
        assert isinstance(d[f], int) and not isinstance(d[f], bool), f
    assert d["params"] == 8_030_261_248
    assert d["kv_cache_bytes"] == 4 << 30
    assert d["total_bytes"] == d["weights_bytes"] + d["kv_cache_bytes"] + d["compute_bytes"] + d["overhead_bytes"]


def test_config_file_and_params_forms_work(tmp_path):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({"model_type": "llama", "hidden_size": 2048, "intermediate_size": 8192,
                               "num_hidden_layers": 16, "num_attention_heads": 32,
                               "num_key_value_heads": 8, "vocab_size": 128256,
                               "tie_word_embeddings": True, "head_dim": 64}))
    rc, out, _ = run("estimate", "--config", str(cfg), "--json")
    assert rc == 0 and json.loads(out)["params"] == 1_235_814_400
    rc, out, _ = run("estimate", "--params", "7", "--quant", "q4", "--json")
    assert rc == 0 and json.loads(out)["approximate"] is True


@pytest.mark.parametrize("engine,quant", [("vllm", "bf16"), ("transformers", "nf4"), ("ollama", "Q8_0")])
def test_every_engine_estimates(engine, quant):
    rc, out, err = run("estimate", "--model", "qwen/qwen3-8b", "--engine", engine, "--quant", quant,
                       "--gpu", "rtx-4090", "--json")
    assert rc == 0, err
    d = json.loads(out)
    assert d["engine"]["id"] == engine and d["fit"]["gpu"] == "rtx-4090"


def test_readable_table_labels_units():
    rc, out, _ = run("estimate", "--model", "meta-llama/Llama-3.1-8B")
    assert rc == 0 and "GiB" in out and "GB" in out and "KV cache" in out


@pytest.mark.parametrize("args,needle", [
    (["--model", "meta-llama/Llama-3.1-8BB"], "closest: "),
    (["--model", "meta-llama/Llama-3.1-8B", "--context", "-5"], "context"),
    (["--model", "meta-llama/Llama-3.1-8B", "--context", "1e99"], "context"),
    (["--model", "meta-llama/Llama-3.1-8B", "--quant", "Q9_X"], "unknown quantization"),
    (["--model", "meta-llama/Llama-3.1-8B", "--engine", "tgi"], "unknown engine"),
    (["--model", "meta-llama/Llama-3.1-8B", "--kv-cache", "q3"], "KV cache"),
    (["--model", "meta-llama/Llama-3.1-8B", "--gpu", "rtx-9999"], "unknown GPU"),
    (["--model", "meta-llama/Llama-3.1-8B", "--engine", "transformers", "--quant", "Q4_K_M"], "GGUF"),
    (["--params", "0"], "params must be between 0.1 and 2000"),
    (["--params", "nan"], "params"),
    (["--config", "/nonexistent/config.json"], "config"),
], ids=lambda v: str(v)[:40])
def test_bad_input_gives_one_line_and_exit_status_2(args, needle):
    rc, out, err = run("estimate", *args)
    assert rc == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_config_that_is_not_json_or_misses_fields(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    rc, _, err = run("estimate", "--config", str(bad))
    assert rc == 2 and "not valid JSON" in err
    # mistral3's transformers class (Mistral3Config) has no default layer count
    bad.write_text(json.dumps({"model_type": "mistral3", "hidden_size": 4096}))
    rc, _, err = run("estimate", "--config", str(bad))
    assert rc == 2 and "missing num_hidden_layers" in err


def test_config_missing_fields_take_transformers_defaults_and_say_so(tmp_path):
    cfg = tmp_path / "llama.json"
    cfg.write_text(json.dumps({"model_type": "llama", "hidden_size": 2048}))
    rc, out, err = run("estimate", "--config", str(cfg), "--json")
    assert rc == 0, err
    r = json.loads(out)
    # LlamaConfig defaults: 32 layers, 32 heads, vocab 32000, max_position_embeddings 2048
    assert (r["model"]["layers"], r["model"]["heads"], r["model"]["vocab"]) == (32, 32, 32000)
    assert r["model"]["max_context"] == 2048
    notes = " ".join(r["notes"])
    assert "num_hidden_layers" in notes and "LlamaConfig" in notes and "hidden_size" not in notes


@pytest.mark.parametrize("field, value, needle", [
    ("hidden_size", float("nan"), "'hidden_size' must be a finite number"),
    ("hidden_size", float("inf"), "'hidden_size' must be a finite number"),
    ("num_hidden_layers", 0, "'num_hidden_layers' must be between 1"),
    ("num_key_value_heads", 0, "num_key_value_heads must be at least 1"),
    ("num_key_value_heads", 5, "must be a multiple of num_key_value_heads"),
    ("num_attention_heads", 30, "not a multiple of num_attention_heads"),
    ("hidden_size", "4096", "'hidden_size' must be a whole number"),
    ("hidden_size", True, "'hidden_size' must be a whole number"),
    ("hidden_size", 10**15, "'hidden_size' must be between"),
    ("num_hidden_layers", 3_000_000, "'num_hidden_layers' must be between"),
    ("tie_word_embeddings", "no", "'tie_word_embeddings' must be true or false"),
    ("text_config", [1, 2], "'text_config' must be a JSON object"),
])
def test_impossible_config_gives_one_line_naming_the_field(tmp_path, field, value, needle):
    cfg = {"model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
           "num_key_value_heads": 8, "vocab_size": 128256, "intermediate_size": 14336, field: value}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cfg))          # json.dumps writes NaN / Infinity, json.loads accepts them
    rc, out, err = run("estimate", "--config", str(path))
    assert rc == 2 and out == ""
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_models_and_gpus_list_one_entry_a_line():
    rc, out, _ = run("models")
    assert rc == 0 and len(out.splitlines()) >= 50 and "meta-llama/Llama-3.1-8B" in out
    rc, out, _ = run("gpus")
    assert rc == 0 and len(out.splitlines()) >= 50 and "rtx-4090" in out


def test_truncated_gguf_gives_one_line_and_exit_status_2(tmp_path):
    bad = tmp_path / "cut.gguf"
    bad.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\x05" * 10)
    rc, _, err = run("estimate", "--gguf", str(bad))
    assert rc == 2 and "truncated" in err and len(err.strip().splitlines()) == 1
