#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: storage_classes
short_description: The StorageClasses of an AI zone - a block and a shared kind from the provider's catalog
version_added: 0.2.0
description:
  - Converges a list of StorageClasses in a zone in one task. Each is of a O(classes[].kind) - C(block), one
    pod's disk, or C(shared), a file system many pods mount - which the provider's catalog turns into its CSI
    driver and parameters - EBS gp3 (C(ebs.csi.aws.com)) and EFS (C(efs.csi.aws.com)) on EKS, Azure Disk
    (C(disk.csi.azure.com)) and Azure Files (C(file.csi.azure.com)) on AKS, PD balanced
    (C(pd.csi.storage.gke.io)) and Filestore (C(filestore.csi.storage.gke.io)) on GKE. O(classes[].parameters)
    go over the catalog's; a parameter only the zone's owner knows (EFS's C(fileSystemId)) is required.
  - The local zone has no CSI driver. Its classes have no provisioner (C(kubernetes.io/no-provisioner)), and
    the provider makes O(classes[].volumes.count) static hostPath volumes of O(classes[].volumes.size) for each,
    under the zone's directory. The real PV controller binds a claim to one of them when the scheduler places
    the claim's first pod (C(WaitForFirstConsumer)), so a claim that asks for more than the size, or finds no
    free volume, stays Pending as it would on a full cloud. Volumes are C(Retain) - a released one keeps its
    data and is not reused.
  - A class's provisioner, parameters, reclaim policy and binding mode cannot change in place; a class whose
    live values differ is deleted and created again (action C(replaced)); volumes already provisioned keep
    their own settings.
  - Check mode predicts every write with the API server's dry run; nothing is written when the zone is converged.
author: aizone.platform contributors (@aizone)
extends_documentation_fragment:
  - aizone.platform.provider
  - aizone.platform.zone_access
  - aizone.platform.attributes.kubernetes
  - aizone.platform.objects
options:
  classes:
    description: The StorageClasses.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: StorageClass name.
        type: str
        required: true
      kind:
        description: C(block) (ReadWriteOnce) or C(shared) (ReadWriteMany).
        type: str
        required: true
        choices: [block, shared]
      default:
        description:
          - Make it the zone's default class (annotation C(storageclass.kubernetes.io/is-default-class)); one
            class of the list at most.
          - A default class the cloud made (EKS's C(gp2), AKS's C(default)) keeps its own annotation.
        type: bool
        default: false
      parameters:
        description: Parameters over the catalog's, as strings (C(fileSystemId) for EFS, C(skuName) for Azure).
        type: dict
        default: {}
      reclaim_policy:
        description: What happens to a provisioned volume when its claim goes.
        type: str
        choices: [Delete, Retain]
        default: Delete
      binding_mode:
        description: When a claim is bound - when its first pod is scheduled (in the pod's topology zone), or at once.
        type: str
        choices: [WaitForFirstConsumer, Immediate]
        default: WaitForFirstConsumer
      volumes:
        description: Static volumes of the class on a provider without a provisioner (the local zone); ignored elsewhere.
        type: dict
        default: {}
        suboptions:
          count:
            description: How many, 0 to 100; fewer deletes the extra unbound ones (a bound one stays until released).
            type: int
            default: 4
          size:
            description: Capacity of each.
            type: str
            default: 20Gi
      state:
        description: C(absent) deletes the class (and, on the local zone, its unbound static volumes).
        type: str
        choices: [present, absent]
        default: present
  prune:
    description: Also delete the classes this collection made in the zone that are not listed.
    type: bool
    default: false
seealso:
  - module: aizone.platform.tenant
'''

EXAMPLES = r'''
- name: Block and shared storage on EKS
  aizone.platform.storage_classes:
    zone: prod-eu
    provider: eks
    region: eu-west-1
    classes:
      - {name: gp3, kind: block, default: true}
      - {name: efs, kind: shared, parameters: {fileSystemId: fs-0123456789abcdef0}}

- name: The local zone's classes, with 8 static volumes of 50Gi for block
  aizone.platform.storage_classes:
    zone: aizone-local
    provider: local
    classes:
      - {name: standard, kind: block, default: true, volumes: {count: 8, size: 50Gi}}
      - {name: shared, kind: shared}
'''

RETURN = r'''
storage_classes:
  description: One entry per class of the list.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Class name.
      type: str
    kind:
      description: C(block) or C(shared).
      type: str
    provisioner:
      description: The CSI driver (C(kubernetes.io/no-provisioner) on the local zone).
      type: str
    default:
      description: Whether it is the default class.
      type: bool
    action:
      description: C(created), C(updated), C(replaced), C(deleted) or C(unchanged).
      type: str
    static_volumes:
      description: Static volumes the provider made for it (0 on clouds).
      type: int
  sample:
    - {name: standard, kind: block, provisioner: kubernetes.io/no-provisioner, default: true, action: created,
       static_volumes: 4}
objects:
  description: The objects of the run that changed (see the notes).
  returned: always
  type: list
  elements: dict
object_counts:
  description: How many objects each action concerned.
  returned: always
  type: dict
api_requests:
  description: Requests this task sent to the API server, by HTTP method.
  returned: always
  type: dict
'''

from ansible_collections.aizone.platform.plugins.module_utils.errors import run_module
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import REPORT_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.storage.classes import argument_spec, converge


def main():
    spec = dict(PROVIDER_ARGS, kubeconfig=dict(type="path"), context=dict(type="str"), **REPORT_ARGS)
    spec.update(argument_spec())
    run_module(spec, lambda m: converge(m.params, check_mode=m.check_mode, want_diff=m._diff))


if __name__ == "__main__":
    main()
