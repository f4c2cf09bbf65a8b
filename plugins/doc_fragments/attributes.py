# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the modules support check and diff mode: one block per kind of module."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Kubernetes-side modules that write (tenant, workload, gpu_sharing, ray_cluster, dask_cluster).
    KUBERNETES = r'''
attributes:
  check_mode:
    support: full
    description:
      - Predicted with the API server's dry run, admission and validation included; nothing is waited for.
      - An object whose namespace or CRD the same task would create cannot be dry-run; it is reported
        created, as rendered.
  diff_mode:
    support: full
    description: Before and after of every object created, updated or deleted.
'''

    # Cloud-side modules that write (zone, node_pool).
    PROVIDER = r'''
attributes:
  check_mode:
    support: full
    description: Predicts the change and the resulting settings, provider defaults included, without calling
      any write API.
  diff_mode:
    support: full
    description: The settings before and after.
'''

    # The read-only _info modules.
    INFO = r'''
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
'''
