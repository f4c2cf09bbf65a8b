"""The execution environment: what the collection declares covers what its plugins import, at the pins of
requirements.txt, and ansible-builder (introspect --sanitize, create) accepts it - hack/ee.sh stages the context."""

import ast
import importlib.metadata
import importlib.util
import os
import re
import subprocess
import sys

import yaml

from harness.ansible import ROOT

from ansible_collections.aizone.platform.plugins.module_utils.addons.converge import LOCAL_MODULES


def _pins(path):
    with open(os.path.join(ROOT, path)) as handle:
        return dict((m.group(1).lower(), m.group(2)) for m in re.finditer(r"^([A-Za-z0-9_.\[\]-]+)==(\S+)", handle.read(), re.M))


_FILES = {}


def _third_party_imports():
    """{dotted module: first file importing it} of plugins/, stdlib and ansible left out."""
    found = {}
    for base, _dirs, files in os.walk(os.path.join(ROOT, "plugins")):
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(base, name)
            for node in ast.walk(ast.parse(open(path).read())):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    ["%s.%s" % (node.module, a.name) for a in node.names] \
                    if isinstance(node, ast.ImportFrom) and not node.level and node.module else []
                for module in modules:
                    if module.split(".")[0] not in sys.stdlib_module_names | {"ansible", "ansible_collections",
                                                                              "__future__"}:
                        found.setdefault(module, os.path.relpath(path, ROOT))
    for module in (m for mods in LOCAL_MODULES.values() for m in mods):   # run as `python -m`, not imported
        found.setdefault(module, "plugins/module_utils/addons/converge.py")
    return found


def _distribution_of(module):
    """The installed distribution holding a module (for `from a.b import c`, a.b.c when c is a module, else a.b)."""
    try:
        spec = importlib.util.find_spec(module)
    except ImportError:
        spec = None
    if spec is None or spec.origin in (None, "namespace"):
        return _distribution_of(module.rsplit(".", 1)[0])
    origin = os.path.realpath(spec.origin)
    if origin not in _FILES:
        raise AssertionError("no installed distribution holds %s (%s)" % (module, origin))
    return _FILES[origin]


def _files():
    """{installed file: its distribution}, of the distributions whose top-level packages plugins/ imports."""
    tops = set(m.split(".")[0] for m in _third_party_imports())
    index = {}
    for dist in importlib.metadata.distributions():
        files = [f for f in dist.files or () if f.parts and f.parts[0] in tops]
        for entry in files:
            index[os.path.realpath(str(dist.locate_file(entry)))] = dist.metadata["Name"].lower().replace("_", "-")
    return index


def _closure(names):
    """The distributions names install: themselves and their requirements, recursively (extras left out)."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or ()
        except importlib.metadata.PackageNotFoundError:    # a requirement for other Pythons only
            continue
        for req in requires:
            if "extra ==" not in req:
                todo.append(re.split(r"[ ;<>=!~\[(]", req, 1)[0].lower().replace("_", "-"))
    return seen


def test_every_import_of_plugins_is_declared_at_the_pinned_version():
    _FILES.update(_files())
    declared, pinned = _pins("meta/ee-requirements.txt"), _pins("requirements.txt")
    installed = _closure(declared)
    missing = {}
    for module, where in sorted(_third_party_imports().items()):
        dist = _distribution_of(module)
        if dist not in installed:
            missing[module] = (dist, where)
    assert missing == {}, "imported by plugins/ but not in meta/ee-requirements.txt: %s" % missing
    assert dict((k, pinned.get(k)) for k in declared) == declared, "meta/ee-requirements.txt differs from requirements.txt"


def test_ansible_builder_introspects_and_creates_the_context():
    run = subprocess.run(["bash", os.path.join(ROOT, "hack", "ee.sh")], capture_output=True, text=True, timeout=300,
                         check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    context = run.stdout.strip().splitlines()[-1]
    ee = os.path.dirname(context)
    introspected = yaml.safe_load(open(os.path.join(ee, "introspect.txt")))
    python = set(line.split("==")[0] for line in introspected["python"])
    assert set(_pins("meta/ee-requirements.txt")) - python <= {"pyyaml"}   # sanitize drops what ansible-core brings
    assert any(line.startswith("postgresql-server [platform:rpm]") for line in introspected["system"])
    containerfile = open(os.path.join(context, "Dockerfile")).read()
    spec = yaml.safe_load(open(os.path.join(ROOT, "execution-environment.yml")))
    assert spec["dependencies"]["ansible_core"]["package_pip"] == "ansible-core==%s" % _pins("requirements.txt")["ansible-core"]
    assert spec["dependencies"]["ansible_runner"]["package_pip"] == "ansible-runner==%s" % _pins("requirements.txt")["ansible-runner"]
    assert "bash /opt/aizone/hack/controlplane/build.sh" in containerfile and "AIZONE_CONTROLPLANE_BIN" in containerfile
    for staged in ("collection/aizone-platform.tar.gz", "hack/controlplane/versions.env", "hack/addons/build.sh",
                   "requirements.yml"):
        assert os.path.exists(os.path.join(context, "_build", staged)), staged
