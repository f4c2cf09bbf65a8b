#!/usr/bin/env bash
# PostgreSQL server binaries for the tests that run a throwaway server (tests/harness/postgres.py):
# Debian's `postgresql` package, installed here where it is missing, since bindep.txt alone installs nothing.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
    exit 0
fi
if ! command -v apt-get > /dev/null; then
    echo "PostgreSQL server binaries are missing and this is not a Debian-like system: install PostgreSQL 15" \
         "so that /usr/lib/postgresql/<major>/bin/initdb exists (bindep.txt)" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo > /dev/null || { echo "installing postgresql needs root or sudo" >&2; exit 1; }
    sudo=(sudo)
fi
echo "[setup] installing Debian's postgresql (server binaries for the MLOps tests)"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get install -y -q --no-install-recommends postgresql > /dev/null \
    || { "${sudo[@]}" apt-get update -q > /dev/null && "${sudo[@]}" apt-get install -y -q --no-install-recommends postgresql > /dev/null; }
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null
