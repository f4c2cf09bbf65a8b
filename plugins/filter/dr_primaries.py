# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""dr_primaries: the inventory hosts whose DR policy names a zone as their DR zone
(module_utils/dr/standby.primaries)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def dr_primaries(hosts, host):
    """The hosts (hostvars each) whose aizone_dr_policy.dr_zone is host."""
    from ansible_collections.aizone.platform.plugins.module_utils.dr.standby import primaries
    return primaries(list(hosts or []), host)


class FilterModule(object):
    def filters(self):
        return {"dr_primaries": dr_primaries}
