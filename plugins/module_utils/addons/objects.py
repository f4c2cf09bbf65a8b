# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Zone add-ons: the Kubernetes objects of one add-on. Pure.

- its CRDs, as upstream ships them (only the label aizone.io/addon is added
  to their metadata, besides the apply engine's managed-by label and hash);
- where its operator runs in the zone (cloud zones): its Namespace (only when
  absent: an existing namespace belongs to whoever made it), ServiceAccount,
  the upstream ClusterRole and its binding (or a binding to the cluster's own
  role the catalog names: Velero's cluster-admin), the upstream leader-election Role
  where there is one, and the operator Deployment: upstream's own manifest
  when the package ships a plain one (KubeRay), else one written after the
  package's chart (Dask), with the image pinned and the pool's placement.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.aizone.platform.plugins.module_utils.names import LABEL_NAME

ADDON_LABEL = "aizone.io/addon"
RBAC = "rbac.authorization.k8s.io"


def _labelled(obj, name):
    obj = copy.deepcopy(obj)
    obj.setdefault("metadata", {}).setdefault("labels", {})[ADDON_LABEL] = name
    return obj


def crd_objects(name, version, crds):
    """The add-on's CRDs, labelled with the add-on and its version."""
    out = []
    for crd in crds:
        crd = _labelled(crd, name)
        crd["metadata"]["labels"][ADDON_LABEL + "-version"] = version
        out.append(crd)
    return out


def _meta(name, addon, namespace=None):
    meta = {"name": name, "labels": {ADDON_LABEL: addon, LABEL_NAME: name}}
    if namespace:
        meta["namespace"] = namespace
    return meta


def _place(pod_spec, placement):
    if placement:
        selector, tolerations = placement
        pod_spec["nodeSelector"] = dict(selector)
        if tolerations:
            pod_spec["tolerations"] = [dict(t) for t in tolerations]


def _bind(deploy, spec):
    """The pod template opts in to the workload identity of spec's binding (addons/spec.bind_identities)."""
    if spec.get("binding"):
        meta = deploy["spec"]["template"].setdefault("metadata", {})
        meta["labels"] = dict(meta.get("labels") or {}, **spec["binding"]["pod_labels"])


def _upstream_deployment(entry, spec, manifest, placement):
    deploy = copy.deepcopy(manifest)
    deploy["metadata"] = dict(deploy.get("metadata") or {}, name=entry["operator"], namespace=spec["namespace"])
    deploy["metadata"].setdefault("labels", {})[ADDON_LABEL] = spec["name"]
    pod = deploy["spec"]["template"]["spec"]
    pod["serviceAccountName"] = entry["operator"]
    pod["containers"][0]["image"] = entry["cluster"]["image"]
    _place(pod, placement)
    _bind(deploy, spec)
    return deploy


def _chart_deployment(entry, spec, placement):
    """The operator Deployment the add-on's chart (or installer) would render with its default values: plugin
    images as init containers copying themselves into the plugins volume, as `velero install --plugins` does."""
    cluster = entry["cluster"]
    selector = {LABEL_NAME: entry["operator"]}
    health = cluster["health"]
    container = {"name": entry["operator"], "image": cluster["image"], "imagePullPolicy": "IfNotPresent",
                 "args": list(cluster["args"]),
                 "livenessProbe": {"httpGet": {"path": health["path"], "port": health["port"]}, "timeoutSeconds": 5}}
    if cluster.get("command"):
        container["command"] = list(cluster["command"])
    if cluster.get("env"):
        container["env"] = [{"name": k, "value": v} for k, v in sorted(cluster["env"].items())]
    volumes = sorted((cluster.get("volumes") or {}).items())
    if volumes:
        container["volumeMounts"] = [{"name": name, "mountPath": path} for name, path in volumes]
    pod = {"serviceAccountName": entry["operator"], "containers": [container]}
    if volumes:
        pod["volumes"] = [{"name": name, "emptyDir": {}} for name, _path in volumes]
    if cluster.get("plugins"):
        pod["initContainers"] = [{"name": image.rsplit("/", 1)[-1].split(":")[0], "image": image,
                                  "imagePullPolicy": "IfNotPresent",
                                  "volumeMounts": [{"name": "plugins", "mountPath": "/target"}]}
                                 for image in cluster["plugins"]]
    _place(pod, placement)
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": _meta(entry["operator"], spec["name"], spec["namespace"]),
              "spec": {"strategy": {"type": "Recreate"}, "selector": {"matchLabels": selector},
                       "template": {"metadata": {"labels": dict(selector, **{ADDON_LABEL: spec["name"]})},
                                    "spec": pod}}}
    _bind(deploy, spec)
    return deploy


def local_record(entry, spec):
    """For a server run next to a local zone that looks itself up in the zone (Velero's restore reads its own
    Deployment for its image): the Deployment it would run as, at 0 replicas - a record, never a pod."""
    deploy = _chart_deployment(entry, spec, None)
    deploy["spec"]["replicas"] = 0
    return deploy


def namespace_object(spec):
    """The add-on's Namespace (made only when absent: an existing namespace belongs to whoever made it)."""
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(spec["namespace"], spec["name"])}


