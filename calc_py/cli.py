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
from .present import attention_label
from .machine import parse_fit_target, parse_machine, parse_overrides, parse_ram, parse_tensor_split

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
    e.add_argument("--gpu", default=None,
                   help="the machine's GPUs: rtx-4090, 2xrtx-3090, rtx-4090,rtx-3090 (llama.cpp device order)")
    e.add_argument("--ram", default=None, help="GiB of system RAM (host weights, CPU-side KV)")
    e.add_argument("--tensor-split", "-ts", default=None, help="llama.cpp -ts: proportions per GPU, e.g. 3,1")
    e.add_argument("--split-mode", "-sm", default="layer", help="llama.cpp -sm: layer | row | none")
    e.add_argument("--main-gpu", "-mg", default=None, help="llama.cpp -mg: the GPU for -sm none (index)")
    e.add_argument("--n-cpu-moe", "-ncmoe", default=None, help="experts of the first N layers in host RAM")
    e.add_argument("--cpu-moe", "-cmoe", action="store_true", help="all experts in host RAM")
    e.add_argument("--override-tensor", "-ot", action="append", default=None,
                   help="llama.cpp -ot PATTERN=DEVICE[,...] (regex on tensor names; CPU, CUDA0, or a GPU index)")
    e.add_argument("--fit", default=None, help="on: the plan llama.cpp's --fit would pick (--context auto: its choice)")
    e.add_argument("--fit-target", "-fitt", default=None, help="--fit margin per device in MiB (one, or one per GPU)")
    e.add_argument("--no-mmap", action="store_true", help="host weights in plain RAM instead of mmap'd pages")
    e.add_argument("--pipeline-parallel", "-pp", default=None,
                   help="vLLM pipeline stages over the --gpu cards (tensor parallel = GPUs / stages)")
    e.add_argument("--mmproj", default=None,
                   help="llama.cpp vision projector: none | f16 | bf16 | q8_0 (its GGUF's --outtype; on the first GPU)")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.add_argument("--lang", default="en", help="language of the explanations (en, zh-CN)")
    wf = sub.add_parser("whatfits", help="every catalog model that runs on a machine, ranked")
    wf.add_argument("--gpu", required=True, help="the machine's GPUs (rtx-4090, 2xrtx-3090, ...)")
    wf.add_argument("--ram", default=None, help="GiB of system RAM: also list models with experts/layers in RAM")
    wf.add_argument("--context", default="8192", help="the context each model must reach (default 8192)")
    wf.add_argument("--json", action="store_true", help="print a JSON list")
    wf.add_argument("--lang", default="en")
    sub.add_parser("models", help="list catalog models")
    g = sub.add_parser("gpus", help="list catalog GPUs")
    g.add_argument("--vendor", default=None)
    g.add_argument("--lang", default="en", help="language of the GPU names (en, zh-CN)")
    return p


def _lang(name: str) -> str:
    from .i18n import languages
    if name not in languages():
        raise CalcError(f"unknown language {name!r} (known: {', '.join(languages())})", field="lang")
    return name


