#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: addon
short_description: Install, upgrade, check and remove the add-ons of an AI zone (KubeRay, Dask operator, KEDA)
version_added: 0.2.0
description:
  - Converges a list of zone add-ons - cluster-wide components at versions pinned by the collection - in one task.
    An add-on is its upstream CRDs, applied as the pinned package ships them (server-side apply, as they are too large
    for client-side apply), and its upstream operator.
  - V(kuberay) is the KubeRay operator (RayCluster, RayJob, RayService), V(dask) the Dask operator of
    dask-kubernetes (DaskCluster, DaskWorkerGroup, DaskJob, DaskAutoscaler). M(aizone.platform.ray_cluster) and
    M(aizone.platform.dask_cluster) need them.
  - V(keda) is KEDA's CRDs only (ScaledObject and its kin, from the pinned Go module), which
    M(aizone.platform.inference_service) needs for queue-based autoscaling. KEDA's operator and metrics API server
    come from KEDA's own Helm chart on cloud zones (the task warns so); the local zone runs neither, as its KWOK pods
    export no metrics to scale on.
  - V(velero) is Velero's server with its AWS object-store plugin (Backup, Restore, Schedule, BackupStorageLocation),
    which the DR modules (M(aizone.platform.backup_location) and its kin) drive. On cloud zones it is what
    C(velero install --plugins velero/velero-plugin-for-aws) renders (the plugin as an init container, the server bound
    to C(cluster-admin)); on the local zone, C(velero server) out of cluster with the plugin under the files
    directory, as upstream documents, in the namespace O(addons[].namespace) (made when absent).
  - Where the operator runs is the provider's choice (O(controllers=auto)). On cloud zones it is a Deployment of the
    pinned image with the upstream ClusterRole (and leader-election Role), waited for until rolled out. On the local
    zone it is the real operator as a process next to the control plane, with the zone's kubeconfig and leader
    election off, health-checked, logging into the zone's directory; it starts, stops and is deleted with the zone.
  - The files (CRDs, RBAC, the local operator's binary) come from the pinned packages through hack/addons/build.sh,
    into O(files_dir); nothing of them is copied into the collection.
  - A separate module rather than an option of M(aizone.platform.zone) - add-ons live inside the zone and are
    converged against its API server, on their own upgrade schedule, and later layers bring their own.
  - Removal (O(addons[].state=absent)) stops the operator; the CRDs, and with them every custom resource of their
    kinds, stay unless O(addons[].remove_crds) is set.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.provider
  - aizone.platform.zone_access
  - aizone.platform.attributes.kubernetes
  - aizone.platform.wait
  - aizone.platform.addon_files
  - aizone.platform.objects
options:
  addons:
    description: The add-ons.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The add-on.
        type: str
        required: true
        choices: [dask, keda, kuberay, velero]
      state:
        description: V(present) installs or upgrades it to the pinned version; V(absent) stops its operator.
        type: str
        choices: [present, absent]
        default: present
      namespace:
        description: Namespace of the operator (V(kuberay-system), V(dask-operator), V(velero)) when it runs in the zone,
          and Velero's namespace (its kinds live there) wherever it runs.
        type: str
      pool:
        description: Node pool of the operator's pod when it runs in the zone.
        type: str
      remove_crds:
        description: With O(addons[].state=absent), also delete the CRDs, and so every custom resource of their kinds.
        type: bool
        default: false
      identity:
        description:
          - The cloud identity the operator's ServiceAccount assumes where it runs in the zone, so that it reaches
            cloud APIs (Velero its object store) without a key - checked against the provider's form before any
            request.
          - V(eks) - an IAM role ARN (IRSA), the ServiceAccount annotation C(eks.amazonaws.com/role-arn).
          - V(aks) - a managed identity's client ID (Microsoft Entra Workload ID), the annotation
            C(azure.workload.identity/client-id) and the pod label C(azure.workload.identity/use=true).
          - V(gke) - an IAM service account email (Workload Identity), the annotation C(iam.gke.io/gcp-service-account).
          - The local zone has none; its processes use the credentials they are given.
          - The role's trust policy (or federated credential, or IAM binding) for the ServiceAccount
            C(system:serviceaccount:<namespace>:<operator>) is the cloud account's to grant.
        type: str
  controllers:
    description:
      - Where the operators run. V(auto) is the provider's choice - V(local) for the local zone, V(cluster)
        elsewhere. V(cluster) on the local zone renders the cloud Deployment (its pod runs nothing on KWOK nodes).
    type: str
    choices: [auto, local, cluster]
    default: auto
'''

EXAMPLES = r'''
- name: The operators of the distributed compute layer
  aizone.platform.addon:
    zone: aizone-local
    provider: local
    addons:
      - name: kuberay
      - name: dask

- name: On an EKS zone, operators on the cpu pool
  aizone.platform.addon:
    zone: prod-use1
    provider: eks
    region: us-east-1
    addons:
      - {name: kuberay, pool: cpu}
      - {name: dask, pool: cpu}

- name: Velero on an EKS zone, reaching S3 through IRSA
  aizone.platform.addon:
    zone: prod-use1
    provider: eks
    region: us-east-1
    addons:
      - {name: velero, pool: cpu, identity: "arn:aws:iam::123456789012:role/aizone-prod-velero"}

- name: Remove the Dask operator, keep its CRDs and clusters
  aizone.platform.addon:
    zone: aizone-local
    provider: local
    addons: [{name: dask, state: absent}]
'''

RETURN = r'''
addons:
  description: Each add-on, what happened to it and where its operator runs.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The add-on.
      type: str
    version:
      description: The version pinned by the collection.
      type: str
    action:
      description: created, updated, unchanged or deleted.
      type: str
    controllers:
      description: local or cluster.
      type: str
    crds:
      description: The CRDs of the add-on written or found by the task.
      type: list
      elements: str
    process:
      description: The operator process of a local zone, after the task.
      returned: when controllers is local and the add-on is present
      type: dict
      sample: {running: true, healthy: true, pid: 4242, health: "http://127.0.0.1:38211/healthz",
               log: /root/.cache/aizone/kwok/clusters/aizone-local/processes/kuberay.log}
  sample: [{name: kuberay, version: v1.5.0, action: created, controllers: local,
            crds: [rayclusters.ray.io, rayjobs.ray.io, rayservices.ray.io]}]
objects:
  description: The objects that changed, with the action taken or predicted (every object with O(list_unchanged)); the shape is in the notes.
  returned: always
  type: list
  elements: dict
object_counts:
  description: How many objects of the run each action concerned.
  returned: always
  type: dict
  sample: {created: 0, deleted: 0, unchanged: 11, updated: 1}
api_requests:
  description: Requests this task sent to the API server, by HTTP method (see the notes).
  returned: always
  type: dict
  sample: {GET: 3, PATCH: 7}
'''

from ansible_collections.aizone.platform.plugins.module_utils.addons.converge import converge
from ansible_collections.aizone.platform.plugins.module_utils.addons.spec import CONTROLLERS, STATES
from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDON_NAMES
from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import REPORT_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.providers import ZONE_ACCESS_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_args

ARGUMENT_SPEC = dict(
    ZONE_ACCESS_ARGS,
    addons=dict(type="list", elements="dict", required=True, options=dict(
        name=dict(type="str", required=True, choices=list(ADDON_NAMES)),
        state=dict(type="str", choices=list(STATES), default="present"),
        namespace=dict(type="str"),
        pool=dict(type="str"),
        remove_crds=dict(type="bool", default=False),
        identity=dict(type="str"),
    )),
    controllers=dict(type="str", choices=list(CONTROLLERS), default="auto"),
    files_dir=dict(type="path"),
    **dict(REPORT_ARGS, **wait_args())
)


def main():
    run_module(ARGUMENT_SPEC, lambda m: converge(m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
