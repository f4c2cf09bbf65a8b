# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """What modules writing Kubernetes objects return of them (module_utils/errors.py trim_objects)."""

    DOCUMENTATION = r'''
options:
  list_unchanged:
    description:
      - Return every object of the run in C(objects), unchanged ones included. Without it, C(objects) lists
        the objects that changed and C(object_counts) counts them all; C(-vv) lists them all too.
    type: bool
    default: false
notes:
  - The module returns C(objects), the objects of the run that changed as C({apiVersion, kind, namespace, name,
    action}) (every object with O(list_unchanged) or at C(-vv)), the namespace null for cluster-scoped kinds and
    the action one of C(created), C(updated), C(unchanged) or C(deleted); C(object_counts), how many objects
    each action concerned; and C(api_requests), the requests sent by HTTP method, reads included. A run that
    finds everything converged sends only GET requests.
'''
