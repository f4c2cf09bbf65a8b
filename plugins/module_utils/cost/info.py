# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the cost_info module does: one LIST of nodes and one of pods of a running zone, the showback, and the
CSV or JSON file when asked for."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import json

from ansible_collections.aizone.platform.plugins.module_utils.cost.showback import showback
from ansible_collections.aizone.platform.plugins.module_utils.errors import ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.files import write_private_file

FORMATS = ("json", "csv")
CSV_FIELDS = ("level", "name", "namespace", "pool", "instance_type", "pods", "hourly_usd", "monthly_usd")


def csv_text(result):
    """The showback as CSV: one row per node, pool idle part, pool, tenant and workload, and the total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for n in result["nodes"]:
        writer.writerow(("node", n["name"], "", n["pool"], n["instance_type"], "", n["hourly"], n["monthly"]))
    for p in result["pools"]:
        writer.writerow(("pool", p["name"], "", p["name"], p["instance_type"], p["pods"], p["hourly"], p["monthly"]))
        writer.writerow(("idle", p["name"], "", p["name"], p["instance_type"], 0, p["idle_hourly"],
                         p["idle_monthly"]))
    for t in result["tenants"]:
        writer.writerow(("tenant", t["name"], t["name"], "", "", t["pods"], t["hourly"], t["monthly"]))
    for w in result["workloads"]:
        writer.writerow(("workload", "%s/%s" % (w["kind"], w["name"]), w["namespace"], " ".join(w["pools"]), "",
                         w["pods"], w["hourly"], w["monthly"]))
    writer.writerow(("total", "", "", "", "", "", result["total"]["hourly"], result["total"]["monthly"]))
    return out.getvalue()


def describe(params):
    """cost_info: the zone's showback; with dest, also written there as CSV or JSON."""
    from ansible_collections.aizone.platform.plugins.module_utils.zones.access import running_zone, zone_rest
    fmt = params.get("format") or "json"
    if fmt not in FORMATS:
        raise ValidationError("format", "allowed values: %s, got %r" % (", ".join(FORMATS), fmt))
    provider, zone = running_zone(params)
    rest = zone_rest(params, provider, zone)
    nodes = rest.list_all("/api/v1/nodes")
    pods = rest.list_all("/api/v1/pods")
    result = showback(provider.name, nodes, pods)
    result.update(changed=False, zone=zone["name"], provider=provider.name)
    if params.get("dest"):
        text = csv_text(result) if fmt == "csv" else json.dumps(result, indent=2, sort_keys=True) + "\n"
        result["dest_changed"] = write_private_file(params["dest"], text)
        result["dest"] = params["dest"]
    return result
