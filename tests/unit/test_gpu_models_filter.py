"""The gpu_models filter: a GPU sharing entry gets its pool's GPU model from the pool's definition."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.aizone.platform.plugins.filter.gpu_models import gpu_models

POOLS = [{"name": "a100", "instance_type": "p4d.24xlarge"}, {"name": "h100", "gpu": {"model": "H100-80GB", "count": 8}},
         {"name": "cpu", "instance_type": "c5.4xlarge"}]


def test_models_come_from_the_instance_type_or_the_gpu_and_given_ones_stay():
    sharing = [{"name": "a100", "mode": "mig"}, {"name": "h100", "mode": "none"}, {"name": "cpu", "mode": "none"},
               {"name": "elsewhere", "mode": "none"}, {"name": "a100", "mode": "none", "gpu_model": "A100-80GB"}]
    assert [e.get("gpu_model") for e in gpu_models(sharing, POOLS, "local")] == [
        "A100-SXM4-40GB", "H100-80GB", None, None, "A100-80GB"]
    assert "gpu_model" not in sharing[0], "the input is left as it was"


def test_an_unknown_instance_type_or_bad_input_fails_naming_it():
    with pytest.raises(AnsibleFilterError, match="node pool a100: instance_type: unknown instance type 'p9.huge'"):
        gpu_models([{"name": "a100"}], [{"name": "a100", "instance_type": "p9.huge"}], "local")
    with pytest.raises(AnsibleFilterError, match="both lists"):
        gpu_models("a100", POOLS, "local")
