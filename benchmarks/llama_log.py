"""Capture llama.cpp's log lines (the oracle scripts parse the sizes it prints).

One callback for both oracle scripts: ``llama_log_set(capture, None)`` once,
``LOG.clear()`` before a call, ``"".join(LOG)`` after it.
"""
from __future__ import annotations

import ctypes

import llama_cpp

LOG: list[str] = []


@llama_cpp.llama_log_callback
def capture(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:  # noqa: ARG001
    LOG.append(text.decode("utf-8", "replace"))
