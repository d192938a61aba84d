"""What the page displays, computed in Python from calc_py's answer.

The same module runs twice: in build.py, to prerender the default configuration
into the HTML, and in the page's Web Worker (Pyodide), for every input change.
So the page's JavaScript only copies these strings and numbers into the DOM;
no memory formula and no display rule lives in JS, and the prerendered page is
exactly what the live page shows for the same inputs.
"""
from __future__ import annotations

import json

from calc_py import api, i18n
from calc_py.catalog import gpu_name
from calc_py.present import quant_label

BAR_WIDTH = 1000  # SVG user units of the stacked bar
MIN_CONTEXT = 1024

# The article's four buttons and what each means on an engine: the first id of
# the list that the engine accepts (GGUF names on llama.cpp/Ollama, torch dtypes
# or transformers quantizations elsewhere).
QUICK_QUANTS = (("FP16", ("F16", "fp16")), ("INT8", ("Q8_0", "int8")),
                ("Q5", ("Q5_K_M",)), ("Q4", ("Q4_K_M", "int4")))

_CACHE: dict = {}


def _catalog() -> dict:
    """The pickers' options (quants, engines, KV types): api.catalog() without the
    models and GPUs, whose parameter counts would lay out every catalog model."""
    if "catalog" not in _CACHE:
        _CACHE["catalog"] = api.options()
    return _CACHE["catalog"]


def _baseline() -> dict:
    """The inputs of an empty query: what the page shows with no URL query."""
    if "baseline" not in _CACHE:
        _CACHE["baseline"] = api.estimate_query({})["inputs"]
    return _CACHE["baseline"]


def _t(key: str, lang: str, **values: object) -> str:
    return i18n.t(key, lang, **values)


def amount(n: int | None, lang: str) -> dict:
    """Bytes as both units, always labelled: GiB (what tools report) and GB."""
    n = int(n or 0)
    return {"bytes": n,
            "gib": _t("site.js.unit.gib", lang, value=f"{n / 2**30:.2f}"),
            "gb": _t("site.js.unit.gb", lang, value=f"{n / 1e9:.2f}")}


def context_stops(maximum: int | None, current: int) -> list[int]:
    """Slider stops: powers of two from 1k up to the model's maximum context."""
    top = maximum or max(131072, current)
    stops, n = [], MIN_CONTEXT
    while n < top:
        stops.append(n)
        n *= 2
    stops.append(top)
    return stops


def nearest_stop(stops: list[int], value: int) -> int:
    return min(range(len(stops)), key=lambda i: abs(stops[i] - value))


def _fit(result: dict, lang: str) -> dict:
    fit = result.get("fit")
    if not fit:
        return {"state": "none", "text": _t("site.js.fit.none", lang), "advice": []}
    text = fit.get("message")
    if not text:
        key = "site.js.fit.yes" if fit.get("fits") else "site.js.fit.no"
        text = _t(key, lang, gpu=gpu_name(fit.get("name") or fit.get("gpu") or "", lang),
                  headroom=amount(abs(fit.get("headroom_bytes") or 0), lang)["gib"])
    return {"state": "true" if fit.get("fits") else "false", "text": text,
            "advice": [str(a) for a in fit.get("advice") or []]}


def _tps(v) -> str:
    return "–" if v is None else f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def _speed(result: dict, lang: str) -> dict:
    """The speed line (calc_py/speed.py via the result's ``speed``); hidden without one."""
    sp = result.get("speed")
    if not sp or not sp.get("decode_tokens_per_s"):
        return {"shown": False, "text": "", "how": "", "href": _speed_href(lang), "link": ""}
    from calc_py.speed import fit_accuracy
    err = (fit_accuracy().get("tg") or {}).get("held_out_gpu") or {}
    return {"shown": True, "href": _speed_href(lang),
            "text": _t("site.results.speed", lang, backend=sp["basis"]["backend"],
                       decode=_tps(sp["decode_tokens_per_s"]), decode_ctx=_tps(sp["decode_tokens_per_s_at_context"]),
                       context=f"{sp['context']:,}", prefill=_tps(sp["prefill_tokens_per_s"])),
            "how": _t("site.results.speed.how", lang, err=f"{err.get('median', 0):.0f}"),
            "link": _t("site.results.speed.link", lang)}


#: the speed section of the accuracy-rows page (site_src/tables.py renders accuracy.json's fits)
SPEED_ACCURACY_HREF = "accuracy-rows.html#fit-llamacpp_speed_summary"


