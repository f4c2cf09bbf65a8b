# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files with secrets (kubeconfigs): written atomically, mode 0600."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile


def write_private_file(dest, text, check_mode=False):
    """Write text to dest with mode 0600 (atomically); True when content or mode changed."""
    dest = os.path.abspath(os.path.expanduser(dest))
    try:
        with open(dest) as handle:
            same = handle.read() == text
        if same and (os.stat(dest).st_mode & 0o777) == 0o600:
            return False
    except (IOError, OSError):
        pass
    if check_mode:
        return True
    directory = os.path.dirname(dest)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o700)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".aizone-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.rename(tmp, dest)
    except Exception:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


def kubeconfig_text(kubeconfig):
    """Deterministic text of a kubeconfig dict: JSON, which is YAML too (kubectl reads
    it) and lets the Kubernetes-side modules read it without importing PyYAML."""
    return json.dumps(kubeconfig, indent=2, sort_keys=True) + "\n"
