#!/usr/bin/env python3
"""Build calc_py/data/models.json from the shared model-config transcriptions.

Usage: python3 tools/import_models.py [SHARED_MODELS_DIR] [OUT_JSON]
Defaults: /work/shared/models  calc_py/data/models.json

Inputs: one JSON per model in SHARED_MODELS_DIR ({repo, source, expected_params,
params_source, params_exact, source_quality, covers?, notes?, config}) plus the
EXTRA entries below (configs transcribed from public copies, each with its URL).
Display metadata (name, family, aliases, also, popular) lives in META.
Standard library only.
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SCHEMA = {
    "id": "Hugging Face repo id, as published (the repo whose config is transcribed)",
    "name": "short display name",
    "family": "model family, for grouping",
    "aliases": "short lowercase names people type (incl. the Ollama tag where one exists); unique across the catalog",
    "also": "other Hugging Face repo ids with the same architecture fields (instruct/chat/base twins) that resolve to this entry; unique across the catalog; differences in non-shape fields are listed in notes",
    "expected_params": "a PUBLISHED total parameter count (HF safetensors total, model card, leaderboard record, llama.cpp/chatllm.cpp load log), or null when none was found; never computed",
    "params_exact": "true when expected_params is an exact integer; false when the published figure is rounded",
    "params_source": "where expected_params comes from",
    "source": "URL (or search-index file id) of the public copy the config was transcribed from",
    "source_quality": "how close that copy is to the hub config.json",
    "popular": "true for the entries that get generated lookup pages first",
    "notes": "caveats: revisions, fields that differ between the id and its 'also' twins, counting pitfalls",
    "config_added": "optional: config keys NOT in the source copy that were filled in (with the transformers default or the equivalent field) so every entry has vocab_size/max_position_embeddings; listed as dotted paths",
    "config": "the config.json fields verbatim from the source copy (training-only noise such as dropout, initializer_range, transformers_version, use_cache, quantization_config, _name_or_path and uploader tags dropped); nested text_config/vision_config kept",
}

# id -> (name, family, aliases, also, popular)
META = {
    "Gensyn/Qwen2.5-0.5B-Instruct": ("Qwen2.5 0.5B", "Qwen2.5", ["qwen2.5:0.5b", "qwen2.5-0.5b", "qwen2.5-0.5b-instruct"], ["Qwen/Qwen2.5-0.5B-Instruct", "Qwen/Qwen2.5-0.5B"], False),
    "MiniMaxAI/MiniMax-M2.5": ("MiniMax M2.5", "MiniMax M2", ["minimax-m2.5"], [], False),
    "Qwen/Qwen1.5-MoE-A2.7B-Chat": ("Qwen1.5 MoE A2.7B", "Qwen1.5", ["qwen1.5-moe-a2.7b", "qwen1.5-moe"], ["Qwen/Qwen1.5-MoE-A2.7B"], False),
    "Qwen/Qwen2.5-1.5B-Instruct": ("Qwen2.5 1.5B", "Qwen2.5", ["qwen2.5:1.5b", "qwen2.5-1.5b", "qwen2.5-1.5b-instruct"], ["Qwen/Qwen2.5-1.5B"], False),
    "Qwen/Qwen2.5-14B": ("Qwen2.5 14B", "Qwen2.5", ["qwen2.5:14b", "qwen2.5-14b", "qwen2.5-14b-instruct"], ["Qwen/Qwen2.5-14B-Instruct"], True),
    "Qwen/Qwen2.5-32B-Instruct": ("Qwen2.5 32B Instruct", "Qwen2.5", ["qwen2.5:32b", "qwen2.5-32b-instruct"], [], True),
    "Qwen/Qwen2.5-32B": ("Qwen2.5 32B", "Qwen2.5", ["qwen2.5-32b"], [], False),
    "Qwen/Qwen2.5-3B-Instruct": ("Qwen2.5 3B Instruct", "Qwen2.5", ["qwen2.5:3b", "qwen2.5-3b-instruct"], [], False),
    "Qwen/Qwen2.5-3B": ("Qwen2.5 3B", "Qwen2.5", ["qwen2.5-3b"], [], False),
    "Qwen/Qwen2.5-7B-Instruct": ("Qwen2.5 7B Instruct", "Qwen2.5", ["qwen2.5:7b", "qwen2.5-7b-instruct"], [], True),
    "Qwen/Qwen2.5-7B": ("Qwen2.5 7B", "Qwen2.5", ["qwen2.5-7b"], [], False),
    "Qwen/Qwen3-0.6B": ("Qwen3 0.6B", "Qwen3", ["qwen3:0.6b", "qwen3-0.6b"], ["Qwen/Qwen3-0.6B-Base"], False),
    "Qwen/Qwen3-1.7B": ("Qwen3 1.7B", "Qwen3", ["qwen3:1.7b", "qwen3-1.7b"], ["Qwen/Qwen3-1.7B-Base"], False),
    "Qwen/Qwen3-14B": ("Qwen3 14B", "Qwen3", ["qwen3:14b", "qwen3-14b"], ["Qwen/Qwen3-14B-Base"], True),
    "Qwen/Qwen3-235B-A22B": ("Qwen3 235B-A22B", "Qwen3", ["qwen3:235b", "qwen3-235b-a22b", "qwen3-235b"], [], True),
    "Qwen/Qwen3-30B-A3B": ("Qwen3 30B-A3B", "Qwen3", ["qwen3:30b", "qwen3-30b-a3b", "qwen3-30b"], ["Qwen/Qwen3-30B-A3B-Base"], True),
    "Qwen/Qwen3-32B": ("Qwen3 32B", "Qwen3", ["qwen3:32b", "qwen3-32b"], [], True),
    "Qwen/Qwen3-4B": ("Qwen3 4B", "Qwen3", ["qwen3:4b", "qwen3-4b"], ["Qwen/Qwen3-4B-Base"], False),
    "Qwen/Qwen3-8B": ("Qwen3 8B", "Qwen3", ["qwen3:8b", "qwen3-8b"], ["Qwen/Qwen3-8B-Base"], True),
    "Qwen/Qwen3-Coder-480B-A35B-Instruct": ("Qwen3 Coder 480B-A35B", "Qwen3 Coder", ["qwen3-coder:480b", "qwen3-coder-480b-a35b", "qwen3-coder-480b"], [], False),
    "Qwen/Qwen3-Next-80B-A3B-Instruct": ("Qwen3 Next 80B-A3B", "Qwen3 Next", ["qwen3-next:80b", "qwen3-next-80b-a3b", "qwen3-next-80b"], ["Qwen/Qwen3-Next-80B-A3B-Thinking"], False),
    "Qwen/Qwen3.5-122B-A10B": ("Qwen3.5 122B-A10B", "Qwen3.5", ["qwen3.5-122b-a10b", "qwen3.5-122b"], [], False),
    "Qwen/Qwen3.5-27B": ("Qwen3.5 27B", "Qwen3.5", ["qwen3.5-27b"], [], False),
    "Qwen/Qwen3.5-35B-A3B": ("Qwen3.5 35B-A3B", "Qwen3.5", ["qwen3.5-35b-a3b", "qwen3.5-35b"], [], False),
    "Qwen/Qwen3.5-397B-A17B": ("Qwen3.5 397B-A17B", "Qwen3.5", ["qwen3.5-397b-a17b", "qwen3.5-397b"], [], False),
    "Qwen/Qwen3.5-9B": ("Qwen3.5 9B", "Qwen3.5", ["qwen3.5-9b"], [], False),
    "Qwen/Qwen3.6-35B-A3B": ("Qwen3.6 35B-A3B", "Qwen3.6", ["qwen3.6-35b-a3b", "qwen3.6-35b"], [], False),
    "codellama/CodeLlama-7b-hf": ("Code Llama 7B", "Code Llama", ["codellama:7b", "codellama-7b", "code-llama-7b"], ["codellama/CodeLlama-7b-Instruct-hf"], False),
    "deepseek-ai/DeepSeek-Coder-V2-Instruct": ("DeepSeek Coder V2 236B", "DeepSeek Coder V2", ["deepseek-coder-v2:236b", "deepseek-coder-v2-236b", "deepseek-coder-v2"], ["deepseek-ai/DeepSeek-Coder-V2-Base"], False),
    "deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct": ("DeepSeek Coder V2 Lite 16B", "DeepSeek Coder V2", ["deepseek-coder-v2:16b", "deepseek-coder-v2-lite"], ["deepseek-ai/DeepSeek-Coder-V2-Lite-Base"], False),
    "deepseek-ai/DeepSeek-R1-Distill-Llama-8B": ("DeepSeek R1 Distill Llama 8B", "DeepSeek R1 Distill", ["deepseek-r1:8b", "deepseek-r1-distill-llama-8b"], [], True),
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B": ("DeepSeek R1 Distill Qwen 32B", "DeepSeek R1 Distill", ["deepseek-r1:32b", "deepseek-r1-distill-qwen-32b"], [], True),
    "deepseek-ai/DeepSeek-R1": ("DeepSeek R1", "DeepSeek V3/R1", ["deepseek-r1:671b", "deepseek-r1", "deepseek-r1-671b"], ["deepseek-ai/DeepSeek-R1-0528", "deepseek-ai/DeepSeek-R1-Zero"], True),
    "deepseek-ai/DeepSeek-V2-Lite": ("DeepSeek V2 Lite 16B", "DeepSeek V2", ["deepseek-v2:16b", "deepseek-v2-lite"], ["deepseek-ai/DeepSeek-V2-Lite-Chat"], False),
    "deepseek-ai/DeepSeek-V3.2": ("DeepSeek V3.2", "DeepSeek V3.2", ["deepseek-v3.2"], ["deepseek-ai/DeepSeek-V3.2-Exp"], False),
    "deepseek-ai/DeepSeek-V3": ("DeepSeek V3", "DeepSeek V3/R1", ["deepseek-v3:671b", "deepseek-v3", "deepseek-v3-671b"], ["deepseek-ai/DeepSeek-V3-0324", "deepseek-ai/DeepSeek-V3-Base"], True),
    "facebook/opt-125m": ("OPT 125M", "OPT", ["opt-125m"], [], False),
    "google/gemma-2-27b": ("Gemma 2 27B", "Gemma 2", ["gemma2:27b", "gemma-2-27b"], ["google/gemma-2-27b-it"], False),
    "google/gemma-2-2b-it": ("Gemma 2 2B", "Gemma 2", ["gemma2:2b", "gemma-2-2b", "gemma-2-2b-it"], ["google/gemma-2-2b"], False),
    "google/gemma-2-9b": ("Gemma 2 9B", "Gemma 2", ["gemma2:9b", "gemma-2-9b"], ["google/gemma-2-9b-it"], True),
    "google/gemma-2b": ("Gemma 2B", "Gemma", ["gemma:2b", "gemma-2b"], ["google/gemma-2b-it"], False),
    "google/gemma-3-1b-it": ("Gemma 3 1B", "Gemma 3", ["gemma3:1b", "gemma-3-1b", "gemma-3-1b-it"], ["google/gemma-3-1b-pt"], False),
    "google/gemma-3-27b-it": ("Gemma 3 27B", "Gemma 3", ["gemma3:27b", "gemma-3-27b", "gemma-3-27b-it"], ["google/gemma-3-27b-pt"], True),
    "google/gemma-4-26B-A4B": ("Gemma 4 26B-A4B", "Gemma 4", ["gemma-4-26b-a4b", "gemma4-26b"], ["google/gemma-4-26B-A4B-it"], False),
    "meta-llama/Llama-2-13b-hf": ("Llama 2 13B", "Llama 2", ["llama2:13b", "llama-2-13b", "llama2-13b"], ["meta-llama/Llama-2-13b-chat-hf"], False),
    "meta-llama/Llama-2-70b-hf": ("Llama 2 70B", "Llama 2", ["llama2:70b", "llama-2-70b", "llama2-70b"], ["meta-llama/Llama-2-70b-chat-hf"], False),
    "meta-llama/Llama-2-7b-hf": ("Llama 2 7B", "Llama 2", ["llama2:7b", "llama-2-7b", "llama2-7b"], ["meta-llama/Llama-2-7b-chat-hf"], False),
    "meta-llama/Llama-3.1-405B": ("Llama 3.1 405B", "Llama 3.1", ["llama3.1:405b", "llama-3.1-405b", "llama3.1-405b"], ["meta-llama/Llama-3.1-405B-Instruct", "meta-llama/Meta-Llama-3.1-405B"], False),
    "meta-llama/Llama-3.1-70B": ("Llama 3.1 70B", "Llama 3.1", ["llama3.1:70b", "llama-3.1-70b", "llama3.1-70b"], ["meta-llama/Llama-3.1-70B-Instruct", "meta-llama/Meta-Llama-3.1-70B"], True),
    "meta-llama/Llama-3.1-8B": ("Llama 3.1 8B", "Llama 3.1", ["llama3.1:8b", "llama-3.1-8b", "llama3.1-8b"], ["meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Meta-Llama-3.1-8B", "meta-llama/Meta-Llama-3.1-8B-Instruct"], True),
    "meta-llama/Llama-3.2-1B-Instruct": ("Llama 3.2 1B", "Llama 3.2", ["llama3.2:1b", "llama-3.2-1b", "llama3.2-1b"], ["meta-llama/Llama-3.2-1B"], False),
    "meta-llama/Llama-3.2-3B": ("Llama 3.2 3B", "Llama 3.2", ["llama3.2:3b", "llama-3.2-3b", "llama3.2-3b"], ["meta-llama/Llama-3.2-3B-Instruct"], True),
    "meta-llama/Llama-3.3-70B-Instruct": ("Llama 3.3 70B", "Llama 3.3", ["llama3.3:70b", "llama-3.3-70b", "llama3.3-70b"], [], True),
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct": ("Llama 4 Maverick 17B-128E", "Llama 4", ["llama4:maverick", "llama-4-maverick", "llama4-maverick"], ["meta-llama/Llama-4-Maverick-17B-128E"], False),
    "meta-llama/Llama-4-Scout-17B-16E-Instruct": ("Llama 4 Scout 17B-16E", "Llama 4", ["llama4:scout", "llama4:16x17b", "llama-4-scout", "llama4-scout"], ["meta-llama/Llama-4-Scout-17B-16E"], False),
    "meta-llama/Meta-Llama-3-8B": ("Llama 3 8B", "Llama 3", ["llama3:8b", "llama-3-8b", "llama3-8b"], ["meta-llama/Meta-Llama-3-8B-Instruct"], False),
    "microsoft/Phi-3-medium-4k-instruct": ("Phi-3 Medium 4k", "Phi-3", ["phi3:medium", "phi3:14b", "phi-3-medium"], [], False),
    "microsoft/Phi-3-mini-4k-instruct": ("Phi-3 Mini 4k", "Phi-3", ["phi3:mini", "phi3:3.8b", "phi-3-mini"], [], False),
    "microsoft/Phi-3.5-mini-instruct": ("Phi-3.5 Mini", "Phi-3.5", ["phi3.5:3.8b", "phi3.5", "phi-3.5-mini"], [], False),
    "microsoft/Phi-4-mini-instruct": ("Phi-4 Mini", "Phi-4", ["phi4-mini:3.8b", "phi4-mini", "phi-4-mini"], [], False),
    "microsoft/phi-2": ("Phi-2", "Phi-2", ["phi:2.7b", "phi-2", "phi2"], [], False),
    "microsoft/phi-4": ("Phi-4 14B", "Phi-4", ["phi4:14b", "phi4", "phi-4"], [], True),
    "mistralai/Magistral-Small-2509": ("Magistral Small 2509 24B", "Mistral Small 3.x", ["magistral:24b", "magistral-small-2509", "magistral-small"], ["mistralai/Mistral-Small-3.2-24B-Instruct-2506"], False),
    "mistralai/Mistral-7B-v0.3": ("Mistral 7B v0.3", "Mistral 7B", ["mistral:7b", "mistral-7b", "mistral-7b-v0.3"], ["mistralai/Mistral-7B-Instruct-v0.3"], True),
    "mistralai/Mixtral-8x22B-v0.1": ("Mixtral 8x22B", "Mixtral", ["mixtral:8x22b", "mixtral-8x22b"], ["mistralai/Mixtral-8x22B-Instruct-v0.1"], False),
    "mistralai/Mixtral-8x7B-v0.1": ("Mixtral 8x7B", "Mixtral", ["mixtral:8x7b", "mixtral-8x7b"], ["mistralai/Mixtral-8x7B-Instruct-v0.1"], True),
    "moonshotai/Kimi-K2-Instruct": ("Kimi K2", "Kimi K2", ["kimi-k2", "kimi-k2-instruct"], ["moonshotai/Kimi-K2-Base"], False),
    "openai/gpt-oss-120b": ("gpt-oss 120B", "gpt-oss", ["gpt-oss:120b", "gpt-oss-120b"], [], True),
    "openai/gpt-oss-20b": ("gpt-oss 20B", "gpt-oss", ["gpt-oss:20b", "gpt-oss-20b"], [], True),
    "zai-org/GLM-4.5-Air": ("GLM-4.5 Air", "GLM-4.5", ["glm-4.5-air", "glm4.5-air"], ["zai-org/GLM-4.5-Air-Base"], False),
    # extras
    "Qwen/Qwen2.5-72B-Instruct": ("Qwen2.5 72B", "Qwen2.5", ["qwen2.5:72b", "qwen2.5-72b", "qwen2.5-72b-instruct"], ["Qwen/Qwen2.5-72B"], True),
    "Qwen/Qwen2-72B": ("Qwen2 72B", "Qwen2", ["qwen2:72b", "qwen2-72b"], ["Qwen/Qwen2-72B-Instruct"], False),
    "Qwen/QwQ-32B": ("QwQ 32B", "QwQ", ["qwq:32b", "qwq-32b", "qwq"], [], True),
    "Qwen/Qwen2.5-Coder-32B-Instruct": ("Qwen2.5 Coder 32B", "Qwen2.5 Coder", ["qwen2.5-coder:32b", "qwen2.5-coder-32b"], ["Qwen/Qwen2.5-Coder-32B"], False),
    "mistralai/Mistral-Nemo-Base-2407": ("Mistral Nemo 12B", "Mistral Nemo", ["mistral-nemo:12b", "mistral-nemo", "mistral-nemo-12b"], ["mistralai/Mistral-Nemo-Instruct-2407"], True),
    "mistralai/Mistral-Small-24B-Instruct-2501": ("Mistral Small 3 24B", "Mistral Small 3.x", ["mistral-small:24b", "mistral-small-24b", "mistral-small-3"], ["mistralai/Mistral-Small-24B-Base-2501"], False),
    "CohereForAI/c4ai-command-r-v01": ("Command R 35B (v01)", "Command R", ["command-r:35b", "command-r-v01", "c4ai-command-r-v01"], [], False),
    "CohereForAI/c4ai-command-r-08-2024": ("Command R 08-2024 32B", "Command R", ["command-r-08-2024", "c4ai-command-r-08-2024"], [], False),
    "deepseek-ai/DeepSeek-R1-Distill-Llama-70B": ("DeepSeek R1 Distill Llama 70B", "DeepSeek R1 Distill", ["deepseek-r1:70b", "deepseek-r1-distill-llama-70b"], [], False),
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B": ("DeepSeek R1 Distill Qwen 7B", "DeepSeek R1 Distill", ["deepseek-r1:7b", "deepseek-r1-distill-qwen-7b"], [], False),
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B": ("DeepSeek R1 Distill Qwen 1.5B", "DeepSeek R1 Distill", ["deepseek-r1:1.5b", "deepseek-r1-distill-qwen-1.5b"], [], False),
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B": ("DeepSeek R1 Distill Qwen 14B", "DeepSeek R1 Distill", ["deepseek-r1:14b", "deepseek-r1-distill-qwen-14b"], [], False),
    "HuggingFaceTB/SmolLM2-1.7B-Instruct": ("SmolLM2 1.7B", "SmolLM2", ["smollm2:1.7b", "smollm2-1.7b", "smollm2-1.7b-instruct"], ["HuggingFaceTB/SmolLM2-1.7B"], False),
}

# Entries added for issue 13 item 2 (the models people run in 2025-26): one per
# shared transcription in /work/shared/models that is not a re-quantization of
# another entry (those are folded in as `also`, see FOLDED below).
META.update({
    "CohereForAI/aya-23-8B": ("Aya 23 8B", "Aya", ["aya:8b", "aya-23-8b"], [], False),
    "LGAI-EXAONE/EXAONE-4.0-1.2B": ("EXAONE 4.0 1.2B", "EXAONE 4.0", ["exaone4:1.2b", "exaone-4.0-1.2b"], [], False),
    "LGAI-EXAONE/EXAONE-4.0-32B": ("EXAONE 4.0 32B", "EXAONE 4.0", ["exaone4:32b", "exaone-4.0-32b"], [], False),
    "LiquidAI/LFM2.5-VL-1.6B": ("LFM2.5 VL 1.6B", "LFM2", ["lfm2.5-vl-1.6b", "lfm2.5-vl"], [], False),
    "MiniMaxAI/MiniMax-M2.7": ("MiniMax M2.7", "MiniMax M2", ["minimax-m2.7"], ["nvidia/MiniMax-M2.7-NVFP4"], False),
    "Qwen/Qwen2-7B-Instruct": ("Qwen2 7B Instruct", "Qwen2", ["qwen2:7b", "qwen2-7b-instruct", "qwen2-7b"], ["Qwen/Qwen2-7B"], False),
    "Qwen/Qwen2.5-VL-3B-Instruct": ("Qwen2.5 VL 3B", "Qwen2.5 VL", ["qwen2.5vl:3b", "qwen2.5-vl-3b"], [], False),
    "Qwen/Qwen2.5-VL-7B-Instruct": ("Qwen2.5 VL 7B", "Qwen2.5 VL", ["qwen2.5vl:7b", "qwen2.5-vl-7b"], [], False),
    "Qwen/Qwen3-235B-A22B-Instruct-2507": ("Qwen3 235B-A22B Instruct 2507", "Qwen3", ["qwen3-235b-a22b-instruct-2507", "qwen3-235b-2507"], [], False),
    "Qwen/Qwen3-235B-A22B-Thinking-2507": ("Qwen3 235B-A22B Thinking 2507", "Qwen3", ["qwen3-235b-a22b-thinking-2507"], [], False),
    "Qwen/Qwen3-30B-A3B-Thinking-2507": ("Qwen3 30B-A3B Thinking 2507", "Qwen3", ["qwen3-30b-a3b-thinking-2507"], ["Qwen/Qwen3-30B-A3B-Thinking-2507-FP8"], False),
    "Qwen/Qwen3-4B-Instruct-2507": ("Qwen3 4B Instruct 2507", "Qwen3", ["qwen3-4b-instruct-2507"], [], False),
    "Qwen/Qwen3-4B-Thinking-2507": ("Qwen3 4B Thinking 2507", "Qwen3", ["qwen3-4b-thinking-2507"], [], False),
    "Qwen/Qwen3-Coder-30B-A3B-Instruct": ("Qwen3 Coder 30B-A3B", "Qwen3 Coder", ["qwen3-coder:30b", "qwen3-coder-30b-a3b", "qwen3-coder-30b"], [], True),
    "Qwen/Qwen3-VL-235B-A22B-Instruct": ("Qwen3 VL 235B-A22B", "Qwen3 VL", ["qwen3-vl:235b", "qwen3-vl-235b-a22b"], [], False),
    "Qwen/Qwen3-VL-2B-Instruct": ("Qwen3 VL 2B", "Qwen3 VL", ["qwen3-vl:2b", "qwen3-vl-2b"], [], False),
    "Qwen/Qwen3-VL-30B-A3B-Instruct": ("Qwen3 VL 30B-A3B", "Qwen3 VL", ["qwen3-vl:30b", "qwen3-vl-30b-a3b"], [], False),
    "Qwen/Qwen3-VL-32B-Instruct": ("Qwen3 VL 32B", "Qwen3 VL", ["qwen3-vl:32b", "qwen3-vl-32b"], [], False),
    "Qwen/Qwen3-VL-32B-Thinking": ("Qwen3 VL 32B Thinking", "Qwen3 VL", ["qwen3-vl-32b-thinking"], [], False),
    "Qwen/Qwen3-VL-4B-Instruct": ("Qwen3 VL 4B", "Qwen3 VL", ["qwen3-vl:4b", "qwen3-vl-4b"], [], False),
    "Qwen/Qwen3-VL-8B-Instruct": ("Qwen3 VL 8B", "Qwen3 VL", ["qwen3-vl:8b", "qwen3-vl-8b"], [], False),
    "Qwen/Qwen3.5-0.8B-Base": ("Qwen3.5 0.8B", "Qwen3.5", ["qwen3.5-0.8b"], ["Qwen/Qwen3.5-0.8B"], False),
    "Qwen/Qwen3.5-4B": ("Qwen3.5 4B", "Qwen3.5", ["qwen3.5-4b"], [], False),
    "Qwen/Qwen3.6-27B": ("Qwen3.6 27B", "Qwen3.6", ["qwen3.6-27b"], ["nvidia/Qwen3.6-27B-NVFP4"], False),
    "XiaomiMiMo/MiMo-7B-Base": ("MiMo 7B", "MiMo", ["mimo-7b"], [], False),
    "XiaomiMiMo/MiMo-V2-Flash": ("MiMo V2 Flash", "MiMo", ["mimo-v2-flash"], [], False),
    "allenai/OLMo-2-0325-32B": ("OLMo 2 32B", "OLMo 2", ["olmo2:32b", "olmo-2-32b"], [], False),
    "allenai/OLMo-2-1124-13B": ("OLMo 2 13B", "OLMo 2", ["olmo2:13b", "olmo-2-13b"], [], False),
    "allenai/OLMo-2-1124-7B": ("OLMo 2 7B", "OLMo 2", ["olmo2:7b", "olmo-2-7b"], [], False),
    "allenai/Olmo-3.1-32B-Instruct": ("Olmo 3.1 32B Instruct", "OLMo 3", ["olmo-3.1-32b", "olmo3.1:32b"], [], False),
    "allenai/olmOCR-2-7B-1025": ("olmOCR 2 7B", "OLMo", ["olmocr-2-7b"], [], False),
    "baidu/ERNIE-4.5-21B-A3B-Thinking": ("ERNIE 4.5 21B-A3B Thinking", "ERNIE 4.5", ["ernie-4.5-21b-a3b", "ernie4.5:21b"], ["baidu/ERNIE-4.5-21B-A3B-PT"], False),
    "deepseek-ai/deepseek-moe-16b-base": ("DeepSeek MoE 16B", "DeepSeek MoE", ["deepseek-moe-16b"], [], False),
    "dphn/dolphin-2.9.1-yi-1.5-34b": ("Dolphin 2.9.1 Yi 1.5 34B", "Yi 1.5", ["dolphin-2.9.1-yi-1.5-34b", "yi-1.5-34b"], [], False),
    "google/gemma-3-270m": ("Gemma 3 270M", "Gemma 3", ["gemma3:270m", "gemma-3-270m"], ["google/gemma-3-270m-it"], False),
    "google/gemma-3-4b-it": ("Gemma 3 4B", "Gemma 3", ["gemma3:4b", "gemma-3-4b", "gemma-3-4b-it"], ["google/gemma-3-4b-pt"], True),
    "google/gemma-4-31B-it": ("Gemma 4 31B", "Gemma 4", ["gemma-4-31b", "gemma4-31b"], ["nvidia/Gemma-4-31B-IT-NVFP4"], False),
    "google/gemma-4-E2B-it": ("Gemma 4 E2B", "Gemma 4", ["gemma-4-e2b", "gemma4-e2b"], [], False),
    "google/gemma-4-E4B-it": ("Gemma 4 E4B", "Gemma 4", ["gemma-4-e4b", "gemma4-e4b"], [], False),
    "humain-ai/ALLaM-7B-Instruct-preview": ("ALLaM 7B", "ALLaM", ["allam-7b"], [], False),
    "inclusionAI/Ling-flash-2.0": ("Ling flash 2.0", "Ling 2.0", ["ling-flash-2.0"], [], False),
    "internlm/internlm2_5-7b-chat": ("InternLM 2.5 7B", "InternLM", ["internlm2.5:7b", "internlm2_5-7b-chat"], [], False),
    "meta-llama/Llama-3.2-11B-Vision": ("Llama 3.2 11B Vision", "Llama 3.2", ["llama3.2-vision:11b", "llama-3.2-11b-vision"], ["meta-llama/Llama-3.2-11B-Vision-Instruct"], False),
    "meta-llama/Llama-3.2-90B-Vision-Instruct": ("Llama 3.2 90B Vision", "Llama 3.2", ["llama3.2-vision:90b", "llama-3.2-90b-vision"], [], False),
    "microsoft/Phi-3.5-vision-instruct": ("Phi-3.5 Vision", "Phi-3.5", ["phi-3.5-vision"], [], False),
    "microsoft/Phi-4-multimodal-instruct": ("Phi-4 Multimodal", "Phi-4", ["phi-4-multimodal"], [], False),
    "mistralai/Devstral-2-123B-Instruct-2512": ("Devstral 2 123B", "Devstral", ["devstral-2:123b", "devstral-2-123b"], [], False),
    "mistralai/Devstral-Small-2-24B-Instruct-2512": ("Devstral Small 2 24B", "Devstral", ["devstral-small-2:24b", "devstral-small-2"], [], False),
    "mistralai/Ministral-3-3B-Instruct-2512": ("Ministral 3 3B", "Ministral 3", ["ministral-3:3b", "ministral-3-3b"], [], False),
    "mistralai/Ministral-3-3B-Reasoning-2512": ("Ministral 3 3B Reasoning", "Ministral 3", ["ministral-3-3b-reasoning"], [], False),
    "mistralai/Mistral-Small-3.1-24B-Instruct-2503": ("Mistral Small 3.1 24B", "Mistral Small 3.x", ["mistral-small3.1:24b", "mistral-small-3.1"], ["mistralai/Mistral-Small-3.1-24B-Base-2503"], False),
    "mistralai/Voxtral-Mini-3B-2507": ("Voxtral Mini 3B", "Voxtral", ["voxtral-mini-3b"], [], False),
    "moonshotai/Kimi-K2.5": ("Kimi K2.5", "Kimi K2", ["kimi-k2.5"], ["nvidia/Kimi-K2.5-NVFP4"], False),
    "moonshotai/Kimi-Linear-48B-A3B-Instruct": ("Kimi Linear 48B-A3B", "Kimi Linear", ["kimi-linear-48b-a3b"], [], False),
    "nvidia/DeepSeek-V3.1-NVFP4": ("DeepSeek V3.1", "DeepSeek V3/R1", ["deepseek-v3.1"], ["deepseek-ai/DeepSeek-V3.1", "deepseek-ai/DeepSeek-V3.1-Terminus"], False),
    "nvidia/Llama-3_3-Nemotron-Super-49B-v1": ("Llama 3.3 Nemotron Super 49B", "Nemotron", ["nemotron-super-49b"], [], False),
    "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16": ("Nemotron 3 Nano 30B-A3B", "Nemotron", ["nemotron-3-nano", "nemotron-3-nano-30b-a3b"], ["nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4"], False),
    "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8": ("Nemotron 3 Super 120B-A12B", "Nemotron", ["nemotron-3-super", "nemotron-3-super-120b-a12b"], ["nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4", "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-BF16"], False),
    "nvidia/Nemotron-H-56B-Base-8K": ("Nemotron-H 56B", "Nemotron", ["nemotron-h-56b"], [], False),
    "tiiuae/Falcon-H1-0.5B-Instruct": ("Falcon-H1 0.5B", "Falcon-H1", ["falcon-h1-0.5b"], [], False),
    "zai-org/GLM-4.5V": ("GLM-4.5V", "GLM-4.5", ["glm-4.5v"], [], False),
    "zai-org/GLM-4.7-Flash": ("GLM-4.7 Flash", "GLM-4.7", ["glm-4.7-flash"], [], False),
    # configs bundled in aiconfigurator / mlc-llm presets (EXTRA)
    "nvidia/Kimi-K2.6-NVFP4": ("Kimi K2.6", "Kimi K2", ["kimi-k2.6"], ["moonshotai/Kimi-K2.6"], False),
    "nvidia/Kimi-K2.7-Code-NVFP4": ("Kimi K2.7 Code", "Kimi K2", ["kimi-k2.7-code"], ["moonshotai/Kimi-K2.7-Code"], False),
    "moonshotai/Kimi-K3": ("Kimi K3", "Kimi K3", ["kimi-k3"], [], False),
    "MiniMaxAI/MiniMax-M3": ("MiniMax M3", "MiniMax M3", ["minimax-m3"], ["nvidia/MiniMax-M3-NVFP4"], False),
    "deepseek-ai/DeepSeek-V4-Flash": ("DeepSeek V4 Flash", "DeepSeek V4", ["deepseek-v4-flash"], ["nvidia/DeepSeek-V4-Flash-NVFP4", "sgl-project/DeepSeek-V4-Flash-FP8", "RedHatAI/DeepSeek-V4-Flash-NVFP4-FP8"], False),
    "deepseek-ai/DeepSeek-V4-Pro": ("DeepSeek V4 Pro", "DeepSeek V4", ["deepseek-v4-pro", "deepseek-v4"], ["nvidia/DeepSeek-V4-Pro-NVFP4", "sgl-project/DeepSeek-V4-Pro-FP8"], False),
    "nvidia/NVIDIA-Nemotron-3-Ultra-550B-A55B-BF16": ("Nemotron 3 Ultra 550B-A55B", "Nemotron", ["nemotron-3-ultra", "nemotron-3-ultra-550b-a55b"], ["nvidia/NVIDIA-Nemotron-3-Ultra-550B-A55B-FP8", "nvidia/NVIDIA-Nemotron-3-Ultra-550B-A55B-NVFP4"], False),
    "nvidia/NVIDIA-Nemotron-3.5-Lightning-30B-A3B-NVFP4": ("Nemotron 3.5 Lightning 30B-A3B", "Nemotron", ["nemotron-3.5-lightning", "nemotron-3.5-lightning-30b-a3b"], [], False),
    "stepfun-ai/Step-3.7-Flash": ("Step 3.7 Flash", "Step", ["step-3.7-flash"], ["stepfun-ai/Step-3.7-Flash-FP8"], False),
    "zai-org/GLM-5": ("GLM-5", "GLM-5", ["glm-5"], ["zai-org/GLM-5-FP8", "nvidia/GLM-5-NVFP4"], False),
    "zai-org/GLM-5.1": ("GLM-5.1", "GLM-5", ["glm-5.1"], ["zai-org/GLM-5.1-FP8", "nvidia/GLM-5.1-NVFP4"], False),
    "zai-org/GLM-5.2": ("GLM-5.2", "GLM-5", ["glm-5.2"], ["zai-org/GLM-5.2-FP8", "nvidia/GLM-5.2-NVFP4"], False),
    "HuggingFaceTB/SmolLM2-135M-Instruct": ("SmolLM2 135M", "SmolLM2", ["smollm2:135m", "smollm2-135m", "smollm2-135m-instruct"], ["HuggingFaceTB/SmolLM2-135M"], False),
    "HuggingFaceTB/SmolLM2-360M-Instruct": ("SmolLM2 360M", "SmolLM2", ["smollm2:360m", "smollm2-360m", "smollm2-360m-instruct"], ["HuggingFaceTB/SmolLM2-360M"], False),
    "codellama/CodeLlama-13b-hf": ("Code Llama 13B", "Code Llama", ["codellama:13b", "codellama-13b", "code-llama-13b"], ["codellama/CodeLlama-13b-Instruct-hf"], False),
    "TinyLlama/TinyLlama-1.1B-Chat-v1.0": ("TinyLlama 1.1B Chat", "TinyLlama", ["tinyllama:1.1b", "tinyllama", "tinyllama-1.1b"], [], False),
})

# Re-quantized or twin uploads whose shared transcription repeats another
# entry's architecture: they resolve to that entry (as `also`) instead of being
# a second catalog row with the same numbers.
FOLDED = {
    "Qwen/Qwen2.5-0.5B": "Gensyn/Qwen2.5-0.5B-Instruct",
    "Qwen/Qwen3-30B-A3B-Base": "Qwen/Qwen3-30B-A3B",
    "deepseek-ai/DeepSeek-V2-Lite-Chat": "deepseek-ai/DeepSeek-V2-Lite",
    "meta-llama/Llama-3.1-70B-Instruct": "meta-llama/Llama-3.1-70B",
    "meta-llama/Llama-3.1-8B-Instruct": "meta-llama/Llama-3.1-8B",
    "meta-llama/Llama-3.2-3B-Instruct": "meta-llama/Llama-3.2-3B",
    "meta-llama/Meta-Llama-3-8B-Instruct": "meta-llama/Meta-Llama-3-8B",
    "Qwen/Qwen3-235B-A22B-FP8": "Qwen/Qwen3-235B-A22B",
    "nvidia/Qwen3-235B-A22B-NVFP4": "Qwen/Qwen3-235B-A22B",
    "Qwen/Qwen3-30B-A3B-FP8": "Qwen/Qwen3-30B-A3B",
    "Qwen/Qwen3-30B-A3B-Thinking-2507-FP8": "Qwen/Qwen3-30B-A3B-Thinking-2507",
    "Qwen/Qwen3-32B-FP8": "Qwen/Qwen3-32B",
    "Qwen/Qwen3-8B-FP8": "Qwen/Qwen3-8B",
    "nvidia/Qwen3.5-122B-A10B-NVFP4": "Qwen/Qwen3.5-122B-A10B",
    "nvidia/Qwen3.5-397B-A17B-NVFP4": "Qwen/Qwen3.5-397B-A17B",
    "nvidia/Qwen3.6-27B-NVFP4": "Qwen/Qwen3.6-27B",
    "nvidia/Qwen3.6-35B-A3B-NVFP4": "Qwen/Qwen3.6-35B-A3B",
    "nvidia/Kimi-K2.5-NVFP4": "moonshotai/Kimi-K2.5",
    "nvidia/MiniMax-M2.7-NVFP4": "MiniMaxAI/MiniMax-M2.7",
    "nvidia/Gemma-4-26B-A4B-NVFP4": "google/gemma-4-26B-A4B",
    "nvidia/Gemma-4-31B-IT-NVFP4": "google/gemma-4-31B-it",
    "nvidia/DeepSeek-V3.2-NVFP4": "deepseek-ai/DeepSeek-V3.2",
    "nvidia/Llama-3.1-70B-Instruct-FP8": "meta-llama/Llama-3.1-70B",
    "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-NVFP4": "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16",
    "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4": "nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8",
}

_QWEN_72 = {"architectures": ["Qwen2ForCausalLM"], "bos_token_id": 151643, "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 8192, "intermediate_size": 29568, "max_position_embeddings": 32768, "max_window_layers": 70, "model_type": "qwen2", "num_attention_heads": 64, "num_hidden_layers": 80, "num_key_value_heads": 8, "rms_norm_eps": 1e-06, "rope_scaling": None, "rope_theta": 1000000.0, "sliding_window": None, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_sliding_window": False, "vocab_size": 152064}

EXTRA = [
    {"repo": "Qwen/Qwen2.5-72B-Instruct",
     "source": "https://huggingface.co/setfunctionenvironment/silverspoon-v1-72b/blob/main/config.json",
     "source_quality": "fine-tune re-save (\"_name_or_path\": \"Qwen/Qwen2.5-72B-Instruct\"); architecture fields as in the hub file; also matches https://huggingface.co/OPEA/Qwen2.5-72B-Instruct-int4-sym-inc/blame/main/config.json",
     "expected_params": 72706000000, "params_exact": False,
     "params_source": "Open Arabic LLM Leaderboard request record for Qwen/Qwen2.5-72B, \"params\": 72.706 (billions, rounded): https://huggingface.co/datasets/OALL/requests_v2/blame/fc24edc9ad696521e9346a7d482767877ada0092/Qwen/Qwen2.5-72B_eval_request_False_bfloat16_Original.json (the Instruct record in StarscreamDeceptions/requests says 72.7)",
     "notes": "The base Qwen/Qwen2.5-72B config differs only in non-shape fields (max_position_embeddings 131072, rms_norm_eps 1e-05, eos 151643, max_window_layers 80), per the copy https://huggingface.co/BitStack/BitStack-Qwen2.5-72B/blame/main/config.json.",
     "config": dict(_QWEN_72)},
    {"repo": "Qwen/Qwen2-72B",
     "source": "https://huggingface.co/Qwen/Qwen2-72B/blob/c03367ee2f85a5f870d5aa3feb9928c9156e048f/config.json",
     "source_quality": "hub file at a pinned revision",
     "expected_params": 72700000000, "params_exact": False,
     "params_source": "Open Arabic LLM Leaderboard request record for Qwen/Qwen2-72B, \"params\": 72.7 (billions, rounded): https://huggingface.co/datasets/OALL/requests/blame/ff1102fc30de4e738d69103575bd004df0e96cc5/Qwen/Qwen2-72B_eval_request_False_bfloat16_Original.json",
     "notes": "Same tensor shapes as Qwen2.5-72B. Qwen2-72B-Instruct uses max_position_embeddings 32768 (see https://huggingface.co/dnhkng/RYS-XLarge/blob/b6fc80ad8a15221ba51380b5b601f5a6ff4e9523/config.json, a derivative).",
     "config": {"architectures": ["Qwen2ForCausalLM"], "bos_token_id": 151643, "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 8192, "intermediate_size": 29568, "max_position_embeddings": 131072, "max_window_layers": 28, "model_type": "qwen2", "num_attention_heads": 64, "num_hidden_layers": 80, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 1000000.0, "sliding_window": 131072, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_sliding_window": False, "vocab_size": 152064}},
    {"repo": "Qwen/QwQ-32B",
     "source": "https://huggingface.co/unsloth/QwQ-32B/blob/403266f19437562e1152ca719315275081826623/config.json",
     "source_quality": "unsloth re-upload of the same weights (\"_name_or_path\": \"Qwen/QwQ-32B\"); unsloth's added pad_token_id 151654 and unsloth_fixed dropped",
     "expected_params": None, "params_exact": False,
     "params_source": "no published count found",
     "notes": "No published count found; tensor shapes are those of Qwen2.5-32B (analytic 32,763,876,352).",
     "config": {"architectures": ["Qwen2ForCausalLM"], "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 5120, "intermediate_size": 27648, "max_position_embeddings": 131072, "max_window_layers": 64, "model_type": "qwen2", "num_attention_heads": 40, "num_hidden_layers": 64, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_sliding_window": False, "vocab_size": 152064}},
    {"repo": "Qwen/Qwen2.5-Coder-32B-Instruct",
     "source": "https://huggingface.co/ai-team-20/qwen3-coder-480b-3/commit/6e6b0cb69a58fc511a4dbfe5ac908e26dbd27580",
     "source_quality": "verbatim copy in a third-party repo commit titled \"Add config.json from Qwen/Qwen2.5-Coder-32B-Instruct\"",
     "expected_params": None, "params_exact": False,
     "params_source": "no published count found",
     "notes": "No published count found; tensor shapes are those of Qwen2.5-32B (analytic 32,763,876,352). The base Qwen/Qwen2.5-Coder-32B has max_position_embeddings 131072 on the hub (not verified here).",
     "config": {"architectures": ["Qwen2ForCausalLM"], "bos_token_id": 151643, "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 5120, "intermediate_size": 27648, "max_position_embeddings": 32768, "max_window_layers": 64, "model_type": "qwen2", "num_attention_heads": 40, "num_hidden_layers": 64, "num_key_value_heads": 8, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 131072, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_sliding_window": False, "vocab_size": 152064}},
    {"repo": "mistralai/Mistral-Nemo-Base-2407",
     "source": "https://github.com/kevinstephano/thunder_model_blocks/blob/a23dd8fe87e974d06332635cfd3064614c47ae27/thunder_model_blocks/mistral/mistral_config.py",
     "source_quality": "verbatim copy (\"_name_or_path\": \"mistralai/Mistral-Nemo-Base-2407\") embedded in a benchmark script",
     "expected_params": 12247782400, "params_exact": True,
     "params_source": "chatllm.cpp load banner \"with 12247782400 (12.2B) parameters\" for its mistral-nemo model: https://github.com/foldl/chatllm.cpp/issues/29",
     "notes": "Mistral-Nemo-Instruct-2407 has the same shapes; its config says max_position_embeddings 1024000 (copies: https://huggingface.co/crestf411/MN-SlushoMix/blob/main/config.json) while the base says 128000; the model card states a 128k context window. The model card's 'Hidden dim: 14,436' is a typo for 14336.",
     "config": {"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "head_dim": 128, "hidden_act": "silu", "hidden_size": 5120, "intermediate_size": 14336, "max_position_embeddings": 128000, "model_type": "mistral", "num_attention_heads": 32, "num_hidden_layers": 40, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 1000000.0, "sliding_window": None, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "vocab_size": 131072}},
    {"repo": "mistralai/Mistral-Small-24B-Instruct-2501",
     "source": "https://huggingface.co/ReadyArt/Reformed-Christian-Bible-Expert-v1.1-24B/blame/main/config.json",
     "source_quality": "fine-tune re-save (\"_name_or_path\": \"mistralai/Mistral-Small-24B-Instruct-2501\"); its added tokenizer/trust_remote_code keys dropped; shapes agree with the Base-2501 derivative https://huggingface.co/estrogen/Mistral-Small-24b-Sertraline-0304-eval-template/blob/d89dfd85de85ff027a476d4a2130702d62bab20b/config.json",
     "expected_params": None, "params_exact": False,
     "params_source": "no published count found",
     "notes": "No published count found; analytic 23,572,403,200 (= the text part of Magistral-Small-2509).",
     "config": {"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "head_dim": 128, "hidden_act": "silu", "hidden_size": 5120, "intermediate_size": 32768, "max_position_embeddings": 32768, "model_type": "mistral", "num_attention_heads": 32, "num_hidden_layers": 40, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 100000000.0, "sliding_window": None, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "vocab_size": 131072}},
    {"repo": "CohereForAI/c4ai-command-r-v01",
     "source": "https://huggingface.co/TechxGenus/c4ai-command-r-v01-AWQ/blame/0e9e54b4a8dcffef839078322c06b1e9b10eb5e5/config.json",
     "source_quality": "AWQ re-upload (\"_name_or_path\": \"CohereForAI/c4ai-command-r-v01\"); quantization_config dropped; torch_dtype float16 there (the hub file says bfloat16, per https://huggingface.co/waldie/Coomand-R-35B-v1-3.5bpw-h6-exl2/blame/main/config.json)",
     "expected_params": None, "params_exact": False,
     "params_source": "no published count found",
     "notes": "No published count found. Cohere ties input and output embeddings (CohereConfig default tie_word_embeddings=True); single LayerNorm per layer (parallel attention+MLP), no biases. max_position_embeddings 8192 but model_max_length 131072 (the card's 128k context). No GQA: 64 KV heads, so the KV cache is large.",
     "config": {"architectures": ["CohereForCausalLM"], "attention_bias": False, "bos_token_id": 5, "eos_token_id": 255001, "hidden_act": "silu", "hidden_size": 8192, "intermediate_size": 22528, "layer_norm_eps": 1e-05, "logit_scale": 0.0625, "max_position_embeddings": 8192, "model_max_length": 131072, "model_type": "cohere", "num_attention_heads": 64, "num_hidden_layers": 40, "num_key_value_heads": 64, "pad_token_id": 0, "pretraining_tp": 1, "rope_theta": 8000000.0, "torch_dtype": "float16", "use_qk_norm": False, "vocab_size": 256000}},
    {"repo": "CohereForAI/c4ai-command-r-08-2024",
     "source": "https://huggingface.co/unsloth/c4ai-command-r-08-2024/blob/main/config.json",
     "source_quality": "unsloth re-upload (\"_name_or_path\": \"CohereForAI/c4ai-command-r-08-2024\")",
     "expected_params": None, "params_exact": False,
     "params_source": "no published count found",
     "notes": "No published count found. Tied embeddings (CohereConfig default); GQA with 8 KV heads.",
     "config": {"architectures": ["CohereForCausalLM"], "attention_bias": False, "bos_token_id": 5, "eos_token_id": 255001, "hidden_act": "silu", "hidden_size": 8192, "intermediate_size": 24576, "layer_norm_eps": 1e-05, "logit_scale": 0.0625, "max_position_embeddings": 131072, "model_type": "cohere", "num_attention_heads": 64, "num_hidden_layers": 40, "num_key_value_heads": 8, "pad_token_id": 0, "rope_theta": 4000000, "torch_dtype": "bfloat16", "use_qk_norm": False, "vocab_size": 256000}},
    {"repo": "deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
     "source": "https://huggingface.co/casperhansen/deepseek-r1-distill-llama-70b-awq/blob/main/config.json",
     "source_quality": "AWQ re-upload made from the hub snapshot 07a264a5 of deepseek-ai/DeepSeek-R1-Distill-Llama-70B; quantization_config dropped",
     "expected_params": None, "params_exact": False,
     "params_source": "no published count found",
     "notes": "No published count found for this repo; shapes are those of Llama-3.1-70B (published 70,553,706,496 for that repo). The eos_token_id list may come from the re-upload.",
     "config": {"architectures": ["LlamaForCausalLM"], "attention_bias": False, "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "head_dim": 128, "hidden_act": "silu", "hidden_size": 8192, "intermediate_size": 28672, "max_position_embeddings": 131072, "mlp_bias": False, "model_type": "llama", "num_attention_heads": 64, "num_hidden_layers": 80, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"}, "rope_theta": 500000.0, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "vocab_size": 128256}},
    {"repo": "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
     "source": "https://huggingface.co/ABrain/HPGPT-DeepSeek-R1-Distill-Qwen-7B-R/blob/main/config.json",
     "source_quality": "fine-tune re-save (\"_name_or_path\": \"deepseek-ai/DeepSeek-R1-Distill-Qwen-7B\"); torch_dtype float16 there (hub: bfloat16); shapes agree with https://huggingface.co/prithivMLmods/QwQ-R1-Distill-7B-CoT/blob/main/config.json",
     "expected_params": None, "params_exact": False,
     "params_source": "no published count found",
     "notes": "No published count found; shapes are those of Qwen2.5-Math-7B / Qwen2.5-7B (analytic 7,615,616,512). rope_theta 10000 (Qwen2.5-Math base).",
     "config": {"architectures": ["Qwen2ForCausalLM"], "bos_token_id": 151643, "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 3584, "intermediate_size": 18944, "max_position_embeddings": 131072, "max_window_layers": 28, "model_type": "qwen2", "num_attention_heads": 28, "num_hidden_layers": 28, "num_key_value_heads": 4, "rms_norm_eps": 1e-06, "rope_scaling": None, "rope_theta": 10000, "sliding_window": None, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_mrope": False, "use_sliding_window": False, "vocab_size": 152064}},
    {"repo": "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
     "source": "https://huggingface.co/oumi-ai/MiniMath-R1-1.5B/blob/main/config.json",
     "source_quality": "fine-tune re-save (\"_name_or_path\": \"deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B\")",
     "expected_params": None, "params_exact": False,
     "params_source": "no published count found",
     "notes": "No published count found. Unlike Qwen2.5-1.5B-Instruct, embeddings are NOT tied (tie_word_embeddings false), so it is ~233M larger (analytic 1,777,088,000).",
     "config": {"architectures": ["Qwen2ForCausalLM"], "bos_token_id": 151643, "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 1536, "intermediate_size": 8960, "max_position_embeddings": 131072, "max_window_layers": 21, "model_type": "qwen2", "num_attention_heads": 12, "num_hidden_layers": 28, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_scaling": None, "rope_theta": 10000, "sliding_window": None, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_mrope": False, "use_sliding_window": False, "vocab_size": 151936}},
    {"repo": "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B",
     "source": "https://huggingface.co/mergekit-community/R1-oxy/blob/main/config.json",
     "source_quality": "mergekit output (\"_name_or_path\": \"deepseek-ai/DeepSeek-R1-Distill-Qwen-14B\"); architecture fields copied from that base",
     "expected_params": None, "params_exact": False,
     "params_source": "no published count found",
     "notes": "No published count found; shapes are those of Qwen2.5-14B (analytic 14,770,033,664).",
     "config": {"architectures": ["Qwen2ForCausalLM"], "bos_token_id": 151643, "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 5120, "intermediate_size": 13824, "max_position_embeddings": 131072, "max_window_layers": 48, "model_type": "qwen2", "num_attention_heads": 40, "num_hidden_layers": 48, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 1000000.0, "sliding_window": None, "tie_word_embeddings": False, "torch_dtype": "bfloat16", "use_sliding_window": False, "vocab_size": 152064}},
    {"repo": "HuggingFaceTB/SmolLM2-1.7B-Instruct",
     "source": "https://huggingface.co/puettmann/SmolMaestra-1.7b-Translation/blame/4c7688724a0ce6c86e1dee0e4a3d5930935e100f/config.json",
     "source_quality": "fine-tune re-save (\"_name_or_path\": \"HuggingFaceTB/SmolLM2-1.7B-Instruct\"); torch_dtype float32 there (hub: bfloat16); transformers.js_config dropped",
     "expected_params": None, "params_exact": False,
     "params_source": "no published count found",
     "notes": "No published count found; analytic 1,711,376,384 (tied embeddings). The base HuggingFaceTB/SmolLM2-1.7B has the same shapes with bos/eos 0 (per derivatives such as https://huggingface.co/mrfakename/failed-reasoning-1/blob/main/config.json, which otherwise changes vocab_size).",
     "config": {"architectures": ["LlamaForCausalLM"], "attention_bias": False, "bos_token_id": 1, "eos_token_id": 2, "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048, "intermediate_size": 8192, "max_position_embeddings": 8192, "mlp_bias": False, "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 24, "num_key_value_heads": 32, "pad_token_id": 2, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 130000, "tie_word_embeddings": True, "torch_dtype": "bfloat16", "vocab_size": 49152}},
]

# More entries (issue 13 item 2): configs bundled verbatim in ai-dynamo/aiconfigurator
# (2026 releases) and mlc-llm presets; training-only keys and quantization_config dropped.
EXTRA += [
    {'repo': 'nvidia/Kimi-K2.6-NVFP4', 'source': 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/model_configs/nvidia--Kimi-K2.6-NVFP4_config.json', 'source_quality': 'verbatim copy bundled in aiconfigurator', 'expected_params': 1026879376368, 'params_exact': True, 'params_source': 'safetensors-header audit of the published checkpoints (github-file-id:68577105039): K2.6 1026879376368 logical parameters, including the vision tower (llama.cpp loads it as a separate mmproj)', 'notes': 'NVIDIA NVFP4 re-quantization of moonshotai/Kimi-K2.6; the text_config is the Kimi K2 (DeepSeek-V3-style) 61-layer MoE; quantization_config dropped.', 'config': {'architectures': ['KimiK25ForConditionalGeneration'], 'auto_map': {'AutoConfig': 'configuration_kimi_k25.KimiK25Config', 'AutoModel': 'modeling_kimi_k25.KimiK25ForConditionalGeneration', 'AutoModelForCausalLM': 'modeling_kimi_k25.KimiK25ForConditionalGeneration'}, 'bos_token_id': 163584, 'dtype': 'bfloat16', 'eos_token_id': 163586, 'ignore_index': -100, 'media_placeholder_token_id': 163605, 'model_type': 'kimi_k25', 'pad_token_id': 163839, 'text_config': {'add_cross_attention': False, 'architectures': ['DeepseekV3ForCausalLM'], 'attention_bias': False, 'auto_map': {'AutoConfig': 'configuration_deepseek.DeepseekV3Config', 'AutoModel': 'modeling_deepseek.DeepseekV3Model', 'AutoModelForCausalLM': 'modeling_deepseek.DeepseekV3ForCausalLM'}, 'aux_loss_alpha': 0.001, 'bad_words_ids': None, 'begin_suppress_tokens': None, 'bos_token_id': 163584, 'chunk_size_feed_forward': 0, 'cross_attention_hidden_size': None, 'decoder_start_token_id': None, 'diversity_penalty': 0.0, 'do_sample': False, 'dtype': 'bfloat16', 'early_stopping': False, 'encoder_no_repeat_ngram_size': 0, 'eos_token_id': 163586, 'ep_size': 1, 'exponential_decay_length_penalty': None, 'finetuning_task': None, 'first_k_dense_replace': 1, 'forced_bos_token_id': None, 'forced_eos_token_id': None, 'hidden_act': 'silu', 'hidden_size': 7168, 'id2label': {'0': 'LABEL_0', '1': 'LABEL_1'}, 'intermediate_size': 18432, 'is_decoder': False, 'is_encoder_decoder': False, 'kv_lora_rank': 512, 'label2id': {'LABEL_0': 0, 'LABEL_1': 1}, 'length_penalty': 1.0, 'max_length': 20, 'max_position_embeddings': 262144, 'min_length': 0, 'model_type': 'deepseek_v3', 'moe_intermediate_size': 2048, 'moe_layer_freq': 1, 'n_group': 1, 'n_routed_experts': 384, 'n_shared_experts': 1, 'no_repeat_ngram_size': 0, 'norm_topk_prob': True, 'num_attention_heads': 64, 'num_beam_groups': 1, 'num_beams': 1, 'num_experts_per_tok': 8, 'num_hidden_layers': 61, 'num_key_value_heads': 64, 'num_nextn_predict_layers': 0, 'num_return_sequences': 1, 'output_attentions': False, 'output_hidden_states': False, 'output_scores': False, 'pad_token_id': 163839, 'prefix': None, 'pretraining_tp': 1, 'problem_type': None, 'pruned_heads': {}, 'q_lora_rank': 1536, 'qk_nope_head_dim': 128, 'qk_rope_head_dim': 64, 'remove_invalid_values': False, 'repetition_penalty': 1.0, 'return_dict': True, 'return_dict_in_generate': False, 'rms_norm_eps': 1e-05, 'rope_scaling': {'beta_fast': 32.0, 'beta_slow': 1.0, 'factor': 64.0, 'mscale': 1.0, 'mscale_all_dim': 1.0, 'original_max_position_embeddings': 4096, 'type': 'yarn'}, 'rope_theta': 50000.0, 'routed_scaling_factor': 2.827, 'scoring_func': 'sigmoid', 'sep_token_id': None, 'seq_aux': True, 'suppress_tokens': None, 'task_specific_params': None, 'temperature': 1.0, 'tf_legacy_loss': False, 'tie_encoder_decoder': False, 'tie_word_embeddings': False, 'tokenizer_class': None, 'top_k': 50, 'top_p': 1.0, 'topk_group': 1, 'topk_method': 'noaux_tc', 'torchscript': False, 'typical_p': 1.0, 'use_bfloat16': False, 'v_head_dim': 128, 'vocab_size': 163840}, 'tie_word_embeddings': False, 'use_unified_vision_chunk': True, 'video_placeholder': '<|kimi_k25_video_placeholder|>', 'vision_config': {'init_pos_emb_height': 64, 'init_pos_emb_time': 4, 'init_pos_emb_width': 64, 'merge_kernel_size': [2, 2], 'merge_type': 'sd2_tpool', 'mm_hidden_size': 1152, 'mm_projector_type': 'patchmerger', 'model_type': '', 'patch_size': 14, 'pos_emb_type': 'divided_fixed', 'projector_hidden_act': 'gelu', 'projector_ln_eps': 1e-05, 'text_hidden_size': 7168, 'video_attn_type': 'spatial_temporal', 'vt_hidden_size': 1152, 'vt_intermediate_size': 4304, 'vt_num_attention_heads': 16, 'vt_num_hidden_layers': 27}}},
    {'repo': 'nvidia/Kimi-K2.7-Code-NVFP4', 'source': 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/model_configs/nvidia--Kimi-K2.7-Code-NVFP4_config.json', 'source_quality': 'verbatim copy bundled in aiconfigurator', 'expected_params': 1026879376368, 'params_exact': True, 'params_source': 'safetensors-header audit of the published checkpoints (github-file-id:68577105039): K2.7-Code 1026879376368 logical parameters, including the vision tower (llama.cpp loads it as a separate mmproj)', 'notes': 'NVIDIA NVFP4 re-quantization of moonshotai/Kimi-K2.7-Code; same text shapes as Kimi K2.5/K2.6; quantization_config dropped.', 'config': {'architectures': ['KimiK25ForConditionalGeneration'], 'auto_map': {'AutoConfig': 'configuration_kimi_k25.KimiK25Config', 'AutoModel': 'modeling_kimi_k25.KimiK25ForConditionalGeneration', 'AutoModelForCausalLM': 'modeling_kimi_k25.KimiK25ForConditionalGeneration'}, 'bos_token_id': 163584, 'dtype': 'bfloat16', 'eos_token_id': 163586, 'ignore_index': -100, 'media_placeholder_token_id': 163605, 'model_type': 'kimi_k25', 'pad_token_id': 163839, 'text_config': {'add_cross_attention': False, 'architectures': ['DeepseekV3ForCausalLM'], 'attention_bias': False, 'auto_map': {'AutoConfig': 'configuration_deepseek.DeepseekV3Config', 'AutoModel': 'modeling_deepseek.DeepseekV3Model', 'AutoModelForCausalLM': 'modeling_deepseek.DeepseekV3ForCausalLM'}, 'aux_loss_alpha': 0.001, 'bos_token_id': 163584, 'chunk_size_feed_forward': 0, 'cross_attention_hidden_size': None, 'decoder_start_token_id': None, 'dtype': 'bfloat16', 'eos_token_id': 163586, 'ep_size': 1, 'finetuning_task': None, 'first_k_dense_replace': 1, 'hidden_act': 'silu', 'hidden_size': 7168, 'id2label': {'0': 'LABEL_0', '1': 'LABEL_1'}, 'intermediate_size': 18432, 'is_decoder': False, 'is_encoder_decoder': False, 'kv_lora_rank': 512, 'label2id': {'LABEL_0': 0, 'LABEL_1': 1}, 'max_position_embeddings': 262144, 'model_type': 'deepseek_v3', 'moe_intermediate_size': 2048, 'moe_layer_freq': 1, 'n_group': 1, 'n_routed_experts': 384, 'n_shared_experts': 1, 'norm_topk_prob': True, 'num_attention_heads': 64, 'num_experts_per_tok': 8, 'num_hidden_layers': 61, 'num_key_value_heads': 64, 'num_nextn_predict_layers': 0, 'output_attentions': False, 'output_hidden_states': False, 'pad_token_id': 163839, 'prefix': None, 'pretraining_tp': 1, 'problem_type': None, 'pruned_heads': {}, 'q_lora_rank': 1536, 'qk_nope_head_dim': 128, 'qk_rope_head_dim': 64, 'return_dict': True, 'rms_norm_eps': 1e-05, 'rope_parameters': {'beta_fast': 32.0, 'beta_slow': 1.0, 'factor': 64.0, 'mscale': 1.0, 'mscale_all_dim': 1.0, 'original_max_position_embeddings': 4096, 'rope_theta': 50000.0, 'rope_type': 'yarn', 'type': 'yarn'}, 'rope_theta': 50000.0, 'routed_scaling_factor': 2.827, 'scoring_func': 'sigmoid', 'sep_token_id': None, 'seq_aux': True, 'task_specific_params': None, 'tf_legacy_loss': False, 'tie_encoder_decoder': False, 'tie_word_embeddings': False, 'tokenizer_class': None, 'topk_group': 1, 'topk_method': 'noaux_tc', 'torchscript': False, 'use_bfloat16': False, 'v_head_dim': 128, 'vocab_size': 163840}, 'tie_word_embeddings': False, 'use_unified_vision_chunk': True, 'video_placeholder': '<|kimi_k25_video_placeholder|>', 'vision_config': {'init_pos_emb_height': 64, 'init_pos_emb_time': 4, 'init_pos_emb_width': 64, 'merge_kernel_size': [2, 2], 'merge_type': 'sd2_tpool', 'mm_hidden_size': 1152, 'mm_projector_type': 'patchmerger', 'model_type': '', 'patch_size': 14, 'pos_emb_type': 'divided_fixed', 'projector_hidden_act': 'gelu', 'projector_ln_eps': 1e-05, 'text_hidden_size': 7168, 'video_attn_type': 'spatial_temporal', 'vt_hidden_size': 1152, 'vt_intermediate_size': 4304, 'vt_num_attention_heads': 16, 'vt_num_hidden_layers': 27}}},
    {'repo': 'moonshotai/Kimi-K3', 'source': 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/model_configs/moonshotai--Kimi-K3_config.json', 'source_quality': 'verbatim copy bundled in aiconfigurator', 'expected_params': 2779931837184, 'params_exact': True, 'params_source': 'safetensors-header audit of the published checkpoints (github-file-id:68577105039): K3 2779931837184 logical parameters, including the vision tower (llama.cpp loads it as a separate mmproj)', 'notes': 'Kimi K3: a kimi_linear text model (Kimi Delta Attention linear layers mixed with MLA layers, MoE).', 'config': {'architectures': ['KimiK3ForConditionalGeneration'], 'auto_map': {'AutoConfig': 'configuration_kimi_k3.KimiK3Config', 'AutoModel': 'modeling_kimi_k3.KimiK3ForConditionalGeneration', 'AutoModelForCausalLM': 'modeling_kimi_k3.KimiK3ForConditionalGeneration'}, 'bos_token_id': 163584, 'dtype': 'bfloat16', 'eos_token_id': 163586, 'ignore_index': -100, 'image_placeholder': '<|kimi_image_placeholder|>', 'media_placeholder_token_id': 163605, 'model_type': 'kimi_k3', 'pad_token_id': 163839, 'text_config': {'activation_situ_beta': 4.0, 'activation_situ_linear_beta': 25.0, 'add_cross_attention': False, 'architectures': ['KimiLinearForCausalLM'], 'attn_res_block_size': 12, 'auto_map': {'AutoConfig': 'configuration_kimi_k3.KimiLinearConfig', 'AutoModel': 'modeling_kimi_linear.KimiLinearModel', 'AutoModelForCausalLM': 'modeling_kimi_linear.KimiLinearForCausalLM'}, 'bad_words_ids': None, 'begin_suppress_tokens': None, 'bos_token_id': 163584, 'chunk_size_feed_forward': 0, 'cross_attention_hidden_size': None, 'decoder_start_token_id': None, 'diversity_penalty': 0.0, 'do_sample': False, 'dtype': 'bfloat16', 'early_stopping': False, 'encoder_no_repeat_ngram_size': 0, 'eos_token_id': 163586, 'exponential_decay_length_penalty': None, 'finetuning_task': None, 'first_k_dense_replace': 1, 'forced_bos_token_id': None, 'forced_eos_token_id': None, 'hidden_act': 'situ', 'hidden_size': 7168, 'id2label': {'0': 'LABEL_0', '1': 'LABEL_1'}, 'intermediate_size': 33792, 'is_decoder': False, 'is_encoder_decoder': False, 'kv_lora_rank': 512, 'label2id': {'LABEL_0': 0, 'LABEL_1': 1}, 'latent_moe_use_norm': True, 'length_penalty': 1.0, 'linear_attn_config': {'full_attn_layers': [4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72, 76, 80, 84, 88, 92, 93], 'gate_lower_bound': -5.0, 'head_dim': 128, 'kda_layers': [1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15, 17, 18, 19, 21, 22, 23, 25, 26, 27, 29, 30, 31, 33, 34, 35, 37, 38, 39, 41, 42, 43, 45, 46, 47, 49, 50, 51, 53, 54, 55, 57, 58, 59, 61, 62, 63, 65, 66, 67, 69, 70, 71, 73, 74, 75, 77, 78, 79, 81, 82, 83, 85, 86, 87, 89, 90, 91], 'num_heads': 96, 'short_conv_kernel_size': 4, 'use_full_rank_gate': True}, 'max_length': 20, 'max_position_embeddings': 1048576, 'min_length': 0, 'mla_use_nope': True, 'mla_use_output_gate': True, 'model_type': 'kimi_linear', 'moe_intermediate_size': 3072, 'moe_layer_freq': 1, 'moe_renormalize': True, 'moe_router_activation_func': 'sigmoid', 'no_repeat_ngram_size': 0, 'num_attention_heads': 96, 'num_beam_groups': 1, 'num_beams': 1, 'num_expert_group': 1, 'num_experts': 896, 'num_experts_per_token': 16, 'num_hidden_layers': 93, 'num_key_value_heads': 96, 'num_nextn_predict_layers': 0, 'num_return_sequences': 1, 'num_shared_experts': 2, 'output_attentions': False, 'output_hidden_states': False, 'output_scores': False, 'pad_token_id': 163839, 'prefix': None, 'problem_type': None, 'pruned_heads': {}, 'q_lora_rank': 1536, 'qk_nope_head_dim': 128, 'qk_rope_head_dim': 64, 'remove_invalid_values': False, 'repetition_penalty': 1.0, 'return_dict': True, 'return_dict_in_generate': False, 'rms_norm_eps': 1e-05, 'routed_expert_hidden_size': 3584, 'routed_scaling_factor': 1.0, 'sep_token_id': None, 'suppress_tokens': None, 'task_specific_params': None, 'temperature': 1.0, 'tf_legacy_loss': False, 'tie_encoder_decoder': False, 'tie_word_embeddings': False, 'tokenizer_class': None, 'top_k': 50, 'top_p': 1.0, 'topk_group': 1, 'topk_method': 'noaux_tc', 'torchscript': False, 'typical_p': 1.0, 'use_bfloat16': False, 'use_grouped_topk': True, 'v_head_dim': 128, 'vocab_size': 163840}, 'tie_word_embeddings': False, 'vision_config': {'_attn_implementation': 'flash_attention_2', 'activation_func': 'gelu_pytorch_tanh', 'attn_bias': False, 'init_pos_emb_height': 64, 'init_pos_emb_time': 4, 'init_pos_emb_width': 64, 'linear_bias': False, 'merge_kernel_size': [2, 2], 'merge_type': 'sd2_tpool', 'mlp_type': 'mlp2', 'mm_hidden_size': 1024, 'mm_projector_type': 'patchmergerv2', 'norm_type': 'rmsnorm', 'patch_embed_proj_bias': False, 'patch_size': 14, 'pos_emb_interpolation_mode': 'bilinear', 'pos_emb_type': 'divided_fixed', 'projector_hidden_act': 'gelu', 'projector_ln_eps': 1e-05, 'qkv_hidden_size': 1536, 'text_hidden_size': 7168, 'vt_hidden_size': 1024, 'vt_intermediate_size': 4096, 'vt_num_attention_heads': 12, 'vt_num_hidden_layers': 27}}},
    {'repo': 'MiniMaxAI/MiniMax-M3', 'source': 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/model_configs/MiniMaxAI--MiniMax-M3_config.json', 'source_quality': 'verbatim copy bundled in aiconfigurator', 'expected_params': None, 'params_exact': False, 'params_source': 'no published count found', 'notes': 'MiniMax M3 (minimax_m3).', 'config': {'architectures': ['MiniMaxM3ForCausalLM'], 'attention_output_gate': False, 'dense_intermediate_size': 12288, 'first_k_dense_replace': 3, 'head_dim': 128, 'hidden_act': 'swigluoai', 'hidden_size': 6144, 'intermediate_size': 3072, 'max_position_embeddings': 1048576, 'model_type': 'minimax_m3', 'moe_intermediate_size': 3072, 'moe_layer_freq': [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 'n_shared_experts': 1, 'num_attention_heads': 64, 'num_experts_per_tok': 4, 'num_hidden_layers': 60, 'num_key_value_heads': 4, 'num_local_experts': 128, 'num_mtp_modules': 7, 'num_nextn_predict_layers': 1, 'partial_rotary_factor': 0.5, 'qk_norm_type': 'per_head', 'rms_norm_eps': 1e-06, 'rope_theta': 5000000, 'rotary_dim': 64, 'routed_scaling_factor': 2.0, 'scoring_func': 'sigmoid', 'shared_intermediate_size': 3072, 'sparse_attention_config': {'sparse_attention_freq': [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 'sparse_block_size': 128, 'sparse_disable_index_value': [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 'sparse_index_dim': 128, 'sparse_init_block': 0, 'sparse_local_block': 1, 'sparse_num_index_heads': 4, 'sparse_score_type': 'max', 'sparse_topk_blocks': 16, 'use_sparse_attention': True}, 'swiglu_alpha': 1.702, 'swiglu_limit': 7.0, 'tie_word_embeddings': False, 'torch_dtype': 'bfloat16', 'use_gemma_norm': True, 'use_qk_norm': True, 'use_routing_bias': True, 'vocab_size': 200064}},
    {'repo': 'deepseek-ai/DeepSeek-V4-Flash', 'source': 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/model_configs/deepseek-ai--DeepSeek-V4-Flash_config.json', 'source_quality': 'verbatim copy bundled in aiconfigurator', 'expected_params': None, 'params_exact': False, 'params_source': 'no published count found', 'notes': 'DeepSeek V4 Flash (deepseek_v4).', 'config': {'architectures': ['DeepseekV4ForCausalLM'], 'attention_bias': False, 'bos_token_id': 0, 'eos_token_id': 1, 'expert_dtype': 'fp4', 'hc_eps': 1e-06, 'hc_mult': 4, 'hc_sinkhorn_iters': 20, 'head_dim': 512, 'hidden_act': 'silu', 'hidden_size': 4096, 'index_head_dim': 128, 'index_n_heads': 64, 'index_topk': 512, 'max_position_embeddings': 1048576, 'model_type': 'deepseek_v4', 'moe_intermediate_size': 2048, 'n_routed_experts': 256, 'n_shared_experts': 1, 'norm_topk_prob': True, 'num_attention_heads': 64, 'num_experts_per_tok': 6, 'num_hidden_layers': 43, 'num_hash_layers': 3, 'num_key_value_heads': 1, 'num_nextn_predict_layers': 1, 'o_groups': 8, 'o_lora_rank': 1024, 'q_lora_rank': 1024, 'qk_rope_head_dim': 64, 'rms_norm_eps': 1e-06, 'rope_scaling': {'beta_fast': 32, 'beta_slow': 1, 'factor': 16, 'original_max_position_embeddings': 65536, 'type': 'yarn'}, 'rope_theta': 10000, 'routed_scaling_factor': 1.5, 'scoring_func': 'sqrtsoftplus', 'sliding_window': 128, 'swiglu_limit': 10.0, 'tie_word_embeddings': False, 'topk_method': 'noaux_tc', 'torch_dtype': 'bfloat16', 'vocab_size': 129280, 'compress_rope_theta': 160000, 'compress_ratios': [0, 0, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 0]}},
    {'repo': 'deepseek-ai/DeepSeek-V4-Pro', 'source': 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/model_configs/deepseek-ai--DeepSeek-V4-Pro_config.json', 'source_quality': 'verbatim copy bundled in aiconfigurator', 'expected_params': None, 'params_exact': False, 'params_source': 'no published count found', 'notes': 'DeepSeek V4 Pro (deepseek_v4).', 'config': {'architectures': ['DeepseekV4ForCausalLM'], 'attention_bias': False, 'bos_token_id': 0, 'eos_token_id': 1, 'expert_dtype': 'fp4', 'hc_eps': 1e-06, 'hc_mult': 4, 'hc_sinkhorn_iters': 20, 'head_dim': 512, 'hidden_act': 'silu', 'hidden_size': 7168, 'index_head_dim': 128, 'index_n_heads': 64, 'index_topk': 1024, 'max_position_embeddings': 1048576, 'model_type': 'deepseek_v4', 'moe_intermediate_size': 3072, 'n_routed_experts': 384, 'n_shared_experts': 1, 'norm_topk_prob': True, 'num_attention_heads': 128, 'num_experts_per_tok': 6, 'num_hidden_layers': 61, 'num_hash_layers': 3, 'num_key_value_heads': 1, 'num_nextn_predict_layers': 1, 'o_groups': 16, 'o_lora_rank': 1024, 'q_lora_rank': 1536, 'qk_rope_head_dim': 64, 'rms_norm_eps': 1e-06, 'rope_scaling': {'beta_fast': 32, 'beta_slow': 1, 'factor': 16, 'original_max_position_embeddings': 65536, 'type': 'yarn'}, 'rope_theta': 10000, 'routed_scaling_factor': 2.5, 'scoring_func': 'sqrtsoftplus', 'sliding_window': 128, 'swiglu_limit': 10.0, 'tie_word_embeddings': False, 'topk_method': 'noaux_tc', 'torch_dtype': 'bfloat16', 'vocab_size': 129280, 'compress_rope_theta': 160000, 'compress_ratios': [128, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 128, 4, 0]}},
    {'repo': 'nvidia/NVIDIA-Nemotron-3-Ultra-550B-A55B-BF16', 'source': 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/model_configs/nvidia--NVIDIA-Nemotron-3-Ultra-550B-A55B-BF16_config.json', 'source_quality': 'verbatim copy bundled in aiconfigurator', 'expected_params': None, 'params_exact': False, 'params_source': 'no published count found', 'notes': 'Nemotron 3 Ultra: hybrid Mamba-2 / attention / latent MoE (nemotron_h).', 'config': {'architectures': ['NemotronHForCausalLM'], 'attention_bias': False, 'auto_map': {'AutoConfig': 'configuration_nemotron_h.NemotronHConfig', 'AutoModelForCausalLM': 'modeling_nemotron_h.NemotronHForCausalLM'}, 'bos_token_id': 1, 'chunk_size': 128, 'conv_kernel': 4, 'dtype': 'bfloat16', 'eos_token_id': 2, 'expand': 2, 'head_dim': 128, 'hidden_size': 8192, 'intermediate_size': 5120, 'layer_norm_epsilon': 1e-05, 'layers_block_type': ['mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe'], 'mamba_head_dim': 64, 'mamba_hidden_act': 'silu', 'mamba_num_heads': 256, 'mamba_proj_bias': False, 'mamba_ssm_cache_dtype': 'float32', 'max_position_embeddings': 262144, 'mlp_bias': False, 'mlp_hidden_act': 'relu2', 'model_type': 'nemotron_h', 'moe_intermediate_size': 5120, 'moe_latent_size': 2048, 'moe_shared_expert_intermediate_size': 10240, 'moe_shared_expert_overlap': False, 'mtp_layers_block_type': ['attention', 'moe'], 'n_group': 1, 'n_groups': 8, 'n_routed_experts': 512, 'n_shared_experts': 1, 'norm_eps': 1e-05, 'norm_topk_prob': True, 'num_attention_heads': 64, 'num_experts_per_tok': 22, 'num_key_value_heads': 2, 'num_logits_to_keep': 1, 'num_nextn_predict_layers': 1, 'pad_token_id': 0, 'partial_rotary_factor': 1.0, 'rescale_prenorm_residual': True, 'residual_in_fp32': False, 'rope_theta': 10000, 'routed_scaling_factor': 5.0, 'sliding_window': None, 'ssm_state_size': 128, 'tie_word_embeddings': False, 'time_step_floor': 0.0001, 'time_step_limit': [0.0, 1e+308], 'time_step_max': 0.1, 'time_step_min': 0.001, 'topk_group': 1, 'use_bias': False, 'use_conv_bias': True, 'use_mamba_kernels': True, 'vocab_size': 131072}},
    {'repo': 'nvidia/NVIDIA-Nemotron-3.5-Lightning-30B-A3B-NVFP4', 'source': 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/model_configs/nvidia--NVIDIA-Nemotron-3.5-Lightning-30B-A3B-NVFP4_config.json', 'source_quality': 'verbatim copy bundled in aiconfigurator', 'expected_params': None, 'params_exact': False, 'params_source': 'no published count found', 'notes': 'Nemotron 3.5 Lightning: hybrid Mamba-2 / attention MoE (nemotron_h), NVFP4 checkpoint; quantization_config dropped.', 'config': {'architectures': ['NemotronHForCausalLM'], 'attention_bias': False, 'bos_token_id': 1, 'chunk_size': 128, 'conv_kernel': 4, 'dtype': 'bfloat16', 'eos_token_id': 2, 'expand': 2, 'head_dim': 128, 'hidden_size': 2688, 'intermediate_size': 1856, 'layer_norm_epsilon': 1e-05, 'layers_block_type': ['mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'attention', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe', 'mamba', 'moe'], 'mamba_head_dim': 64, 'mamba_hidden_act': 'silu', 'mamba_num_heads': 64, 'mamba_proj_bias': False, 'mamba_ssm_cache_dtype': 'float32', 'max_position_embeddings': 1048576, 'mlp_bias': False, 'mlp_hidden_act': 'relu2', 'model_type': 'nemotron_h', 'moe_intermediate_size': 1856, 'moe_latent_size': None, 'moe_shared_expert_intermediate_size': 3712, 'moe_shared_expert_overlap': True, 'mtp_layers_block_type': ['attention', 'moe'], 'n_group': 1, 'n_groups': 8, 'n_routed_experts': 128, 'n_shared_experts': 1, 'norm_eps': 1e-05, 'norm_topk_prob': True, 'num_attention_heads': 32, 'num_experts_per_tok': 6, 'num_hidden_layers': 52, 'num_key_value_heads': 2, 'num_logits_to_keep': 1, 'num_nextn_predict_layers': 1, 'pad_token_id': 0, 'partial_rotary_factor': 1.0, 'rescale_prenorm_residual': True, 'residual_in_fp32': False, 'rope_theta': 10000, 'routed_scaling_factor': 2.5, 'sliding_window': None, 'ssm_state_size': 128, 'tie_word_embeddings': False, 'time_step_floor': 0.0001, 'time_step_max': 0.1, 'time_step_min': 0.001, 'topk_group': 1, 'use_bias': False, 'use_conv_bias': True, 'use_mamba_kernels': True, 'vocab_size': 131072}},
    {'repo': 'stepfun-ai/Step-3.7-Flash', 'source': 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/model_configs/stepfun-ai--Step-3.7-Flash_config.json', 'source_quality': 'verbatim copy bundled in aiconfigurator', 'expected_params': None, 'params_exact': False, 'params_source': 'no published count found', 'notes': 'Step 3.7 Flash (step3p7).', 'config': {'architectures': ['Step3p7FlashForCausalLM'], 'model_type': 'step3p7', 'num_hidden_layers': 45, 'hidden_size': 4096, 'num_attention_heads': 64, 'num_key_value_heads': 8, 'head_dim': 128, 'vocab_size': 128896, 'max_position_embeddings': 65536, 'torch_dtype': 'bfloat16', 'intermediate_size': 11264, 'sliding_window': 512, 'layer_types': ['full_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention', 'sliding_attention', 'sliding_attention', 'sliding_attention', 'full_attention'], 'first_k_dense_replace': 3, 'num_experts': 288, 'num_experts_per_tok': 8, 'moe_intermediate_size': 1280, 'share_expert_dim': 1280, 'n_shared_experts': 1, 'scoring_func': 'sigmoid', 'num_nextn_predict_layers': 3, 'use_moe_router_bias': True, 'moe_router_scaling_factor': 3.0}},
    {'repo': 'zai-org/GLM-5', 'source': 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/model_configs/zai-org--GLM-5_config.json', 'source_quality': 'verbatim copy bundled in aiconfigurator', 'expected_params': None, 'params_exact': False, 'params_source': 'no published count found', 'notes': 'GLM-5 (glm_moe_dsa): DeepSeek-V3.2-style MLA with a sparse-attention indexer, 78 layers, 256 routed experts.', 'config': {'architectures': ['GlmMoeDsaForCausalLM'], 'attention_bias': False, 'dtype': 'bfloat16', 'eos_token_id': [154820, 154827, 154829], 'ep_size': 1, 'first_k_dense_replace': 3, 'hidden_act': 'silu', 'head_dim': 64, 'hidden_size': 6144, 'index_head_dim': 128, 'index_n_heads': 32, 'index_topk': 2048, 'indexer_rope_interleave': True, 'intermediate_size': 12288, 'kv_lora_rank': 512, 'max_position_embeddings': 202752, 'moe_intermediate_size': 2048, 'moe_layer_freq': 1, 'model_type': 'glm_moe_dsa', 'n_group': 1, 'n_routed_experts': 256, 'n_shared_experts': 1, 'norm_topk_prob': True, 'num_attention_heads': 64, 'num_experts_per_tok': 8, 'num_hidden_layers': 78, 'num_key_value_heads': 64, 'num_nextn_predict_layers': 1, 'pad_token_id': 154820, 'pretraining_tp': 1, 'q_lora_rank': 2048, 'qk_head_dim': 256, 'qk_nope_head_dim': 192, 'qk_rope_head_dim': 64, 'rms_norm_eps': 1e-05, 'rope_interleave': True, 'rope_parameters': {'rope_theta': 1000000, 'rope_type': 'default'}, 'routed_scaling_factor': 2.5, 'scoring_func': 'sigmoid', 'tie_word_embeddings': False, 'topk_group': 1, 'topk_method': 'noaux_tc', 'v_head_dim': 256, 'vocab_size': 154880}},
    {'repo': 'zai-org/GLM-5.1', 'source': 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/model_configs/zai-org--GLM-5.1_config.json', 'source_quality': 'verbatim copy bundled in aiconfigurator', 'expected_params': None, 'params_exact': False, 'params_source': 'no published count found', 'notes': 'GLM-5.1 (glm_moe_dsa), same layout family as GLM-5.', 'config': {'architectures': ['GlmMoeDsaForCausalLM'], 'attention_bias': False, 'dtype': 'bfloat16', 'eos_token_id': [154820, 154827, 154829], 'ep_size': 1, 'first_k_dense_replace': 3, 'hidden_act': 'silu', 'head_dim': 64, 'hidden_size': 6144, 'index_head_dim': 128, 'index_n_heads': 32, 'index_topk': 2048, 'indexer_rope_interleave': True, 'intermediate_size': 12288, 'kv_lora_rank': 512, 'max_position_embeddings': 202752, 'moe_intermediate_size': 2048, 'moe_layer_freq': 1, 'model_type': 'glm_moe_dsa', 'n_group': 1, 'n_routed_experts': 256, 'n_shared_experts': 1, 'norm_topk_prob': True, 'num_attention_heads': 64, 'num_experts_per_tok': 8, 'num_hidden_layers': 78, 'num_key_value_heads': 64, 'num_nextn_predict_layers': 1, 'pad_token_id': 154820, 'pretraining_tp': 1, 'q_lora_rank': 2048, 'qk_head_dim': 256, 'qk_nope_head_dim': 192, 'qk_rope_head_dim': 64, 'rms_norm_eps': 1e-05, 'rope_interleave': True, 'rope_parameters': {'rope_theta': 1000000, 'rope_type': 'default'}, 'routed_scaling_factor': 2.5, 'scoring_func': 'sigmoid', 'tie_word_embeddings': False, 'topk_group': 1, 'topk_method': 'noaux_tc', 'v_head_dim': 256, 'vocab_size': 154880}},
    {'repo': 'zai-org/GLM-5.2', 'source': 'https://github.com/ai-dynamo/aiconfigurator/blob/095f58a51c4ca8e61b66ec108d86f223f8d559ce/aic-core/src/aiconfigurator_core/model_configs/zai-org--GLM-5.2_config.json', 'source_quality': 'verbatim copy bundled in aiconfigurator', 'expected_params': None, 'params_exact': False, 'params_source': 'no published count found', 'notes': 'GLM-5.2 (glm_moe_dsa).', 'config': {'architectures': ['GlmMoeDsaForCausalLM'], 'attention_bias': False, 'dtype': 'bfloat16', 'eos_token_id': [154820, 154827, 154829], 'ep_size': 1, 'first_k_dense_replace': 3, 'head_dim': 192, 'hidden_act': 'silu', 'hidden_size': 6144, 'index_head_dim': 128, 'index_n_heads': 32, 'index_share_for_mtp_iteration': True, 'index_skip_topk_offset': 3, 'index_topk': 2048, 'index_topk_freq': 4, 'index_topk_pattern': None, 'indexer_rope_interleave': True, 'indexer_types': ['full', 'full', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared', 'full', 'shared', 'shared', 'shared'], 'intermediate_size': 12288, 'kv_lora_rank': 512, 'max_position_embeddings': 1048576, 'mlp_layer_types': ['dense', 'dense', 'dense', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse', 'sparse'], 'model_type': 'glm_moe_dsa', 'moe_intermediate_size': 2048, 'moe_layer_freq': 1, 'moe_router_dtype': 'float32', 'n_group': 1, 'n_routed_experts': 256, 'n_shared_experts': 1, 'norm_topk_prob': True, 'num_attention_heads': 64, 'num_experts_per_tok': 8, 'num_hidden_layers': 78, 'num_key_value_heads': 64, 'num_nextn_predict_layers': 1, 'pad_token_id': 154820, 'pretraining_tp': 1, 'q_lora_rank': 2048, 'qk_head_dim': 256, 'qk_nope_head_dim': 192, 'qk_rope_head_dim': 64, 'rms_norm_eps': 1e-05, 'rope_interleave': True, 'rope_parameters': {'rope_theta': 8000000, 'rope_type': 'default'}, 'routed_scaling_factor': 2.5, 'scoring_func': 'sigmoid', 'tie_word_embeddings': False, 'topk_group': 1, 'topk_method': 'noaux_tc', 'v_head_dim': 256, 'vocab_size': 154880}},
    {'repo': 'HuggingFaceTB/SmolLM2-135M-Instruct', 'source': 'https://github.com/mlc-ai/mlc-llm/blob/79d603f085f50500e9509fa01785ffa7ecfaaa93/python/mlc_llm/model/model_preset.py (preset "smollm2_135m")', 'source_quality': 'copy in mlc-llm model presets (may be an older hub revision)', 'expected_params': 134515008, 'params_exact': True, 'params_source': "HF Hub API safetensors.total recorded in a model manifest table (KNOWN_MODELS, 'HF Hub API 2026-09-25: ... safetensors.total', github-file-id:71142266638) for HuggingFaceTB/SmolLM2-135M-Instruct", 'notes': 'Preset copy (pad_token_id 2 and bos 1 as in the Instruct repo); the base SmolLM2-135M has the same shapes.', 'config': {'architectures': ['LlamaForCausalLM'], 'attention_bias': False, 'bos_token_id': 1, 'eos_token_id': 2, 'hidden_act': 'silu', 'hidden_size': 576, 'intermediate_size': 1536, 'is_llama_config': True, 'max_position_embeddings': 8192, 'mlp_bias': False, 'model_type': 'llama', 'num_attention_heads': 9, 'num_hidden_layers': 30, 'num_key_value_heads': 3, 'pad_token_id': 2, 'pretraining_tp': 1, 'rms_norm_eps': 1e-05, 'rope_interleaved': False, 'rope_scaling': None, 'rope_theta': 100000, 'tie_word_embeddings': True, 'torch_dtype': 'bfloat16', 'vocab_size': 49152}},
    {'repo': 'HuggingFaceTB/SmolLM2-360M-Instruct', 'source': 'https://github.com/mlc-ai/mlc-llm/blob/79d603f085f50500e9509fa01785ffa7ecfaaa93/python/mlc_llm/model/model_preset.py (preset "smollm2_360m")', 'source_quality': 'copy in mlc-llm model presets (may be an older hub revision)', 'expected_params': 361821120, 'params_exact': True, 'params_source': "HF Hub API safetensors.total recorded in a model manifest table (KNOWN_MODELS, 'HF Hub API 2026-09-25: ... safetensors.total', github-file-id:71142266638) for HuggingFaceTB/SmolLM2-360M-Instruct", 'notes': 'Preset copy (pad_token_id 2 and bos 1 as in the Instruct repo); the base SmolLM2-360M has the same shapes.', 'config': {'architectures': ['LlamaForCausalLM'], 'attention_bias': False, 'bos_token_id': 1, 'eos_token_id': 2, 'hidden_act': 'silu', 'hidden_size': 960, 'intermediate_size': 2560, 'is_llama_config': True, 'max_position_embeddings': 8192, 'mlp_bias': False, 'model_type': 'llama', 'num_attention_heads': 15, 'num_hidden_layers': 32, 'num_key_value_heads': 5, 'pad_token_id': 2, 'pretraining_tp': 1, 'rms_norm_eps': 1e-05, 'rope_interleaved': False, 'rope_scaling': None, 'rope_theta': 100000, 'tie_word_embeddings': True, 'torch_dtype': 'bfloat16', 'vocab_size': 49152}},
    {'repo': 'codellama/CodeLlama-13b-hf', 'source': 'https://github.com/mlc-ai/mlc-llm/blob/79d603f085f50500e9509fa01785ffa7ecfaaa93/python/mlc_llm/model/model_preset.py (preset "codellama_13b")', 'source_quality': 'copy in mlc-llm model presets (may be an older hub revision)', 'expected_params': 13016028160, 'params_exact': True, 'params_source': 'model-size table "togethercomputer/CodeLlama-13b": 13016028160 (github-file-id:4120541175); Together\'s catalog num_parameters 13016028160 for Code Llama 13B (github-file-id:36146772729)', 'notes': "Unnamed preset copy with Code Llama 13B's shapes (vocab 32016 with the infilling tokens); CodeLlama-13b-Instruct-hf has the same shapes.", 'config': {'architectures': ['LlamaForCausalLM'], 'bos_token_id': 1, 'eos_token_id': 2, 'hidden_act': 'silu', 'hidden_size': 5120, 'intermediate_size': 13824, 'max_position_embeddings': 16384, 'model_type': 'llama', 'num_attention_heads': 40, 'num_hidden_layers': 40, 'num_key_value_heads': 40, 'pretraining_tp': 1, 'rms_norm_eps': 1e-05, 'rope_scaling': None, 'rope_theta': 1000000, 'tie_word_embeddings': False, 'torch_dtype': 'bfloat16', 'vocab_size': 32016}},
    {'repo': 'TinyLlama/TinyLlama-1.1B-Chat-v1.0', 'source': 'https://github.com/mlc-ai/mlc-llm/blob/79d603f085f50500e9509fa01785ffa7ecfaaa93/python/mlc_llm/model/model_preset.py (preset "tinyllama_1b_chat_v1.0")', 'source_quality': 'copy in mlc-llm model presets (may be an older hub revision)', 'expected_params': 1100048384, 'params_exact': True, 'params_source': 'llama.cpp on tinyllama-1.1b-chat-v1.0 q4_0: "model_n_params":1100048384 (github-file-id:64167666231); torch parameter count 1100048384 for TinyLlama-1.1B (github-file-id:59208154669)', 'notes': 'Preset copy of TinyLlama-1.1B-Chat-v1.0.', 'config': {'architectures': ['LlamaForCausalLM'], 'attention_bias': False, 'bos_token_id': 1, 'eos_token_id': 2, 'hidden_act': 'silu', 'hidden_size': 2048, 'intermediate_size': 5632, 'max_position_embeddings': 2048, 'model_type': 'llama', 'num_attention_heads': 32, 'num_hidden_layers': 22, 'num_key_value_heads': 4, 'pretraining_tp': 1, 'rms_norm_eps': 1e-05, 'rope_scaling': None, 'rope_theta': 10000.0, 'tie_word_embeddings': False, 'torch_dtype': 'bfloat16', 'vocab_size': 32000}},
]

# Published parameter counts for entries whose shared transcription has none.
# Each was found in public files (llama.cpp's own n_params / model_n_params /
# general.parameter_count as llama-server, llama-bench or Ollama print them,
# keras-hub preset tables, captured Hugging Face API records). "github-file-id:N"
# is the file's index number in the public-code search index this project uses.
# Where the count was published for a twin with identical tensor shapes, the
# source says so.  repo -> (count, exact, source)
PUBLISHED = {
    "CohereForAI/aya-23-8B": (8028033024, True, "github-file-id:12439498600 (a model-size table: \"cohereforai/aya-expanse-8b\": 8028033024); Aya Expanse 8B has the same Cohere 8B shapes as Aya 23 8B (hidden 4096, 32 layers, 256000 vocab)"),
    "HuggingFaceTB/SmolLM2-1.7B-Instruct": (1711376384, True, "github-file-id:16039535359 (benchmark table row 'HuggingFaceTB/SmolLM2-1.7B-Instruct | huggingface | fp32 | ... | 1711376384') and github-file-id:484519603 (GGUF catalog: SmolLM2-1.7B-Instruct Q8_0, \"params\": 1711376384)"),
    "MiniMaxAI/MiniMax-M2.5": (228689764864, True, "llama-bench 'minimax-m2 230B.A10B IQ4_XS ... model_n_params: 228689764864' (github-file-id:58464340977); github-file-id:69468411049 lists MiniMaxAI/MiniMax-M2 and M2.1 at 228689764864 - the M2 series shares these shapes"),
    "MiniMaxAI/MiniMax-M2.7": (228689764864, True, "github-file-id:71142266638 (HF model table: 'MiniMaxAI/MiniMax-M2.7': ('other (MiniMax)', 228689764864))"),
    "Qwen/Qwen1.5-MoE-A2.7B-Chat": (14315784192, True, "chatllm.cpp load banner 'You are served by QWen2-MoE, with 14315784192 (2.7B effect.) parameters' (github-file-id:41727181442); keras-hub preset qwen1.5_moe_2.7b_en \"params\": 14315784192 (github-file-id:583820047)"),
    "Qwen/Qwen2.5-14B": (14770033664, True, "llama-server /v1/models for Qwen2.5-14B-Instruct-Q4_K_M.gguf: \"n_params\": 14770033664 (github-file-id:56913516336); base and instruct share shapes"),
    "Qwen/Qwen2.5-32B-Instruct": (32763876352, True, "keras-hub preset qwen2.5_instruct_32b_en \"params\": 32763876352 (github-file-id:1069913269)"),
    "Qwen/Qwen2.5-32B": (32763876352, True, "keras-hub preset qwen2.5_instruct_32b_en \"params\": 32763876352 (github-file-id:1069913269); base and instruct share shapes"),
    "Qwen/Qwen2.5-3B": (3085938688, True, "keras-hub preset qwen2.5_3b_en \"params\": 3085938688 (github-file-id:3421640062)"),
    "Qwen/Qwen3-1.7B": (1720574976, True, "keras-hub preset qwen3_1.7b_en \"params\": 1720574976 (github-file-id:3402689568); llama-server /v1/models n_params 1720574976 (github-file-id:53984910325)"),
    "Qwen/Qwen3-14B": (14768307200, True, "keras-hub preset qwen3_14b_en \"params\": 14768307200 (github-file-id:766509503); llama-server /v1/models \"n_params\": 14768307200 (github-file-id:61071482478)"),
    "Qwen/Qwen3-235B-A22B-Instruct-2507": (235093634560, True, "captured HF API record (lastModified 2025-07-26) \"safetensors\":{\"parameters\":{\"BF16\":235093634560},\"total\":235093634560} (github-file-id:68299976510); github-file-id:69468411049 lists Qwen/Qwen3-235B-A22B-Instruct-2507 at 235093634560"),
    "Qwen/Qwen3-235B-A22B-Thinking-2507": (235093634560, True, "Qwen3-235B-A22B's HF safetensors total 235093634560 (github-file-id:59272748987, github-file-id:69468411049); the Thinking-2507 release keeps the same shapes"),
    "Qwen/Qwen3-4B-Instruct-2507": (4022468096, True, "llama-bench JSON for Qwen3-4B-Instruct-2507-Q4_K_M.gguf: \"model_n_params\":4022468096 (github-file-id:66851898984)"),
    "Qwen/Qwen3-4B-Thinking-2507": (4022468096, True, "Qwen/Qwen3-4B listed at 4022468096 (github-file-id:61249037944) and Qwen3-4B-Instruct-2507 at the same in llama-bench (github-file-id:66851898984); the Thinking-2507 release keeps the shapes"),
    "Qwen/Qwen3-Coder-480B-A35B-Instruct": (480154875392, True, "HF API evidence for revision 9d90cf8f: 'safetensors BF16 parameter count 480154875392' (github-file-id:55925030851)"),
    "Qwen/Qwen3.5-122B-A10B": (124635206144, True, "llama-bench 'qwen35moe 122B.A10B IQ2_M' \"model_n_params\": 124635206144 (github-file-id:59736107124): llama.cpp's count of the language model it loads (the HF total adds the vision tower)"),
    "Qwen/Qwen3.5-27B": (27320697856, True, "llama-server /v1/models \"n_params\": 27320697856 for a qwen35 27B GGUF (github-file-id:68288933828); Qwen3.5-27B and Qwen3.6-27B share the text shapes"),
    "Qwen/Qwen3.5-35B-A3B": (35505251456, True, "Ollama model_info 'general.architecture': 'qwen35moe', 'general.parameter_count': 35505251456 (github-file-id:70619627520); Qwen3.5-35B-A3B and Qwen3.6-35B-A3B share the text shapes"),
    "Qwen/Qwen3.5-9B": (9197093888, True, "Qwen3.5-9B-UD-Q4_K_XL.gguf, Parameters: 9197093888 (github-file-id:63647408374); 'ModelScope reports an exact integer parameter count (e.g. 9197093888)' (github-file-id:68855155599)"),
    "Qwen/Qwen3.6-35B-A3B": (35505251456, True, "llama-server /v1/models for Qwen3.6-35B-A3B-UD-Q4_K_XL.gguf: \"n_params\": 35505251456 (github-file-id:68662574319)"),
    "codellama/CodeLlama-7b-hf": (6738546688, True, "model-size table \"togethercomputer/CodeLlama-7b\": 6738546688 (github-file-id:4120541175); Ollama general.parameter_count 6738546688 (github-file-id:14596936751)"),
    "deepseek-ai/DeepSeek-Coder-V2-Instruct": (235741434880, True, "github-file-id:69468411049 lists deepseek-ai/DeepSeek-V2 at 235741434880; DeepSeek-Coder-V2 continues V2's pretraining with the same shapes"),
    "deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct": (15706484224, True, "chatllm.cpp banner 'You are served by DeepSeek-V2, with 15706484224 (2.7B effect.) parameters' (github-file-id:41727181442); = DeepSeek-V2-Lite's HF total, same shapes"),
    "google/gemma-2-27b": (27227128320, True, "keras-hub preset gemma2_27b_en \"params\": 27227128320 (github-file-id:123073332)"),
    "google/gemma-2-2b-it": (2614341888, True, "GGUF catalog for bartowski/gemma-2-2b-it-GGUF \"params\": 2614341888 (github-file-id:12185496162); google/gemma-2-2b-it 2614341888 (github-file-id:61249037944)"),
    "google/gemma-2b": (2506172416, True, "keras-hub preset gemma_2b_en \"params\": 2506172416 (github-file-id:401604204)"),
    "google/gemma-3-270m": (268098176, True, "Ollama model_info 'general.architecture': 'gemma3', 'general.parameter_count': 268098176 (github-file-id:71208362855); keras-hub preset gemma3_270m \"params\": 268098176 (github-file-id:3173084990)"),
    "meta-llama/Llama-3.3-70B-Instruct": (70553706496, True, "a Llama-3.3-70B manifest \"parameters\": 70553706496 (github-file-id:69860280054); = meta-llama/Llama-3.1-70B's HF safetensors total, same shapes"),
    "microsoft/Phi-3-medium-4k-instruct": (13960238080, True, "unsloth benchmark table, 'unsloth/Phi-3-medium-4k-instruct' model_size 13960238080 (github-file-id:14269230532)"),
    "microsoft/Phi-3.5-mini-instruct": (3821079552, True, "HF model table 'microsoft/Phi-3.5-mini-instruct': ('MIT', 3821079552) (github-file-id:71142266638); \"microsoft/phi-3.5-mini-instruct\": 3821079552 (github-file-id:12439498600)"),
    "microsoft/Phi-4-mini-instruct": (3836021760, True, "HF model table 'microsoft/Phi-4-mini-instruct': ('MIT', 3836021760) (github-file-id:71142266638)"),
    "microsoft/phi-4": (14659507200, True, "GGUF metadata of microsoft/phi-4 'general.parameter_count':14659507200 (github-file-id:366615949); Ollama phi4 'Parameters: 14.66B (14659507200)' (github-file-id:147148655)"),
    "mistralai/Mixtral-8x22B-v0.1": (140620634112, True, "github-file-id:69468411049 lists mistral-community/Mixtral-8x22B-v0.1 (the official weights' mirror) at 140620634112"),
    "mistralai/Mixtral-8x7B-v0.1": (46702792704, True, "keras-hub preset mixtral_8_7b_en \"params\": 46702792704 (github-file-id:678925060); a training log 'Created model with total parameters: 46702792704 (46.70 B)' (github-file-id:9317387716)"),
    "moonshotai/Kimi-K2-Instruct": (1026408232448, True, "safetensors-header audit of the published checkpoints: K2-Instruct 1026408232448 logical parameters (github-file-id:68577105039)"),
    "moonshotai/Kimi-K2.5": (1026879376368, True, "safetensors-header audit of the published checkpoints: K2.5 1026879376368 logical parameters (github-file-id:68577105039); it includes the vision tower (about 0.05 % of the total), which llama.cpp loads as a separate mmproj"),
    "nvidia/DeepSeek-V3.1-NVFP4": (671026419200, True, "DeepSeek-V3's exact main-model count 671026419200 ('DSv3 exact main-model parameter count', github-file-id:58539986806; also github-file-id:66729435508); V3.1 keeps V3's 671B shapes"),
    "Qwen/Qwen2.5-Coder-32B-Instruct": (32763876352, True, "keras-hub preset qwen2.5_instruct_32b_en \"params\": 32763876352 (github-file-id:1069913269); Qwen2.5-Coder-32B has the Qwen2.5-32B shapes"),
    "mistralai/Mistral-Small-24B-Instruct-2501": (23572403200, True, "provider model catalog \"paramCount\": 23572403200, created 2025-01-30 (the Mistral Small 3 release) (github-file-id:66729435508); keras-hub lists Magistral Small 2506 (same text shapes) at 23572403200 (github-file-id:55107988649)"),
    "deepseek-ai/DeepSeek-R1-Distill-Llama-70B": (70553706496, True, "GGUF catalog entry 'Distill Llama 70B', Q4_K_M, Params: 70553706496 (github-file-id:69538494549)"),
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B": (7615616512, True, "= Qwen2.5-7B's HF safetensors total 7,615,616,512 (in this catalog); the distill keeps Qwen2.5-Math-7B's shapes, which are Qwen2.5-7B's"),
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B": (1777088000, True, "llama.cpp 'model_n_params=1777088000' (github-file-id:57696064420); \"deepseek-r1-distill-qwen-1.5b\": (1777088000, 339, \"MIT\") (github-file-id:63213019456)"),
    "meta-llama/Llama-4-Scout-17B-16E-Instruct": (108641793536, True, "HF Hub API safetensors.total 108641793536 recorded in a model manifest table (github-file-id:71142266638); it includes the vision tower and projector, which llama.cpp loads as a separate mmproj"),
    "mistralai/Ministral-3-3B-Instruct-2512": (3849090048, True, "HF Hub API safetensors.total 3849090048 recorded in a model manifest table (github-file-id:71142266638); includes the vision tower"),
    "google/gemma-4-E2B-it": (5123178051, True, "HF Hub API safetensors.total 5123178051 recorded in a model manifest table (github-file-id:71142266638); includes the per-layer embeddings and the audio/vision towers"),
    "google/gemma-4-E4B-it": (7996156490, True, "HF Hub API safetensors.total 7996156490 recorded in a model manifest table (github-file-id:71142266638); includes the per-layer embeddings and the audio/vision towers"),
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B": (14770033664, True, "Ollama deepseek-r1:14b 'Parameters: 14.77B (14770033664)' (github-file-id:147148655)"),
}


# fields filled in where the source copy lacks them (dotted path -> (value, why))
ADDED = {
    "google/gemma-3-27b-it": {
        "text_config.vocab_size": (262208, "transformers Gemma3TextConfig default (the original hub text_config omits it)"),
        "text_config.max_position_embeddings": (131072, "transformers Gemma3TextConfig default (the original hub text_config omits it)"),
        "text_config.rope_theta": (1000000.0, "transformers Gemma3TextConfig default"),
    },
    "microsoft/phi-2": {
        "max_position_embeddings": (2048, "= n_positions of this old phi-msft config"),
    },
    "google/gemma-3-4b-it": {
        "text_config.vocab_size": (262208, "transformers Gemma3TextConfig default (the original hub text_config omits it)"),
        "text_config.max_position_embeddings": (131072, "transformers Gemma3TextConfig default (the original hub text_config omits it)"),
    },
    "deepseek-ai/DeepSeek-V2-Lite": {
        "q_lora_rank": (None, "the mlc-llm preset spells q_lora_rank null (V2-Lite has no query compression); the shared transcription dropped the null, and DeepseekV2Config's default 1536 would add a q_a/q_b pair"),
    },
    "deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct": {
        "q_lora_rank": (None, "the source copy spells q_lora_rank null (no query compression); the shared transcription dropped the null, and DeepseekV2Config's default 1536 would add a q_a/q_b pair"),
    },
    "moonshotai/Kimi-Linear-48B-A3B-Instruct": {
        "max_position_embeddings": ("MODEL_MAX_LENGTH", "= the config's model_max_length; KimiLinearConfig has no max_position_embeddings field"),
    },
}


def _unsupported_reason(cfg):
    """calc_py's own refusal for a config it cannot lay out, or None when it can.

    Read from calc_py at build time so the note disappears by itself once an
    architecture gains support (re-run this script)."""
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    from calc_py.architecture import from_config
    from calc_py.errors import CalcError
    try:
        from_config(cfg)
    except CalcError as exc:
        return str(exc).split(" (supported:")[0]
    return None


def set_path(cfg, path, value):
    parts = path.split(".")
    d = cfg
    for p in parts[:-1]:
        d = d.setdefault(p, {})
    if parts[-1] in d:
        return False
    d[parts[-1]] = value
    return True


def build(shared_dir):
    raw = []
    for f in sorted(glob.glob(os.path.join(shared_dir, "*.json"))):
        with open(f, encoding="utf-8") as fh:
            raw.append(json.load(fh))
    # A shared transcription supersedes an EXTRA entry for the same repo (the
    # shared set is curated further, e.g. with exact published counts).
    have = {d["repo"] for d in raw}
    raw.extend(d for d in EXTRA if d["repo"] not in have)
    models = []
    for d in raw:
        rid = d["repo"]
        if rid in FOLDED:
            if FOLDED[rid] not in META:
                raise SystemExit("FOLDED target without META: " + FOLDED[rid])
            continue
        if rid not in META:
            raise SystemExit("no META for " + rid)
        name, family, aliases, also, popular = META[rid]
        also = list(also) + [r for r, base in FOLDED.items() if base == rid and r not in also]
        cfg = json.loads(json.dumps(d["config"]))
        added = []
        notes = d.get("notes", "") or ""
        for path, (val, why) in ADDED.get(rid, {}).items():
            if val == "MODEL_MAX_LENGTH":
                val = cfg["model_max_length"]
            if set_path(cfg, path, val):
                added.append(path)
                notes = (notes + " " if notes else "") + "Added %s = %r (%s)." % (path, val, why)
        if d.get("covers"):
            notes = (notes + " " if notes else "") + "Covers: %s." % d["covers"]
        unsupported = _unsupported_reason(cfg)
        if unsupported:
            notes = (notes + " " if notes else "") + (
                "calc_py cannot lay this architecture out yet (%s): the entry is listed with its "
                "source so it can be found, and an estimate for it stops with that message instead "
                "of guessing." % unsupported)
        ep, exact, psrc = d.get("expected_params"), d.get("params_exact"), d.get("params_source")
        if not ep and rid in PUBLISHED:
            ep, exact, psrc = PUBLISHED[rid]
            for stale in ("No published count found for this repo; ", "No published count found; ", "No published count found. "):
                notes = notes.replace(stale, "")
        e = {
            "id": rid, "name": name, "family": family,
            "aliases": aliases, "also": also,
            "expected_params": ep,
            "params_exact": bool(exact) if ep else False,
            "params_source": psrc or "no published count found",
            "source": d["source"], "source_quality": d.get("source_quality", ""),
            "popular": popular, "notes": notes,
        }
        if added:
            e["config_added"] = added
        e["config"] = cfg
        models.append(e)
    check(models)
    return {"schema": SCHEMA, "models": models}


def check(models):
    seen_alias, seen_id = {}, {}
    for m in models:
        for k in [m["id"]] + m["also"]:
            kl = k.lower()
            if kl in seen_id:
                raise SystemExit("repo id %s used twice (%s, %s)" % (k, seen_id[kl], m["id"]))
            seen_id[kl] = m["id"]
        for a in m["aliases"]:
            if a != a.lower():
                raise SystemExit("alias not lowercase: " + a)
            if a in seen_alias:
                raise SystemExit("alias %s used twice (%s, %s)" % (a, seen_alias[a], m["id"]))
            seen_alias[a] = m["id"]
        tc = m["config"].get("text_config") or m["config"]
        if "max_position_embeddings" not in tc:
            raise SystemExit("no max_position_embeddings: " + m["id"])


def main(argv):
    shared = argv[1] if len(argv) > 1 else "/work/shared/models"
    out = argv[2] if len(argv) > 2 else os.path.join(ROOT, "calc_py", "data", "models.json")
    data = build(shared)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    print("wrote %d models to %s (%d popular)" % (len(data["models"]), out, sum(m["popular"] for m in data["models"])))


if __name__ == "__main__":
    main(sys.argv)
