# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""zone, kubeconfig and context of the modules that act inside a zone through its provider
(module_utils/zones/access.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  zone:
    description: Name of the zone; it must exist and run.
    type: str
    required: true
  kubeconfig:
    description:
      - Kubeconfig of the zone. When not set, the kubeconfig the provider gives for the zone is used; no environment
        variable is read, so an ambient E(KUBECONFIG) can never redirect the task to another cluster.
    type: path
  context:
    description: Context of O(kubeconfig).
    type: str
'''
