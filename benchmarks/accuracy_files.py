"""File sizes: calc_py's ``file_bytes`` / ``model_bytes`` against published GGUF sizes.

Called by benchmarks/accuracy.py (``gguf_rows``, ``print_files``); every row of
``groundtruth/gguf_sizes.jsonl`` is compared with the right field:

* a Hugging Face file listing (the whole file: header, tokenizer, tensor infos,
  padding, tensor data) with calc_py.gguf_size.gguf_file_bytes -- part ``gguf_file``;
* llama-bench's / llama.cpp's "model size" (tensor bytes only) with the tensor
  bytes of the file -- part ``gguf_tensor_bytes``.

Files made by stock llama-quantize are the target (goal: median |error| <= 0.3 %,
max <= 1.5 %). Custom recipes (Unsloth "UD" dynamic mixes, QAT files, gpt-oss files
whose experts stay MXFP4 by an extra ``--tensor-type``, hand-made mixes, old
builds) are predicted with the nearest stock mix and listed apart with the reason
(status ``outlier``: they do not enter the summary).
"""
from __future__ import annotations

import statistics
from typing import Any

from calc_py.gguf_size import gguf_file_bytes, tokenizer_plan
from calc_py.inventory import count_params
from calc_py.simple import rule_of_thumb
from calc_py.weights import gguf_file_weights


#: rows whose file is a custom recipe although the label is a stock mix (row notes)
CUSTOM_ROWS = {
    "gguf-0591": "experts upcast from MXFP4 to BF16 and re-quantized to Q8_0 (row notes), whereas "
                 "convert_hf_to_gguf.py + llama-quantize keep gpt-oss's experts MXFP4",
}


def _custom_mix(label: str, acc) -> tuple[str | None, dict, str]:
    """The stock mix nearest a custom label (UD-Q4_K_XL -> Q4_K_M ...), its options, why."""
    lab = label.strip()
    for cut, why in (("UD-", "Unsloth Dynamic mix: types chosen per tensor by Unsloth's recipe"),
                     ("(QAT)", "QAT file keeps its embeddings unquantized: not a llama-quantize mix")):
        if cut in lab:
            base = lab.replace(cut, "").strip().replace("_XL", "_M").replace("_K_XXL", "_K_M")
            mix, opts, _ = acc.gguf_label(base)
            if mix is None and base.upper().endswith("_XL"):
                mix, opts, _ = acc.gguf_label(base[:-3] + "_M")
            return mix, opts, why
    return None, {}, ""


def gguf_rows(rep, acc) -> None:
    """Add one Rec per usable gguf_sizes row to ``rep`` (``acc``: the accuracy module)."""
    for r in acc.load("gguf_sizes.jsonl"):
        m, info = acc.model_for(r["model"])
        if m is None:
            rep.skip("gguf_sizes", r["id"], f"model {r['model']!r}: {info.get('why')}")
            continue
        if r["quant"].lower().startswith("mmproj"):
            mmproj_row(rep, acc, r, m)
            continue
        mix, opts, why = acc.gguf_label(r["quant"])
        custom = ""
        if mix is None:
            mix, opts, custom = _custom_mix(r["quant"], acc)
            if mix is None:
                rep.skip("gguf_sizes", r["id"], f"{r['quant']}: {why}")
                continue
        a = m.architecture
        opts = {**opts, **acc.published_rules(r["id"])}
        w = gguf_file_weights(a, mix, mtp_in_file=True, has_imatrix=bool(r["imatrix"]), **opts)
        tensor_only = acc._is_tensor_bytes_row(r)
        part = "gguf_tensor_bytes" if tensor_only else "gguf_file"
        pred = w.file_total if tensor_only else gguf_file_bytes(a, w)
        rot = rule_of_thumb(count_params(a), acc.label_bits(r["quant"]), 4096)["weights_bytes"]
        rec = acc.Rec("gguf_sizes", r["id"], "gguf", part, pred, int(r["size_bytes"]), rot,
                      precision_pct=acc._precision(r), model=m.id)
        if r["id"] in CUSTOM_ROWS:
            rec.status, rec.reason = "outlier", "custom recipe: " + CUSTOM_ROWS[r["id"]]
        elif custom:
            rec.status, rec.reason = "outlier", f"custom recipe ({custom}); predicted as stock {mix}"
        elif opts.get("keep_quantized_source"):
            rec.status, rec.reason = "outlier", ("custom recipe: experts kept MXFP4 (--tensor-type "
                                                 "'_exps\\.weight$=mxfp4'), modelled with keep_quantized_source")
        elif r["id"] in acc.MAP["gguf_outliers"]:
            rec.status, rec.reason = "outlier", acc.MAP["gguf_outliers"][r["id"]]
        elif r["quantizer"] in acc.MAP["gguf_old_converter"]:
            rec.status, rec.reason = "outlier", acc.MAP["gguf_old_converter"][r["quantizer"]]
        rep.recs.append(rec)
    rep.fits["gguf_file_metadata"] = {
        "form": "file = 24 B header + key/values (measured tokenizer arrays + 8 KiB other) + tensor infos "
                "+ 32 B alignment padding + tensor data (calc_py/gguf_size.py)",
        "tokenizers": sorted({(tokenizer_plan(rec_arch(acc, x))[0], tokenizer_plan(rec_arch(acc, x))[5])
                              for x in rep.recs if x.part == "gguf_file"}),
    }


