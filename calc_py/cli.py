"""The command line: ``python -m calc_py estimate|models|gpus``.

A stable contract: automation parses ``--json``; bad input always gives one
line on stderr and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from typing import Sequence

from . import catalog as cat
from .api import parse_bool, parse_float, parse_int
from .errors import CalcError
from .estimate import CONTEXT_MAX, Setup, estimate
from .i18n import t

GiB = 1 << 30


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:   # one line, exit 2 (argparse's own code)
        self.exit(2, f"error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m calc_py",
                description="GPU memory an LLM needs, from its real architecture and the engine's allocations.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    e = sub.add_parser("estimate", help="memory for one setup")
    src = e.add_mutually_exclusive_group()
    src.add_argument("--model", help="catalog model: Hugging Face repo id (any case) or alias")
    src.add_argument("--config", help="path to a Hugging Face config.json")
    src.add_argument("--gguf", help="path to a GGUF file: its header gives every tensor's exact type")
    src.add_argument("--params", help="parameter count in billions (simple mode, approximate)")
    e.add_argument("--quant", default=None,
                   help="GGUF type or mix (Q4_K_M, Q8_0, IQ3_M, ...) or bf16/fp16/fp8/int8/int4/awq/gptq/nf4/mxfp4")
    e.add_argument("--context", default="8192", help="context length in tokens (8192, 32k, ...)")
    e.add_argument("--engine", default="llama.cpp", help="llama.cpp | ollama | transformers | vllm")
    e.add_argument("--batch", default="1", help="parallel sequences (default 1)")
    e.add_argument("--ubatch", default=None, help="physical batch (llama.cpp n_ubatch; vLLM max_num_batched_tokens)")
    e.add_argument("--flash-attn", default=None, help="on | off")
    e.add_argument("--kv-cache", default=None, help="KV cache type: f16, q8_0, q4_0, ... (torch: auto, fp8)")
    e.add_argument("--gpu-layers", default=None, help="layers on the GPU (llama.cpp -ngl; default all)")
    e.add_argument("--gpu", default=None, help="catalog GPU to check the fit against (e.g. rtx-4090)")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.add_argument("--lang", default="en", help="language of the explanations (en, zh-CN)")
    sub.add_parser("models", help="list catalog models")
    g = sub.add_parser("gpus", help="list catalog GPUs")
    g.add_argument("--vendor", default=None)
    return p


def _lang(name: str) -> str:
    from .i18n import languages
    if name not in languages():
        raise CalcError(f"unknown language {name!r} (known: {', '.join(languages())})", field="lang")
    return name


def _setup(a: argparse.Namespace) -> Setup:
    engine = cat.find_engine(a.engine)["id"]
    default_quant = "Q4_K_M" if engine in ("llama.cpp", "ollama") else "bf16"
    return Setup(
        model=a.model, config=a.config, gguf=a.gguf,
        params=parse_float(a.params, "params", 0.1, 2000) if a.params is not None else None,
        quant=a.quant or default_quant,
        context=parse_int(a.context, "context", 1, CONTEXT_MAX), engine=engine,
        batch=parse_int(a.batch, "batch", 1, 4096),
        ubatch=parse_int(a.ubatch, "ubatch", 1, 65536) if a.ubatch else None,
        flash_attn=parse_bool(a.flash_attn, "flash-attn") if a.flash_attn else None,
        kv_cache=a.kv_cache,
        gpu_layers=parse_int(a.gpu_layers, "gpu-layers", -1, 10_000) if a.gpu_layers else None,
        gpu=a.gpu, lang=_lang(a.lang))


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal: East Asian wide characters take two columns."""
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - cols)


def _table(r: dict, lang: str) -> str:
    m, i = r["model"], r["inputs"]
    lines = [t("cli.header", lang, name=m["name"], params=r["params"] / 1e9, attention=m["attention"],
               quant=i["quant"], context=f"{i['context']:,}", batch=i["batch"],
               engine=r["engine"]["label"], version=r["engine"]["version"])]
    if r["approximate"]:
        lines.append(t("cli.approximate", lang))
    for p in r["parts"]:
        mark = "" if p["verified"] else " *"
        lines.append(f"  {_pad(p['label'], 18)} {p['bytes'] / GiB:9.2f} GiB ({p['bytes'] / 1e9:8.2f} GB){mark}")
        if p["explain"]:
            lines.append(f"      {p['explain']}")
    host = r["host_bytes"]
    lines.append(f"  {_pad(t('part.host', lang), 18)} {host / GiB:9.2f} GiB ({host / 1e9:8.2f} GB)")
    lines.append("  " + t("cli.rule_of_thumb", lang, total=f"{r['rule_of_thumb']['total_bytes'] / GiB:.2f} GiB"))
    if r["fit"]:
        lines.append(r["fit"]["message"])
        lines.extend(f"  - {a}" for a in r["fit"]["advice"])
    lines.extend(t("cli.note", lang, text=n) for n in r["notes"])
    lines.append(t("cli.footer", lang))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code = _run(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:        # `... | head` closed the pipe: not an error
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # no flush error at exit
        return 0


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "models":
            for m in cat.supported_models():
                b = m.brief()
                print(f"{m.id}\t{b['params'] / 1e9:.2f}B\t{b['attention']}\tctx {b['max_context']}\t"
                      f"{', '.join(m.aliases)}")
            return 0
        if args.command == "gpus":
            for g in cat.gpus():
                if args.vendor and g["vendor"] != args.vendor.lower():
                    continue
                print(f"{g['id']}\t{g['name']}\t{g['memory_stated']} ({g['memory_bytes'] / GiB:.1f} GiB)\t{g['vendor']}")
            return 0
        result = estimate(_setup(args))
    except CalcError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise
    except (OSError, RecursionError, MemoryError) as err:   # never a traceback
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(_table(result, args.lang))
    return 0
