"""The add-on catalog says the same versions as the files that pin them."""

import os
import re

from harness.ansible import ROOT

from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDONS, GPU_OPERATOR
from ansible_collections.aizone.platform.plugins.module_utils.k8s.kinds import STATIC_KINDS


def _versions_env():
    with open(os.path.join(ROOT, "hack", "controlplane", "versions.env")) as handle:
        return dict(re.findall(r"^([A-Z_]+)=(\S+)$", handle.read(), re.M))


def _requirement(name):
    with open(os.path.join(ROOT, "requirements.txt")) as handle:
        return re.search(r"^%s==(\S+)" % re.escape(name), handle.read(), re.M).group(1)


def test_go_built_versions_are_those_of_versions_env():
    pins = _versions_env()
    assert ADDONS["kuberay"]["version"] == pins["KUBERAY_VERSION"]
    assert GPU_OPERATOR["version"] == pins["GPU_OPERATOR_VERSION"]
    assert ADDONS["kuberay"]["cluster"]["image"].endswith(":" + pins["KUBERAY_VERSION"])
    assert ADDONS["keda"]["version"] == pins["KEDA_VERSION"]
    assert ADDONS["velero"]["version"] == pins["VELERO_VERSION"]
    assert ADDONS["velero"]["cluster"]["image"].endswith(":" + pins["VELERO_VERSION"])
    assert ADDONS["velero"]["cluster"]["plugins"] == ["velero/velero-plugin-for-aws:" + pins["VELERO_AWS_PLUGIN_VERSION"]]
    assert pins["VELERO_AWS_PLUGIN_VERSION"] in ADDONS["velero"]["package"]


def test_dask_operator_version_is_that_of_requirements():
    version = _requirement("dask-kubernetes")
    assert ADDONS["dask"]["version"] == version
    assert ADDONS["dask"]["cluster"]["image"].endswith(":" + version)


def test_files_directories_name_the_pinned_version():
    for entry in list(ADDONS.values()) + [GPU_OPERATOR]:
        assert entry["files"].endswith("-" + entry["version"]), entry["files"]


def test_every_served_kind_the_collection_writes_is_in_the_kind_table():
    for entry in ADDONS.values():
        api_version, kind, crd = entry["kinds"][0]
        assert (api_version, kind) in STATIC_KINDS
        assert crd == "%s.%s" % (STATIC_KINDS[(api_version, kind)][0], api_version.split("/")[0])


def test_local_operators_run_without_leader_election_and_answer_health_on_loopback():
    for name, entry in ADDONS.items():
        if entry["local"] is None:      # CRDs only: what runs it comes from the project's chart, and says so
            assert entry["cluster"] is None and entry["operator"] is None and entry["elsewhere"], name
            continue
        argv = " ".join(entry["local"]["argv"])
        assert "{port}" in argv and entry["local"]["health"].startswith("http://127.0.0.1:{port}/"), name
    assert "--enable-leader-election=false" in ADDONS["kuberay"]["local"]["argv"]
    assert "--standalone" in ADDONS["dask"]["local"]["argv"]   # kopf: no peering, one process
