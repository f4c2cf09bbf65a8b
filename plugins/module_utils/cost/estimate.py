# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan-time cost of a zone's node pools: before and after a plan, the difference, the budget, the Infracost report.

Called by zones/pools.py between the plan and the first write, so check mode
and a real run carry the same `cost`, and a budget breach fails before any
write. A pool costs its node count x its node's hourly price (catalog/prices);
autoscaling pools also give the monthly figure at their min and max.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.catalog.prices import node_price
from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError
from ansible_collections.aizone.platform.plugins.module_utils.money import MICRO, ZERO, dec, figure, monthly
from ansible_collections.aizone.platform.plugins.module_utils.catalog.price_data import CONTROL_PLANE, HOURS_PER_MONTH

BASES = ("desired", "max")


def check_budget(budget):
    """The validated budget option ({monthly_usd, basis, override}) or None."""
    if not budget:
        return None
    amount = budget.get("monthly_usd")
    try:
        amount = dec(amount)
    except Exception:   # noqa: BLE001 - any unparsable figure is the same mistake
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0:
        raise ValidationError("budget.monthly_usd", "must be a positive number of US dollars a month, got %r"
                              % (budget.get("monthly_usd"),))
    basis = budget.get("basis") or "desired"
    if basis not in BASES:
        raise ValidationError("budget.basis", "allowed values: %s, got %r" % (", ".join(BASES), basis))
    return {"monthly_usd": amount, "basis": basis, "override": bool(budget.get("override"))}


def pool_cost(provider, region, pool):
    """The cost of one normalized pool (None for None): per node, and at its desired, min and max node counts."""
    if pool is None:
        return None
    price = node_price(provider, pool["instance_type"], region, pool.get("capacity_type") or "on-demand")
    scaling = pool.get("autoscaling") or {}
    counts = dict((k, int(scaling.get(k) or 0)) for k in ("desired", "min", "max"))
    per_node = price["hourly"]
    total = dict((k, None if per_node is None else per_node * n) for k, n in counts.items())
    return {"instance_type": pool["instance_type"], "capacity_type": price["capacity_type"],
            "price_region": price["region"], "nodes": counts, "node_hourly": per_node,
            "hourly": total["desired"], "hourly_min": total["min"], "hourly_max": total["max"],
            "source": price["source"], "date": price["date"], "notes": price["notes"]}


def _sum(costs, key):
    return sum((c[key] for c in costs if c is not None and c[key] is not None), ZERO)


def _totals(costs, fixed=ZERO):
    hourly = dict((k, _sum(costs, k) + fixed) for k in ("hourly", "hourly_min", "hourly_max"))
    return {"hourly": hourly["hourly"], "monthly": monthly(hourly["hourly"]),
            "monthly_min": monthly(hourly["hourly_min"]), "monthly_max": monthly(hourly["hourly_max"])}


def _shown(cost):
    """A pool cost for the result: floats, hourly to the millionth and monthly to the cent."""
    if cost is None:
        return None
    out = dict((k, cost[k]) for k in ("instance_type", "capacity_type", "price_region", "nodes", "source", "date",
                                      "notes"))
    out["node_hourly"] = figure(cost["node_hourly"], MICRO)
    out["hourly"] = figure(cost["hourly"], MICRO)
    for key, hourly_key in (("monthly", "hourly"), ("monthly_min", "hourly_min"), ("monthly_max", "hourly_max")):
        out[key] = figure(monthly(cost[hourly_key]))
    return out


def _shown_totals(totals):
    return dict((k, figure(v, MICRO) if k == "hourly" else figure(v)) for k, v in totals.items())


def control_plane_cost(provider, present):
    """{"hourly": Decimal, "source", "date"} of a zone's control plane (zero when there is none)."""
    hourly, source, date = CONTROL_PLANE[provider]
    return {"hourly": dec(hourly) if present else ZERO, "source": source, "date": date}


def plan_cost(provider, region, current, plans, control_plane=(True, True)):
    """The zone's cost before and after the plans (zones/pools plan dicts), with the difference per pool.

    current: {name: normalized pool} of every pool the zone has (pools not planned keep their cost);
    control_plane: whether the zone's control plane exists (its fee counts) before and after."""
    after_pools = dict(current)
    for plan in plans:
        after_pools[plan["name"]] = None if plan["action"] == "delete" else plan["after"]
    return cost_between(provider, region, current, after_pools, control_plane)


def _hourly(cost):
    return cost["hourly"] if cost and cost["hourly"] is not None else ZERO


