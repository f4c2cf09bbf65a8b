"""The collection builds, installs its docs, and every module is in its action groups."""

import os
import re
import subprocess
import sys
import tarfile

import yaml

from harness.ansible import ROOT, ansible_env

BIN = os.path.dirname(sys.executable)


def modules():
    return sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "plugins", "modules")) if f.endswith(".py"))


def test_every_module_is_in_the_action_group_and_the_provider_group_is_the_provider_modules():
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as f:
        groups = yaml.safe_load(f)["action_groups"]
    assert sorted(groups["aizone"]) == modules()
    taking_provider_options = []
    for name in modules():
        with open(os.path.join(ROOT, "plugins", "modules", name + ".py")) as f:
            if re.search(r"\b(PROVIDER_ARGS|ZONE_ACCESS_ARGS)\b", f.read()):   # ZONE_ACCESS_ARGS holds PROVIDER_ARGS
                taking_provider_options.append(name)
    # module_defaults for this group reach no module that would refuse the connection options
    assert sorted(groups["provider"]) == taking_provider_options


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
