"""The instance catalog: data integrity and lookups."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.catalog import prices
from ansible_collections.aizone.platform.plugins.module_utils.catalog.instance_data import CATALOG
from ansible_collections.aizone.platform.plugins.module_utils.catalog.price_data import DEFAULT_REGION, PRICES, SOURCES
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError

CANONICAL = ["A100-SXM4-40GB", "A100-80GB", "A100-80GB-PCIe", "H100-80GB", "H100-NVL-94GB",
             "H200-141GB", "A30-24GB", "A10G", "L4", "T4", "V100", "L40S"]
CATEGORIES = {"cpu-optimized", "memory-optimized", "gpu-optimized", "general"}


def test_gpu_model_keys_are_the_shared_canonical_keys():
    assert list(CATALOG["gpu_models"]) == CANONICAL


@pytest.mark.parametrize("entry", CATALOG["instance_types"], ids=lambda e: e["type"])
def test_every_entry_is_complete_and_consistent(entry):
    assert entry["cloud"] in ("aws", "azure", "gcp")
    assert entry["category"] in CATEGORIES
    assert entry["vcpu"] > 0 and entry["memory_gib"] > 0 and entry["max_pods"] > 0
    if entry["category"] == "gpu-optimized":
        assert entry["gpu_model"] in CANONICAL and entry["gpu_count"] >= 1 and entry["gpu_memory_gib"] > 0
    else:
        assert entry["gpu_model"] is None and entry["gpu_count"] == 0
    # every type has a price row in its cloud's default region (its on-demand figure may be unknown: None)
    row = prices.offer(entry["cloud"], entry["type"], DEFAULT_REGION[entry["cloud"]])
    assert row is not None
    assert row["hourly"] is None or (0 < row["hourly"] < 200 and row["source"] and len(row["date"]) == 10)


@pytest.mark.parametrize("row", PRICES, ids=lambda r: "%s-%s" % (r[1], r[2]))
def test_every_price_row_names_a_catalog_type_and_its_source(row):
    cloud, itype, _region, on_demand, source, date, spot = row
    assert itype in catalog.instance_types_of_cloud(cloud)
    assert on_demand is None or (source in SOURCES and len(date) == 10)
    assert spot is None or on_demand is None or 0 < spot <= on_demand


@pytest.mark.parametrize("provider,itype", [("eks", t) for t in (
    "p5e.48xlarge", "c6i.4xlarge", "m6i.4xlarge", "r6i.8xlarge", "x2idn.16xlarge", "c7i.4xlarge", "m7i.4xlarge",
    "r7i.8xlarge", "g6e.12xlarge", "p5en.48xlarge")] + [("aks", "Standard_ND96isr_H200_v5"), ("gke", "a3-ultragpu-8g")])
def test_types_platform_teams_buy_today_are_known(provider, itype):
    assert catalog.get(provider, itype)["type"] == itype


def test_types_are_unique_per_cloud():
    seen = [(e["cloud"], e["type"]) for e in CATALOG["instance_types"]]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("provider,itype,fields", [
    ("eks", "p4de.24xlarge", dict(gpu_model="A100-80GB", gpu_count=8, vcpu=96, memory_gib=1152,
                                  price=27.447, date="2026-07-20")),
    ("eks", "g5.12xlarge", dict(gpu_model="A10G", gpu_count=4, vcpu=48, price=5.672)),
    ("eks", "c5.4xlarge", dict(category="cpu-optimized", vcpu=16, memory_gib=32)),
    ("eks", "r5.2xlarge", dict(category="memory-optimized", vcpu=8, memory_gib=64)),
    ("aks", "Standard_NC48ads_A100_v4", dict(gpu_model="A100-80GB-PCIe", gpu_count=2,
                                             price=7.346, date="2026-06-18")),
    ("gke", "a2-ultragpu-4g", dict(gpu_model="A100-80GB", gpu_count=4, price=20.2752)),
    ("gke", "a2-megagpu-16g", dict(gpu_count=16, price=None)),
    ("local", "p5en.48xlarge", dict(gpu_model="H200-141GB", gpu_count=8, gpu_memory_gib=141)),
])
def test_figures_from_the_reference(provider, itype, fields):
    entry = catalog.get(provider, itype)
    priced = prices.node_price(provider, itype, DEFAULT_REGION[entry["cloud"]])
    found = dict(entry, price=None if priced["hourly"] is None else float(priced["hourly"]), date=priced["date"])
    for key, value in fields.items():
        assert found[key] == value, key


@pytest.mark.parametrize("model,count,expected", [
    ("A100-80GB", 8, {"aws": "p4de.24xlarge", "azure": "Standard_ND96amsr_A100_v4", "gcp": "a2-ultragpu-8g"}),
    ("A100-SXM4-40GB", 8, {"aws": "p4d.24xlarge", "azure": "Standard_ND96asr_v4", "gcp": "a2-highgpu-8g"}),
    ("H100-80GB", 8, {"aws": "p5.48xlarge", "azure": "Standard_ND96isr_H100_v5", "gcp": "a3-highgpu-8g"}),
    ("T4", 1, {"aws": "g4dn.xlarge", "azure": "Standard_NC4as_T4_v3"}),
    ("L4", 1, {"aws": "g6.xlarge", "gcp": "g2-standard-4"}),
])
def test_cross_cloud_equivalence(model, count, expected):
    assert catalog.equivalents(model, count) == expected


def test_by_gpu_picks_cheapest_of_several_fits():
    # g5.xlarge .. g5.16xlarge all carry 1 x A10G; the cheapest is g5.xlarge
    assert catalog.by_gpu("eks", "A10G", 1)["type"] == "g5.xlarge"
    # g2-standard-4 has a price, g2-standard-8/12/16 have none: known prices win
    assert catalog.by_gpu("gke", "L4", 1)["type"] == "g2-standard-4"


def test_model_a_provider_lacks_fails_clearly():
    with pytest.raises(ValidationError) as err:
        catalog.by_gpu("aks", "L4", 1)
    assert err.value.field == "gpu.model"
    assert "provider aks has no instance type with GPU model L4" in err.value.msg
    assert "T4" in err.value.msg  # lists what aks does offer


def test_count_a_provider_lacks_lists_offered_counts():
    with pytest.raises(ValidationError) as err:
        catalog.by_gpu("eks", "A100-80GB", 4)
    assert err.value.field == "gpu.count"
    assert "counts offered for A100-80GB: 8" in err.value.msg


def test_unknown_model_lists_canonical_keys():
    with pytest.raises(ValidationError) as err:
        catalog.by_gpu("eks", "A100", 8)
    assert "allowed values: " + ", ".join(CANONICAL) in err.value.msg


def test_unknown_type_lists_close_matches():
    with pytest.raises(ValidationError) as err:
        catalog.get("eks", "p4d.24xlage")
    assert err.value.field == "instance_type"
    assert err.value.details["close_matches"][0] == "p4d.24xlarge"
    assert "close matches: p4d.24xlarge" in err.value.msg


def test_type_of_another_cloud_says_so():
    with pytest.raises(ValidationError) as err:
        catalog.get("aks", "p4d.24xlarge")
    assert "in the aws catalog, not azure" in err.value.msg


def test_local_uses_the_aws_catalog():
    assert catalog.instance_types("local") is catalog.instance_types("eks")
