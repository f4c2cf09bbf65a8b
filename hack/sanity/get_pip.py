"""Offline stand-in for the get-pip.py bootstrap script ansible-test downloads.

ansible-test fetches get-pip.py from a CI file host that this project's
machines cannot reach. This stand-in does the same job with the pip wheel
bundled in CPython (ensurepip), then installs the pip version and packages
ansible-test asked for from the package index. hack/sanity.sh puts it where
ansible-test looks for its cached copy.
"""
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"],
                      stdout=subprocess.DEVNULL)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check"] + args)
