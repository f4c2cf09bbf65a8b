#!/usr/bin/env bash
# Stage and check the execution environment's build context (no image is built: that needs a container engine):
#   .build/ee/collection/aizone-platform.tar.gz   the collection, as ansible-galaxy builds it
#   .build/ee/introspect.txt                      ansible-builder introspect --sanitize of the installed collection
#   .build/ee/context/                            ansible-builder create (Containerfile and _build/)
# Prints the context directory last.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${AIZONE_VENV_BIN:-$root/.venv/bin}
out=$root/.build/ee
start=$SECONDS
rm -rf "$out" && mkdir -p "$out/collection" "$out/installed"
"$bin/ansible-galaxy" collection build --force --output-path "$out/collection" "$root" >/dev/null
mv "$out"/collection/aizone-platform-*.tar.gz "$out/collection/aizone-platform.tar.gz"
# introspect reads installed collections (ansible_collections/<ns>/<name>/meta/execution-environment.yml)
"$bin/ansible-galaxy" collection install --offline -p "$out/installed" "$out/collection/aizone-platform.tar.gz" >/dev/null
"$bin/ansible-builder" introspect --sanitize "$out/installed" > "$out/introspect.txt"
(cd "$root" && "$bin/ansible-builder" create -f execution-environment.yml --context "$out/context" >/dev/null)
printf '[ee] context staged and checked in %d s\n' $((SECONDS - start)) >&2
echo "$out/context"
