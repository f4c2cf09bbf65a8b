"""k8s/apply_plan.narrow_selector: which label term narrows the engine's LIST of one kind."""

from ansible_collections.aizone.platform.plugins.module_utils.k8s.apply_plan import SELECTOR_BUDGET, narrow_selector
from ansible_collections.aizone.platform.plugins.module_utils.names import LABEL_MANAGED_BY, MANAGED_BY

M = {LABEL_MANAGED_BY: MANAGED_BY}


def labels(**kv):
    return dict(M, **dict((k.replace("_", "."), v) for k, v in kv.items()))


def test_the_label_with_the_most_values_names_the_objects():
    sets = [labels(tenant="a", env="prod"), labels(tenant="b", env="prod")]
    assert narrow_selector(sets, []) == "tenant in (a,b)"


def test_prune_values_join_the_desired_ones_and_every_prune_spec_must_constrain_the_key():
    sets = [labels(tenant="a")]
    assert narrow_selector(sets, [{"tenant": ["a", "c"]}]) == "tenant in (a,c)"
    assert narrow_selector(sets, [{"tenant": "c"}]) == "tenant in (a,c)"
    assert narrow_selector(sets, [{"tenant": None}]) == "tenant"          # prune asks for presence only
    assert narrow_selector(sets, [{"tenant": ["a"]}, {}]) is None          # a spec without it needs them all
    assert narrow_selector([], [{"component": "priority-class"}]) == "component in (priority-class)"


def test_no_narrowing_without_a_shared_selectable_label():
    assert narrow_selector([labels(tenant="a"), labels(team="x")], []) is None
    assert narrow_selector([M, M], []) is None
    assert narrow_selector([], []) is None
    assert narrow_selector([labels(tenant="")], []) is None               # empty values cannot be listed
    assert narrow_selector([labels(tenant="has space")], []) is None


def test_a_term_longer_than_the_budget_gives_way():
    names = ["tenant-%05d" % i for i in range(SELECTOR_BUDGET // 10)]
    sets = [labels(tenant=n, fleet="f1") for n in names]
    assert narrow_selector(sets, []) == "fleet in (f1)"
    assert narrow_selector([labels(tenant=n) for n in names], []) is None
