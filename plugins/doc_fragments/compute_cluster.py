# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options ray_cluster and dask_cluster share (module_utils/compute/spec.py common_args)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

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
      - V(present) converges the cluster object and waits for its pods; V(absent) deletes the cluster object
        (the operator deletes its pods). The CRD and the operator belong to the add-on
        (M(aizone.platform.addon)).
    type: str
    choices: [present, absent]
    default: present
'''
