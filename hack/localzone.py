#!/usr/bin/env python
"""Start, stop or delete a named local zone from the shell (used by the Makefile).

usage: localzone.py up NAME [--kubeconfig PATH] | down NAME | delete NAME
Binaries come from $AIZONE_CONTROLPLANE_BIN (the Makefile sets it).
"""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINK = os.path.join(ROOT, ".build", "collections", "ansible_collections", "aizone", "platform")


def main():
    if os.path.realpath(LINK) != ROOT:
        os.makedirs(os.path.dirname(LINK), exist_ok=True)
        if os.path.lexists(LINK):
            os.unlink(LINK)
        os.symlink(ROOT, LINK)
    sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))
    from ansible_collections.aizone.platform.plugins.module_utils.errors import AizoneError
    from ansible_collections.aizone.platform.plugins.module_utils.providers.localzone import LocalControlPlane

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["up", "down", "delete"])
    parser.add_argument("name")
    parser.add_argument("--kubeconfig", help="also write the zone's kubeconfig here (mode 0600)")
    args = parser.parse_args()
    try:
        cp = LocalControlPlane(args.name)
        if args.action == "up":
            changed = cp.start()
            print("local zone %s %s at %s (Kubernetes %s)"
                  % (args.name, "started" if changed else "already running", cp.server(), cp.version()))
            if args.kubeconfig:
                cp.write_kubeconfig(args.kubeconfig)
        elif args.action == "down":
            print("local zone %s %s" % (args.name, "stopped" if cp.stop() else "was not running"))
        else:
            print("local zone %s %s" % (args.name, "deleted" if cp.delete() else "did not exist"))
    except AizoneError as exc:
        sys.exit("error: %s" % exc.msg)


if __name__ == "__main__":
    main()
