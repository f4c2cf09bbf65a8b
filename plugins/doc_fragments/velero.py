# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""namespace of the DR modules (module_utils/dr/velero.py VELERO_ARGS)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  namespace:
    description:
      - Velero's namespace in the zone, where its kinds live (the velero add-on's, M(aizone.platform.addon)).
      - The task fails before any write when the zone does not serve Velero's kinds.
    type: str
    default: velero
'''
