"""Write calc_py/data/hf_config_defaults.json: transformers' own defaults for the
config.json fields calc_py reads, per model_type.

    pip install transformers   # no torch needed: only the configuration classes load
    python benchmarks/hf_config_defaults.py

Why: a config.json may leave out a field; transformers then builds the model
with its configuration class's default (e.g. LlamaConfig.max_position_embeddings
= 2048), so calc_py uses the same value and says so in the notes. Only literal
class-level defaults are recorded (a default of None that __post_init__ derives
from other fields, such as head_dim = hidden_size // num_attention_heads, is left
to calc_py's own derivation). Not part of `make test`: the JSON is the record.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from calc_py.architecture import HF_TO_LLAMA_ARCH  # noqa: E402

#: the fields calc_py/architecture.py reads with calc_py.config_fields.read_int / read_flag
FIELDS = (
    "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
    "num_key_value_heads", "head_dim", "max_position_embeddings", "tie_word_embeddings",
    "sliding_window", "sliding_window_pattern", "num_experts", "num_local_experts", "n_routed_experts",
    "num_experts_per_tok", "moe_intermediate_size", "shared_expert_intermediate_size",
    "n_shared_experts", "kv_lora_rank", "q_lora_rank", "qk_rope_head_dim", "qk_nope_head_dim",
    "v_head_dim", "first_k_dense_replace", "decoder_sparse_step", "attention_chunk_size",
    "intermediate_size_mlp", "interleave_moe_layer_step", "linear_key_head_dim",
    "linear_value_head_dim", "linear_num_key_heads", "linear_num_value_heads",
    "linear_conv_kernel_dim", "full_attention_interval", "num_nextn_predict_layers",
    "mtp_num_hidden_layers", "attention_bias",
)


def main() -> int:
    import transformers
    from transformers import CONFIG_MAPPING, PretrainedConfig

    out: dict[str, dict] = {}
    for model_type in sorted(HF_TO_LLAMA_ARCH):
        if model_type not in CONFIG_MAPPING:
            continue
        cls = CONFIG_MAPPING[model_type]
        defaults: dict[str, object] = {}
        for klass in reversed(cls.__mro__):          # subclasses override their bases
            if not issubclass(klass, PretrainedConfig) or klass is PretrainedConfig:
                continue
            for name in FIELDS:
                value = vars(klass).get(name, "missing")
                if isinstance(value, (bool, int)) and not isinstance(value, float):
                    defaults[name] = value
        out[model_type] = {"class": cls.__name__,
                           "source": f"transformers {transformers.__version__} "
                                     f"{cls.__module__.replace('.', '/')}.py {cls.__name__}",
                           "defaults": defaults}
    doc = {"schema": "per model_type: transformers' configuration class and the literal class "
                     "defaults of the fields calc_py reads (benchmarks/hf_config_defaults.py)",
           "transformers": transformers.__version__, "model_types": out}
    path = REPO / "calc_py" / "data" / "hf_config_defaults.json"
    path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(out)} model types)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
