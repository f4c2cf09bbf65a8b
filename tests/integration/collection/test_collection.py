"""The collection builds, installs its docs, and every module is in the action group."""

import os
import subprocess
import sys
import tarfile

import yaml

from harness.ansible import ROOT, ansible_env

BIN = os.path.dirname(sys.executable)


def modules():
    return sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "plugins", "modules")) if f.endswith(".py"))


def test_every_module_is_in_the_action_group():
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as f:
        group = yaml.safe_load(f)["action_groups"]["aizone"]
    assert sorted(group) == modules()


def test_galaxy_build_produces_a_tarball_without_dev_files(tmp_path):
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(tmp_path), ROOT],
                   check=True, capture_output=True, env=ansible_env())
    tarballs = list(tmp_path.glob("aizone-platform-*.tar.gz"))
    assert len(tarballs) == 1
    with tarfile.open(str(tarballs[0])) as tar:
        names = tar.getnames()
    assert set("plugins/modules/%s.py" % m for m in modules()) <= set(names)
    assert "meta/runtime.yml" in names and "roles/foundation/meta/argument_specs.yml" in names
    assert not [n for n in names if n.startswith((".venv", ".build", "hack/", "bench/"))]


def test_ansible_doc_lists_every_module():
    out = subprocess.run([os.path.join(BIN, "ansible-doc"), "-l", "aizone.platform"], check=True,
                         capture_output=True, text=True, env=ansible_env()).stdout
    listed = sorted(line.split()[0].rsplit(".", 1)[1] for line in out.splitlines() if line.startswith("aizone."))
    assert listed == modules()
