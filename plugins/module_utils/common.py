# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place modules turn AizoneError into fail_json."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError


def run_module(module, fn):
    """Run fn(module) -> result dict, exit_json on success, fail_json on AizoneError.

    Details attached to the error (field, status, code, last_state...) are
    returned beside msg so playbooks and tests can assert on them.
    """
    try:
        result = fn(module)
    except AizoneError as exc:
        details = dict((k, v) for k, v in exc.details.items() if v is not None)
        module.fail_json(msg=exc.msg, **details)
    module.exit_json(**result)
