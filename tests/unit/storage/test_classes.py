"""storage_classes input checks and the classes each provider's catalog renders (pure: no I/O)."""

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.storage.classes import storage_class, validate
from ansible_collections.aizone.platform.plugins.module_utils.tenants.spec import validate_tenant


@pytest.mark.parametrize("provider,kind,provisioner,parameters", [
    ("eks", "block", "ebs.csi.aws.com", {"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"}),
    ("eks", "shared", "efs.csi.aws.com", {"provisioningMode": "efs-ap", "directoryPerms": "700",
                                          "fileSystemId": "fs-0123456789abcdef0"}),
    ("aks", "block", "disk.csi.azure.com", {"skuName": "StandardSSD_LRS"}),
    ("aks", "shared", "file.csi.azure.com", {"skuName": "Standard_LRS"}),
    ("gke", "block", "pd.csi.storage.gke.io", {"type": "pd-balanced"}),
    ("gke", "shared", "filestore.csi.storage.gke.io", {"tier": "standard", "network": "default"}),
])
def test_each_cloud_renders_its_csi_driver(provider, kind, provisioner, parameters):
    extra = {"fileSystemId": "fs-0123456789abcdef0"} if provisioner.startswith("efs") else {}
    [spec] = validate(provider, [{"name": "c", "kind": kind, "parameters": extra, "default": kind == "block"}])
    sc = storage_class(provider, spec)
    assert sc["provisioner"] == provisioner and sc["parameters"] == parameters
    assert sc["volumeBindingMode"] == "WaitForFirstConsumer" and sc["reclaimPolicy"] == "Delete"
    assert (sc["metadata"].get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class") == \
        ("true" if kind == "block" else None)


@pytest.mark.parametrize("provider,classes,field", [
    ("eks", [{"name": "efs", "kind": "shared"}], "classes[0].parameters.fileSystemId"),
    ("local", [{"name": "Fast_SSD", "kind": "block"}], "classes[0].name"),
    ("local", [{"name": "a", "kind": "nvme"}], "classes[0].kind"),
    ("local", [{"name": "a", "kind": "block"}, {"name": "a", "kind": "shared"}], "classes[1].name"),
    ("local", [{"name": "a", "kind": "block", "default": True}, {"name": "b", "kind": "shared", "default": True}],
     "classes"),
    ("local", [{"name": "a", "kind": "block", "volumes": {"count": 101}}], "classes[0].volumes.count"),
    ("local", [{"name": "a", "kind": "block", "volumes": {"size": "lots"}}], "classes[0].volumes.size"),
    ("local", [{"name": "a", "kind": "block", "parameters": {"iops": 3000}}], "classes[0].parameters.iops"),
    ("local", [{"name": "a", "kind": "block", "reclaim_policy": "Recycle"}], "classes[0].reclaim_policy"),
    ("openstack", [{"name": "a", "kind": "block"}], "provider"),
])
def test_refusals_name_the_option(provider, classes, field):
    with pytest.raises(ValidationError) as err:
        validate(provider, classes)
    assert err.value.field == field, err.value.msg


@pytest.mark.parametrize("claims,field", [
    ([{"name": "data"}], "tenants[0].volume_claims[0].size"),
    ([{"name": "data", "size": "2Gi", "access_mode": "ReadWriteSome"}], "tenants[0].volume_claims[0].access_mode"),
    ([{"name": "data", "size": "2Gi"}, {"name": "data", "size": "1Gi"}], "tenants[0].volume_claims[1].name"),
    ([{"name": "data", "size": "2Gi", "storage_class": "Fast SSD"}], "tenants[0].volume_claims[0].storage_class"),
])
def test_tenant_claims_refusals_name_the_option(claims, field):
    with pytest.raises(ValidationError) as err:
        validate_tenant(0, {"name": "team", "volume_claims": claims})
    assert err.value.field == field, err.value.msg
