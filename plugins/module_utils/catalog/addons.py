# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The zone add-ons: cluster-wide components at pinned versions, as data.

Each add-on names the package its files come from and the version pinned
(hack/controlplane/versions.env for Go modules, requirements.txt for PyPI
packages; tests/unit/catalog/test_addons.py checks that both say the same).
hack/addons/build.sh takes the files from the pinned package into
`<files dir>/<files>/`:

- crds/    the upstream CustomResourceDefinitions, applied as they are;
- rbac/clusterrole.yaml  the operator's upstream ClusterRole (cloud zones);
- deploy/deployment.yaml the upstream operator Deployment, where the package ships one;
- bin/     what the local zone runs (KubeRay's ray-operator).

`local` says how the local zone runs the real operator as a process next to
its control plane: the command line, in which `{files}` is the add-on's
files directory, `{python}` the controller's Python and `{port}` a free
loopback port for the health endpoint at `health`. Leader election is off:
one process per zone. `cluster` says how a cloud zone runs it: the image,
pinned, and - where the package ships no plain Deployment (Dask: a Helm
chart) - the container's arguments and health endpoint.

An add-on whose `local` and `cluster` are None is CRDs only (KEDA): the zone
serves its kinds, so the API server validates the objects modules render, and
its controllers are installed by the project's own chart (`elsewhere` says
which). The local zone runs none: KEDA's operator scales on metrics, and
KWOK's pods export none.

Velero's server runs like the operators; its `plugins` are images whose
binaries init containers copy into the server's plugin directory (in the
zone) or programs under `{files}/plugins` (local), and it is bound to the
cluster's own `cluster_role` rather than to a ClusterRole of its package. A
local process's `env` may name `{dir}`, its zone's process directory; a
`namespace` of True makes the add-on's namespace too (the server needs it); a
`record` of True the server's Deployment at 0 replicas (it reads its own).

`kinds` are the custom resources the add-on serves (what modules that
render them check for). GPU Operator: only its ClusterPolicy CRD is used
(gpu_sharing installs it on zones whose GPUs it emulates); the operator
itself is installed on cloud zones by NVIDIA's own chart.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

