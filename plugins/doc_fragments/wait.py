# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wait and wait_timeout of the Kubernetes-side modules (module_utils/waiter.py wait_args)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  wait:
    description:
      - Wait until what the task wrote is ready (workload and operator rollouts) or, for deletions, gone.
      - Never in check mode.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds the task waits in all. A wait that runs out fails naming what it waited on and the last
        state seen (for pods, the scheduler's or the admission's reason).
    type: int
    default: 300
'''