def _speed_href(lang: str) -> str:
    """The accuracy rows in the page's language (site_src/pages.py names them x.<lang>.html)."""
    if lang == "en":
        return SPEED_ACCURACY_HREF
    return SPEED_ACCURACY_HREF.replace(".html#", f".{lang}.html#")


def _rule(result: dict, lang: str) -> dict:
    """The original article's rule of thumb, shown beside our estimate."""
    rt = result.get("rule_of_thumb") or {}
    out = amount(rt.get("total_bytes") or 0, lang)
    out["text"] = _t("site.js.rule.text", lang,
                     weights=amount(rt.get("weights_bytes"), lang)["gib"],
                     kv_cache=amount(rt.get("kv_cache_bytes"), lang)["gib"],
                     overhead=amount(rt.get("overhead_bytes"), lang)["gib"])
    return out


def engine_options() -> dict[str, dict]:
    """Per engine: the quantizations and KV-cache types it takes, and the quick buttons."""
    if "engines" in _CACHE:
        return _CACHE["engines"]
    cat = _catalog()
    gguf_engines = {e for q in cat["quants"] if q.get("kind") == "gguf" for e in q.get("engines") or ()}
    kv = cat["kv_types"]
    out = {}
    for e in cat["engines"]:
        quants = [q for q in cat["quants"] if e["id"] in (q.get("engines") or ())]
        ids = [q["id"] for q in quants]
        kv_ids = kv.get("gguf" if e["id"] in gguf_engines else "torch", []) if isinstance(kv, dict) else kv
        out[e["id"]] = {
            "quants": [{"value": q["id"], "label": q.get("label") or q["id"], "group": q.get("group") or ""}
                       for q in quants],
            "kv": [str(k) for k in kv_ids],
            "quick": [{"label": label, "id": next((c for c in cands if c in ids), "")}
                      for label, cands in QUICK_QUANTS],
        }
    _CACHE["engines"] = out
    return out


def _selects(inputs: dict, result: dict, lang: str) -> dict:
    """Options of the selects whose choices depend on the engine, with the
    engine's own default spelled out on the empty choice."""
    opts = engine_options().get(inputs.get("engine"), {"quants": [], "kv": []})
    eff = result.get("inputs") or {}
    fa = eff.get("flash_attn")
    fa_text = "" if fa is None else _t("site.input.flash_attn." + ("on" if fa else "off"), lang)

    def default(value: object) -> str:
        return _t("site.js.default_value", lang, value=value)

    return {
        "quant": [{**o, "label": quant_label(o["value"], o["label"], lang)} for o in opts["quants"]],
        "kv-cache": [{"value": "", "label": default(eff.get("kv_cache") or ""), "group": ""}] + [
            {"value": k, "label": k, "group": ""} for k in opts["kv"]],
        "flash-attn": [{"value": "", "label": default(fa_text), "group": ""}] + [
            {"value": v, "label": _t("site.input.flash_attn." + v, lang), "group": ""}
            for v in ("on", "off")],
    }


#: bytes urllib.parse.quote never escapes (its _ALWAYS_SAFE)
_URL_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")


def _quote_plus(text: str) -> str:
    """urllib.parse.quote_plus(text) (safe=''): UTF-8, space as '+', %XX upper-case."""
    return "".join(chr(b) if b in _URL_SAFE else "+" if b == 0x20 else "%%%02X" % b
                   for b in text.encode("utf-8"))


def urlencode(query: dict) -> str:
    """urllib.parse.urlencode(query) for a dict of str() -able values, without
    importing urllib.parse (and ipaddress), which costs the worker's start ~50 ms."""
    return "&".join(_quote_plus(str(k)) + "=" + _quote_plus(str(v)) for k, v in query.items())


def canonical_query(inputs: dict) -> str:
    """The URL query of these inputs: only the keys that differ from an empty query."""
    base = _baseline()
    keep = {k: v for k, v in inputs.items() if str(v) != str(base.get(k, ""))}
    if keep.get("model") == "" and inputs.get("params"):
        keep["params"] = inputs["params"]   # custom mode: the count stands for the model
    return urlencode(keep)


