#!/usr/bin/env bash
# `make test`: sanity, ansible-lint (production profile), then unit and
# integration tests (one pytest run) against a throwaway local control plane.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export AIZONE_CONTROLPLANE_BIN AIZONE_ADDONS_DIR
AIZONE_CONTROLPLANE_BIN=$(cat .build/controlplane-bin)
AIZONE_ADDONS_DIR=$(cat .build/addons-dir)
export AIZONE_TEST_ZONE=${AIZONE_TEST_ZONE:-aizone-test}
bin=.venv/bin
# Every module run is a new Python process: let them share compiled bytecode
# (some environments set PYTHONDONTWRITEBYTECODE, which costs seconds a task).
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="$root/.build/pycache"
# The collection as installed from the working tree, for ansible-lint and ansible-playbook.
mkdir -p .build/collections/ansible_collections/aizone
ln -sfn "$root" .build/collections/ansible_collections/aizone/platform
# The test zone is started by the first test that needs it and deleted here,
# whatever happens, so no control plane outlives the run.
trap '$bin/python hack/localzone.py delete "$AIZONE_TEST_ZONE" >/dev/null 2>&1 || true' EXIT

# The user's kubeconfig is never touched (no zone is added to it, its current context stays): checked at the end.
user_kubeconfig="$HOME/.kube/config"
kubeconfig_before=$(sha256sum "$user_kubeconfig" 2>/dev/null || echo absent)
t0=$SECONDS
echo "== import layering of plugins/ (hack/import_layers.py)"
$bin/python hack/import_layers.py
# ansible-lint runs beside sanity (its output is printed after it): about 17 s of the budget back
lint_log=$(mktemp)
(rc=0; ANSIBLE_COLLECTIONS_PATH="$root/.build/collections" $bin/ansible-lint --profile production >"$lint_log" 2>&1 ||
 rc=$?; echo "$rc" >"$lint_log.rc") &
lint_pid=$!
echo "== ansible-test sanity"
sanity_rc=0
bash hack/sanity.sh || sanity_rc=$?
t1=$SECONDS
wait "$lint_pid" || true
t2=$SECONDS
echo "== ansible-lint --profile production (ran beside sanity)"
cat "$lint_log"
lint_rc=$(cat "$lint_log.rc")
rm -f "$lint_log" "$lint_log.rc"
echo "== times so far: sanity $((t1 - t0)) s, ansible-lint done $((t2 - t1)) s after it"
[ "$sanity_rc" -eq 0 ] || { echo "sanity failed (exit $sanity_rc)"; exit "$sanity_rc"; }
[ "$lint_rc" -eq 0 ] || { echo "ansible-lint failed (exit $lint_rc)"; exit "$lint_rc"; }
echo "== pytest (unit and integration), in two processes side by side"
# The tests that need a local control plane run in order in one pytest process (they share the test zone and
# start zones of their own: one at a time is what two cores hold); the others - unit tests, the cloud doubles -
# in a second process beside it, whose output is printed after. Most control plane tests wait on processes, so
# the second core does the other half meanwhile. (pytest-xdist's --dist loadgroup would do this in one run,
# but with pytest 9.2 it does not group: it renames item._nodeid, which pytest 9 no longer reads.)
rest_log=$(mktemp)
(rc=0; $bin/python -m pytest --zone-tests=none "$@" >"$rest_log" 2>&1 || rc=$?; echo "$rc" >"$rest_log.rc") &
rest_pid=$!
zone_rc=0
$bin/python -m pytest --zone-tests=only "$@" || zone_rc=$?
wait "$rest_pid" || true
echo "== pytest, the tests without a local control plane (ran beside the ones above)"
cat "$rest_log"
rest_rc=$(cat "$rest_log.rc")
rm -f "$rest_log" "$rest_log.rc"
echo "== times: pytest done $((SECONDS - t2)) s after sanity and ansible-lint, everything $((SECONDS - t0)) s"
[ "$zone_rc" -eq 0 ] || [ "$zone_rc" -eq 5 ] || exit "$zone_rc"
[ "$rest_rc" -eq 0 ] || [ "$rest_rc" -eq 5 ] || exit "$rest_rc"
kubeconfig_after=$(sha256sum "$user_kubeconfig" 2>/dev/null || echo absent)
[ "$kubeconfig_before" = "$kubeconfig_after" ] || { echo "$user_kubeconfig changed during the run"; exit 1; }
echo "== $user_kubeconfig untouched"
