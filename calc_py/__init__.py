"""calc_py: how much GPU memory an LLM needs, from its real architecture.

Read the package top-down and you read the memory model:
architecture -> inventory (tensors) -> weights (ggml_types, gguf_mix, quants)
-> kv_cache -> compute -> estimate (overhead, totals) -> fit (verdict, solvers).
``api`` is the JSON interface the CLI, the build and the page share.
Standard library only, so it runs unchanged in Pyodide.
"""
__version__ = "0.1.0"
