# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The zone's plan-time cost as Infracost's JSON output (`infracost breakdown --format json`), so CI cost tooling
that reads Infracost reports (comments, policies, dashboards) reads a zone's change too.

The fields are Infracost's documented output: totalHourlyCost, totalMonthlyCost, pastTotalHourlyCost,
pastTotalMonthlyCost, diffTotalHourlyCost, diffTotalMonthlyCost, projects[] with breakdown, pastBreakdown and
diff, each holding resources[] {name, resourceType, hourlyCost, monthlyCost, costComponents[] {name, unit,
hourlyQuantity, monthlyQuantity, price, hourlyCost, monthlyCost}}. Amounts are decimal strings, as Infracost
writes them; an unknown price is null. Spot pools are priced at the spot snapshot, not as on-demand.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

from ansible_collections.aizone.platform.plugins.module_utils.catalog.price_data import HOURS_PER_MONTH
from ansible_collections.aizone.platform.plugins.module_utils.files import write_private_file
from ansible_collections.aizone.platform.plugins.module_utils.money import MICRO, ZERO, cents, micros, monthly

RESOURCE_TYPE = "aizone_node_pool"
ZONE_TYPE = "aizone_zone"


def _text(amount, quantum=None):
    if amount is None:
        return None
    return str(micros(amount) if quantum is MICRO else cents(amount))


def _resource(name, cost):
    nodes = cost["nodes"]["desired"]
    hourly = cost["hourly"]
    component = {"name": "Instance usage (Linux/UNIX, %s, %s)" % (cost["capacity_type"], cost["instance_type"]),
                 "unit": "hours", "hourlyQuantity": str(nodes), "monthlyQuantity": str(nodes * HOURS_PER_MONTH),
                 "price": _text(cost["node_hourly"], MICRO), "hourlyCost": _text(hourly, MICRO),
                 "monthlyCost": _text(monthly(hourly))}
    return {"name": "%s.%s" % (RESOURCE_TYPE, name), "resourceType": RESOURCE_TYPE,
            "tags": {}, "metadata": {"region": cost["price_region"], "priceSource": cost["source"],
                                     "priceDate": cost["date"], "minNodes": cost["nodes"]["min"],
                                     "maxNodes": cost["nodes"]["max"]},
            "hourlyCost": _text(hourly, MICRO), "monthlyCost": _text(monthly(hourly)),
            "costComponents": [component], "subresources": []}


def _control_plane(zone_name, provider, hourly):
    component = {"name": "Cluster control plane (%s)" % provider, "unit": "hours", "hourlyQuantity": "1",
                 "monthlyQuantity": str(HOURS_PER_MONTH), "price": _text(hourly, MICRO),
                 "hourlyCost": _text(hourly, MICRO), "monthlyCost": _text(monthly(hourly))}
    return {"name": "%s.%s" % (ZONE_TYPE, zone_name), "resourceType": ZONE_TYPE, "tags": {}, "metadata": {},
            "hourlyCost": _text(hourly, MICRO), "monthlyCost": _text(monthly(hourly)),
            "costComponents": [component], "subresources": []}


def _breakdown(zone_name, provider, cost, side):
    rows = cost["pools"]
    resources = [_resource(r["name"], r[side]) for r in rows if r[side] is not None]
    plane = cost["control_plane"][side]
    if plane:
        resources.insert(0, _control_plane(zone_name, provider, plane))
    hourly = sum((r[side]["hourly"] for r in rows if r[side] is not None and r[side]["hourly"] is not None), plane)
    return {"resources": resources, "totalHourlyCost": _text(hourly, MICRO), "totalMonthlyCost": _text(monthly(hourly))}


def _diff(zone_name, cost):
    rows = cost["pools"]
    resources = []
    plane = cost["control_plane"]["after"] - cost["control_plane"]["before"]
    if plane:
        resources.append({"name": "%s.%s" % (ZONE_TYPE, zone_name), "resourceType": ZONE_TYPE,
                          "hourlyCost": _text(plane, MICRO), "monthlyCost": _text(monthly(plane)),
                          "costComponents": [], "subresources": []})
    for row in rows:
        b, a = row["before"], row["after"]
        if (b or {}).get("hourly") == (a or {}).get("hourly"):
            continue
        delta = ((a or {}).get("hourly") or ZERO) - ((b or {}).get("hourly") or ZERO)
        resources.append({"name": "%s.%s" % (RESOURCE_TYPE, row["name"]), "resourceType": RESOURCE_TYPE,
                          "hourlyCost": _text(delta, MICRO), "monthlyCost": _text(monthly(delta)),
                          "costComponents": [], "subresources": []})
    return resources


def report(zone_name, provider, cost, now=None):
    """The Infracost-shaped dict of plan_cost's result for one zone."""
    past, current = _breakdown(zone_name, provider, cost, "before"), _breakdown(zone_name, provider, cost, "after")
    diff_resources = _diff(zone_name, cost)
    diff = {"resources": diff_resources, "totalHourlyCost": _text(cost["diff"]["hourly"], MICRO),
            "totalMonthlyCost": _text(cost["diff"]["monthly"])}
    count = len(current["resources"])
    summary = {"totalDetectedResources": count, "totalSupportedResources": count,
               "totalUnsupportedResources": 0, "totalUsageBasedResources": 0, "totalNoPriceResources": 0,
               "unsupportedResourceCounts": {}, "noPriceResourceCounts": {}}
    project = {"name": "aizone/%s" % zone_name,
               "metadata": {"path": "aizone/%s" % zone_name, "type": "aizone_zone", "provider": provider},
               "pastBreakdown": past, "breakdown": current, "diff": diff, "summary": summary}
    stamp = (now or datetime.datetime.utcnow()).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"version": "0.2", "metadata": {"infracostCommand": "aizone.platform node pools estimate"},
            "currency": "USD", "projects": [project],
            "totalHourlyCost": current["totalHourlyCost"], "totalMonthlyCost": current["totalMonthlyCost"],
            "pastTotalHourlyCost": past["totalHourlyCost"], "pastTotalMonthlyCost": past["totalMonthlyCost"],
            "diffTotalHourlyCost": diff["totalHourlyCost"], "diffTotalMonthlyCost": diff["totalMonthlyCost"],
            "timeGenerated": stamp, "summary": summary}


def write_report(dest, zone_name, provider, cost):
    """Write the report to dest (a local file; written in check mode too: it is the estimate, not the zone)."""
    write_private_file(dest, json.dumps(report(zone_name, provider, cost), indent=2, sort_keys=True) + "\n")
