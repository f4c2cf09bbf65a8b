#!/usr/bin/env bash
# Build (or reuse) the local control plane binaries from their Go modules.
#
# Versions come from versions.env beside this script and nothing else.
# Binaries land in a cache outside the repository keyed by those versions and
# by the sources here, so they are built once per machine:
#   ${AIZONE_CACHE:-$HOME/.cache/aizone}/controlplane/<key>/bin
# Only the Go module proxy is contacted. Prints the bin directory last.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=/dev/null
. "$here/versions.env"
cache_root=${AIZONE_CACHE:-$HOME/.cache/aizone}
# The key covers the control plane's own pins and sources only: an add-on bump rebuilds nothing here.
src_hash=$( (cd "$here" && grep -E '^(KUBE|ETCD|KWOK)_VERSION=' versions.env && find kube etcd -type f -print0 \
  | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-12)
key="kube-${KUBE_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}_${src_hash}"
dest="$cache_root/controlplane/$key"
bin="$dest/bin"
binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwokctl)

log() { printf '[controlplane] %s\n' "$*" >&2; }

complete() {
  local b
  for b in "${binaries[@]}"; do [ -x "$bin/$b" ] || return 1; done
}

if complete; then
  log "reusing $bin"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { log "go is not on PATH: install Go 1.25 or newer"; exit 1; }
mkdir -p "$dest"
exec 9>"$dest/.lock"
flock 9
if complete; then echo "$bin"; exit 0; fi

work="$dest/src"
stage="$dest/bin.partial"
rm -rf "$work" "$stage"
mkdir -p "$work" "$stage"
cp -r "$here/kube" "$here/etcd" "$work/"
start=$SECONDS

progress() {
  # go build -v prints one line per compiled package: turn it into a progress line.
  awk -v what="$1" '/^#|: |^go: / { print > "/dev/stderr"; next } { n++; if (n % 100 == 0) { printf "[controlplane]   %s: %d packages compiled\n", what, n; fflush() } }
       END { printf "[controlplane]   %s: %d packages compiled in all\n", what, n }' >&2
}

quiet() {
  # Module downloads are counted, not listed; anything else is shown.
  awk '/^go: downloading/ { n++; next } { print > "/dev/stderr" }
       END { if (n) printf "[controlplane]   %d modules downloaded\n", n > "/dev/stderr" }'
}

minor=${KUBE_VERSION#v1.}
staging_version="v0.${minor}"
log "resolving k8s.io/kubernetes $KUBE_VERSION and its staging modules ($staging_version)"
(
  cd "$work/kube"
  go mod init aizone.local/controlplane/kube >/dev/null 2>&1
  kmod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
  edits=(-require "k8s.io/kubernetes@$KUBE_VERSION")
  # Replace directives of a dependency are ignored: repeat its staging replaces here.
  for m in $(sed -n '/^replace (/,/^)/s/^\s*\(k8s\.io\/[a-z0-9-]*\) => \.\/staging.*/\1/p' "$kmod"); do
    edits+=(-replace "$m=$m@$staging_version")
  done
  go mod edit "${edits[@]}"
  go mod tidy 2>&1 | quiet
)
log "resolving etcd $ETCD_VERSION"
(
  cd "$work/etcd"
  go mod init aizone.local/controlplane/etcd >/dev/null 2>&1
  go mod edit -require "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go mod tidy 2>&1 | quiet
)

vpkg=k8s.io/component-base/version
kminor=${minor%%.*}
ldflags="-s -w -X $vpkg.gitVersion=$KUBE_VERSION -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$kminor -X $vpkg.gitTreeState=clean -X $vpkg.buildDate=1970-01-01T00:00:00Z"
log "building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl $KUBE_VERSION (cold: 15-30 min on 2 cores)"
(cd "$work/kube" && go build -v -trimpath -ldflags "$ldflags" -o "$stage/" ./cmd/... 2>&1 | progress kubernetes)
log "building etcd $ETCD_VERSION"
(cd "$work/etcd" && go build -v -trimpath -ldflags "-s -w" -o "$stage/etcd" . 2>&1 | progress etcd)
log "building kwok and kwokctl $KWOK_VERSION"
GOBIN="$stage" go install -v -trimpath -ldflags "-s -w" \
  "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION" 2>&1 | progress kwok

for b in "${binaries[@]}"; do
  [ -x "$stage/$b" ] || { log "build did not produce $b"; exit 1; }
done
rm -rf "$bin"
mv "$stage" "$bin"
rm -rf "$work"
log "built in $((SECONDS - start)) s: $bin"
echo "$bin"
