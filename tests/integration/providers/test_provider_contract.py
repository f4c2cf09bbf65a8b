"""The provider contract: one suite, parametrized over every provider harness present.

Each provider runs the same life cycle through the real modules
(ansible-playbook): check-mode create (predicts, writes nothing), create
(result equals the prediction), second run (changed false, no write calls),
read back through the _info modules, update of a label value + a first taint
+ scaling (and the zone's in-place field), again predicted exactly in check
mode first, a change the provider cannot make in place (fails naming the
field, nothing written), bad input (fails before any call), check-mode
delete, delete, delete again. Harnesses: tests/harness/providers/.
"""

import copy
from decimal import ROUND_HALF_UP, Decimal

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.catalog.price_data import CONTROL_PLANE
from ansible_collections.aizone.platform.plugins.module_utils.providers import get_provider, options_with_env
from harness.contract import PARAMS, info_tasks, pool_task, pools_task, run, start_harness, zone_task


@pytest.fixture(scope="module", params=PARAMS)
def harness(request):
    return start_harness(request)


READ_ONLY = ("status", "status_message", "endpoint", "provider", "node_count", "ready_node_count", "managed")


def _strip(obj):
    """The comparable spec of a zone/pool (what diff.after holds)."""
    return dict((k, v) for k, v in obj.items() if k not in READ_ONLY)


