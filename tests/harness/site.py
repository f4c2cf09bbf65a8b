"""The demo's site (inventories/local) on a zone of its own name, for tests and benchmark scripts that run site.yml."""

import os
import shutil
import subprocess
import sys

import yaml

from harness.ansible import ROOT, run_playbook


class Site(object):
    """site = Site(workdir, zone); site.run("site.yml", env=...); site.kubeconfig; site.delete().

    workdir holds the inventory copy (zone renamed), the zone's kubeconfig and the cost report."""

    def __init__(self, workdir, zone, env=None):
        self.workdir, self.zone = str(workdir), zone
        self.inventory = os.path.join(self.workdir, "inventory")
        self.kubeconfig = os.path.join(self.workdir, "kubeconfig")
        self.env = dict(env or {}, AIZONE_DEMO_KUBECONFIG=self.kubeconfig)
        shutil.copytree(os.path.join(ROOT, "inventories", "local"), self.inventory)
        hosts = os.path.join(self.inventory, "hosts.yml")
        with open(hosts) as handle:
            text = handle.read().replace("aizone-local:", zone + ":")
        with open(hosts, "w") as handle:
            handle.write(text)
        old = os.path.join(self.inventory, "host_vars", "aizone-local.yml")
        with open(old) as handle:
            host_vars = yaml.safe_load(handle)
        host_vars["aizone_zone"]["name"] = zone
        host_vars["aizone_cost_report"] = os.path.join(self.workdir, "cost.json")
        os.unlink(old)
        with open(os.path.join(self.inventory, "host_vars", zone + ".yml"), "w") as handle:
            yaml.safe_dump(host_vars, handle, sort_keys=False)

    def run(self, playbook="site.yml", env=None, **kw):
        """ansible-playbook playbooks/<playbook> on the site's inventory: a PlaybookResult."""
        return run_playbook(os.path.join(ROOT, "playbooks", playbook), self.workdir, inventory=self.inventory,
                            env=dict(self.env, **(env or {})), **kw)

    def delete(self):
        """Delete the site's zone (hack/localzone.py), whatever state it is in."""
        subprocess.run([sys.executable, os.path.join(ROOT, "hack", "localzone.py"), "delete", self.zone],
                       check=False, capture_output=True)
