# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every DR module needs of Velero in the zone: its namespace option (VELERO_ARGS, documented by the
aizone.platform.velero doc fragment), checked before any request, and the check that the zone serves Velero's
kinds (the velero add-on runs), made before any write."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.catalog.addons import ADDONS
from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
from ansible_collections.aizone.platform.plugins.module_utils.names import check_dns_label, given

VELERO = ADDONS["velero"]
#: the modules' namespace option
VELERO_ARGS = {"namespace": dict(type="str", default=VELERO["namespace"])}


def velero_namespace(params):
    """The namespace option, checked."""
    return check_dns_label("namespace", given(params.get("namespace"), VELERO["namespace"]))


def require_velero(rest, zone_name, kind):
    """Fail, naming the add-on to install, unless the zone serves Velero's kind (e.g. "Schedule")."""
    crd = dict((k, name) for _version, k, name in VELERO["kinds"])[kind]
    if rest.get_or_none("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + crd) is None:
        raise AizoneError("zone %s does not serve Velero's %s: install the velero add-on first (aizone.platform.addon, "
                          "name velero)" % (zone_name, kind), field="zone")