def _setup(a: argparse.Namespace) -> Setup:
    engine = cat.find_engine(a.engine)["id"]
    default_quant = "Q4_K_M" if engine in ("llama.cpp", "ollama") else "bf16"
    machine = parse_machine(a.gpu, a.ram)
    n_dev = len(machine.devices) if machine and machine.devices else None
    fit = bool(parse_bool(a.fit, "fit")) if a.fit else False
    auto_ctx = fit and a.context.strip().lower() in ("0", "auto")
    return Setup(
        model=a.model, config=a.config, gguf=a.gguf,
        params=parse_float(a.params, "params", 0.1, 2000) if a.params is not None else None,
        quant=a.quant or default_quant,
        context=0 if auto_ctx else parse_int(a.context, "context", 1, CONTEXT_MAX), engine=engine,
        batch=parse_int(a.batch, "batch", 1, 4096),
        ubatch=parse_int(a.ubatch, "ubatch", 1, 65536) if a.ubatch else None,
        flash_attn=parse_bool(a.flash_attn, "flash-attn") if a.flash_attn else None,
        kv_cache=a.kv_cache,
        gpu_layers=parse_int(a.gpu_layers, "gpu-layers", -1, 10_000) if a.gpu_layers else None,
        gpu=machine.spec if machine and machine.devices else None, lang=_lang(a.lang),
        ram=parse_ram(a.ram) / GiB if a.ram else None,
        tensor_split=parse_tensor_split(a.tensor_split, n_dev),
        split_mode=(a.split_mode or "layer").lower(),
        main_gpu=parse_int(a.main_gpu, "main-gpu", 0, 15) if a.main_gpu else 0,
        n_cpu_moe=parse_int(a.n_cpu_moe, "n-cpu-moe", 0, 10_000) if a.n_cpu_moe else None,
        cpu_moe=a.cpu_moe, override_tensor=parse_overrides(",".join(a.override_tensor or ())),
        fit=fit, fit_target=parse_fit_target(a.fit_target, n_dev), no_mmap=a.no_mmap,
        pipeline_parallel=parse_int(a.pipeline_parallel, "pipeline-parallel", 1, 16) if a.pipeline_parallel else 1,
        mmproj=(a.mmproj or "none").strip().lower())


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal: East Asian wide characters take two columns."""
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - cols)


def _table(r: dict, lang: str) -> str:
    m, i = r["model"], r["inputs"]
    lines = [t("cli.header", lang, name=m["name"], params=r["params"] / 1e9,
               attention=attention_label(m["attention"], lang),
               quant=i["quant"], context=f"{i['context']:,}", batch=i["batch"],
               engine=r["engine"]["label"],
               version=cat.engine_text(cat.find_engine(r["engine"]["id"]), "version", lang))]
    if r["approximate"]:
        lines.append(t("cli.approximate", lang))
    for p in r["parts"]:
        mark = "" if p["verified"] else " *"
        lines.append(f"  {_pad(p['label'], 18)} {p['bytes'] / GiB:9.2f} GiB ({p['bytes'] / 1e9:8.2f} GB){mark}")
        if p["explain"]:
            lines.append(f"      {p['explain']}")
    host = r["host_bytes"]
    lines.append(f"  {_pad(t('part.host', lang), 18)} {host / GiB:9.2f} GiB ({host / 1e9:8.2f} GB)")
    fb = r["file_bytes"]
    lines.append(f"  {_pad(t('part.download', lang), 18)} {fb / GiB:9.2f} GiB ({fb / 1e9:8.2f} GB)")
    lines.append("      " + t(f"explain.download.{r['file_kind']}", lang, quant=i["quant"],
                              data=f"{r['model_bytes'] / GiB:.2f} GiB", vocab=f"{m['vocab']:,}"))
    lines.append("  " + t("cli.rule_of_thumb", lang, total=f"{r['rule_of_thumb']['total_bytes'] / GiB:.2f} GiB"))
    if r.get("devices"):
        lines.append("  " + t("cli.devices", lang))
        for d in r["devices"]:
            span = "-".join(str(x) for x in d["layers"]) if len(d["layers"]) <= 2 else str(d["n_layers"])
            lines.append(f"    {d['name']:6} {d['gpu'][:22]:22} {d['total_bytes'] / GiB:8.2f} / "
                         f"{d['usable_bytes'] / GiB:6.2f} GiB  {t('cli.layers', lang, layers=span or '-')}"
                         f"{'' if d['fits'] else '  !'}")
        h = r["host"]
        ram = "?" if h["ram_bytes"] is None else f"{h['ram_bytes'] / GiB:.2f}"
        lines.append(f"    {_pad(t('cli.host', lang), 6)} {'':22} {h['total_bytes'] / GiB:8.2f} / {ram:>6} GiB"
                     f"{'  !' if h['fits'] is False else ''}")
    sp = r.get("speed")
    if sp and sp["decode_tokens_per_s"]:
        na = lambda v: "-" if v is None else f"{v:,.0f}" if v >= 100 else f"{v:.1f}"  # noqa: E731
        lines.append("  " + t("cli.speed", lang, backend=sp["basis"]["backend"], decode=na(sp["decode_tokens_per_s"]),
                              decode_ctx=na(sp["decode_tokens_per_s_at_context"]), context=f"{sp['context']:,}",
                              prefill=na(sp["prefill_tokens_per_s"])))
    if r.get("plan"):
        lines.extend("  " + m for m in r["plan"]["messages"])
        lines.extend("  - " + m for m in (r["plan"].get("beside") or {}).get("messages", []))
        lines.append("  " + r["plan"]["command"])
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
            lang = _lang(args.lang)
            for g in cat.gpus():
                if args.vendor and g["vendor"] != args.vendor.lower():
                    continue
                print(f"{g['id']}\t{cat.gpu_name(g, lang)}\t{g['memory_stated']} ({g['memory_bytes'] / GiB:.1f} GiB)\t{g['vendor']}")
            return 0
        if args.command == "whatfits":
            from .whatfits import what_fits
            rows = what_fits(args.gpu, args.ram, parse_int(args.context, "context", 256, CONTEXT_MAX),
                             _lang(args.lang))
            if args.json:
                print(json.dumps(rows, ensure_ascii=False))
            else:
                for r in rows:
                    print(f"{r['model']}\t{r['quant']}\t{r['context']}\t{r['kind']}\t{r['plan']['command']}")
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
