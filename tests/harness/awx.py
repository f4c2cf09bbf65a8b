"""What AWX does with a job, as the tests need it.

- `check_survey_spec`: AWX's survey spec rules, as its API applies them when a survey is saved
  (ansible/awx@e21dd0a, awx/api/views/__init__.py JobTemplateSurveySpec._validate_spec_data, and
  awx/main/constants.py SURVEY_TYPE_MAPPING);
- `check_answers`: its checks of the answers at launch (awx/main/models/mixins.py
  SurveyJobTemplateMixin._survey_element_validation), and the extra variables a launch passes: the answered ones;
- `private_data_dir`: the directory AWX lays out for ansible-runner - env/extravars (survey answers), env/envvars
  (credential injectors), env/cmdline (a Check job: --check), inventory/hosts, project/<playbook> - and `run`,
  which runs it with ansible_runner.run as AWX does.
"""

import json
import os

import yaml

SURVEY_TYPES = {"text": str, "textarea": str, "password": str, "multiplechoice": str, "multiselect": str,
                "integer": int, "float": (float, int)}


def check_survey_spec(spec):
    """[] when AWX would accept the survey spec, else its error messages."""
    errors = []
    for field, kind in (("name", str), ("description", str), ("spec", list)):
        if not isinstance(spec.get(field), kind):
            errors.append("Field '%s' is missing or not a %s" % (field, kind.__name__))
    if errors or not spec["spec"]:
        return errors or ["'spec' doesn't contain any items."]
    variables = set()
    for idx, item in enumerate(spec["spec"]):
        for field in ("type", "question_name", "variable", "required"):
            if field not in item:
                errors.append("'%s' missing from survey question %d" % (field, idx))
            elif not isinstance(item[field], bool if field == "required" else str):
                errors.append("'%s' in survey question %d has the wrong type" % (field, idx))
        if item.get("variable") in variables:
            errors.append("'variable' '%s' duplicated in survey question %d." % (item["variable"], idx))
        variables.add(item.get("variable"))
        qtype = item.get("type")
        if qtype not in SURVEY_TYPES:
            errors.append("'%s' in survey question %d is not an allowed question type" % (qtype, idx))
            continue
        if item.get("default", "") != "" and not isinstance(item["default"], SURVEY_TYPES[qtype]):
            errors.append("Default value %r in survey question %d has the wrong type" % (item["default"], idx))
        for key in ("min", "max"):
            if item.get(key) is not None and not isinstance(item[key], int):
                errors.append("The %s limit in survey question %d expected to be integer." % (key, idx))
        if qtype in ("multiselect", "multiplechoice"):
            if "choices" not in item:
                errors.append("Survey question %d of type %s must specify choices." % (idx, qtype))
                continue
            defaults = item.get("default") or []
            defaults = defaults.splitlines() if isinstance(defaults, str) else defaults
            if qtype == "multiplechoice" and len(defaults) > 1:
                errors.append("Multiple Choice (Single Select) can only have one default value.")
            if any(d not in item["choices"] for d in defaults):
                errors.append("Default choice must be answered from the choices listed.")
    return errors


def check_answers(spec, answers):
    """[] when AWX would launch with these answers, else its messages (required, types, ranges, choices)."""
    errors = []
    for item in spec["spec"]:
        var, qtype = item["variable"], item["type"]
        if var not in answers:
            if item["required"]:
                errors.append("'%s' value missing" % var)
            continue
        value = answers[var]
        if qtype in ("text", "textarea", "password") and not isinstance(value, str):
            errors.append("Value %s for '%s' expected to be a string." % (value, var))
        elif qtype == "integer" and (isinstance(value, bool) or not isinstance(value, int)):   # AWX: type() != int
            errors.append("Value %s for '%s' expected to be an integer." % (value, var))
        elif qtype == "float" and (isinstance(value, bool) or not isinstance(value, (float, int))):
            errors.append("Value %s for '%s' expected to be a numeric type." % (value, var))
        elif qtype == "multiplechoice" and value not in item["choices"]:
            errors.append("Value %s for '%s' expected to be one of %s." % (value, var, item["choices"]))
        elif qtype == "multiselect" and (not isinstance(value, list) or set(value) - set(item["choices"])):
            errors.append("Value %s for '%s' expected to be a list of %s." % (value, var, item["choices"]))
        elif isinstance(value, str):
            for key, bad in (("min", lambda n: len(value) < n), ("max", lambda n: len(value) > n)):
                if item.get(key) not in ("", None) and bad(int(item[key])):
                    errors.append("'%s' value is out of its %s length" % (var, key))
    return errors


def injected_env(credential_type, inputs, files_dir):
    """The environment a credential of this type injects: AWX renders each env template with the inputs and
    {{ tower.filename }} / {{ tower.filename.<name> }} as the files it writes from the file injectors."""
    from jinja2 import Environment
    jinja = Environment()
    injectors = credential_type.get("injectors") or {}
    files = {}
    for key, template in (injectors.get("file") or {}).items():
        name = key.split(".", 1)[1] if "." in key else "default"
        path = os.path.join(files_dir, "credential-%s" % name)
        with open(path, "w") as handle:
            handle.write(jinja.from_string(template).render(**inputs))
        os.chmod(path, 0o600)
        files[name] = path

    class _Filename(str):
        def __getattr__(self, name):
            return files[name]
    tower = {"filename": _Filename(files.get("default", ""))}
    return dict((k, jinja.from_string(v).render(tower=tower, **inputs)) for k, v in (injectors.get("env") or {}).items())


def private_data_dir(root, playbook_text, inventory, extravars=None, envvars=None, check=False):
    """Lay out a job's private data dir the way AWX does for ansible-runner; returns its path."""
    for sub in ("env", "inventory", "project"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    with open(os.path.join(root, "project", "job.yml"), "w") as handle:
        handle.write(playbook_text)
    with open(os.path.join(root, "inventory", "hosts"), "w") as handle:
        yaml.safe_dump(inventory, handle)
    with open(os.path.join(root, "env", "extravars"), "w") as handle:
        json.dump(extravars or {}, handle)
    with open(os.path.join(root, "env", "envvars"), "w") as handle:
        json.dump(envvars or {}, handle)
    with open(os.path.join(root, "env", "cmdline"), "w") as handle:
        handle.write("--check --diff" if check else "--diff")
    return root


def run(root, ident):
    """ansible_runner.run of the job, quiet; returns the Runner (status, rc, stats, events). The job's
    env/envvars should put the execution environment's ansible-playbook first on PATH."""
    import ansible_runner
    return ansible_runner.run(private_data_dir=root, playbook="job.yml", ident=ident, quiet=True)


def output(runner):
    return runner.stdout.read() if runner.stdout else ""


def stats_artifacts(runner):
    """What the play's set_stats handed on (AWX stores it for the next workflow node)."""
    for event in runner.events:
        if event.get("event") == "playbook_on_stats":
            return (event.get("event_data") or {}).get("artifact_data") or {}
    return {}