def test_contract(harness, run_playbook):
    h = harness
    zone_spec = copy.deepcopy(h.zone_spec)
    pool_spec = copy.deepcopy(h.node_pool_spec)
    create = [zone_task(h, zone_spec), pool_task(h, pool_spec)]

    # 1. check mode create: predicts, writes nothing (the double counts every write call), so leaves nothing behind
    res, writes = run(run_playbook, h, create, check=True)
    assert res.task("zone")["changed"] and res.task("pool")["changed"]
    assert writes == 0
    predicted_zone = res.task("zone")["diff"]["after"]
    predicted_pool = res.task("pool")["diff"]["after"]
    assert res.task("zone")["diff"]["before"] == {} and res.task("pool")["diff"]["before"] == {}
    fee = round(CONTROL_PLANE[h.module_params["provider"]][0] * 730, 2)
    assert res.task("zone")["cost"]["before"]["monthly"] == 0 and res.task("zone")["cost"]["diff"]["monthly"] == fee
    assert predicted_pool["labels"] == pool_spec["labels"] and predicted_pool["taints"] == []

    # 2. create: the result is exactly what check mode predicted
    res, writes = run(run_playbook, h, create)
    assert res.task("zone")["changed"] and res.task("pool")["changed"]
    assert writes > 0
    assert res.task("zone")["diff"]["after"] == predicted_zone
    assert res.task("pool")["diff"]["after"] == predicted_pool
    created_zone, created_pool = res.task("zone")["zone"], res.task("pool")["node_pool"]

    # 3. second run: changed false, no write calls; read back through the _info modules
    res, writes = run(run_playbook, h, create + info_tasks(h))
    assert not res.task("zone")["changed"] and not res.task("pool")["changed"]
    assert writes == 0, "second run made %d write calls" % writes
    zone_cost = res.task("zone")["cost"]
    assert zone_cost["diff"]["monthly"] == 0 and [p["name"] for p in zone_cost["pools"]] == [pool_spec["name"]]
    assert zone_cost["after"]["monthly"] == round(fee + zone_cost["pools"][0]["after"]["monthly"], 2)
    assert zone_cost["pools"][0]["after"]["nodes"]["desired"] == pool_spec["autoscaling"]["desired"]
    info_zone = res.task("zone_info")["zone"]
    assert res.task("zone_info")["exists"] is True
    assert _strip(info_zone) == _strip(created_zone)
    pools = res.task("pool_info")["node_pools"]
    assert [p["name"] for p in pools] == [pool_spec["name"]]
    assert _strip(pools[0]) == _strip(created_pool) == predicted_pool
    # 4. the zone is listed (the inventory plugin's read), in the shape zone_info gives
    listed = get_provider(h.module_params["provider"], options_with_env(h.module_params)).list_zones()
    assert [_strip(z) for z in listed if z["name"] == zone_spec["name"]] == [_strip(info_zone)]

    # 5. update: a label value, the first taint, scaling (+ the zone's in-place field)
    new_pool = copy.deepcopy(pool_spec)
    new_pool["labels"] = dict((k, v + "-2") for k, v in pool_spec["labels"].items())
    new_pool["taints"] = [{"key": "dedicated", "value": "contract", "effect": "NoSchedule"}]
    scaling = pool_spec["autoscaling"]
    new_pool["autoscaling"] = dict(scaling, max=scaling["max"] + 1, desired=scaling["desired"] + 1)
    new_zone = dict(zone_spec, **h.zone_update)
    update = [zone_task(h, new_zone), pool_task(h, new_pool)]

    res, writes = run(run_playbook, h, update, check=True)
    assert writes == 0
    assert res.task("zone")["changed"] and res.task("pool")["changed"]
    assert sorted(res.task("pool")["changed_fields"]) == ["autoscaling", "labels", "taints"]
    predicted_zone, predicted_pool = res.task("zone")["diff"]["after"], res.task("pool")["diff"]["after"]
    predicted_fields = res.task("zone")["changed_fields"]
    assert predicted_pool["labels"] == new_pool["labels"]
    assert predicted_pool["taints"] == new_pool["taints"]
    assert predicted_pool["autoscaling"] == new_pool["autoscaling"]
    assert res.task("zone")["diff"]["before"] == _strip(created_zone)
    assert res.task("pool")["diff"]["before"] == _strip(created_pool)

    res, writes = run(run_playbook, h, update + info_tasks(h))
    assert res.task("zone")["changed"] and res.task("pool")["changed"]
    assert writes > 0
    assert res.task("zone")["diff"]["after"] == predicted_zone
    assert res.task("zone")["changed_fields"] == predicted_fields
    assert res.task("pool")["diff"]["after"] == predicted_pool
    assert _strip(res.task("pool_info")["node_pools"][0]) == predicted_pool

    # 6. second update run (no change, no write calls), a change the provider cannot make
    #    in place and bad input (both fail naming the field, writing nothing)
    fixed = dict(new_pool, capacity_type="on-demand" if new_pool["capacity_type"] == "spot" else "spot")
    bad = dict(new_pool, autoscaling=dict(new_pool["autoscaling"], min=5, max=2))
    res, writes = run(run_playbook, h, update + [pool_task(h, fixed, name="fixed"),
                                                 pool_task(h, bad, name="bad")], ignore_errors=True)
    assert not res.task("zone")["changed"] and not res.task("pool")["changed"]
    assert writes == 0, "second update run made %d write calls" % writes
    assert res.task("fixed")["failed"] and res.task("fixed")["field"] == "capacity_type"
    assert "cannot be changed in place" in res.task("fixed")["msg"]
    assert res.task("bad")["failed"] and res.task("bad")["field"] == "autoscaling.min"

    # 7. delete: check mode first, then for real, then again
    delete = [pool_task(h, new_pool, state="absent"), zone_task(h, new_zone, state="absent")]
    res, writes = run(run_playbook, h, delete, check=True)
    assert res.task("pool")["changed"] and res.task("zone")["changed"]
    assert writes == 0
    assert res.task("pool")["diff"] == {"before": predicted_pool, "after": {}}

    res, writes = run(run_playbook, h, delete + info_tasks(h))
    assert res.task("pool")["changed"] and res.task("zone")["changed"]
    assert res.task("zone_info")["exists"] is False and res.task("pool_info")["node_pools"] == []

    res, writes = run(run_playbook, h, delete)
    assert not res.task("pool")["changed"] and not res.task("zone")["changed"]
    assert writes == 0


def _by_name(result):
    return dict((p["name"], p) for p in result.get("node_pools", result.get("pools")))


def _one_more(scaling):
    return dict(scaling, desired=scaling["desired"] + 1, max=max(scaling["max"], scaling["desired"] + 1))


def _assert_resize_priced(cost, name):
    """A check-mode resize by one node: the zone's monthly difference is the node's price x 730."""
    pool = _by_name(cost)[name]
    assert pool["after"]["nodes"]["desired"] == pool["before"]["nodes"]["desired"] + 1
    monthly = (Decimal(str(pool["after"]["node_hourly"])) * 730).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal(str(pool["diff_monthly"])) == monthly > 0
    assert cost["diff"]["monthly"] == pool["diff_monthly"]
    assert Decimal(str(cost["after"]["monthly"])) == Decimal(str(cost["before"]["monthly"])) + monthly


