"""The foundation role's molecule scenario: converge, idempotence, verify on its own local zone."""

import os
import re
import subprocess
import sys

import pytest

from harness.ansible import ROOT, ansible_env

pytestmark = [pytest.mark.controlplane, pytest.mark.slow]


def test_foundation_scenario_converges_idempotently(controlplane):
    env = ansible_env({"MOLECULE_PYTHON": sys.executable, "NO_COLOR": "1", "PY_COLORS": "0",
                       "ANSIBLE_STDOUT_CALLBACK": "default",
                       "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]})
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "molecule"), "test", "-s", "foundation"],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    for step in ("converge", "idempotence", "verify", "destroy"):
        assert re.search(r"foundation (➜|>) %s: Executed: Successful" % step, out), out[-3000:]