ADDONS = {
    "kuberay": {
        "description": "KubeRay operator: RayCluster, RayJob and RayService",
        "package": "Go module github.com/ray-project/kuberay/ray-operator",
        "version": "v1.5.0",
        "files": "kuberay-v1.5.0",
        "namespace": "kuberay-system",
        "operator": "kuberay-operator",
        "kinds": [("ray.io/v1", "RayCluster", "rayclusters.ray.io"), ("ray.io/v1", "RayJob", "rayjobs.ray.io"),
                  ("ray.io/v1", "RayService", "rayservices.ray.io")],
        "local": {
            "argv": ["{files}/bin/ray-operator", "--enable-leader-election=false", "--metrics-addr=0",
                     "--health-probe-bind-address=127.0.0.1:{port}", "--use-kubernetes-proxy",
                     "--log-stdout-encoder=console"],
            "health": "http://127.0.0.1:{port}/healthz",
        },
        "cluster": {"image": "quay.io/kuberay/operator:v1.5.0"},   # the package's own Deployment, with this image
    },
    "dask": {
        "description": "Dask operator (dask-kubernetes): DaskCluster, DaskWorkerGroup, DaskJob, DaskAutoscaler",
        "package": "PyPI dask-kubernetes",
        "version": "2026.3.0",
        "files": "dask-kubernetes-2026.3.0",
        "namespace": "dask-operator",
        "operator": "dask-kubernetes-operator",
        "kinds": [("kubernetes.dask.org/v1", "DaskCluster", "daskclusters.kubernetes.dask.org"),
                  ("kubernetes.dask.org/v1", "DaskWorkerGroup", "daskworkergroups.kubernetes.dask.org"),
                  ("kubernetes.dask.org/v1", "DaskJob", "daskjobs.kubernetes.dask.org"),
                  ("kubernetes.dask.org/v1", "DaskAutoscaler", "daskautoscalers.kubernetes.dask.org")],
        "local": {
            "argv": ["{python}", "-m", "kopf", "run", "-m", "dask_kubernetes.operator.controller",
                     "--all-namespaces", "--standalone", "--liveness=http://127.0.0.1:{port}/healthz"],
            "health": "http://127.0.0.1:{port}/healthz",
        },
        "cluster": {
            "image": "ghcr.io/dask/dask-kubernetes-operator:2026.3.0",
            "args": ["--liveness=http://0.0.0.0:8080/healthz", "--all-namespaces"],
            "health": {"path": "/healthz", "port": 8080},
        },
    },
    "keda": {
        "description": "KEDA's CRDs: ScaledObject, ScaledJob, TriggerAuthentication, ClusterTriggerAuthentication",
        "package": "Go module github.com/kedacore/keda/v2",
        "version": "v2.21.0",
        "files": "keda-v2.21.0",
        "namespace": "keda",
        "operator": None,
        "kinds": [("keda.sh/v1alpha1", "ScaledObject", "scaledobjects.keda.sh")],
        "local": None,
        "cluster": None,
        "elsewhere": "this add-on serves KEDA's CRDs only: on cloud zones KEDA's operator and metrics API server "
                     "come from its Helm chart (kedacore/keda, app version 2.21.0); the local zone runs neither",
    },
    "velero": {
        "description": "Velero: backups, restores and schedules of a zone's objects in an S3-compatible store",
        "package": "Go modules github.com/vmware-tanzu/velero and velero-plugin-for-aws v1.14.3",
        "version": "v1.18.3",
        "files": "velero-v1.18.3",
        "namespace": "velero",
        "operator": "velero",
        "kinds": [("velero.io/v1", "Backup", "backups.velero.io"), ("velero.io/v1", "Restore", "restores.velero.io"),
                  ("velero.io/v1", "Schedule", "schedules.velero.io"),
                  ("velero.io/v1", "BackupStorageLocation", "backupstoragelocations.velero.io")],
        "local": {
            # out of cluster, as upstream documents; no profiler; credentials files under the zone's directory
            "argv": ["{files}/bin/velero", "server", "--namespace={namespace}", "--plugin-dir={files}/plugins",
                     "--metrics-address=127.0.0.1:{port}", "--profiler-address=", "--log-format=text",
                     "--uploader-type=kopia", "--concurrent-backups=4"],
            "env": {"TMPDIR": "{dir}"},
            "health": "http://127.0.0.1:{port}/metrics",
            "namespace": True,   # the server refuses to start without its namespace
            # its restores read the image of the Deployment "velero" (for their restore-helper init containers),
            # and fail without it: the Deployment is made at 0 replicas, a record of what the zone would run
            "record": True,
        },
        "cluster": {
            # what `velero install --plugins velero/velero-plugin-for-aws:v1.14.3` renders
            "image": "velero/velero:v1.18.3",
            "command": ["/velero"],
            # --concurrent-backups: the dr layer's per-tenant schedules fire at one instant, and with Velero's default
            # of 1 each queued backup waited for the queue's one-minute recheck (backup_queue_controller.go): 4
            # tenants' backups of about 1 s each took 125 s in the drill. Backups of different namespaces run
            # side by side; Velero still queues those whose namespaces overlap.
            "args": ["server", "--uploader-type=kopia", "--concurrent-backups=4"],
            "env": {"VELERO_SCRATCH_DIR": "/scratch", "LD_LIBRARY_PATH": "/plugins"},
            "plugins": ["velero/velero-plugin-for-aws:v1.14.3"],
            "volumes": {"plugins": "/plugins", "scratch": "/scratch"},
            "health": {"path": "/metrics", "port": 8085},
            "cluster_role": "cluster-admin",   # Velero backs up and restores every kind
        },
    },
}

#: The GPU Operator's ClusterPolicy CRD, from NVIDIA's module by pseudo-version (it has no semver tags there).
GPU_OPERATOR = {
    "name": "gpu-operator",
    "description": "the NVIDIA GPU Operator's ClusterPolicy CRD",
    "package": "Go module github.com/NVIDIA/gpu-operator",
    "version": "v0.0.0-20250917190837-d73a0086a6ba",
    "files": "gpu-operator-v0.0.0-20250917190837-d73a0086a6ba",
    "crd": "nvidia.com_clusterpolicies.yaml",
}

ADDON_NAMES = tuple(sorted(ADDONS))
