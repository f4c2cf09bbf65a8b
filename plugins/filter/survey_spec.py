# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""survey_spec: a role's meta/argument_specs.yml as an AWX / Automation Controller survey spec.

A filter rather than a module or a script: it is pure data in, data out, so it runs wherever a playbook that
configures AWX runs (for example feeding awx.awx.job_template's survey_spec), needs no connection, and the same
function is what the tests check against AWX's own survey rules.

Mapping, per option (AWX survey types: text, textarea, password, integer, float, multiplechoice, multiselect):
- str, path, raw -> text (password when no_log); with choices -> multiplechoice;
- int -> integer; float -> float; bool -> multiplechoice of "true" and "false" (the role's argument spec
  converts the answer);
- list of str with choices -> multiselect;
- anything a survey cannot express (dict, list of dicts, list of str without choices) -> a textarea holding
  YAML or JSON, asked as the variable <option>_yaml. The collection's playbooks decode every such answer into
  <option> before the role validates its arguments (playbooks/tasks/survey_answers.yml), so a bad answer fails
  with the argument spec's own message.
Survey answers are extra variables and beat the inventory for every host, so no question has a default and none
is required unless the role has no default for it: left blank, the inventory's value stands.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

#: the suffix of a question whose answer is YAML text for the option without it
YAML_SUFFIX = "_yaml"
SIMPLE = {"str": "text", "path": "text", "raw": "text", "int": "integer", "float": "float"}


def _text(value):
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value or "")


def _label(name, prefix):
    words = name[len(prefix):] if prefix and name.startswith(prefix) else name
    return words.replace("_", " ").strip().capitalize()


def question(name, option, prefix="", defaulted=()):
    """One survey question for one argument spec option."""
    kind = option.get("type", "str")
    choices = [str(c) for c in option.get("choices") or []]
    item = {"question_name": _label(name, prefix), "variable": name, "default": "",
            "required": bool(option.get("required")) and name not in defaulted,
            "question_description": _text(option.get("description"))}
    if kind in SIMPLE and not choices:
        item["type"] = "password" if option.get("no_log") else SIMPLE[kind]
    elif kind in ("str", "path", "raw"):
        item.update(type="multiplechoice", choices=choices)
    elif kind == "bool":
        item.update(type="multiplechoice", choices=["true", "false"])
    elif kind == "list" and option.get("elements", "str") == "str" and choices:
        item.update(type="multiselect", choices=choices)
    else:
        what = "a list of %ss" % option.get("elements", "str") if kind == "list" else "a mapping"
        item.update(type="textarea", variable=name + YAML_SUFFIX, question_description=(
            "%s (YAML or JSON text: %s, as the option %s takes it)" % (item["question_description"], what, name)).strip())
    if item["type"] in ("integer", "float") and isinstance(option.get("default"), (int, float)):
        item["question_description"] += " (blank: the inventory's value, else %s)" % option["default"]
    return item


def survey_spec(argument_specs, entry_point="main", name=None, defaulted=()):
    """The AWX survey spec of one entry point of a role's argument specs (the file's parsed YAML, or its
    argument_specs mapping). defaulted: options the role's defaults set (they are never required)."""
    specs = (argument_specs or {}).get("argument_specs", argument_specs) or {}
    if entry_point not in specs:
        raise AnsibleFilterError("survey_spec: no entry point %r in the argument specs (found: %s)"
                                 % (entry_point, ", ".join(sorted(specs)) or "none"))
    entry = specs[entry_point]
    options = entry.get("options") or {}
    prefix = "%s_" % name if name else ""
    return {"name": name or entry_point, "description": _text(entry.get("short_description")),
            "spec": [question(key, options[key], prefix, defaulted) for key in options]}


class FilterModule(object):
    def filters(self):
        return {"survey_spec": survey_spec}
