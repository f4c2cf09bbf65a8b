# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""standby_pools: a DR zone's node pools with its primaries' pools at their standby sizes
(module_utils/dr/standby.standby_pools)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError


def standby_pools(pools, primaries, provider, failed_over=None):
    """pools (the DR zone's own) with the pools of primaries (dr_primaries) at standby size on provider; those of
    the primaries named in failed_over at full size."""
    from ansible_collections.aizone.platform.plugins.module_utils.dr.standby import standby_pools as merge
    from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
    try:
        return merge(list(pools or []), list(primaries or []), provider, list(failed_over or []))
    except AizoneError as exc:
        raise AnsibleFilterError("standby_pools: %s" % exc.msg)


class FilterModule(object):
    def filters(self):
        return {"standby_pools": standby_pools}
