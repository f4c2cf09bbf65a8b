#!/usr/bin/env bash
# Build (or reuse) the zone add-ons' files, taken from their pinned packages:
#   ${AIZONE_CACHE:-$HOME/.cache/aizone}/addons/<name>-<version>/
#     bin/    programs the local zone runs (KubeRay's ray-operator, Velero's server; built from their Go modules)
#     plugins/ the plugins such a program loads (Velero's AWS object-store plugin)
#     crds/   the upstream CustomResourceDefinitions, as the package ships them
#     rbac/   the upstream ClusterRole of the operator (for cloud zones)
#     deploy/ the upstream operator Deployment, where the package ships a plain one
# KubeRay, Velero (with its AWS plugin), the GPU Operator's ClusterPolicy CRD and KEDA's CRDs come from the Go module proxy
# at the versions of hack/controlplane/versions.env; the Dask operator from the
# dask-kubernetes package installed in the Python given as $1 (requirements.txt
# pins it). Nothing is copied into the repository. Prints the addons directory last.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=/dev/null
. "$here/../controlplane/versions.env"
python=${1:-python3}
root=${AIZONE_CACHE:-$HOME/.cache/aizone}/addons

log() { printf '[addons] %s\n' "$*" >&2; }

module_dir() {
  # The module's source in the Go module cache (downloaded through the proxy when missing).
  go mod download -json "$1@$2" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p'
}

kuberay() {
  local dir="$root/kuberay-$KUBERAY_VERSION" src
  if [ -x "$dir/bin/ray-operator" ] && [ -f "$dir/rbac/leader-election-role.yaml" ]; then log "reusing $dir"; return; fi
  command -v go >/dev/null || { log "go is not on PATH: install Go 1.25 or newer"; exit 1; }
  log "building KubeRay ray-operator $KUBERAY_VERSION from its Go module (cold: about 2 min on 2 cores)"
  rm -rf "$dir.partial" && mkdir -p "$dir.partial/bin" "$dir.partial/crds" "$dir.partial/rbac" "$dir.partial/deploy"
  GOBIN="$dir.partial/bin" go install -trimpath -ldflags "-s -w" \
    "github.com/ray-project/kuberay/ray-operator@$KUBERAY_VERSION" 2>&1 | grep -v '^go: downloading' >&2 || true
  [ -x "$dir.partial/bin/ray-operator" ] || { log "the build did not produce ray-operator"; exit 1; }
  src=$(module_dir github.com/ray-project/kuberay/ray-operator "$KUBERAY_VERSION")
  cp "$src"/config/crd/bases/ray.io_*.yaml "$dir.partial/crds/"
  cp "$src/config/rbac/role.yaml" "$dir.partial/rbac/clusterrole.yaml"
  cp "$src/config/rbac/leader_election_role.yaml" "$dir.partial/rbac/leader-election-role.yaml"
  cp "$src/config/manager/manager.yaml" "$dir.partial/deploy/deployment.yaml"
  chmod -R u+w "$dir.partial"
  rm -rf "$dir" && mv "$dir.partial" "$dir"
}

gpu_operator() {
  local dir="$root/gpu-operator-$GPU_OPERATOR_VERSION" src
  if [ -f "$dir/crds/nvidia.com_clusterpolicies.yaml" ]; then log "reusing $dir"; return; fi
  log "taking the ClusterPolicy CRD from github.com/NVIDIA/gpu-operator@$GPU_OPERATOR_VERSION"
  src=$(module_dir github.com/NVIDIA/gpu-operator "$GPU_OPERATOR_VERSION")
  rm -rf "$dir.partial" && mkdir -p "$dir.partial/crds"
  cp "$src/config/crd/bases/nvidia.com_clusterpolicies.yaml" "$dir.partial/crds/"
  chmod -R u+w "$dir.partial"
  rm -rf "$dir" && mv "$dir.partial" "$dir"
}

keda() {
  local dir="$root/keda-$KEDA_VERSION" src
  if [ -f "$dir/crds/keda.sh_scaledobjects.yaml" ]; then log "reusing $dir"; return; fi
  log "taking KEDA's CRDs from github.com/kedacore/keda/v2@$KEDA_VERSION"
  src=$(module_dir github.com/kedacore/keda/v2 "$KEDA_VERSION")
  rm -rf "$dir.partial" && mkdir -p "$dir.partial/crds"
  cp "$src"/config/crd/bases/keda.sh_*.yaml "$dir.partial/crds/"
  chmod -R u+w "$dir.partial"
  rm -rf "$dir" && mv "$dir.partial" "$dir"
}