def cost_between(provider, region, before_pools, after_pools, control_plane):
    """The zone's cost with before_pools and with after_pools ({name: normalized pool or None}), its control plane
    counted where control_plane (before, after) says it exists: what plan_cost and the zone module report."""
    names = sorted(set(before_pools) | set(after_pools))
    before = dict((n, pool_cost(provider, region, before_pools.get(n))) for n in names)
    after = dict((n, pool_cost(provider, region, after_pools.get(n))) for n in names)
    rows = [{"name": n, "before": before[n], "after": after[n],
             "diff_monthly": monthly(_hourly(after[n]) - _hourly(before[n]))} for n in names]
    planes = [control_plane_cost(provider, present) for present in control_plane]
    totals_before = _totals(before.values(), planes[0]["hourly"])
    totals_after = _totals(after.values(), planes[1]["hourly"])
    notes = sorted(set(n for c in list(before.values()) + list(after.values()) if c for n in c["notes"]))
    return {"currency": "USD", "hours_per_month": HOURS_PER_MONTH, "before": totals_before, "after": totals_after,
            "diff": {"hourly": totals_after["hourly"] - totals_before["hourly"],
                     "monthly": totals_after["monthly"] - totals_before["monthly"]},
            "control_plane": {"before": planes[0]["hourly"], "after": planes[1]["hourly"],
                              "source": planes[0]["source"], "date": planes[0]["date"]},
            "pools": rows, "notes": notes}


def shown(cost):
    """plan_cost's figures as a task result (floats; monthly to the cent)."""
    return {"currency": cost["currency"], "hours_per_month": cost["hours_per_month"],
            "before": _shown_totals(cost["before"]), "after": _shown_totals(cost["after"]),
            "diff": {"hourly": figure(cost["diff"]["hourly"], MICRO), "monthly": figure(cost["diff"]["monthly"])},
            "control_plane": {"hourly_before": figure(cost["control_plane"]["before"], MICRO),
                              "hourly_after": figure(cost["control_plane"]["after"], MICRO),
                              "source": cost["control_plane"]["source"], "date": cost["control_plane"]["date"]},
            "pools": [{"name": r["name"], "before": _shown(r["before"]), "after": _shown(r["after"]),
                       "diff_monthly": figure(r["diff_monthly"])} for r in cost["pools"]],
            "notes": cost["notes"]}


def _usd(amount):
    return "{:,.2f} USD".format(dec(amount))


def _driver(row):
    b, a = row["before"], row["after"]
    what = "%s x %s -> %s x %s" % (b["nodes"]["desired"] if b else 0, b["instance_type"] if b else "-",
                                   a["nodes"]["desired"] if a else 0, a["instance_type"] if a else "-")
    return "%s +%s/month (%s)" % (row["name"], _usd(row["diff_monthly"]), what)


def enforce_budget(zone_name, cost, budget):
    """Fail (before any write) when the change raises the zone's monthly cost above the budget; returns warnings.

    The basis is the zone's monthly figure at desired node counts, or at max ("max": what autoscaling may reach).
    A change that lowers or keeps the cost is never refused, even above the budget: it is warned about."""
    if budget is None:
        return []
    key = "monthly" if budget["basis"] == "desired" else "monthly_max"
    after, before = cost["after"][key], cost["before"][key]
    if after <= budget["monthly_usd"]:
        return []
    over = after - budget["monthly_usd"]
    if after <= before:
        return ["zone %s is over its monthly budget of %s by %s (%s node counts); this change does not raise it"
                % (zone_name, _usd(budget["monthly_usd"]), _usd(over), budget["basis"])]
    drivers = sorted((r for r in cost["pools"] if r["diff_monthly"] > 0), key=lambda r: -r["diff_monthly"])
    msg = ("the estimated monthly cost of zone %s after this change, %s (%s node counts), exceeds its budget of %s "
           "by %s; the change adds %s a month. Pools driving it: %s. Nothing was changed. Set budget.override: "
           "true to apply it anyway." % (zone_name, _usd(after), budget["basis"], _usd(budget["monthly_usd"]),
                                         _usd(over), _usd(after - before), "; ".join(_driver(r) for r in drivers)))
    if budget["override"]:
        return ["budget overridden: " + msg.split(". Nothing was changed.")[0]]
    raise AizoneError("budget.monthly_usd: " + msg, field="budget.monthly_usd", cost=shown(cost))


#: budget and cost_report, the options of node_pool and node_pools (doc fragment aizone.platform.cost_estimate)
COST_ARGS = dict(
    budget=dict(type="dict", options=dict(monthly_usd=dict(type="float", required=True),
                                          basis=dict(type="str", choices=list(BASES), default="desired"),
                                          override=dict(type="bool", default=False))),
    cost_report=dict(type="path"),
)