def mmproj_row(rep, acc, r: dict, m) -> None:
    """A published vision-projector file ("mmproj F16") against calc_py/mmproj.py's tensors
    for that --outtype (the header's few KB are below the listing's rounding)."""
    from calc_py import mmproj
    outtype = r["quant"].split()[-1].lower()
    proj = mmproj.projector(m.config, outtype) if outtype in mmproj.OUTTYPES else None
    if proj is None:
        rep.skip("gguf_sizes", r["id"], f"{r['quant']}: this vision encoder's projector is not modelled")
        return
    rep.recs.append(acc.Rec("gguf_sizes", r["id"], "gguf", "mmproj_file", proj.total, int(r["size_bytes"]),
                            None, precision_pct=acc._precision(r), model=m.id))


def rec_arch(acc, rec):
    return acc.cat.find_model(rec.model).architecture


def _stats(xs: list[float]) -> dict[str, float] | None:
    if not xs:
        return None
    s = sorted(abs(x) for x in xs)
    return {"n": len(s), "median": statistics.median(s), "max": s[-1]}


def file_summary(rep) -> dict[str, Any]:
    out = {}
    for part in ("gguf_file", "gguf_tensor_bytes"):
        rs = [r for r in rep.recs if r.part == part and r.file == "gguf_sizes"]
        out[part] = {"stock": _stats([r.err_pct for r in rs if r.status == "ok"]),
                     "custom": _stats([r.err_pct for r in rs if r.status != "ok"])}
    return out


def print_files(rep) -> None:
    """The file-size figures: stock rows against the goal, custom rows apart."""
    print("\nGGUF file sizes: file_bytes vs HF listings (whole file), tensor bytes vs llama-bench sizes")
    for part, s in file_summary(rep).items():
        st, cu = s["stock"], s["custom"]
        if st:
            print(f"  {part:18} stock llama-quantize: n={st['n']:3d}  median |err| {st['median']:.3f} %  "
                  f"max {st['max']:.3f} %   (goal: median <= 0.3 %, max <= 1.5 %)")
        if cu:
            print(f"  {part:18} custom recipes:       n={cu['n']:3d}  median |err| {cu['median']:.3f} %  "
                  f"max {cu['max']:.3f} %   (listed apart)")
    worst = sorted((r for r in rep.recs if r.file == "gguf_sizes" and r.status == "ok"),
                   key=lambda r: -abs(r.err_pct))[:8]
    if worst:
        print("  largest stock errors:")
        for r in worst:
            print(f"    {r.id:12} {r.model[:38]:38} {r.part:18} {r.err_pct:+7.3f} %  "
                  f"(printed precision +-{r.precision_pct:.2f} %)")
    custom = [r for r in rep.recs if r.file == "gguf_sizes" and r.status != "ok"]
    if custom:
        print("  custom recipes / excluded rows (err %, reason):")
        for r in custom:
            print(f"    {r.id:12} {r.model[:38]:38} {r.err_pct:+8.3f} %  {r.reason[:90]}")
