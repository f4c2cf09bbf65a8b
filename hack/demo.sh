#!/usr/bin/env bash
# `make demo`: start (or reuse) the local zone, converge it with site.yml,
# print what was built, and say how to look at it and how to stop it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export AIZONE_CONTROLPLANE_BIN AIZONE_ADDONS_DIR
AIZONE_CONTROLPLANE_BIN=$(cat .build/controlplane-bin)
AIZONE_ADDONS_DIR=$(cat .build/addons-dir)
bin=$root/.venv/bin
# Every module run is a new Python process: let them share compiled bytecode
# (some environments set PYTHONDONTWRITEBYTECODE, which costs seconds a task).
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="$root/.build/pycache"
zone=aizone-local
kubeconfig=${AIZONE_DEMO_KUBECONFIG:-$HOME/.kube/aizone-local.yaml}
export AIZONE_DEMO_KUBECONFIG=$kubeconfig

# the user's ~/.kube/config is never touched: the zone's kubeconfig is its own file, above
kubeconfig_before=$(sha256sum "$HOME/.kube/config" 2>/dev/null || echo absent)
"$bin/python" hack/localzone.py up "$zone" --kubeconfig "$kubeconfig"
mkdir -p .build/collections/ansible_collections/aizone
ln -sfn "$root" .build/collections/ansible_collections/aizone/platform
ANSIBLE_COLLECTIONS_PATH="$root/.build/collections" PATH="$bin:$PATH" \
  "$bin/ansible-playbook" -i inventories/local playbooks/site.yml
"$bin/python" hack/report.py --kubeconfig "$kubeconfig" --zone "$zone"
[ "$kubeconfig_before" = "$(sha256sum "$HOME/.kube/config" 2>/dev/null || echo absent)" ] \
  || { echo "$HOME/.kube/config changed during the demo" >&2; exit 1; }
cat <<EOT

The local zone '$zone' is still running. Look at it with:
  $AIZONE_CONTROLPLANE_BIN/kubectl --kubeconfig $kubeconfig get nodes -L aizone.io/node-pool
  KWOK_WORKDIR=\$HOME/.cache/aizone/kwok $AIZONE_CONTROLPLANE_BIN/kwokctl --name $zone kubectl get pods -A
Stop it with:
  make demo-down
EOT
