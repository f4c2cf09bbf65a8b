"""AWX as code: the surveys generated from every role's argument specs pass AWX's own survey rules, the job
templates' extra vars are options of the roles they run, the credential types inject what the modules read."""

import glob
import os
import re

import pytest
import yaml

from harness.ansible import ROOT
from harness.awx import check_answers, check_survey_spec

from ansible_collections.aizone.platform.plugins.filter.survey_spec import YAML_SUFFIX, survey_spec
from ansible_collections.aizone.platform.plugins.module_utils.k8s.client import K8S_AUTH_ARGS
from ansible_collections.aizone.platform.plugins.module_utils.providers import PROVIDER_ARGS

ROLES = sorted(os.path.basename(os.path.dirname(os.path.dirname(p)))
               for p in glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml")))


def _yaml(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def role_survey(role):
    defaults = _yaml("roles", role, "defaults", "main.yml") or {}
    return survey_spec(_yaml("roles", role, "meta", "argument_specs.yml"), "main", role, defaulted=list(defaults))


def role_options(role):
    return _yaml("roles", role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]


@pytest.mark.parametrize("role", ROLES)
def test_every_roles_survey_passes_awx_rules_and_asks_every_option(role):
    survey = role_survey(role)
    assert check_survey_spec(survey) == []
    asked = [q["variable"][:-len(YAML_SUFFIX)] if q["type"] == "textarea" else q["variable"] for q in survey["spec"]]
    assert asked == list(role_options(role))
    assert not any(q["required"] for q in survey["spec"]), "every option has a role default: none is required"


def test_survey_types_follow_the_argument_spec():
    questions = dict((q["variable"], q) for q in role_survey("foundation")["spec"])
    assert questions["foundation_kubeconfig"]["type"] == "text"
    assert questions["foundation_node_pool_concurrency"]["type"] == "integer"
    assert questions["foundation_prune_tenants"] == dict(questions["foundation_prune_tenants"], type="multiplechoice",
                                                         choices=["true", "false"])
    assert questions["foundation_tenants_yaml"]["type"] == "textarea"
    assert "YAML or JSON text: a list of dicts" in questions["foundation_tenants_yaml"]["question_description"]
    mlops = dict((q["variable"], q) for q in role_survey("mlops")["spec"])
    assert mlops["mlops_state"]["choices"] == ["present", "absent"]


def test_answers_are_checked_as_awx_checks_them():
    survey = role_survey("foundation")
    assert check_answers(survey, {"foundation_node_pool_concurrency": 4, "foundation_prune_tenants": "false"}) == []
    assert check_answers(survey, {"foundation_node_pool_concurrency": "4"}) == \
        ["Value 4 for 'foundation_node_pool_concurrency' expected to be an integer."]
    assert check_answers(survey, {"foundation_prune_tenants": "yes"})[0].startswith("Value yes for")


def _roles_of(playbook, seen=()):
    """The roles a playbook of the collection runs, through its import_playbook."""
    found = []
    for play in _yaml("playbooks", playbook) or []:
        if play.get("ansible.builtin.import_playbook"):
            found += _roles_of(play["ansible.builtin.import_playbook"])
        for role in play.get("roles") or []:
            found.append(role["role"].split(".")[-1])
    return found


def test_job_templates_run_the_playbooks_with_the_options_of_their_roles():
    templates = _yaml("awx", "job_templates.yml")["job_templates"]
    credential_types = set(_yaml("awx", "credential_types", os.path.basename(p))["name"]
                           for p in glob.glob(os.path.join(ROOT, "awx", "credential_types", "*.yml")))
    playbooks = set(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "playbooks", "*.yml")))
    assert playbooks <= set(os.path.basename(t["playbook"]) for t in templates), "a playbook has no template"
    assert {"run", "check"} <= set(t["job_type"] for t in templates)
    for template in templates:
        roles = _roles_of(os.path.basename(template["playbook"]))
        assert set(template["survey_roles"]) <= set(roles), template["name"]
        options = set(o for r in roles for o in role_options(r))
        assert set(template["extra_vars"]) <= options, (template["name"], set(template["extra_vars"]) - options)
        assert set(template["credential_types"]) <= credential_types, template["name"]
        if template.get("survey"):
            assert check_survey_spec({"name": template["name"], "description": "", "spec": template["survey"]}) == []


def _read_env_names():
    """Every environment variable the modules read for a connection: the fallbacks of their options, plus what
    the EKS provider reads for its region."""
    names = {"AWS_REGION", "AWS_DEFAULT_REGION"}
    for spec in list(PROVIDER_ARGS.values()) + list(K8S_AUTH_ARGS.values()):
        if spec.get("fallback"):
            names.update(spec["fallback"][1])
    return names


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(ROOT, "awx", "credential_types", "*.yml"))),
                         ids=os.path.basename)
def test_credential_types_inject_only_what_the_modules_read(path):
    kind = yaml.safe_load(open(path))
    fields = [f["id"] for f in kind["inputs"]["fields"]]
    assert set(kind["inputs"].get("required", [])) <= set(fields)
    env = kind["injectors"]["env"]
    assert set(env) <= _read_env_names(), set(env) - _read_env_names()
    templates = list(env.values()) + list((kind["injectors"].get("file") or {}).values())
    used = set(re.findall(r"\{\{\s*(\w+)", " ".join(templates)))
    assert used - {"tower"} <= set(fields)
    secret = [f["id"] for f in kind["inputs"]["fields"] if f.get("secret")]
    assert secret, "a credential type with no secret field"
