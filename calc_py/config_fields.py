"""Reading a config.json's fields so that no value can crash calc_py or fake a model.

Why one module: a config.json is input a person pastes or points at, and
``json.loads`` accepts ``NaN``, ``Infinity``, 5000-digit integers, booleans where
numbers belong and any nesting. Every field the architecture parser reads goes
through the readers here, so one check covers every architecture (new ones
included) and the answer to bad input is always one :class:`CalcError` that names
the field: exit 2 on the CLI, a notice on the page, never a traceback and never a
confident number for a model that cannot exist.

Missing fields: transformers builds the model with its configuration class's
default (``LlamaConfig.max_position_embeddings = 2048`` ...). Those literal class
defaults are recorded per ``model_type`` in ``data/hf_config_defaults.json``
(written by ``benchmarks/hf_config_defaults.py`` from the installed transformers,
version in the file); :func:`read_int` uses them and remembers which it used so the
estimate can say so in its notes.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

from .errors import CalcError

#: Largest value each size field may take; beyond it the model cannot exist (or
#: could not be laid out on any machine). Each limit is well above the largest
#: real model in the catalog (hidden 16384 Llama-3.1-405B, 262144-token vocab
#: Gemma, 512 experts Qwen3-Next, 10,485,760 tokens Llama 4 Scout).
LIMITS: dict[str, int] = {
    "num_hidden_layers": 1000, "n_layer": 1000, "num_layers": 1000,
    "hidden_size": 200_000, "n_embd": 200_000, "d_model": 200_000,
    "vocab_size": 10_000_000,
    "num_attention_heads": 4096, "n_head": 4096,
    "num_key_value_heads": 4096, "n_head_kv": 4096,
    "head_dim": 16384,
    "intermediate_size": 10_000_000, "n_inner": 10_000_000, "ffn_dim": 10_000_000,
    "intermediate_size_mlp": 10_000_000, "moe_intermediate_size": 10_000_000,
    "shared_expert_intermediate_size": 10_000_000,
    "max_position_embeddings": 1 << 27, "max_sequence_length": 1 << 27, "seq_length": 1 << 27,
    "num_local_experts": 65536, "num_experts": 65536, "n_routed_experts": 65536,
    "num_experts_per_tok": 65536, "num_experts_per_token": 65536,
    "n_shared_experts": 1024, "num_shared_experts": 1024,
    "kv_lora_rank": 65536, "q_lora_rank": 65536, "qk_rope_head_dim": 16384,
    "qk_nope_head_dim": 16384, "v_head_dim": 16384,
    "sliding_window": 1 << 27, "attention_chunk_size": 1 << 27,
    "linear_key_head_dim": 16384, "linear_value_head_dim": 16384,
    "linear_num_key_heads": 4096, "linear_num_value_heads": 4096, "linear_conv_kernel_dim": 1024,
    "num_nextn_predict_layers": 1000, "mtp_num_hidden_layers": 1000,
}
#: any other integer field
DEFAULT_LIMIT = 10**9

#: config.json dtype names -> bytes per element (transformers' str_to_torch_dtype
#: names; the safetensors dtypes of the checkpoint)
DTYPE_BYTES = {"float32": 4, "float": 4, "float16": 2, "half": 2, "bfloat16": 2,
               "float64": 8, "float8_e4m3fn": 1, "float8_e5m2": 1}


class Config(dict):
    """A flattened config.json: the dict, its model_type, and the transformers
    defaults the parser filled in (``defaults_used``: (field, value, source))."""

    model_type: str = ""
    defaults_used: list[tuple[str, str, str]]

    def __init__(self, data: Mapping[str, Any], model_type: str = "") -> None:
        super().__init__(data)
        self.model_type = model_type
        self.defaults_used = []


@lru_cache(maxsize=1)
def hf_defaults() -> dict[str, Any]:
    """data/hf_config_defaults.json: per model_type, the class and its literal defaults."""
    text = (resources.files("calc_py") / "data" / "hf_config_defaults.json").read_text(encoding="utf-8")
    return json.loads(text)["model_types"]


def _show(value: Any) -> str:
    """A value as an error message may quote it: short, whatever it is."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = type(value).__name__
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 40 else text[:37] + "..."


def _hf_default(cfg: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str, Any, str] | None:
    model_type = getattr(cfg, "model_type", "")
    entry = hf_defaults().get(model_type) if model_type else None
    if not entry:
        return None
    for key in keys:
        if key in entry["defaults"]:
            return key, entry["defaults"][key], entry["source"]
    return None


