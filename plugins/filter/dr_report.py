# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""dr_report: what a failover or failback achieved (module_utils/dr/report.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.errors import AnsibleFilterError


def dr_report(restores, workloads, tenants, started, policy):
    from ansible_collections.aizone.platform.plugins.module_utils.dr.report import measure
    try:
        return measure(list(restores), list(workloads), list(tenants), float(started), time.time(), dict(policy))
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError("dr_report: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"dr_report": dr_report}
