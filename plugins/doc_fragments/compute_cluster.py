# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options ray_cluster and dask_cluster share (module_utils/compute/spec.py common_args)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The operator option's defaults differ by kind: each module documents O(operator) itself.
    DOCUMENTATION = r'''
options:
  name:
    description: Name of the cluster object (a DNS-1035 label).
    type: str
    required: true
  namespace:
    description: Namespace of the cluster object; it must exist (for example a tenant).
    type: str
    required: true
  state:
    description:
      - V(present) converges the cluster object (and its CRD and operator); V(absent) deletes the cluster
        object only, leaving the CRD and the operator to other clusters.
    type: str
    choices: [present, absent]
    default: present
'''
