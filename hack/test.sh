#!/usr/bin/env bash
# `make test`: unit and integration tests (one pytest run) against a throwaway
# local control plane, with sanity and ansible-lint (production profile) beside it.
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

t0=$SECONDS
echo "== import layering of plugins/ (hack/import_layers.py)"
$bin/python hack/import_layers.py
# sanity and ansible-lint run beside pytest (their output is printed after it): pytest mostly waits on control
# planes and processes, so the two cores have room; the run fails if any of the three fails
lint_log=$(mktemp)
sanity_log=$(mktemp)
(rc=0; ANSIBLE_COLLECTIONS_PATH="$root/.build/collections" $bin/ansible-lint --profile production >"$lint_log" 2>&1 ||
 rc=$?; echo "$rc" >"$lint_log.rc") &
lint_pid=$!
(rc=0; bash hack/sanity.sh >"$sanity_log" 2>&1 || rc=$?; echo "$rc" >"$sanity_log.rc"; echo "$SECONDS" >"$sanity_log.t") &
sanity_pid=$!
echo "== pytest (unit and integration), with ansible-test sanity and ansible-lint beside it"
pytest_rc=0
$bin/python -m pytest "$@" || pytest_rc=$?
t1=$SECONDS
wait "$sanity_pid" "$lint_pid" || true
echo "== ansible-test sanity (ran beside pytest, done $(( $(cat "$sanity_log.t") - t0 )) s after the start)"
cat "$sanity_log"
echo "== ansible-lint --profile production (ran beside pytest)"
cat "$lint_log"
sanity_rc=$(cat "$sanity_log.rc")
lint_rc=$(cat "$lint_log.rc")
rm -f "$lint_log" "$lint_log.rc" "$sanity_log" "$sanity_log.rc" "$sanity_log.t"
echo "== times: pytest $((t1 - t0)) s, everything $((SECONDS - t0)) s"
[ "$sanity_rc" -eq 0 ] || { echo "sanity failed (exit $sanity_rc)"; exit "$sanity_rc"; }
[ "$lint_rc" -eq 0 ] || { echo "ansible-lint failed (exit $lint_rc)"; exit "$lint_rc"; }
[ "$pytest_rc" -eq 0 ] || { echo "pytest failed (exit $pytest_rc)"; exit "$pytest_rc"; }
