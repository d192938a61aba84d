"""Specification of the GPU catalog, calc_py/data/gpus.json.

The catalog is data the calculator trusts blindly, so these tests pin down what
every entry must satisfy: well-formed ids and aliases, a source for every number,
memory sizes that follow exactly from what the vendor prints, driver-reported
totals that are plausible, and Apple's unified-memory share only where it applies.
"""

import importlib.resources
import json
import re

import pytest

GIB = 1 << 30
GB = 10**9
VENDORS = {"nvidia", "amd", "intel", "apple"}
SEGMENTS = {"consumer", "workstation", "datacenter", "laptop", "apple-silicon", "unified"}
BACKENDS = {"cuda", "rocm", "metal", "vulkan", "sycl"}
UNITS = {"GiB": GIB, "GB": GB}
KINDS = {"runtime", "nvidia-smi", "rocm-smi"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED_FIELDS = {
    "id", "name", "vendor", "segment", "memory_stated", "memory_unit", "memory_bytes",
    "cuda_total_mib", "cuda_total_source", "cuda_total_kind", "bandwidth_gbs",
    "unified_memory", "gpu_share_default", "aliases", "release_year", "source",
    "fp16_tflops", "backend", "spec_source",
}


def _load():
    path = importlib.resources.files("calc_py") / "data" / "gpus.json"
    return json.loads(path.read_text(encoding="utf-8"))


CATALOG = _load()
GPUS = CATALOG["gpus"]
BY_ID = {g["id"]: g for g in GPUS}


def _ids(gpus):
    return [g["id"] for g in gpus]


def test_catalog_has_schema_text_and_at_least_60_entries():
    assert isinstance(CATALOG["schema"], str) and len(CATALOG["schema"]) > 200
    for field in REQUIRED_FIELDS:
        assert field in CATALOG["schema"], f"schema does not describe {field}"
    assert len(GPUS) >= 60


def test_ids_are_unique_slugs():
    ids = _ids(GPUS)
    assert len(ids) == len(set(ids))
    for gid in ids:
        assert SLUG.match(gid), gid


@pytest.mark.parametrize("gpu", GPUS, ids=_ids(GPUS))
def test_entry_has_every_field_with_the_right_type(gpu):
    assert REQUIRED_FIELDS <= set(gpu), REQUIRED_FIELDS - set(gpu)
    assert isinstance(gpu["name"], str) and gpu["name"]
    assert gpu["vendor"] in VENDORS
    assert gpu["segment"] in SEGMENTS
    assert isinstance(gpu["memory_bytes"], int) and not isinstance(gpu["memory_bytes"], bool)
    assert isinstance(gpu["bandwidth_gbs"], float) and 0 < gpu["bandwidth_gbs"] < 20000
    assert isinstance(gpu["release_year"], int) and 2012 <= gpu["release_year"] <= 2030
    assert isinstance(gpu["unified_memory"], bool)
    assert isinstance(gpu["aliases"], list)
    assert all(isinstance(a, str) and a == a.lower() and a.strip() == a and a for a in gpu["aliases"])


@pytest.mark.parametrize("gpu", GPUS, ids=_ids(GPUS))
def test_every_entry_cites_a_source_url(gpu):
    assert re.match(r"^https://[^\s/]+\.[a-z]{2,}/\S*$", gpu["source"]), gpu["source"]


def test_aliases_are_unique_across_entries_and_never_shadow_an_id():
    seen = {}
    for gpu in GPUS:
        for alias in gpu["aliases"]:
            assert alias not in seen, f"{alias!r} in {seen.get(alias)} and {gpu['id']}"
            seen[alias] = gpu["id"]
    for alias, owner in seen.items():
        assert alias not in BY_ID or BY_ID[alias]["id"] == owner


@pytest.mark.parametrize("gpu", GPUS, ids=_ids(GPUS))
def test_memory_bytes_follow_exactly_from_stated_size_and_unit(gpu):
    m = re.fullmatch(r"(\d+(?:\.\d+)?) GB", gpu["memory_stated"])
    assert m, gpu["memory_stated"]
    assert gpu["memory_unit"] in UNITS
    number = float(m.group(1))
    assert number == int(number), "fractional capacities would need an exact rule"
    assert gpu["memory_bytes"] == int(number) * UNITS[gpu["memory_unit"]]


@pytest.mark.parametrize("gpu", GPUS, ids=_ids(GPUS))
def test_reported_total_is_below_nominal_and_above_90_percent(gpu):
    total = gpu["cuda_total_mib"]
    if total is None:
        assert gpu["cuda_total_source"] is None
        assert gpu["cuda_total_kind"] is None
        return
    assert isinstance(total, int)
    assert isinstance(gpu["cuda_total_source"], str) and len(gpu["cuda_total_source"]) > 10
    assert gpu["cuda_total_source"].startswith(("https://", "github-file-id:", "groundtruth "))
    assert gpu["cuda_total_kind"] in KINDS
    nominal_mib = gpu["memory_bytes"] / (1 << 20)
    assert 0.9 * nominal_mib < total < nominal_mib


@pytest.mark.parametrize("gpu", GPUS, ids=_ids(GPUS))
def test_unified_memory_and_gpu_share_only_on_shared_memory_machines(gpu):
    if gpu["vendor"] == "apple":
        assert gpu["segment"] == "apple-silicon"
    else:
        assert gpu["segment"] != "apple-silicon"
    if gpu["segment"] in ("apple-silicon", "unified"):
        assert gpu["unified_memory"] is True
        assert gpu["memory_unit"] == "GiB"
        share = gpu["gpu_share_default"]
        assert isinstance(share, float) and 0 < share < 1
        assert gpu["cuda_total_mib"] is None
    else:
        assert gpu["unified_memory"] is False
        assert gpu["gpu_share_default"] is None


@pytest.mark.parametrize("gpu", [g for g in GPUS if g["segment"] == "unified"],
                         ids=_ids([g for g in GPUS if g["segment"] == "unified"]))
def test_a_non_apple_gpu_share_cites_where_it_comes_from(gpu):
    # Apple's share follows one documented macOS rule (below); every other
    # unified machine's default is a driver or OS setting and names its source.
    assert isinstance(gpu.get("gpu_share_source"), str)
    assert "https://" in gpu["gpu_share_source"]


def test_strix_halo_share_is_the_linux_gtt_default_of_half_the_ram():
    for gid in ("ryzen-ai-max-395-64gb", "ryzen-ai-max-395-128gb"):
        assert BY_ID[gid]["gpu_share_default"] == 0.5
        assert "Variable Graphics Memory" in BY_ID[gid]["notes"]


@pytest.mark.parametrize("gpu", GPUS, ids=_ids(GPUS))
def test_speed_fields_are_present_sane_and_sourced(gpu):
    # The speed model divides by these: they must exist, be positive floats
    # in a physically possible range, and say where they come from.
    assert isinstance(gpu["fp16_tflops"], float) and 1.0 <= gpu["fp16_tflops"] <= 10000
    assert gpu["backend"] in BACKENDS
    assert isinstance(gpu["spec_source"], str) and len(gpu["spec_source"]) > 20
    assert 50 <= gpu["bandwidth_gbs"] <= 20000


@pytest.mark.parametrize("gpu", GPUS, ids=_ids(GPUS))
def test_backend_follows_the_vendor_except_stated_exceptions(gpu):
    expected = {"nvidia": "cuda", "amd": "rocm", "intel": "sycl", "apple": "metal"}[gpu["vendor"]]
    if gpu["id"] == "firepro-d700":  # GCN 1: no ROCm support, Vulkan only
        expected = "vulkan"
    assert gpu["backend"] == expected


def test_fp16_figures_match_the_groundtruth_spec_table_where_it_has_one():
    # /work/shared/groundtruth/gpu_specs.jsonl (dense FP16 tensor, FP32 accumulate).
    published = {"rtx-4090": 165.2, "rtx-3090": 71.0, "rtx-3050-6gb": 13.6, "h100-pcie-80gb": 756,
                 "a100-80gb-pcie": 312, "a100-80gb": 312, "a40": 149.67, "l40s": 366.43,
                 "rx-7900-xtx": 122.8, "rx-7900-xt": 103.0, "radeon-pro-w7900": 122.6,
                 "mi300x": 1300, "ryzen-ai-max-395-128gb": 59}
    for gid, tflops in published.items():
        assert BY_ID[gid]["fp16_tflops"] == pytest.approx(tflops, rel=0.02), gid


def test_geforce_tensor_rate_is_the_fp32_accumulate_half_rate():
    # NVIDIA's Ada whitepaper: RTX 4090 330.3 TFLOPS FP16 accumulate, 165.2 FP32 accumulate.
    assert BY_ID["rtx-4090"]["fp16_tflops"] == pytest.approx(330.3 / 2, rel=0.01)
    # Datacenter parts have no such halving: H100 SXM 989 dense.
    assert BY_ID["h100-sxm-80gb"]["fp16_tflops"] == pytest.approx(989, rel=0.01)


def test_apple_share_follows_the_macos_rule():
    # recommendedMaxWorkingSetSize: 2/3 of RAM up to 32 GB, 3/4 from 36 GB (see schema).
    for gpu in GPUS:
        if gpu["vendor"] != "apple":
            continue
        gib = gpu["memory_bytes"] // GIB
        expected = 2 / 3 if gib <= 32 else 0.75
        assert gpu["gpu_share_default"] == pytest.approx(expected), gpu["id"]


@pytest.mark.parametrize("gid", [
    "rtx-2060", "rtx-3060-12gb", "rtx-3090", "rtx-4060-ti-16gb", "rtx-4090",
    "rtx-5060-ti-16gb", "rtx-5090",
    "rtx-a4000", "rtx-a5000", "rtx-a6000", "rtx-4000-ada", "rtx-5000-ada", "rtx-6000-ada",
    "rtx-pro-6000-blackwell",
    "t4", "v100-16gb", "v100-32gb", "a10", "a10g", "a30", "a40", "l4", "l40", "l40s",
    "a100-40gb", "a100-80gb", "h100-pcie-80gb", "h100-sxm-80gb", "h100-nvl-94gb",
    "h200-141gb", "b200", "gh200-96gb",
    "rx-6800", "rx-6900-xt", "rx-7600", "rx-7800-xt", "rx-7900-xt", "rx-7900-xtx",
    "rx-9070-xt", "radeon-pro-w7900", "mi210", "mi250x", "mi300x", "mi325x",
    "arc-a750", "arc-a770-16gb", "arc-b580",
    "apple-m1-16gb", "apple-m2-ultra-192gb", "apple-m3-max-128gb", "apple-m4-max-128gb",
    # Issue 13 item 3 / issue 11 item 1: the machines people run local models on in 2026.
    "ryzen-ai-max-395-64gb", "ryzen-ai-max-395-128gb", "dgx-spark", "apple-m3-ultra-512gb",
    "apple-m5-pro-48gb", "apple-m5-max-128gb", "rtx-5060-laptop", "rtx-5070-ti-laptop",
    "rtx-5080-laptop", "rtx-5090-laptop", "radeon-ai-pro-r9700", "arc-pro-b60", "arc-pro-b70",
    "mi355x", "b300", "tesla-p40", "tesla-p100-12gb", "tesla-p100-16gb", "mi50-16gb",
    "mi50-32gb", "mi60", "mi100", "mi25", "tesla-k80", "radeon-pro-v620", "firepro-d700",
    "rtx-pro-6000-blackwell-max-q",
])
def test_required_families_are_present(gid):
    assert gid in BY_ID


def test_every_vendor_and_segment_is_represented():
    assert {g["vendor"] for g in GPUS} == VENDORS
    assert {g["segment"] for g in GPUS} == SEGMENTS


def test_known_capacities():
    assert BY_ID["rtx-4090"]["memory_bytes"] == 24 * GIB
    assert BY_ID["rtx-3060-12gb"]["memory_bytes"] == 12 * GIB
    assert BY_ID["h100-sxm-80gb"]["memory_bytes"] == 80 * GIB
    assert BY_ID["h200-141gb"]["memory_bytes"] == 141 * GIB
    assert BY_ID["mi300x"]["memory_bytes"] == 192 * GIB
    assert BY_ID["apple-m4-max-128gb"]["memory_bytes"] == 128 * GIB


def test_hbm_parts_are_binary_because_the_driver_reports_more_than_decimal():
    # A decimal reading (10^9 B per GB) would put the capacity below what the
    # driver reports; the unit choice for these parts rests on that.
    for gid in ("h100-sxm-80gb", "a100-80gb", "a100-40gb", "h200-141gb", "b200", "mi300x", "mi210"):
        gpu = BY_ID[gid]
        assert gpu["memory_unit"] == "GiB"
        stated_gb = int(gpu["memory_stated"].split()[0])
        assert gpu["cuda_total_mib"] * (1 << 20) > stated_gb * GB, gid


def test_variants_are_distinct_entries():
    assert BY_ID["rtx-4060-ti-8gb"]["memory_bytes"] == 8 * GIB
    assert BY_ID["rtx-4060-ti-16gb"]["memory_bytes"] == 16 * GIB
    assert BY_ID["rtx-5060-ti-8gb"]["memory_bytes"] == 8 * GIB
    assert BY_ID["rtx-5060-ti-16gb"]["memory_bytes"] == 16 * GIB
    assert BY_ID["v100-16gb"]["memory_bytes"] * 2 == BY_ID["v100-32gb"]["memory_bytes"]
