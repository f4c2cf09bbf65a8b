"""hack/import_layers.py: the import direction of plugins/ holds on the tree, and a planted violation fails it."""

import importlib.util
import os
import shutil

import pytest

from harness.ansible import ROOT

P = "ansible_collections.aizone.platform.plugins.module_utils"


def _checker():
    spec = importlib.util.spec_from_file_location("import_layers", os.path.join(ROOT, "hack", "import_layers.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_tree_keeps_the_layering():
    assert _checker().violations(ROOT) == []


@pytest.mark.parametrize("path, line, why", [
    ("module_utils/k8s/rest.py", "from %s.tenants.spec import STATES" % P, "k8s may import only k8s"),
    ("module_utils/names.py", "from %s.zones.spec import STATES" % P, "base layer imports only the base layer"),
    ("module_utils/k8s/apply.py", "from %s.k8s import transport" % P, "only k8s/client.py imports k8s/transport"),
    ("module_utils/tenants/spec.py", "from %s.workloads.spec import KINDS" % P, "domain tenants may import only"),
    ("module_utils/gpu/sharing.py", "from %s.providers import get_provider" % P, "domain gpu may import only"),
    ("module_utils/compute/spec.py", "from %s.workloads.spec import _env" % P, "private name _env"),
    ("module_utils/zones/spec.py", "from %s.k8s.apply_plan import _strip_none" % P, "private name _strip_none"),
    ("modules/zone.py", "from %s.providers import aks" % P, "never a provider's own file"),
    ("modules/tenant.py", "from %s.k8s.apply import apply_objects" % P, "only the connection options"),
    ("doc_fragments/kube.py", "from %s.names import POOL_LABEL" % P, "doc fragments import nothing"),
])
def test_a_planted_violation_is_reported(tmp_path, path, line, why):
    shutil.copytree(os.path.join(ROOT, "plugins"), str(tmp_path / "plugins"))
    target = tmp_path / "plugins" / path
    target.write_text(target.read_text() + "\n\ndef _planted():\n    " + line + "\n")
    found = _checker().violations(str(tmp_path))
    assert len(found) == 1 and why in found[0] and path in found[0], found
