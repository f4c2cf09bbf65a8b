"""Plan-time estimate: pool costs with autoscaling bounds, the budget, the Infracost-shaped report, the ranking."""

import datetime

import pytest

from ansible_collections.aizone.platform.plugins.module_utils.cost import estimate, infracost
from ansible_collections.aizone.platform.plugins.module_utils.cost.compare import compare
from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError, ValidationError


def pool(name, itype, desired, low=None, high=None, capacity="on-demand"):
    return {"name": name, "instance_type": itype, "capacity_type": capacity,
            "autoscaling": {"enabled": low is not None, "min": low or desired, "max": high or desired,
                            "desired": desired}}


CURRENT = {"cpu": pool("cpu", "c5.4xlarge", 3, 3, 6), "h100": pool("h100", "p5.48xlarge", 1, 1, 2)}


def resize(name, after):
    return {"name": name, "action": "update", "current": CURRENT[name], "after": after}


def test_resize_reports_the_monthly_difference_and_bounds():
    cost = estimate.shown(estimate.plan_cost("eks", "us-east-1", CURRENT,
                                             [resize("h100", pool("h100", "p5.48xlarge", 2, 1, 2))]))
    assert cost["diff"] == {"hourly": 55.04, "monthly": 40179.2}
    # pools at desired, min and max node counts, plus the EKS control plane's 0.10 USD an hour
    assert cost["before"]["monthly"] == round((3 * 0.68 + 55.04 + 0.10) * 730, 2)
    assert cost["after"]["monthly_min"] == round((3 * 0.68 + 55.04 + 0.10) * 730, 2)
    assert cost["after"]["monthly_max"] == round((6 * 0.68 + 2 * 55.04 + 0.10) * 730, 2)
    assert cost["control_plane"]["hourly_after"] == 0.1 and "EKS" in cost["control_plane"]["source"]
    h100 = [p for p in cost["pools"] if p["name"] == "h100"][0]
    assert h100["after"]["nodes"] == {"desired": 2, "min": 1, "max": 2} and h100["diff_monthly"] == 40179.2


def test_spot_is_priced_at_its_snapshot_or_said_to_be_on_demand():
    spot = estimate.pool_cost("eks", "us-east-1", pool("a", "p4d.24xlarge", 1, capacity="spot"))
    assert str(spot["node_hourly"]) == "2.4655" and spot["capacity_type"] == "spot"
    unknown = estimate.pool_cost("eks", "us-east-1", pool("b", "p5.48xlarge", 1, capacity="spot"))
    assert unknown["capacity_type"] == "on-demand" and "an upper bound" in unknown["notes"][0]


def test_budget_breach_names_the_pools_and_amounts():
    cost = estimate.plan_cost("eks", "us-east-1", CURRENT, [resize("h100", pool("h100", "p5.48xlarge", 2, 1, 2))])
    with pytest.raises(AizoneError) as err:
        estimate.enforce_budget("z", cost, estimate.check_budget({"monthly_usd": 50000}))
    assert err.value.details["field"] == "budget.monthly_usd"
    assert "h100 +40,179.20 USD/month (1 x p5.48xlarge -> 2 x p5.48xlarge)" in err.value.msg
    assert "81,920.60 USD (desired node counts), exceeds its budget of 50,000.00 USD by 31,920.60 USD" in err.value.msg
    warned = estimate.enforce_budget("z", cost, estimate.check_budget({"monthly_usd": 50000, "override": True}))
    assert warned and warned[0].startswith("budget overridden")
    # lowering the cost above the budget is applied, with a warning
    down = estimate.plan_cost("eks", "us-east-1", CURRENT, [resize("cpu", pool("cpu", "c5.4xlarge", 2, 2, 6))])
    assert "does not raise it" in estimate.enforce_budget("z", down, estimate.check_budget({"monthly_usd": 100}))[0]