def view(answer: dict, gpus: list[dict], lang: str = i18n.DEFAULT_LANG) -> dict:
    """The display model of one `api.estimate_query` answer plus `api.compare_gpus`."""
    result, inputs = answer["result"], answer["inputs"]
    effective = result.get("inputs") or {}
    model = result.get("model") or {}
    total = result["total_bytes"]
    parts, bar, x = [], [], 0.0
    for p in result["parts"]:
        if p["part"] == "total":      # shown on its own, above the parts
            continue
        parts.append({"part": p["part"], "label": p["label"], "explain": p["explain"],
                      **amount(p["bytes"], lang)})
        width = BAR_WIDTH * p["bytes"] / total if total else 0.0
        bar.append({"part": p["part"], "x": f"{x:.2f}", "width": f"{width:.2f}"})
        x += width
    current = int(effective.get("context") or inputs.get("context") or MIN_CONTEXT)
    stops = context_stops(model.get("max_context"), current)
    approximate = bool(result.get("approximate"))
    return {
        "inputs": inputs,
        "query": canonical_query(inputs),
        "notices": [str(n) for n in answer.get("notices", [])],
        "total": amount(total, lang),
        "total_label": next((p["label"] for p in result["parts"] if p["part"] == "total"),
                            _t("site.results.total", lang)),
        "host": amount(result.get("host_bytes"), lang),
        "download": amount(result.get("file_bytes"), lang),   # the GGUF / safetensors file
        "parts": parts,
        "bar": bar,
        "fit": _fit(result, lang),
        "speed": _speed(result, lang),
        "rule": _rule(result, lang),
        "notes": [str(n) for n in result.get("notes") or []],
        "approximate": approximate,
        "mode_hint": (_t("site.js.mode.approximate", lang) if approximate
                      else _t("site.js.mode.architecture", lang, name=model.get("name") or "")),
        "params_locked": bool(inputs.get("model")),
        "params_billions": f"{result['params'] / 1e9:.2f}".rstrip("0").rstrip("."),
        "context_stops": stops,
        "context_index": nearest_stop(stops, current),
        "selects": _selects(inputs, result, lang),
        "quick": engine_options().get(inputs.get("engine"), {}).get("quick", []),
        "placeholders": {
            "ubatch": str(effective.get("ubatch") or ""),
            "gpu-layers": str(effective.get("gpu_layers") if effective.get("gpu_layers") is not None else ""),
        },
        "gpus": _gpu_rows(gpus, lang),
        "machine": machine_view(result, lang),
    }


#: the parts of one device's bar, in llama.cpp's order of allocation
DEVICE_PARTS = (("weights", "weights_bytes"), ("kv_cache", "kv_cache_bytes"),
                ("compute", "compute_bytes"), ("overhead", "overhead_bytes"))


def machine_view(result: dict, lang: str) -> dict:
    """The machine's rows (cards with counts, in llama.cpp's device order), each
    device's parts, bar and verdict, the host's, and --fit's plan with its command.
    Empty lists/None where calc_py placed nothing (no machine in the query)."""
    machine = result.get("machine") or {}
    rows: list[dict] = []
    for d in machine.get("devices") or []:
        if rows and rows[-1]["gpu"] == d["gpu"]:
            rows[-1]["count"] += 1
        else:
            rows.append({"gpu": d["gpu"], "count": 1})
    devices = []
    for d in result.get("devices") or []:
        usable = max(int(d.get("usable_bytes") or 0), int(d.get("total_bytes") or 0), 1)
        bar, x = [], 0.0
        # the vision projector (mtmd loads it after the model) is a segment only where it is
        extra = (("mmproj", "mmproj_bytes"),) if d.get("mmproj_bytes") else ()
        for part, key in DEVICE_PARTS + extra:
            width = BAR_WIDTH * int(d.get(key) or 0) / usable
            bar.append({"part": part, "x": f"{x:.2f}", "width": f"{width:.2f}"})
            x += width
        layers = d.get("layers")
        devices.append({
            "name": str(d["name"]), "label": gpu_name(str(d.get("label") or d.get("gpu") or ""), lang),
            "fits": "true" if d.get("fits") else "false",
            "verdict": _t("site.js.gpu.fits" if d.get("fits") else "site.js.gpu.no_fit", lang),
            "layers": (_t("site.js.device.layers", lang, first=layers[0], last=layers[1])
                       if layers else _t("site.js.device.no_layers", lang)),
            **{part: amount(d.get(key), lang)["gib"] for part, key in DEVICE_PARTS},
            "total": amount(d.get("total_bytes"), lang), "usable": amount(d.get("usable_bytes"), lang)["gib"],
            "bar": bar,
        })
    host = result.get("host")
    host_view = None
    if host and devices:
        ram = host.get("ram_bytes")
        host_view = {
            "weights": amount(host.get("weights_bytes"), lang)["gib"],
            "kv_cache": amount(host.get("kv_cache_bytes"), lang)["gib"],
            "compute": amount((host.get("compute_bytes") or 0) + (host.get("output_bytes") or 0), lang)["gib"],
            "total": amount(host.get("total_bytes"), lang),
            "ram": amount(ram, lang)["gib"] if ram else _t("site.js.host.ram_unknown", lang),
            "fits": "none" if host.get("fits") is None else ("true" if host["fits"] else "false"),
            "verdict": (_t("site.js.host.ram_unknown", lang) if host.get("fits") is None
                        else _t("site.js.gpu.fits" if host["fits"] else "site.js.gpu.no_fit", lang)),
        }
    plan = result.get("plan")
    plan_view = None
    if plan:
        plan_view = {"messages": [str(m) for m in plan.get("messages") or []]
                     + [str(m) for m in (plan.get("beside") or {}).get("messages") or []],
                     "command": str(plan.get("command") or "")}
    return {"rows": rows, "ram": str(int(machine["ram_bytes"] / 2**30)) if machine.get("ram_bytes") else "",
            "devices": devices, "host": host_view, "plan": plan_view}