def test_contract_node_pools(harness, run_playbook):
    """node_pools, the list form: the same contract, for two pools at once, with prune."""
    h = harness
    first = copy.deepcopy(h.node_pool_spec)
    second = dict(copy.deepcopy(h.node_pool_spec), name=first["name"][:11] + "b", labels={"team": "data"})
    both = [first, second]
    run(run_playbook, h, [zone_task(h, h.zone_spec)])

    # check mode predicts both creations and writes nothing; the run then does exactly that
    res, writes = run(run_playbook, h, [pools_task(h, both)], check=True)
    assert writes == 0 and res.task("pools")["changed"]
    predicted = _by_name(res.task("pools"))
    assert [predicted[p["name"]]["action"] for p in both] == ["created", "created"]
    res, writes = run(run_playbook, h, [pools_task(h, both)] + info_tasks(h))
    assert writes > 0 and res.task("pools")["actions"]["created"] == 2
    done = _by_name(res.task("pools"))
    for spec in both:
        assert done[spec["name"]]["diff"]["after"] == predicted[spec["name"]]["diff"]["after"]
    assert sorted(p["name"] for p in res.task("pool_info")["node_pools"]) == sorted(p["name"] for p in both)
    assert all(p["managed"] for p in res.task("pool_info")["node_pools"])

    # second run: nothing changes, nothing is written
    res, writes = run(run_playbook, h, [pools_task(h, both)])
    assert not res.task("pools")["changed"] and writes == 0
    assert res.task("pools")["actions"]["unchanged"] == 2

    # an update of one pool and the prune of the other, predicted in check mode, then done; check mode also
    # prices a resize: one more node costs the node's price a month more
    updated = dict(first, labels={"team": "ml-2"})
    bigger = dict(first, autoscaling=_one_more(first["autoscaling"]))
    res, writes = run(run_playbook, h, [pools_task(h, [updated], prune=True),
                                        pools_task(h, [bigger], name="resize")], check=True)
    assert writes == 0
    _assert_resize_priced(res.task("resize")["cost"], first["name"])
    cost = _by_name(res.task("pools")["cost"])
    assert cost[first["name"]]["diff_monthly"] == 0
    assert cost[second["name"]]["diff_monthly"] == -cost[second["name"]]["before"]["monthly"]
    assert res.task("pools")["cost"]["diff"]["monthly"] == cost[second["name"]]["diff_monthly"]
    plan = _by_name(res.task("pools"))
    assert plan[first["name"]]["action"] == "updated" and plan[first["name"]]["changed_fields"] == ["labels"]
    assert plan[second["name"]]["action"] == "deleted" and plan[second["name"]]["pruned"] is True
    res, writes = run(run_playbook, h, [pools_task(h, [updated], prune=True)] + info_tasks(h))
    assert writes > 0 and _by_name(res.task("pools"))[first["name"]]["diff"]["after"] == \
        plan[first["name"]]["diff"]["after"]
    assert [p["name"] for p in res.task("pool_info")["node_pools"]] == [first["name"]]

    # bad input and a change the provider cannot make in place: fail naming the option path, write nothing
    bad = dict(updated, autoscaling=dict(updated["autoscaling"], min=5, max=2))
    fixed = dict(updated, capacity_type="on-demand" if updated["capacity_type"] == "spot" else "spot")
    over = dict(pools_task(h, [dict(updated, autoscaling=_one_more(updated["autoscaling"]))], name="budget"))
    over["aizone.platform.node_pools"] = dict(over["aizone.platform.node_pools"], budget={"monthly_usd": 1})
    res, writes = run(run_playbook, h, [pools_task(h, [updated, bad], name="bad"),
                                        pools_task(h, [updated, dict(updated)], name="twice"),
                                        pools_task(h, [fixed], name="fixed"), over], ignore_errors=True)
    assert writes == 0
    assert res.task("budget")["failed"] and res.task("budget")["field"] == "budget.monthly_usd"
    assert "exceeds its budget of 1.00 USD" in res.task("budget")["msg"] and updated["name"] in res.task("budget")["msg"]
    assert res.task("bad")["failed"] and res.task("bad")["field"] == "node_pools[1].autoscaling.min"
    assert res.task("twice")["failed"] and res.task("twice")["field"] == "node_pools[1].name"
    assert res.task("fixed")["failed"] and res.task("fixed")["field"] == "node_pools[0].capacity_type"

    # delete through the list, check mode first; then the zone
    gone = [{"name": first["name"], "state": "absent"}]
    res, writes = run(run_playbook, h, [pools_task(h, gone)], check=True)
    assert writes == 0 and _by_name(res.task("pools"))[first["name"]]["action"] == "deleted"
    res, writes = run(run_playbook, h, [pools_task(h, gone), zone_task(h, h.zone_spec, state="absent")])
    assert res.task("pools")["actions"]["deleted"] == 1
    res, writes = run(run_playbook, h, [pools_task(h, gone)])
    assert not res.task("pools")["changed"] and writes == 0
