"""The vision projector (``--mmproj``): the tensors of the mmproj GGUF and their bytes.

One job: from a model's config.json ``vision_config``, list the tensors
llama.cpp's converter writes into the projector file
(``convert_hf_to_gguf.py --mmproj``, the ``MmprojModel`` classes, in recent
llama.cpp split into ``conversion/*.py``), each with its ggml shape and the type
that ``--outtype f16|bf16|q8_0`` gives it, and add up ``ggml_nbytes``.

How the converter picks a tensor's type (``ModelBase.prepare_tensors`` in
conversion/base.py, the loop over ``modify_tensors``):

1. ``data_qtype = self.tensor_force_quant(name, new_name, bid, n_dims)``;
   ``MmprojModel.tensor_force_quant`` forces ``.patch_embd.weight`` (and
   ``.weight.1``, the second temporal slice) and ``.patch_merger.weight`` to
   F16 when the outtype is f16, else F32; subclasses add their own rules
   (``Gemma3VisionModel``: ``input_projection`` F16, ``.embeddings.`` F32;
   ``Qwen2VLVisionModel``: ``.position_embd.`` F32).
2. ``if n_dims <= 1 or new_name.endswith("_norm.weight")``: F32 -- every
   norm, bias and 1-D tensor.
3. when nothing forced a type: F32 for the always-F32 list, which holds
   ``MODEL_TENSOR.V_ENC_EMBD_POS`` (the vision position embedding), and for
   any name not ending in ``.weight``.
4. otherwise the outtype: F16, BF16 or Q8_0; ``gguf.quants.quantize`` raises
   ``QuantError`` when a row (``ne[0]``) is not a multiple of the Q8_0 block
   (32) and the converter falls back to F16 (``except gguf.QuantError``:
   "falling back to F16") -- SigLIP's and Qwen-ViT's ``ffn_down`` rows of
   4304 / 3420 values do.

Where the bytes go: ``clip_ctx::clip_ctx`` (tools/mtmd/clip.cpp) takes
``MTMD_BACKEND_DEVICE`` if set, else ``ggml_backend_init_by_type(GPU)``, the
first GPU device (CUDA0), whatever ``-mg`` says; ``--no-mmproj-offload``
(``use_gpu = false``) keeps it on the CPU. Its compute buffer for the
warmup image is not modelled here.

Evidence (tests/test_mmproj.py): gemma-3-27b-it mmproj-f16 858 MB (published
file listing), Qwen3.6-27B mmproj-BF16 "model size: 887.99 MiB" (clip.cpp's
load log). Vision configs of other architectures are *not modelled*:
:func:`projector` returns None and the estimate says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .ggml_types import tensor_bytes
from .tensor import Tensor
from .weights import WeightTensor

#: ``--outtype`` values the mmproj input accepts ("none": no projector)
OUTTYPES = ("f16", "bf16", "q8_0")
CHOICES = ("none",) + OUTTYPES
_GGML = {"f16": "F16", "bf16": "BF16", "q8_0": "Q8_0"}
#: gguf-py quants.py: Q8_0 blocks of 32 values (QK8_0); a row of another length falls back to F16
_Q8_0_BLOCK = 32

# type rules a tensor carries from the converter (see the module docstring)
_F32 = "F32"            # forced F32 (1-D, norm, bias, position embedding, a subclass rule)
_F16 = "F16"            # forced F16 (Gemma3VisionModel: input_projection)
_PATCH = "patch"        # MmprojModel.tensor_force_quant: F16 if outtype f16 else F32
_OUT = "out"            # the outtype (Q8_0 falls back to F16 on a ragged row)


@dataclass(frozen=True)
class Projector:
    """The mmproj GGUF of one model at one outtype."""

    kind: str                         # converter class: gemma3 | qwen2.5vl | qwen3vl | pixtral
    outtype: str                      # f16 | bf16 | q8_0
    tensors: tuple[WeightTensor, ...]

    @property
    def total(self) -> int:
        """Tensor bytes (sum of ggml_nbytes: clip.cpp's "model size")."""
        return sum(w.nbytes for w in self.tensors)

    def type_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for w in self.tensors:
            out[w.type] = out.get(w.type, 0) + 1
        return out

    @property
    def n_elements(self) -> int:
        return sum(w.tensor.n_elements for w in self.tensors)


def _type_of(t: Tensor, rule: str, outtype: str) -> str:
    if rule == _F32 or len(t.ne) <= 1:
        return "F32"
    if rule == _F16:
        return "F16"
    if rule == _PATCH:
        return "F16" if outtype == "f16" else "F32"
    ty = _GGML[outtype]
    if ty == "Q8_0" and t.ne[0] % _Q8_0_BLOCK:
        return "F16"                  # QuantError -> "falling back to F16"
    return ty


class _B:
    def __init__(self) -> None:
        self.items: list[tuple[Tensor, str]] = []

    def add(self, name: str, ne: tuple[int, ...], rule: str = _OUT, layer: int | None = None) -> None:
        # a name not ending in .weight (biases, "weight.1" aside) is F32 unless a rule forced a type
        if rule == _OUT and not name.endswith(".weight"):
            rule = _F32
        self.items.append((Tensor(name, tuple(int(x) for x in ne), layer), rule))

    def linear(self, name: str, n_in: int, n_out: int, bias: bool, layer: int | None = None,
               rule: str = _OUT) -> None:
        """torch Linear(n_in, n_out): weight [n_out, n_in] -> ggml ne (n_in, n_out)."""
        self.add(f"{name}.weight", (n_in, n_out), rule, layer)
        if bias:
            self.add(f"{name}.bias", (n_out,), _F32, layer)

    def norm(self, name: str, n: int, bias: bool, layer: int | None = None) -> None:
        self.add(f"{name}.weight", (n,), _F32, layer)
        if bias:
            self.add(f"{name}.bias", (n,), _F32, layer)


def _text_hidden(config: dict) -> int:
    tc = config.get("text_config") if isinstance(config.get("text_config"), dict) else {}
    return int(tc.get("hidden_size") or config.get("hidden_size") or 0)


def _int(d: dict, *keys: str, default: int | None = None) -> int:
    for k in keys:
        v = d.get(k)
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            return v
    if default is None:
        raise KeyError(keys[0])
    return default


def _gemma3(config: dict, vc: dict) -> list[tuple[Tensor, str]]:
    """Gemma3VisionModel (conversion/gemma.py): SigLIP tower + Gemma3 projector.

    ``tensor_force_quant``: "input_projection" -> F16 (issue 13025), ".embeddings." -> F32
    (patch and position embedding); ``modify_tensors`` adds 1 to soft_emb_norm (bytes unchanged).
    """
    h, f = _int(vc, "hidden_size"), _int(vc, "intermediate_size")
    n_layer, p = _int(vc, "num_hidden_layers"), _int(vc, "patch_size")
    c = _int(vc, "num_channels", default=3)
    n_pos = (_int(vc, "image_size", default=896) // p) ** 2
    b = _B()
    b.add("v.patch_embd.weight", (p, p, c, h), _F32)
    b.add("v.patch_embd.bias", (h,), _F32)
    b.add("v.position_embd.weight", (h, n_pos), _F32)
    for il in range(n_layer):
        for x in ("attn_q", "attn_k", "attn_v", "attn_out"):
            b.linear(f"v.blk.{il}.{x}", h, h, True, il)
        b.norm(f"v.blk.{il}.ln1", h, True, il)
        b.norm(f"v.blk.{il}.ln2", h, True, il)
        b.linear(f"v.blk.{il}.ffn_up", h, f, True, il)
        b.linear(f"v.blk.{il}.ffn_down", f, h, True, il)
    b.norm("v.post_ln", h, True)
    # multi_modal_projector.mm_input_projection_weight: torch [vision h, text h] -> ne (text h, vision h)
    b.add("mm.input_projection.weight", (_text_hidden(config), h), _F16)
    b.norm("mm.soft_emb_norm", h, False)
    return b.items


def _swiglu_blocks(b: _B, n_layer: int, h: int, f: int, bias: bool) -> None:
    """The llama-style vision block Qwen2.5-VL and Pixtral share: RMSNorm (weight only),
    separate q/k/v/o, RMSNorm, SwiGLU gate/up/down; ``bias`` on every linear or none."""
    for il in range(n_layer):
        b.norm(f"v.blk.{il}.ln1", h, False, il)
        for x in ("attn_q", "attn_k", "attn_v", "attn_out"):
            b.linear(f"v.blk.{il}.{x}", h, h, bias, il)
        b.norm(f"v.blk.{il}.ln2", h, False, il)
        b.linear(f"v.blk.{il}.ffn_gate", h, f, bias, il)
        b.linear(f"v.blk.{il}.ffn_up", h, f, bias, il)
        b.linear(f"v.blk.{il}.ffn_down", f, h, bias, il)


def _qwen25vl(config: dict, vc: dict) -> list[tuple[Tensor, str]]:
    """Qwen2VLVisionModel (conversion/qwenvl.py) for qwen2_5_vl: Conv3D patch embedding split into
    two Conv2D slices (``.weight``, ``.weight.1``, no bias), fused qkv split into q/k/v, RMSNorms
    (weight only), SwiGLU FFN with biases, merger ln_q + mlp.0/mlp.2 (``mm.0``, ``mm.2``)."""
    h, f = _int(vc, "hidden_size"), _int(vc, "intermediate_size")
    n_layer, p = _int(vc, "depth"), _int(vc, "patch_size")
    c = _int(vc, "in_chans", "in_channels", default=3)
    merge = _int(vc, "spatial_merge_size", default=2)
    out = _int(vc, "out_hidden_size", default=_text_hidden(config) or 0)
    b = _B()
    b.add("v.patch_embd.weight", (p, p, c, h), _PATCH)
    b.add("v.patch_embd.weight.1", (p, p, c, h), _PATCH)
    _swiglu_blocks(b, n_layer, h, f, bias=True)
    b.norm("v.post_ln", h, False)
    hm = h * merge * merge
    b.linear("mm.0", hm, hm, True)
    b.linear("mm.2", hm, out, True)
    return b.items


def _qwen3vl(config: dict, vc: dict) -> list[tuple[Tensor, str]]:
    """Qwen3VLVisionModel (conversion/qwen3vl.py; also Qwen3.5/3.6): Conv3D patch embedding split
    into two slices plus its bias, learned position embedding (num_position_embeddings), LayerNorms,
    fused attn_qkv, GELU FFN (linear_fc1/fc2) with biases, merger norm + mm.0/mm.2 and one
    deepstack merger (norm over the merged width, fc1, fc2) per ``deepstack_visual_indexes``."""
    h, f = _int(vc, "hidden_size"), _int(vc, "intermediate_size")
    n_layer, p = _int(vc, "depth"), _int(vc, "patch_size")
    c = _int(vc, "in_channels", "in_chans", default=3)
    merge = _int(vc, "spatial_merge_size", default=2)
    n_pos = _int(vc, "num_position_embeddings", default=2304)
    out = _int(vc, "out_hidden_size", default=_text_hidden(config) or 0)
    deepstack = [int(i) for i in vc.get("deepstack_visual_indexes") or [] if isinstance(i, int)]
    b = _B()
    b.add("v.patch_embd.weight", (p, p, c, h), _PATCH)
    b.add("v.patch_embd.weight.1", (p, p, c, h), _PATCH)
    b.add("v.patch_embd.bias", (h,), _F32)
    b.add("v.position_embd.weight", (h, n_pos), _F32)
    for il in range(n_layer):
        b.norm(f"v.blk.{il}.ln1", h, True, il)
        b.linear(f"v.blk.{il}.attn_qkv", h, 3 * h, True, il)
        b.linear(f"v.blk.{il}.attn_out", h, h, True, il)
        b.norm(f"v.blk.{il}.ln2", h, True, il)
        b.linear(f"v.blk.{il}.ffn_up", h, f, True, il)
        b.linear(f"v.blk.{il}.ffn_down", f, h, True, il)
    hm = h * merge * merge
    b.norm("v.post_ln", h, True)
    b.linear("mm.0", hm, hm, True)
    b.linear("mm.2", hm, out, True)
    for il in deepstack:
        b.norm(f"v.deepstack.{il}.norm", hm, True, il)
        b.linear(f"v.deepstack.{il}.fc1", hm, hm, True, il)
        b.linear(f"v.deepstack.{il}.fc2", hm, out, True, il)
    return b.items


def _pixtral(config: dict, vc: dict) -> list[tuple[Tensor, str]]:
    """LlavaVisionModel (conversion/llava.py) for Mistral3 / pixtral: patch conv (no bias), ln_pre,
    RMSNorms, q/k/v/o and SwiGLU without biases, projector norm (``mm.input_norm``), patch merger
    (``.patch_merger.weight``: the MmprojModel patch rule), linear_1/linear_2 (``mm.1``/``mm.2``,
    biases only with ``multimodal_projector_bias``) and the [IMG_BREAK] token embedding (1-D)."""
    h, f = _int(vc, "hidden_size"), _int(vc, "intermediate_size")
    n_layer, p = _int(vc, "num_hidden_layers"), _int(vc, "patch_size")
    c = _int(vc, "num_channels", default=3)
    merge = _int(config, "spatial_merge_size", default=2)
    text = _text_hidden(config)
    bias = bool(config.get("multimodal_projector_bias", False))
    b = _B()
    b.add("v.patch_embd.weight", (p, p, c, h), _PATCH)
    b.norm("v.pre_ln", h, False)
    _swiglu_blocks(b, n_layer, h, f, bias=False)
    b.norm("mm.input_norm", h, False)
    b.add("mm.patch_merger.weight", (h * merge * merge, h), _PATCH)
    b.linear("mm.1", h, text, bias)
    b.linear("mm.2", text, text, bias)
    b.add("v.token_embd.img_break", (text,), _F32)
    return b.items


#: (HF architecture, vision model_type or None for any) -> (kind, builder)
_KINDS: dict[str, tuple[str, Any]] = {
    "Gemma3ForConditionalGeneration": ("gemma3", _gemma3),
    "Qwen2_5_VLForConditionalGeneration": ("qwen2.5vl", _qwen25vl),
    "Qwen3VLForConditionalGeneration": ("qwen3vl", _qwen3vl),
    "Qwen3VLMoeForConditionalGeneration": ("qwen3vl", _qwen3vl),
    "Qwen3_5ForConditionalGeneration": ("qwen3vl", _qwen3vl),
    "Qwen3_5MoeForConditionalGeneration": ("qwen3vl", _qwen3vl),
    "Mistral3ForConditionalGeneration": ("pixtral", _pixtral),
}
#: the vision model_type each builder was written for (a config naming another is not modelled)
_VISION_TYPES = {"gemma3": ("siglip_vision_model",), "qwen2.5vl": ("qwen2_5_vl",),
                 "qwen3vl": ("qwen3_vl", "qwen3_vl_moe", "qwen3_5", "qwen3_5_moe", "qwen3_5_vision",
                             "qwen3_5_moe_vision"),
                 "pixtral": ("pixtral",)}


def has_vision(config: Any) -> bool:
    return isinstance(config, dict) and isinstance(config.get("vision_config"), dict)


def kind_of(config: Any) -> str | None:
    """The converter class that writes this config's projector, or None when not modelled."""
    if not has_vision(config):
        return None
    archs = config.get("architectures") or []
    arch = archs[0] if isinstance(archs, list) and archs and isinstance(archs[0], str) else ""
    hit = _KINDS.get(arch)
    if hit is None:
        return None
    vt = config["vision_config"].get("model_type")
    if vt not in (None, "") and vt not in _VISION_TYPES[hit[0]]:
        return None
    return hit[0]


def projector(config: Any, outtype: str) -> Projector | None:
    """The mmproj GGUF for ``config`` at ``outtype`` (f16|bf16|q8_0); None when not modelled."""
    if outtype not in OUTTYPES:
        raise ValueError(f"mmproj outtype must be one of {', '.join(OUTTYPES)}")
    kind = kind_of(config)
    if kind is None:
        return None
    build = _KINDS[config["architectures"][0]][1]
    try:
        items = build(config, config["vision_config"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None                    # a vision_config without the fields the converter reads
    if any(n <= 0 for t, _ in items for n in t.ne):
        return None
    return _cached(kind, outtype, tuple(items))


@lru_cache(maxsize=64)
def _cached(kind: str, outtype: str, items: tuple[tuple[Tensor, str], ...]) -> Projector:
    out = []
    for t, rule in items:
        ty = _type_of(t, rule, outtype)
        out.append(WeightTensor(t, ty, tensor_bytes(ty, t.ne)))
    return Projector(kind, outtype, tuple(out))


def file_name(model_id: str | None, outtype: str) -> str:
    """The projector's file name in a generated command line (the ``mmproj-<model>-<TYPE>.gguf``
    spelling of ggml-org's and unsloth's repos)."""
    stem = (model_id or "model").split("/")[-1]
    return f"mmproj-{stem}-{_GGML[outtype]}.gguf"