def _binding(kind, name, addon, operator, namespace, role_namespace=None):
    meta = _meta(name, addon, role_namespace)
    return {"apiVersion": RBAC + "/v1", "kind": kind + "Binding", "metadata": meta,
            "roleRef": {"apiGroup": RBAC, "kind": kind, "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": operator, "namespace": namespace}]}


def cluster_objects(entry, spec, files, placement, with_namespace):
    """Namespace (when with_namespace), ServiceAccount, RBAC and Deployment of the operator in the zone.

    files: {"clusterrole", "leader_election_role", "deployment"}: upstream documents (None when absent)."""
    ns, name, operator = spec["namespace"], spec["name"], entry["operator"]
    objects = [namespace_object(spec)] if with_namespace else []
    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(operator, name, ns)}
    if spec.get("binding"):
        account["metadata"]["annotations"] = dict(spec["binding"]["annotations"])
    objects.append(account)
    if entry["cluster"].get("cluster_role"):
        binding = _binding("ClusterRole", operator, name, operator, ns)
        binding["roleRef"]["name"] = entry["cluster"]["cluster_role"]
        objects.append(binding)
    else:
        role = _labelled(files["clusterrole"], name)
        objects += [role, _binding("ClusterRole", role["metadata"]["name"], name, operator, ns)]
    if files.get("leader_election_role"):
        lease = _labelled(files["leader_election_role"], name)
        lease["metadata"]["namespace"] = ns
        objects += [lease, _binding("Role", lease["metadata"]["name"], name, operator, ns, ns)]
    if files.get("deployment"):
        objects.append(_upstream_deployment(entry, spec, files["deployment"], placement))
    else:
        objects.append(_chart_deployment(entry, spec, placement))
    return objects


def cluster_refs(entry, spec, files):
    """What state=absent removes of an operator running in the zone (its namespace stays)."""
    ns, operator = spec["namespace"], entry["operator"]
    refs = [("v1", "ServiceAccount", operator, ns), ("apps/v1", "Deployment", operator, ns)]
    if entry["cluster"].get("cluster_role"):
        refs.append((RBAC + "/v1", "ClusterRoleBinding", operator, None))
    else:
        role = files["clusterrole"]["metadata"]["name"]
        refs += [(RBAC + "/v1", "ClusterRole", role, None), (RBAC + "/v1", "ClusterRoleBinding", role, None)]
    if files.get("leader_election_role"):
        lease = files["leader_election_role"]["metadata"]["name"]
        refs += [(RBAC + "/v1", "Role", lease, ns), (RBAC + "/v1", "RoleBinding", lease, ns)]
    return [_ref(*r) for r in refs]


def _ref(api_version, kind, name, namespace):
    meta = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": meta}


def crd_refs(crds):
    return [_ref("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd["metadata"]["name"], None)
            for crd in crds]
