"""A custom model's architecture as a short link fragment, and back.

Why: the page takes a config.json the reader pastes or drops, and a permalink
should reproduce that answer on another machine. A URL cannot carry the whole
file (and should not: configs hold tokenizer ids, dtype notes, sometimes
paths), so the link carries only the fields calc_py actually reads -- found by
asking calc_py itself rather than by a hand-kept list that would go stale: a
field is kept when leaving it out changes the :class:`~calc_py.architecture.
Architecture` that :func:`~calc_py.architecture.from_config` builds (or makes
it fail). It goes after ``#`` in the URL, which browsers never send to a
server, so a static host never sees the model.

"Reads" is tested two ways per field, so that a field whose value happens to
equal calc_py's default (``tie_word_embeddings: false``) still travels, and
the link keeps meaning the same model if a default changes: the field stays
when dropping it, or changing it, changes the architecture.

Format: ``c1.`` + base64url (no padding) of zlib-deflated compact JSON. The
``c1`` prefix versions the format; :func:`from_fragment` refuses anything else,
inflates at most :data:`MAX_JSON_BYTES` (no decompression bomb) and returns a
plain dict for ``from_config`` to validate like any config.json.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from typing import Any, Mapping

from .architecture import Architecture, from_config
from .errors import CalcError

PREFIX = "c1."
#: the inflated JSON may not exceed this (a config's read fields are ~1 KB)
MAX_JSON_BYTES = 256 * 1024
#: a fragment longer than this is refused before decoding (browsers keep ~2 MB URLs)
MAX_FRAGMENT_CHARS = 64 * 1024
#: nested objects whose fields are checked one by one (multimodal configs)
NESTED = ("text_config", "vision_config")


#: real configs nest 2-3 levels (text_config.rope_scaling); the JSON parser recurses per level
MAX_DEPTH = 32


def check_nesting(text: str) -> None:
    """CalcError when a JSON text nests [ / { deeper than :data:`MAX_DEPTH` (strings
    left out). Checked before ``json.loads``, whose recursion can exhaust the C
    stack of a WebAssembly build (Pyodide) before Python's recursion limit."""
    depth = deepest = 0
    for ch in re.sub(r'"(?:[^"\\]|\\.)*"', '""', text):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    if deepest > MAX_DEPTH:
        raise CalcError(f"config is nested more than {MAX_DEPTH} levels deep", field="config")


def _arch(config: Mapping[str, Any]) -> Architecture | None:
    try:
        return from_config(config)
    except CalcError:
        return None


def _changed(value: Any) -> Any:
    """A different value of the same JSON kind (to see whether calc_py reads a field)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 2 + 1
    if isinstance(value, str):
        return value + "~"
    if isinstance(value, list):
        return [] if value else [1]
    if isinstance(value, Mapping):
        return {} if value else {"x": 1}
    return 0


def _needed(holder: dict[str, Any], key: str, root: dict[str, Any], target: Architecture) -> bool:
    """Whether dropping or changing ``holder[key]`` changes what ``root`` describes."""
    value = holder.pop(key)
    dropped = _arch(root)
    holder[key] = _changed(value)
    changed = _arch(root)
    holder[key] = value
    return dropped != target or changed != target


def read_fields(config: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``config`` calc_py reads, nested objects kept nested.

    Each top-level field (and each field of ``text_config`` / ``vision_config``)
    is kept when dropping or changing it changes the architecture; the fields
    kept give exactly the same architecture. Raises CalcError when ``config``
    itself is not a config calc_py reads.
    """
    target = from_config(config)
    work: dict[str, Any] = {k: (dict(v) if k in NESTED and isinstance(v, Mapping) else v)
                            for k, v in config.items()}
    keep: dict[str, Any] = {}
    for key in list(work):
        if key in NESTED and isinstance(work[key], dict):
            inner = {sub: work[key][sub] for sub in list(work[key]) if _needed(work[key], sub, work, target)}
            if inner:
                keep[key] = inner
        elif _needed(work, key, work, target):
            keep[key] = work[key]
    if _arch(keep) != target:      # fields that only matter together: keep the whole config
        return dict(config)
    return keep


def encode(fields: Mapping[str, Any]) -> str:
    """``fields`` (JSON-able) as a fragment value: ``c1.`` + base64url(zlib(JSON))."""
    text = json.dumps(fields, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    packed = zlib.compress(text.encode("utf-8"), 9)
    return PREFIX + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(fragment: str) -> dict[str, Any]:
    """The dict :func:`encode` packed; CalcError for anything else (never another exception)."""
    if not isinstance(fragment, str) or not fragment.startswith(PREFIX):
        raise CalcError("the link's model is not in a format this page reads (it should start with c1.)",
                        field="config")
    if len(fragment) > MAX_FRAGMENT_CHARS:
        raise CalcError("the link's model is too long", field="config")
    body = fragment[len(PREFIX):]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_JSON_BYTES + 1)
        if len(raw) > MAX_JSON_BYTES or inflater.unconsumed_tail:
            raise CalcError("the link's model is too large", field="config")
        text = raw.decode("utf-8")
        check_nesting(text)
        data = json.loads(text)
    except CalcError:
        raise
    except (binascii.Error, ValueError, zlib.error) as exc:   # UnicodeDecodeError, JSONDecodeError are ValueErrors
        raise CalcError(f"the link's model could not be read ({type(exc).__name__})", field="config")
    if not isinstance(data, dict):
        raise CalcError("the link's model is not a config object", field="config")
    return data


def to_fragment(config: Mapping[str, Any]) -> str:
    """The link fragment value of a config.json: only the fields calc_py reads."""
    return encode(read_fields(config))


def from_fragment(fragment: str) -> dict[str, Any]:
    """The config a fragment carries (validate it with ``from_config``, as any config.json)."""
    return decode(fragment)