def check_int(key: str, value: Any, lo: int = 0, hi: int | None = None) -> int:
    """``value`` as an int, or a CalcError naming ``key`` (bool, NaN, 2.5, -1, 1e15 ...)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CalcError(f"config.json field {key!r} must be a whole number, got {_show(value)}",
                        field="config")
    if isinstance(value, float) and not math.isfinite(value):
        raise CalcError(f"config.json field {key!r} must be a finite number, got {_show(value)}",
                        field="config")
    top = LIMITS.get(key, DEFAULT_LIMIT) if hi is None else hi
    if value != int(value):
        raise CalcError(f"config.json field {key!r} must be a whole number, got {_show(value)}",
                        field="config")
    if not lo <= value <= top:
        raise CalcError(f"config.json field {key!r} must be between {lo:,} and {top:,}, "
                        f"got {_show(value)}", field="config")
    return int(value)


def read_int(cfg: Mapping[str, Any], *keys: str, default: int | None = None,
             required: bool = True, lo: int = 0) -> int:
    """The first of ``keys`` present (not null) in ``cfg``, checked.

    Missing (no key at all): transformers' class default for this model_type
    (recorded in ``cfg.defaults_used``); missing or null: ``default``, else 0 when
    not ``required``, else a CalcError saying which field is missing.
    """
    for key in keys:
        value = cfg.get(key)
        if value is not None:
            return check_int(key, value, lo)
    # an explicit null is the config's own answer (DeepSeek-V2-Lite: "q_lora_rank": null
    # means no q compression), not a missing field
    hf = None if any(key in cfg for key in keys) else _hf_default(cfg, keys)
    if hf is not None and isinstance(hf[1], int) and not isinstance(hf[1], bool):
        key, value, source = hf
        value = check_int(key, value, lo)
        if isinstance(cfg, Config):
            cfg.defaults_used.append((key, f"{value:,}", source))
        return value
    if default is not None or not required:
        return default if default is not None else 0
    raise CalcError(f"config.json is missing {' / '.join(keys)}", field="config")


def read_flag(cfg: Mapping[str, Any], key: str, default: bool = False) -> bool:
    """A true/false field; JSON true/false (or 0/1), anything else is an error."""
    value = cfg.get(key)
    if value is None:
        hf = None if key in cfg else _hf_default(cfg, (key,))
        if hf is not None and isinstance(hf[1], bool):
            if isinstance(cfg, Config) and hf[1] != default:
                cfg.defaults_used.append((key, "true" if hf[1] else "false", hf[2]))
            return hf[1]
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise CalcError(f"config.json field {key!r} must be true or false, got {_show(value)}",
                    field="config")


def read_str(cfg: Mapping[str, Any], key: str, default: str = "") -> str:
    value = cfg.get(key)
    if value is None:
        return default
    if not isinstance(value, str) or len(value) > 200:
        raise CalcError(f"config.json field {key!r} must be a short string, got {_show(value)}",
                        field="config")
    return value


def read_list(cfg: Mapping[str, Any], key: str, kinds: tuple[type, ...]) -> list | None:
    """A list whose items are all of ``kinds`` (bool is not an int here), or None if absent."""
    value = cfg.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 100_000 or not all(
            isinstance(x, kinds) and (bool in kinds or not isinstance(x, bool)) for x in value):
        names = " or ".join(k.__name__.replace("str", "string").replace("int", "whole number")
                            for k in kinds)
        raise CalcError(f"config.json field {key!r} must be a list of {names}s, got {_show(value)}",
                        field="config")
    return value


def read_dtype(cfg: Mapping[str, Any]) -> str:
    """The checkpoint's dtype name (``torch_dtype``, or ``dtype`` as transformers 5 writes it)."""
    for key in ("torch_dtype", "dtype"):
        value = cfg.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > 40:
            raise CalcError(f"config.json field {key!r} must be a dtype name such as \"bfloat16\", "
                            f"got {_show(value)}", field="config")
        return value.removeprefix("torch.")
    return ""


def derived_head_dim(n_embd: int, n_head: int) -> int:
    """hidden_size / num_attention_heads when config.json gives no head_dim; the
    attention cannot be built unless it divides (transformers' LlamaConfig
    validate_architecture raises the same)."""
    if n_embd % n_head:
        raise CalcError(f"config.json: hidden_size ({n_embd:,}) is not a multiple of "
                        f"num_attention_heads ({n_head:,}) and no head_dim is given", field="config")
    return n_embd // n_head


def check_architecture(a: Any) -> Any:
    """Refuse an Architecture no engine could build (one message naming the field)."""
    def bad(text: str) -> CalcError:
        return CalcError(f"config.json: {text}", field="config")

    attn = [h for il, h in enumerate(a.n_head_kv) if not (a.recurrent_layers and a.recurrent_layers[il])]
    if not a.is_mla:
        if any(h == 0 for h in attn):
            raise bad("num_key_value_heads must be at least 1")
        for h in set(attn):
            if h > a.n_head or a.n_head % h:
                raise bad(f"num_attention_heads ({a.n_head:,}) must be a multiple of "
                          f"num_key_value_heads ({h:,})")
    if a.head_dim_k < 1 or a.head_dim_v < 1:
        raise bad("head_dim must be at least 1")
    if any(a.n_ff[il] < 1 for il in range(a.n_layer) if not (a.moe_layers and a.moe_layers[il])):
        raise bad("intermediate_size must be at least 1")
    if a.n_expert and a.n_ff_exp < 1:
        raise bad("moe_intermediate_size must be at least 1")
    if a.is_mla and a.rope_dim < 1:
        raise bad("qk_rope_head_dim must be at least 1")
    if a.is_hybrid:
        if min(a.ssm_d_conv, a.ssm_d_state, a.ssm_n_group, a.ssm_dt_rank, a.ssm_d_inner) < 1:
            raise bad("linear-attention sizes (linear_*_head_dim, linear_num_*_heads, "
                      "linear_conv_kernel_dim) must be at least 1")
        if a.ssm_dt_rank % a.ssm_n_group:
            raise bad(f"linear_num_value_heads ({a.ssm_dt_rank:,}) must be a multiple of "
                      f"linear_num_key_heads ({a.ssm_n_group:,})")
        if not attn:
            raise bad("every layer is linear attention; the hybrid needs full-attention layers")
    if a.max_context < 1:
        raise bad("max_position_embeddings must be at least 1")
    return a
