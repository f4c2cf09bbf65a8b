# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Where the upstream files of add-ons are read from (module_utils/addons/spec.py files_dir)."""

    DOCUMENTATION = r'''
options:
  files_dir:
    description:
      - Directory of the upstream files (CRDs, RBAC, Deployments, the local zone's operator programs) that
        C(hack/addons/build.sh) takes from the pinned packages; nothing of them is copied into the collection.
      - If not set, the value of the E(AIZONE_ADDONS_DIR) environment variable, then C(~/.cache/aizone/addons).
      - A directory without the files fails before anything is written, saying how to make them.
    type: path
'''
