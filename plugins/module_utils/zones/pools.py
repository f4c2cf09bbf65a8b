# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Node pools, one or a whole list: one mechanism for node_pool and node_pools.

1. plan: every pool against what the zone has (one list call), without a write:
   create, update (the changed fields; a field the provider cannot change in
   place fails the task naming it, before any write), delete, or nothing.
   With prune, pools the zone has that the list lacks are deleted - only those
   this collection created (`managed`, see providers/base.pool_shape);
2. submit: the provider's create, update and delete calls, side by side
   (concurrency.outcomes, at most `concurrency` at once). A pool whose call
   fails is reported and does not stop the others;
3. one wait for every submitted pool - ready, or gone - polling them side by
   side; a pool that fails (its status, or the wait's time) is reported;
4. the result: per pool its action, before/after, and error; the task fails
   naming every pool that failed, with the results of the others.

Between the plan and the first write, the zone's cost before and after the
plan is estimated (cost/estimate.py): results carry it as `cost`, the
Infracost-shaped report is written when asked, and a change that would take
the zone over its budget fails there, before any write.

Check mode stops after the plan and the estimate: the prediction is the plan's `after`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.aizone.platform.plugins.module_utils.catalog import instances as catalog
from ansible_collections.aizone.platform.plugins.module_utils.concurrency import outcomes
from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError, WaitTimeout
from ansible_collections.aizone.platform.plugins.module_utils.waiter import wait_for
from ansible_collections.aizone.platform.plugins.module_utils.zones.access import require_running, serving
from ansible_collections.aizone.platform.plugins.module_utils.zones.reconcile import (
    changed_fields, merge_spec, refuse_fixed, spec_of)
from ansible_collections.aizone.platform.plugins.module_utils.zones.spec import (
    NODE_POOL_DEFAULTS, NODE_POOL_SPEC_FIELDS, check_autoscaling, complete_autoscaling, sort_taints)

DIFF_FIELDS = NODE_POOL_SPEC_FIELDS + ("gpu",)
DEFAULT_CONCURRENCY = 8


def finish_pool(provider, pool):
    """Fill what the reconciler owns in a pool read from a provider: gpu, type, sorted taints."""
    if pool is None:
        return None
    pool = copy.deepcopy(pool)
    entry = catalog.instance_types(provider.name).get(pool.get("instance_type"))
    if entry is not None:
        pool["gpu"] = catalog.gpu_of(entry)
        if not pool.get("type"):
            pool["type"] = catalog.pool_type(entry)
    pool["taints"] = sort_taints(pool.get("taints") or [])
    pool["labels"] = pool.get("labels") or {}
    return pool


def current_pools(provider, zone_name):
    """{name: finished pool} of the zone (one list call)."""
    return dict((name, finish_pool(provider, pool)) for name, pool in provider.list_node_pools(zone_name).items())


def _complete_pool(provider, zone_name, desired):
    if not desired.get("instance_type"):
        raise ValidationError(desired["field"] + "instance_type", "node pool %s does not exist yet: give "
                              "instance_type, or gpu (model and count) to choose one" % desired["name"])
    pool = copy.deepcopy(NODE_POOL_DEFAULTS)
    pool.update(copy.deepcopy(provider.node_pool_defaults(zone_name, desired) or {}))
    pool = merge_spec(pool, dict(desired, autoscaling=None), NODE_POOL_SPEC_FIELDS)
    pool["autoscaling"] = check_autoscaling(desired["field"] + "autoscaling",
                                            complete_autoscaling(desired.get("autoscaling")))
    pool["name"], pool["gpu"] = desired["name"], desired.get("gpu")
    pool["status"], pool["managed"] = None, True
    return provider.normalize_node_pool(pool)


def plan_pool(provider, zone_name, desired, current):
    """{name, field, action, current, after, changed_fields} of one pool; no write.

    desired: a validated pool (zones/spec.node_pool_desired) with "state" and "field" (the option path prefix
    of its messages, "" for node_pool, "node_pools[2]." for node_pools)."""
    name, field = desired["name"], desired.get("field") or ""
    plan = {"name": name, "field": field, "current": current, "changed_fields": None}
    if desired.get("state") == "absent":
        return dict(plan, action="delete" if current is not None else "unchanged", after=None)
    if current is None:
        return dict(plan, action="create", after=_complete_pool(provider, zone_name, dict(desired, field=field)))
    after = merge_spec(current, desired, NODE_POOL_SPEC_FIELDS)
    after["gpu"] = desired.get("gpu") if desired.get("instance_type") else current.get("gpu")
    after["autoscaling"] = check_autoscaling(field + "autoscaling", after["autoscaling"])
    after = provider.normalize_node_pool(after)
    changed = changed_fields(current, after, NODE_POOL_SPEC_FIELDS)
    refuse_fixed(provider, "node pool", name, changed, provider.node_pool_updatable, current, after, prefix=field)
    return dict(plan, action="update" if changed else "unchanged", after=after, changed_fields=changed)


def _submit(provider, zone_name, plan):
    if plan["action"] == "create":
        provider.create_node_pool(zone_name, plan["after"])
    elif plan["action"] == "update":
        provider.update_node_pool(zone_name, plan["current"], plan["after"], plan["changed_fields"])
    else:
        provider.delete_node_pool(zone_name, plan["current"])


class _Settle(object):
    """The one wait for every submitted pool: ready (create, update) or gone (delete)."""

    def __init__(self, provider, zone_name, plans, concurrency):
        self.provider, self.zone_name, self.concurrency = provider, zone_name, concurrency
        self.pending = dict((p["name"], p) for p in plans)
        self.states = {}

    def _one(self, plan, listing):
        if plan["action"] == "delete":
            pool = listing.get(plan["name"])
            return pool is None, None, (pool or {}).get("status") or "gone"
        done, pool, state = self.provider.node_pool_ready(self.zone_name, plan["name"])
        return done, finish_pool(self.provider, pool), state

    def probe(self):
        plans = list(self.pending.values())
        listing = (self.provider.list_node_pools(self.zone_name)
                   if any(p["action"] == "delete" for p in plans) else {})
        for plan, (value, exc) in zip(plans, outcomes(lambda p: self._one(p, listing), plans, self.concurrency)):
            if exc is not None:
                plan["error"] = exc
                del self.pending[plan["name"]]
                continue
            done, pool, state = value
            self.states[plan["name"]] = state
            if done:
                plan["settled"] = pool
                del self.pending[plan["name"]]
        waiting = ", ".join("%s (%s)" % (n, self.states.get(n) or "?") for n in sorted(self.pending))
        return not self.pending, None, "waiting for %s" % waiting if waiting else "all settled"

    def run(self, timeout):
        if not self.pending:
            return
        names = ", ".join(sorted(self.pending))
        try:
            wait_for(self.probe, timeout, "node pools %s in zone %s (%s): waiting until ready or deleted"
                     % (names, self.zone_name, self.provider.name))
        except WaitTimeout as exc:
            for plan in self.pending.values():
                plan["error"] = WaitTimeout("node pool %s in zone %s (%s): timed out after %d s waiting until %s; "
                                            "last state: %s" % (plan["name"], self.zone_name, self.provider.name,
                                                                timeout, "deleted" if plan["action"] == "delete"
                                                                else "ready", self.states.get(plan["name"])
                                                                or exc.details.get("last_state")))


def zone_for_pools(provider, zone_name, state, check_mode):
    """The zone the pools belong to, or None when there is nothing to read.

    A missing zone is fine for state=absent (nothing to delete) and in check
    mode (an earlier task would create it); otherwise it is an error.
    """
    zone = provider.get_zone(zone_name)
    if zone is None:
        if check_mode or state == "absent":
            return None
        raise AizoneError("zone %s does not exist on provider %s; create it with aizone.platform.zone first"
                          % (zone_name, provider.name), field="zone")
    require_running(provider, zone, "before managing node pools")
    return zone


def execute(provider, zone_name, plans, check_mode=False, wait=True, wait_timeout=900,
            concurrency=DEFAULT_CONCURRENCY):
    """Submit the plans' writes side by side, then one wait; sets each plan's "after" or "error"."""
    todo = [p for p in plans if p["action"] != "unchanged"]
    if check_mode:
        for plan in todo:
            if plan["after"] is not None:
                plan["after"] = provider.predicted_node_pool(plan["after"])
    if check_mode or not todo:
        return
    submitted = []
    for plan, (_value, exc) in zip(todo, outcomes(lambda p: _submit(provider, zone_name, p), todo, concurrency)):
        if exc is None:
            submitted.append(plan)
        else:
            plan["error"] = exc
    if wait:
        _Settle(provider, zone_name, submitted, concurrency).run(wait_timeout)
    listing = current_pools(provider, zone_name) if submitted and not wait else {}
    for plan in submitted:
        if plan["action"] == "delete" or plan.get("error"):
            continue
        plan["after"] = plan.get("settled") or listing.get(plan["name"]) or plan["after"]


ACTIONS = {"create": "created", "update": "updated", "delete": "deleted", "unchanged": "unchanged"}


def pool_result(plan):
    """What a task reports of one pool."""
    gone = plan["action"] == "delete"
    failed = plan.get("error") is not None
    out = {"name": plan["name"], "action": ACTIONS[plan["action"]], "changed": plan["action"] != "unchanged",
           "node_pool": plan["current"] if failed else None if gone else plan["after"],
           "diff": {"before": spec_of(plan["current"], DIFF_FIELDS),
                    "after": {} if gone or plan["after"] is None else spec_of(plan["after"], DIFF_FIELDS)}}
    if plan["changed_fields"] is not None:
        out["changed_fields"] = plan["changed_fields"]
    if plan.get("pruned"):
        out["pruned"] = True
    if failed:
        out.update(failed=True, msg=getattr(plan["error"], "msg", None) or str(plan["error"]))
    return out


def estimate(provider, zone, zone_name, current, plans, budget=None, cost_report=None):
    """The zone's cost around the plans (no write): (result `cost`, warnings); fails when the budget forbids them.

    budget: estimate.check_budget's value or None; cost_report: a path for the Infracost-shaped report, or None."""
    from ansible_collections.aizone.platform.plugins.module_utils.cost import estimate as cost_estimate
    from ansible_collections.aizone.platform.plugins.module_utils.cost.infracost import write_report
    cost = cost_estimate.plan_cost(provider.name, (zone or {}).get("region"), current, plans,
                                   control_plane=(zone is not None, True))
    if cost_report:
        write_report(cost_report, zone_name, provider.name, cost)
    warnings = cost_estimate.enforce_budget(zone_name, cost, budget)
    return cost_estimate.shown(cost), warnings


def reconcile_node_pool(provider, zone_name, desired, state="present", check_mode=False, wait=True,
                        wait_timeout=900, budget=None, cost_report=None):
    """node_pool: make one pool match desired; returns the module result."""
    zone = zone_for_pools(provider, zone_name, state, check_mode)
    pools = current_pools(provider, zone_name) if zone else {}
    current = pools.get(desired["name"])
    plan = plan_pool(provider, zone_name, dict(desired, state=state), current)
    cost, warnings = estimate(provider, zone, zone_name, pools, [plan], budget, cost_report)
    execute(provider, zone_name, [plan], check_mode, wait, wait_timeout, concurrency=1)
    if plan.get("error") is not None:
        raise plan["error"]
    out = pool_result(plan)
    result = {"changed": out["changed"], "node_pool": out["node_pool"], "zone": zone_name, "diff": out["diff"],
              "cost": cost, "warnings": warnings}
    if state == "present" and current is not None:
        result["changed_fields"] = out["changed_fields"]
    return result


def _prune_plans(current, desired_pools):
    listed = set(d["name"] for d in desired_pools)
    return [{"name": name, "field": "", "action": "delete", "current": pool, "after": None, "changed_fields": None,
             "pruned": True} for name, pool in sorted(current.items()) if name not in listed and pool.get("managed")]


def _plan_listed(provider, zone_name, desired, current):
    """plan_pool for a pool of the list: a provider's own refusal (a name, a size) names the pool's option path."""
    try:
        return plan_pool(provider, zone_name, desired, current)
    except ValidationError as exc:
        if not desired["field"] or (exc.field or "").startswith(desired["field"]):
            raise
        text = exc.msg[len(exc.field) + 2:] if exc.field and exc.msg.startswith(exc.field + ": ") else exc.msg
        raise ValidationError(desired["field"] + (exc.field or "name"), text)


def reconcile_node_pools(provider, zone_name, desired_pools, prune=False, check_mode=False, wait=True,
                         wait_timeout=900, concurrency=DEFAULT_CONCURRENCY, budget=None, cost_report=None):
    """node_pools: make the zone's pools match the list; returns the module result, or raises naming the pools
    that failed (with every pool's result in the error's node_pools)."""
    wanted = "present" if any(d["state"] == "present" for d in desired_pools) else "absent"
    zone = zone_for_pools(provider, zone_name, wanted, check_mode)
    current = current_pools(provider, zone_name) if zone else {}
    plans = [_plan_listed(provider, zone_name, d, current.get(d["name"])) for d in desired_pools]
    if prune:
        plans += _prune_plans(current, desired_pools)
    cost, warnings = estimate(provider, zone, zone_name, current, plans, budget, cost_report)
    execute(provider, zone_name, plans, check_mode, wait, wait_timeout, concurrency)
    results = [pool_result(p) for p in plans]
    counts = dict((action, sum(1 for r in results if r["action"] == action)) for action in sorted(ACTIONS.values()))
    out = {"changed": any(r["changed"] for r in results), "zone": zone_name, "node_pools": results,
           "actions": counts, "cost": cost, "warnings": warnings,
           "diff": [dict(r["diff"], before_header="node pool %s" % r["name"], after_header="node pool %s" % r["name"])
                    for r in results if r["changed"]]}
    failed = [r for r in results if r.get("failed")]
    if failed:
        raise AizoneError("%d of %d node pools failed in zone %s (%s): %s" % (
            len(failed), len(results), zone_name, provider.name, "; ".join(
                "%s: %s" % (r["name"], r["msg"]) for r in failed)), **out)
    return out


def zone_cost(provider, desired, state, current, before_pools):
    """The zone module's `cost`: its control plane and pools before the task and after it (a deleted zone costs
    nothing after; a stopped one keeps its control plane and no nodes)."""
    from ansible_collections.aizone.platform.plugins.module_utils.cost import estimate as cost_estimate
    after_pools = {} if state != "present" else before_pools
    region = (current or {}).get("region") or desired.get("region")
    cost = cost_estimate.cost_between(provider.name, region, before_pools, after_pools,
                                      control_plane=(current is not None, state != "absent"))
    return cost_estimate.shown(cost)


def node_pool_info(provider, zone_name, name=None):
    """Read-only: the zone's node pools (one when name is given)."""
    zone = provider.get_zone(zone_name)
    if zone is None:
        return {"changed": False, "zone_exists": False, "node_pools": []}
    pools = current_pools(provider, zone_name) if serving(provider, zone) else {}
    return {"changed": False, "zone_exists": True,
            "node_pools": [pool for n, pool in sorted(pools.items()) if name is None or n == name]}
