# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""StorageClasses per provider, as data: a `block` class (one pod's disk) and a `shared` one (many pods').

Sources (read 2026-11): the CSI drivers' StorageClass parameters -
aws-ebs-csi-driver docs/parameters.md (type gp3, encrypted), aws-efs-csi-driver
README (provisioningMode efs-ap, fileSystemId, directoryPerms),
azuredisk-csi-driver docs/driver-parameters.md (skuName), azurefile-csi-driver
docs/driver-parameters.md (skuName), GKE's pd.csi.storage.gke.io (type
pd-balanced) and filestore.csi.storage.gke.io (tier, network).

`required` lists parameters only the zone's owner knows (EFS's file system);
the module refuses a class without them, naming the option. The local zone has
no CSI driver: its classes have no provisioner, and the provider pre-creates
static volumes for them (providers/local.py storage_volumes), which the real
PV controller and scheduler bind.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

NO_PROVISIONER = "kubernetes.io/no-provisioner"

STORAGE = {
    "eks": {
        "block": {"provisioner": "ebs.csi.aws.com", "access_modes": ["ReadWriteOnce"], "expansion": True,
                  "parameters": {"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"}},
        "shared": {"provisioner": "efs.csi.aws.com", "access_modes": ["ReadWriteMany"], "expansion": False,
                   "parameters": {"provisioningMode": "efs-ap", "directoryPerms": "700"},
                   "required": ["fileSystemId"]},
    },
    "aks": {
        "block": {"provisioner": "disk.csi.azure.com", "access_modes": ["ReadWriteOnce"], "expansion": True,
                  "parameters": {"skuName": "StandardSSD_LRS"}},
        "shared": {"provisioner": "file.csi.azure.com", "access_modes": ["ReadWriteMany"], "expansion": True,
                   "parameters": {"skuName": "Standard_LRS"}},
    },
    "gke": {
        "block": {"provisioner": "pd.csi.storage.gke.io", "access_modes": ["ReadWriteOnce"], "expansion": True,
                  "parameters": {"type": "pd-balanced"}},
        "shared": {"provisioner": "filestore.csi.storage.gke.io", "access_modes": ["ReadWriteMany"],
                   "expansion": True, "parameters": {"tier": "standard", "network": "default"}},
    },
    "local": {
        "block": {"provisioner": NO_PROVISIONER, "access_modes": ["ReadWriteOnce"], "expansion": False,
                  "parameters": {}},
        "shared": {"provisioner": NO_PROVISIONER, "access_modes": ["ReadWriteMany", "ReadWriteOnce"],
                   "expansion": False, "parameters": {}},
    },
}
