# -*- coding: utf-8 -*-
# Copyright: aizone.platform contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files with secrets (kubeconfigs): read, rendered, and written atomically with mode 0600."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile

from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError


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


def parse_kubeconfig(text, where):
    """A kubeconfig's text as a dict: JSON without PyYAML, anything else as YAML.

    Raises AizoneError naming `where` when the text is not a YAML mapping."""
    if text.lstrip().startswith("{"):
        try:
            config = json.loads(text)
        except ValueError:
            config = None
        if isinstance(config, dict):
            return config
    import yaml
    try:
        config = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise AizoneError("cannot read kubeconfig %s: %s" % (where, exc))
    if not isinstance(config, dict):
        raise AizoneError("cannot read kubeconfig %s: not a mapping" % where)
    return config


def read_kubeconfig(path):
    """The kubeconfig file at path as a dict (AizoneError when missing or not a mapping)."""
    try:
        with open(os.path.abspath(os.path.expanduser(path))) as handle:
            text = handle.read()
    except (IOError, OSError) as exc:
        raise AizoneError("cannot read kubeconfig %s: %s" % (path, exc))
    return parse_kubeconfig(text, path)


def kubeconfig_text(kubeconfig):
    """Deterministic text of a kubeconfig dict: JSON, which is YAML too (kubectl reads
    it) and lets the Kubernetes-side modules read it without importing PyYAML."""
    return json.dumps(kubeconfig, indent=2, sort_keys=True) + "\n"


def postgres_program(program):
    """A PostgreSQL program (initdb, pg_dump, ...): the newest Debian /usr/lib/postgresql/<major>/bin has it, else
    PATH; None when neither."""
    import glob
    import shutil
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/" + program), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(program)
