#!/usr/bin/env bash
# ansible-test sanity on the collection as it would be installed.
# ansible-test needs the tree under ansible_collections/<ns>/<name>, so the
# tracked and untracked-but-not-ignored files are staged in .build/sanity.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${VENV:-$root/.venv}
# Staged outside the repository: inside it, ansible-test would ask git for files.
work=$(mktemp -d "${TMPDIR:-/tmp}/aizone-sanity.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage="$work/ansible_collections/aizone/platform"
mkdir -p "$stage"
(cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - ) | tar -xf - -C "$stage"

# ansible-test bootstraps pip in its test venvs from a script on a host we cannot reach.
pip_version=$(grep -o "pip='[0-9.]*'" "$("$venv/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py" | head -1 | tr -dc '0-9.')
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$cache")"
cmp -s "$root/hack/sanity/get_pip.py" "$cache" || cp "$root/hack/sanity/get_pip.py" "$cache"

skip=(--skip-test pslint)   # no PowerShell in this collection
command -v shellcheck >/dev/null || skip+=(--skip-test shellcheck)
cd "$stage"
PATH="$venv/bin:$PATH" "$venv/bin/ansible-test" sanity --python 3.11 --requirements "${skip[@]}" --color no "$@"
