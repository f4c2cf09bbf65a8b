"""Check the import direction of plugins/: modules -> domains -> k8s / providers -> base.

Usage: python hack/import_layers.py [ROOT]   (exit 1 and one line per violation when any)

The packages of plugins/module_utils and what each may import (DEVELOPERS.md
draws the same picture):

- base (errors, retry, waiter, files, names, money, catalog/): base only;
- k8s/: base and k8s. Inside it, rest.py sees transports only through their
  two-method interface: it never imports k8s/transport.py, and outside k8s
  only k8s/client.py may (callers get a client from client.connect);
- providers/: base, k8s and providers;
- the domains (zones, gpu, tenants, workloads, compute, addons, mlops,
  storage, cost): base, k8s, their own package, and the domains listed for
  them in DOMAIN_DEPENDS (zones also providers, and cost for the plan-time
  estimate node pools carry; addons: providers, zones, workloads; gpu: zones,
  addons for the upstream ClusterPolicy CRD; dr: zones), never a domain above them;
- plugins/modules: anything public, but of k8s only k8s.client (connection
  options) and of providers only the package itself (PROVIDER_ARGS);
- doc_fragments: nothing of the collection.

Everywhere: no import of a private name (leading underscore) or a private
module from another package. Imports inside functions count as well.
"""

from __future__ import absolute_import, division, print_function

import ast
import os
import sys

PREFIX = "ansible_collections.aizone.platform.plugins."
BASE = ("errors", "retry", "waiter", "files", "names", "money", "catalog", "concurrency")
DOMAIN_DEPENDS = {
    "zones": ("providers", "cost"),
    "addons": ("providers", "zones", "workloads"),
    "gpu": ("zones", "addons"),
    "tenants": (),
    "workloads": ("zones",),
    "compute": ("workloads", "zones"),
    "mlops": ("zones", "workloads"),
    "storage": ("providers", "zones"),
    "cost": ("providers", "zones"),
    "dr": ("zones", "mlops"),
}
LOWER = {"k8s": ("k8s",), "providers": ("k8s", "providers")}


def _package(parts):
    """The layer key of a module_utils module path (list of names after module_utils)."""
    return "base" if parts[0] in BASE else parts[0]


def _imports(path):
    """(line, imported module path, imported names) of every import of the collection in a file."""
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            module = node.module[len(PREFIX):]
            for alias in node.names:
                # "from pkg import mod" imports a module; "from mod import name" a name
                found.append((node.lineno, module, alias.name))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PREFIX):
                    found.append((node.lineno, alias.name[len(PREFIX):], None))
    return found


def _target(module, name, module_utils_dir):
    """(parts of the imported module_utils module, imported name or None) for an import."""
    parts = module.split(".")[1:]   # after "module_utils"
    if name is not None and os.path.exists(os.path.join(module_utils_dir, *(parts + [name + ".py"]))):
        return parts + [name], None   # a module imported from its package
    if name is not None and os.path.isdir(os.path.join(module_utils_dir, *(parts + [name]))):
        return parts + [name], None
    return parts, name


def _allowed(source, target, source_kind):
    """None when a module of `source` (layer key) may import `target` (module_utils parts), else why not."""
    tkey = _package(target)
    if source_kind == "doc_fragments":
        return "doc fragments import nothing of the collection"
    if source_kind == "modules":
        if tkey == "k8s" and target[:2] != ["k8s", "client"]:
            return "modules take only the connection options of k8s (k8s.client)"
        if tkey == "providers" and len(target) > 1:
            return "modules take only providers (PROVIDER_ARGS), never a provider's own file"
        return None
    if tkey == "base":
        return None
    if source == "base":
        return "the base layer imports only the base layer"
    if source in LOWER:
        return None if tkey in LOWER[source] else "%s may import only %s and the base layer" % (
            source, ", ".join(LOWER[source]))
    # a domain
    allowed = ("k8s", source) + DOMAIN_DEPENDS[source]
    return None if tkey in allowed else "domain %s may import only k8s, %s and the base layer" % (
        source, ", ".join((source,) + DOMAIN_DEPENDS[source]))


def _special(rel_parts, target):
    """The k8s transport rule."""
    if target[:2] == ["k8s", "transport"] and rel_parts[:2] != ["k8s", "client"] and rel_parts[:2] != [
            "k8s", "transport"]:
        return "only k8s/client.py imports k8s/transport.py (Rest depends on the Transport interface)"
    return None


def _private(source_parts, target, name):
    same = source_parts[0] == target[0] if target else False
    if same:
        return None
    if any(p.startswith("_") and p != "__init__" for p in target):
        return "private module %s of another package" % ".".join(target)
    if name and name.startswith("_"):
        return "private name %s of another package" % name
    return None


def check_file(path, kind, rel_parts, module_utils_dir):
    """Violations of one file: kind is modules, doc_fragments or module_utils (rel_parts its path there)."""
    out = []
    where = rel_parts if kind == "module_utils" else [kind]
    source = _package(rel_parts) if kind == "module_utils" else kind
    for line, module, name in _imports(path):
        if not module.startswith("module_utils"):
            continue
        target, imported_name = _target(module, name, module_utils_dir)
        why = None
        if kind != "module_utils" or _package(target) != source:
            why = _allowed(source, target, kind)
        if kind == "module_utils":
            why = why or _special(rel_parts, target)
        why = why or _private(where, target, imported_name)
        if why:
            out.append("%s:%d: imports %s: %s" % (path, line, ".".join(["module_utils"] + target), why))
    return out


def violations(root):
    """Every violation of the import rules under root/plugins, as 'file:line: ...' strings."""
    plugins = os.path.join(root, "plugins")
    module_utils_dir = os.path.join(plugins, "module_utils")
    found = []
    for dirpath, _dirs, files in os.walk(plugins):
        for filename in sorted(files):
            if not filename.endswith(".py"):
                continue
            path = os.path.join(dirpath, filename)
            rel = os.path.relpath(path, plugins).split(os.sep)
            if rel[0] == "module_utils":
                parts = rel[1:]
                parts[-1] = parts[-1][:-3]
                if parts == ["__init__"]:
                    continue
                found += check_file(path, "module_utils", parts, module_utils_dir)
            elif rel[0] in ("modules", "doc_fragments"):
                found += check_file(path, rel[0], [rel[0]], module_utils_dir)
    return found


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found = violations(root)
    for line in found:
        print(line)
    if found:
        print("%d import(s) against the layering of plugins/ (see hack/import_layers.py)" % len(found))
        return 1
    print("import layering: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
