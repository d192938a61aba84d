"""The original article's simple mode: only a parameter count.

Two things live here and nowhere else:

* :func:`rule_of_thumb` -- the article's formula (weights = P x bits / 8, KV
  cache ~ 1.5 GB per 7 B parameters per 4 k tokens, overhead 1.5 GB), kept
  *only* to be shown beside our estimate so people can see how far off it is.
* :func:`shape_for_params` -- a plausible architecture for a bare parameter
  count, fitted over the catalog's dense models (hidden size and depth grow
  as power laws of P; GQA with 8 KV heads and 128-dim heads as in nearly all
  2024-2026 dense models), then the FFN width solved so the tensor count
  matches P. Results in this mode are labelled approximate.
"""
from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache

from .architecture import Architecture
from .errors import CalcError
from .inventory import count_params

GB = 10**9

#: The article's bits per weight for its four buttons.
RULE_BITS = {"fp16": 16, "bf16": 16, "f16": 16, "fp32": 32, "f32": 32, "int8": 8, "q8_0": 8,
             "fp8": 8, "q6_k": 6, "q5": 5, "q5_k_m": 5, "q5_k_s": 5, "q5_0": 5, "q4": 4,
             "q4_k_m": 4, "q4_k_s": 4, "q4_0": 4, "int4": 4, "awq": 4, "gptq": 4, "nf4": 4,
             "mxfp4": 4, "q3_k_m": 3, "q2_k": 2}


def rule_of_thumb(params: int, bits: float, context: int) -> dict[str, int]:
    """The original article's estimate, in bytes (its "GB" read as 10^9)."""
    weights = int(params * bits / 8)
    kv = int(1.5 * GB * (params / 7e9) * (context / 4096))
    overhead = int(1.5 * GB)
    return {"weights_bytes": weights, "kv_cache_bytes": kv, "overhead_bytes": overhead,
            "total_bytes": weights + kv + overhead}


def rule_bits(quant_id: str) -> float:
    return float(RULE_BITS.get(quant_id.lower(), 16))


@lru_cache(maxsize=1)
def _fit() -> tuple[float, float, float, float]:
    """log-log fits of hidden size and layer count against parameter count."""
    from .catalog import supported_models   # late import: catalog imports this module's peers
    xs, hs, ls = [], [], []
    for m in supported_models():
        a = m.architecture
        if a.is_moe or a.is_hybrid or a.is_mla:
            continue
        p = count_params(a)
        xs.append(math.log(p))
        hs.append(math.log(a.n_embd))
        ls.append(math.log(a.n_layer))

    def line(ys: list[float]) -> tuple[float, float]:
        n = len(xs)
        mx, my = sum(xs) / n, sum(ys) / n
        sxx = sum((x - mx) ** 2 for x in xs)
        b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
        return my - b * mx, b

    ah, bh = line(hs)
    al, bl = line(ls)
    return ah, bh, al, bl


PARAMS_MIN = 10**8          # 0.1 B
PARAMS_MAX = 2 * 10**12     # 2000 B


def shape_for_params(params: int) -> Architecture:
    """A Llama-style dense architecture with (almost exactly) ``params`` parameters."""
    if not PARAMS_MIN <= params <= PARAMS_MAX:
        raise CalcError("parameter count must be between 0.1 and 2000 billion", field="params")
    ah, bh, al, bl = _fit()
    lp = math.log(params)
    # head_dim 128 above ~1.5 B, 64 below: Llama 3.x/Qwen2.5/3/Mistral (128) vs
    # Llama-3.2-1B and Qwen2.5-0.5B/1.5B-class models (64) in the catalog
    head_dim = 128 if params >= 1.5e9 else 64
    # hidden size a multiple of 8 heads, so 8 KV heads divide the query heads
    step = head_dim * 8
    n_embd = max(step, int(round(math.exp(ah + bh * lp) / step)) * step)
    n_layer = max(8, int(round(math.exp(al + bl * lp))))
    n_head = n_embd // head_dim
    n_kv = 8
    n_vocab = 128256    # Llama 3's vocabulary, the catalog's most common one
    base = Architecture(
        arch="llama", hf_model_type="llama (fitted)", n_layer=n_layer, n_embd=n_embd,
        n_vocab=n_vocab, n_head=n_head, n_head_kv=(n_kv,) * n_layer, head_dim_k=head_dim,
        head_dim_v=head_dim, n_ff=(256,) * n_layer, max_context=131072,
        tied_embeddings=params < 4e9,   # small catalog models tie (Llama-3.2-1B/3B, Qwen3-0.6B..4B)
        notes=("shape fitted from the parameter count over the catalog's dense models",))
    fixed = count_params(base) - 3 * 256 * n_embd * n_layer
    n_ff = (params - fixed) / (3 * n_embd * n_layer)
    n_ff = max(256, int(round(n_ff / 256)) * 256)
    return replace(base, n_ff=(n_ff,) * n_layer)