def _gpu_rows(gpus: list[dict], lang: str) -> list[dict]:
    """The comparison table's rows. The same strings as amount() / _t() per row,
    with each message looked up once per call instead of once per GPU, and each
    card's memory (the same on every call) formatted once per language."""
    gib = _t("site.js.unit.gib", lang)          # the template (no values: unformatted)
    fits_text, no_fit_text = _t("site.js.gpu.fits", lang), _t("site.js.gpu.no_fit", lang)
    memory = _CACHE.setdefault(("gpu_memory", lang), {})
    rows = []
    for g in gpus:
        mem = memory.get(g["memory_bytes"])
        if mem is None:
            mem = memory[g["memory_bytes"]] = gib.format(value=f"{int(g['memory_bytes'] or 0) / 2**30:.2f}")
        cards = g.get("cards_needed")
        rows.append({
            "id": g["id"], "name": gpu_name(g, lang), "vendor": g["vendor"],
            "fits": "true" if g["fits"] else "false",
            "verdict": fits_text if g["fits"] else no_fit_text,
            "memory": mem,
            "headroom_bytes": g["headroom_bytes"],
            "headroom": gib.format(value=f"{g['headroom_bytes'] / 2**30:.2f}"),
            "cards": str(cards) if cards is not None else "–",
            "speed": _tps(g.get("decode_tokens_per_s")),     # decode tokens/s where it fits
        })
    return rows


def boot(lang: str = i18n.DEFAULT_LANG) -> dict:
    """Data app.js needs before Python is up: which options each engine takes."""
    return {"engines": {k: {"quants": [q["value"] for q in v["quants"]], "kv": v["kv"]}
                        for k, v in engine_options().items()},
            "file_keys": list(FILE_KEYS), "config_keys": list(CONFIG_KEYS), "keys": list(api.KEYS)}


# ---- a GGUF file the reader picked --------------------------------------------
# The worker hands over the first bytes of the file once (set_gguf); they stay
# here, one Python bytes object, while the file is selected, so every later input
# change estimates from the same object (calc_py memoises the parse per object)
# and the page never reads the file again.

#: query keys a file stands for: they are not sent, and left out of the page's link
FILE_KEYS = ("model", "params", "quant")
_GGUF: dict = {"bytes": None}


def set_gguf(data=None) -> int:
    """Keep ``data`` (a JS Uint8Array / ArrayBuffer proxy, bytes, or None to
    forget the file) as the header bytes later estimates use; returns their length."""
    from calc_py import gguf_file
    gguf_file.load_cached.cache_clear()       # the previous file's parse: no longer needed
    if data is None or type(data).__name__ == "JsNull":
        _GGUF["bytes"] = None
        return 0
    if hasattr(data, "to_bytes"):             # a Pyodide JsProxy of a typed array / ArrayBuffer
        data = data.to_bytes()
    _GGUF["bytes"] = data if type(data) is bytes else bytes(data)
    return len(_GGUF["bytes"])