velero() {
  # Velero's server links controller-runtime, whose metrics server binds :8080 by default with no flag to move
  # it: two zones' servers on one machine would clash. The link-time default "0" turns that one off (Velero's
  # own metrics stay on --metrics-address); nothing else of the upstream build changes.
  local dir="$root/velero-$VELERO_VERSION" src plugin ldflags
  if [ -x "$dir/bin/velero" ] && [ -x "$dir/plugins/velero-plugin-for-aws" ]; then log "reusing $dir"; return; fi
  command -v go >/dev/null || { log "go is not on PATH: install Go 1.26 or newer"; exit 1; }
  log "building Velero $VELERO_VERSION and velero-plugin-for-aws $VELERO_AWS_PLUGIN_VERSION from their Go modules" \
      "(cold: about 6 min on 2 cores)"
  src=$(module_dir github.com/vmware-tanzu/velero "$VELERO_VERSION")
  plugin=$(module_dir github.com/vmware-tanzu/velero-plugin-for-aws "$VELERO_AWS_PLUGIN_VERSION")
  rm -rf "$dir.partial" && mkdir -p "$dir.partial/bin" "$dir.partial/plugins" "$dir.partial/crds" "$dir.partial/src"
  # a writable copy of the module: its go.mod takes the dependency bumps of versions.env
  cp -r "$src/." "$dir.partial/src/" && chmod -R u+w "$dir.partial/src"
  ldflags="-s -w -X sigs.k8s.io/controller-runtime/pkg/metrics/server.DefaultBindAddress=0"
  ldflags="$ldflags -X github.com/vmware-tanzu/velero/pkg/buildinfo.Version=$VELERO_VERSION"
  (cd "$dir.partial/src" && for bump in $VELERO_REQUIRE; do go mod edit -require="$bump"; done &&
    GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" -o "$dir.partial/bin/velero" ./cmd/velero)
  (cd "$plugin" && GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w" \
      -o "$dir.partial/plugins/velero-plugin-for-aws" ./velero-plugin-for-aws)
  rm -rf "$dir.partial/src"
  cp "$src"/config/crd/v1/bases/velero.io_*.yaml "$src"/config/crd/v2alpha1/bases/velero.io_*.yaml "$dir.partial/crds/"
  chmod -R u+w "$dir.partial"
  rm -rf "$dir" && mv "$dir.partial" "$dir"
}

dask() {
  local version dir chart
  version=$("$python" -c 'import importlib.metadata as m; print(m.version("dask-kubernetes"))') || {
    log "dask-kubernetes is not installed in $python (make venv installs requirements.txt)"; exit 1; }
  dir="$root/dask-kubernetes-$version"
  if [ -d "$dir/crds" ] && [ -f "$dir/rbac/clusterrole.yaml" ]; then log "reusing $dir"; return; fi
  log "taking the Dask operator's CRDs and ClusterRole from dask-kubernetes $version"
  chart=$("$python" -c 'import dask_kubernetes, os; print(os.path.join(os.path.dirname(dask_kubernetes.__file__),
    "operator", "deployment", "helm", "dask-kubernetes-operator"))')
  rm -rf "$dir.partial" && mkdir -p "$dir.partial/crds" "$dir.partial/rbac"
  cp "$chart"/crds/*.yaml "$dir.partial/crds/"
  # The chart's ClusterRole is a Helm template: its rules are plain YAML; only the
  # surrounding if/end and the name's include are template code.
  sed -e '/^{{-/d' -e 's/{{ include "dask_kubernetes_operator.serviceAccountName" . }}/dask-kubernetes-operator/' \
    "$chart/templates/clusterrole.yaml" > "$dir.partial/rbac/clusterrole.yaml"
  "$python" -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert d["kind"] == "ClusterRole" and d["rules"]' \
    "$dir.partial/rbac/clusterrole.yaml"
  rm -rf "$dir" && mv "$dir.partial" "$dir"
}

mkdir -p "$root"
exec 9>"$root/.lock"
flock 9
start=$SECONDS
kuberay
gpu_operator
keda
velero
dask
log "ready in $((SECONDS - start)) s: $root"
echo "$root"