@pytest.mark.parametrize("budget,field", [({"monthly_usd": -1}, "budget.monthly_usd"),
                                          ({"monthly_usd": "lots"}, "budget.monthly_usd"),
                                          ({"monthly_usd": 10, "basis": "p99"}, "budget.basis")])
def test_bad_budget_names_the_option(budget, field):
    with pytest.raises(ValidationError) as err:
        estimate.check_budget(budget)
    assert err.value.field == field


def _money(value):
    float(value)
    assert isinstance(value, str)


def test_infracost_report_has_infracosts_documented_fields():
    cost = estimate.plan_cost("eks", "us-east-1", CURRENT, [resize("h100", pool("h100", "p5.48xlarge", 2, 1, 2))])
    doc = infracost.report("z", "eks", cost, now=datetime.datetime(2026, 11, 30))
    for key in ("totalHourlyCost", "totalMonthlyCost", "pastTotalHourlyCost", "pastTotalMonthlyCost",
                "diffTotalHourlyCost", "diffTotalMonthlyCost"):
        _money(doc[key])
    assert doc["currency"] == "USD" and doc["timeGenerated"] == "2026-11-30T00:00:00Z"
    assert doc["diffTotalMonthlyCost"] == "40179.20"
    assert float(doc["totalMonthlyCost"]) - float(doc["pastTotalMonthlyCost"]) == pytest.approx(40179.2)
    project = doc["projects"][0]
    for side in ("pastBreakdown", "breakdown", "diff"):
        _money(project[side]["totalMonthlyCost"])
        for res in project[side]["resources"]:
            assert set(res) >= {"name", "resourceType", "hourlyCost", "monthlyCost", "costComponents"}
            for comp in res["costComponents"]:
                assert set(comp) >= {"name", "unit", "hourlyQuantity", "monthlyQuantity", "price", "hourlyCost",
                                     "monthlyCost"}
                assert float(comp["monthlyQuantity"]) == 730 * float(comp["hourlyQuantity"])
                assert float(comp["monthlyCost"]) == pytest.approx(float(comp["price"]) * float(comp["monthlyQuantity"]),
                                                                   abs=0.01)
    assert [r["name"] for r in project["diff"]["resources"]] == ["aizone_node_pool.h100"]
    assert project["breakdown"]["resources"][0]["name"] == "aizone_zone.z"
    # a new zone: its control plane is part of the difference
    new = infracost.report("z", "eks", estimate.plan_cost("eks", "us-east-1", {}, [], control_plane=(False, True)))
    assert new["diffTotalMonthlyCost"] == "73.00" and new["pastTotalMonthlyCost"] == "0.00"


def test_cross_cloud_ranking_for_8_a100_80gb():
    result = compare({"gpu": {"model": "A100-80GB", "count": 8},
                      "current": {"provider": "eks", "instance_type": "p4de.24xlarge", "region": "us-east-1"}})
    on_demand = dict(((o["provider"], o["instance_type"], o["region"]), o) for o in result["offers"]
                     if o["capacity_type"] == "on-demand")
    assert on_demand[("eks", "p4de.24xlarge", "us-east-1")]["hourly"] == 27.447
    assert on_demand[("aks", "Standard_ND96amsr_A100_v4", "eastus")]["hourly"] == 32.77
    assert on_demand[("gke", "a2-ultragpu-8g", "us-central1")]["hourly"] == 40.5504
    assert all(o["source"] and o["date"] for o in result["offers"])
    hourly = [o["hourly"] for o in result["offers"]]
    assert hourly == sorted(hourly)
    assert result["cheapest"]["capacity_type"] == "spot" and result["cheapest"]["hourly"] == 8.6505
    assert result["current"]["monthly_saving_at_cheapest"] == round((27.447 - 8.6505) * 730, 2)
    assert on_demand[("aks", "Standard_ND96amsr_A100_v4", "eastus")]["monthly_vs_current"] == round(
        (32.77 - 27.447) * 730, 2)