def file_view(answer: dict, gpus: list[dict], lang: str = i18n.DEFAULT_LANG) -> dict:
    """view() for an answer computed from a GGUF file: the model picker shows the
    file's name, the quantization its type (the only option), and the link leaves
    out what the file stands for. A header calc_py cannot read gives
    ``{"file_error": message, "truncated": bool}`` instead (nothing to display)."""
    if answer.get("result") is None:
        return {"file_error": str(answer.get("error") or ""), "truncated": bool(answer.get("truncated"))}
    v = view(answer, gpus, lang)
    result = answer["result"]
    name = str((result.get("model") or {}).get("name") or "")
    quant = str(answer["inputs"].get("quant") or (result.get("inputs") or {}).get("quant") or "")
    v["file"] = {"name": name, "quant": quant, "omit": list(FILE_KEYS)}
    v["query"] = canonical_query({k: x for k, x in answer["inputs"].items() if k not in FILE_KEYS})
    v["selects"]["quant"] = [{"value": quant, "label": quant, "group": ""}]
    v["params_locked"] = True
    v["quick"] = [{"label": q["label"], "id": ""} for q in v["quick"]]
    return v


# ---- a config.json the reader pasted, dropped or picked (or a link's fragment) --
# The text travels with each estimate message (a few KB); calc_py memoises its
# parse (api.read_config), so an input change does not re-read it.

#: query keys a config stands for: not sent, and left out of the link's query
CONFIG_KEYS = ("model", "params")


def config_error(answer: dict, lang: str = i18n.DEFAULT_LANG) -> str:
    """One sentence for a config calc_py cannot use, with the supported model types."""
    error = str(answer.get("error") or "").rstrip(".")
    supported = ", ".join(answer.get("supported") or [])
    text = error if "supported" in error else error + ". " + _t("site.js.config.supported", lang, supported=supported)
    return text.rstrip(".。")


def config_view(answer: dict, gpus: list[dict], lang: str = i18n.DEFAULT_LANG) -> dict:
    """view() for an answer computed from a config.json: the model picker shows the
    config's model type, the parameter count is the one calc_py counted (read-only),
    the link's query leaves out model/params and its fragment carries the fields
    calc_py reads. A config calc_py cannot use gives ``{"config_error": sentence}``."""
    if answer.get("result") is None:
        return {"config_error": config_error(answer, lang)}
    v = view(answer, gpus, lang)
    info = answer["config"]
    name = _t("site.js.config.name", lang, model_type=info["model_type"])
    defaulted = [_t("site.js.config.defaulted", lang, field=f, value=val, source=src)
                 for f, val, src in info.get("defaults_used") or []]
    v["config"] = {
        "name": name, "model_type": info["model_type"], "arch": info["arch"],
        "params": _t("site.js.config.params", lang, billions=v["params_billions"]),
        "params_bytes": int(answer["result"]["params"]),
        "defaulted": defaulted or [_t("site.js.config.no_defaults", lang)],
        "notes": [str(n) for n in info.get("notes") or []]
                 + ([_t("site.js.config.vision", lang)] if info.get("vision") else []),
        "fragment": info["fragment"], "fields": list(info["fields"]),
        "link": _t("site.js.config.link", lang, n=len(info["fields"]), fields=", ".join(info["fields"])),
        "omit": list(CONFIG_KEYS),
    }
    v["query"] = canonical_query({k: x for k, x in answer["inputs"].items() if k not in CONFIG_KEYS})
    v["params_locked"] = True
    return v


def run(query_json: str, vendor: str = "", lang: str = i18n.DEFAULT_LANG, config: str = "") -> str:
    """The worker's one entry point: JSON query in, JSON display model out.
    ``config``: a config.json's text or link fragment in use ("" for none)."""
    data = _GGUF["bytes"]
    if config:
        query = {k: x for k, x in json.loads(query_json).items() if k not in CONFIG_KEYS}
        answer = api.estimate_query(query, lang, config=config)
        gpus = api.compare_gpus(answer["result"], vendor or None) if answer.get("result") else []
        v = config_view(answer, gpus, lang)
    elif data is None:
        answer = api.estimate_query(json.loads(query_json), lang)   # calc_py's labels in the page's language
        v = view(answer, api.compare_gpus(answer["result"], vendor or None), lang)
    else:
        query = {k: x for k, x in json.loads(query_json).items() if k not in FILE_KEYS}
        answer = api.estimate_query(query, lang, gguf=data)
        gpus = api.compare_gpus(answer["result"], vendor or None) if answer.get("result") else []
        v = file_view(answer, gpus, lang)
    # compact, and non-ASCII text as UTF-8 rather than \u escapes: less to encode and parse
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
