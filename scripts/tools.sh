#!/usr/bin/env bash
# Installs the pinned external tools the tests need and links them into .tools/bin.
# Go tools are built once per name@version into a cache outside the clone
# (~/.cache/infergate/tools), so a fresh CI clone on the same machine reuses them.
# Usage: scripts/tools.sh helm kubeconform actionlint k6 promtool prometheus crds
#        scripts/tools.sh kube   (the local control plane's binaries, see kube/README.md)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${INFERGATE_TOOLS_CACHE:-$HOME/.cache/infergate/tools}"
bin="$root/.tools/bin"
mkdir -p "$cache" "$bin"

# name -> go module@version (the only place these versions are pinned)
declare -A GO_TOOLS=(
  [helm]="helm.sh/helm/v3/cmd/helm@v3.22.0"
  [kubeconform]="github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0"
  [actionlint]="github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"
  [k6]="go.k6.io/k6@v1.8.1"
  [kwok]="sigs.k8s.io/kwok/cmd/kwok@v0.8.0"
)
# name -> folder of one of the project's own Go modules : upstream module it requires : package.
# k8s.io/kubernetes cannot be `go install`ed (its go.mod replaces its k8s.io/* modules with paths
# inside its own repository), so kube/build/kubernetes requires it with the published modules of
# the same release; etcd's server module likewise. The release is pinned in each go.mod.
declare -A GO_MODULE_BUILDS=(
  [etcd]="kube/build/etcd:go.etcd.io/etcd/server/v3:./cmd/etcd"
  [kube-apiserver]="kube/build/kubernetes:k8s.io/kubernetes:./cmd/kube-apiserver"
  [kube-controller-manager]="kube/build/kubernetes:k8s.io/kubernetes:./cmd/kube-controller-manager"
  [kube-scheduler]="kube/build/kubernetes:k8s.io/kubernetes:./cmd/kube-scheduler"
)
# Everything the local control plane (kube/control-plane.ts) and its tests need.
KUBE_TOOLS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok rollouts-controller crds)
# name -> go module@version:folder whose CustomResourceDefinitions the tests install and validate
# against: each controller's own release carries its CRDs (copied out, never committed).
declare -A CRD_MODULES=(
  [argo-rollouts]="github.com/argoproj/argo-rollouts@v1.10.2:manifests/crds"
  [argo-cd]="github.com/argoproj/argo-cd/v3@v3.6.2:manifests/crds"
  [prometheus-operator]="github.com/prometheus-operator/prometheus-operator@v0.85.0:example/prometheus-operator-crd"
)
# Recent controller releases declare a newer Go than many machines have; the Go module proxy
# serves this toolchain (go1.27.3), which `go` fetches once and caches.
GO_TOOLCHAIN_FOR_MODULES="go1.27.3"

log() { printf '[tools] %s\n' "$*" >&2; }

install_go_tool() {
  local name="$1" spec="${GO_TOOLS[$1]}"
  local version="${spec##*@}"
  local dir="$cache/$name@$version"
  if [[ ! -x "$dir/$name" ]]; then
    log "building $spec (first run only)"
    mkdir -p "$dir"
    # flock: parallel test runs must not build the same tool twice at once
    (
      flock 9
      if [[ ! -x "$dir/$name" ]]; then
        GOBIN="$dir" GOFLAGS=-mod=mod CGO_ENABLED=0 go install "$spec"
      fi
    ) 9>"$dir.lock"
  fi
  ln -sfn "$dir/$name" "$bin/$name"
}

# Prometheus and promtool 2.42.0 (the version the rules, queries and tests are written for), built
# from the upstream module v0.42.0 (Prometheus' Go module numbering of 2.42.0). Without the
# `builtinassets` tag the web UI is left out; the tests use the API only.
PROMETHEUS_MODULE="github.com/prometheus/prometheus@v0.42.0"
PROMETHEUS_VERSION="2.42.0"

install_prometheus() {
  local name ldflags="-X github.com/prometheus/common/version.Version=$PROMETHEUS_VERSION"
  ldflags+=" -X github.com/prometheus/common/version.Branch=HEAD"
  ldflags+=" -X github.com/prometheus/common/version.BuildUser=infergate-tools"
  for name in prometheus promtool; do
    install_module_command "$name" "$PROMETHEUS_MODULE" "./cmd/$name" "$ldflags"
  done
}

# Builds a binary of one of the project's Go modules (GO_MODULE_BUILDS) into $cache/<name>@<version>.
install_go_module_build() {
  local name="$1" spec="${GO_MODULE_BUILDS[$1]}"
  local folder="${spec%%:*}" rest="${spec#*:}"
  local upstream="${rest%%:*}" package="${rest#*:}"
  local version
  # Read from go.mod itself: a cached binary must not need the module cache (or the network).
  version="$(awk -v m="$upstream" '$1 == "require" && $2 == m { print $3 } $1 == m { print $2 }' \
    "$root/$folder/go.mod" | head -1)"
  [[ -n "$version" ]] || { log "$folder/go.mod does not require $upstream"; exit 1; }
  local dir="$cache/$name@$version"
  if [[ ! -x "$dir/$name" ]]; then
    log "building $name from $upstream@$version (first run only)"
    mkdir -p "$dir"
    (
      flock 9
      if [[ ! -x "$dir/$name" ]]; then
        local start=$SECONDS
        (cd "$root/$folder" && CGO_ENABLED=0 GOFLAGS=-mod=readonly \
          go build -buildvcs=false -trimpath -ldflags "-s -w $(version_ldflags "$upstream" "$version")" \
          -o "$dir/$name.partial" "$package")
        mv "$dir/$name.partial" "$dir/$name"
        log "built $name in $((SECONDS - start)) s, $(du -m "$dir/$name" | cut -f1) MB"
      fi
    ) 9>"$dir.lock"
  fi
  ln -sfn "$dir/$name" "$bin/$name"
}

# Link-time version stamps: without them Kubernetes binaries report v0.0.0-master, and helm's
# kubeVersion check (Chart.yaml) refuses the cluster.
version_ldflags() {
  local upstream="$1" version="$2" major minor pkg flags=""
  if [[ "$upstream" == k8s.io/kubernetes ]]; then
    IFS=. read -r major minor _ <<<"${version#v}"
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      flags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
      flags+=" -X $pkg.gitTreeState=clean"
    done
  fi
  printf '%s' "$flags"
}

# Builds one command of an upstream module from a writable copy of it, into
# $cache/<name>@<version>: modules with replace lines (Prometheus, Argo Rollouts) cannot be
# `go install`ed, since those apply only when the module is the main module.
# Usage: install_module_command NAME MODULE@VERSION PACKAGE LDFLAGS
install_module_command() {
  local name="$1" spec="$2" package="$3" ldflags="$4"
  local version="${spec#*@}"
  local dir="$cache/$name@$version"
  if [[ ! -x "$dir/$name" ]]; then
    log "building $name from $spec (first run only)"
    mkdir -p "$dir"
    (
      flock 9
      if [[ ! -x "$dir/$name" ]]; then
        local start=$SECONDS src work
        src="$(cd "$cache" && GOTOOLCHAIN="$GO_TOOLCHAIN_FOR_MODULES" GOFLAGS=-mod=mod \
          go mod download -json "$spec" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
        work="$(mktemp -d)"
        trap 'rm -rf "$work"' EXIT
        cp -r "$src/." "$work/" && chmod -R u+w "$work"
        (cd "$work" && GOTOOLCHAIN="$GO_TOOLCHAIN_FOR_MODULES" GOFLAGS=-mod=mod CGO_ENABLED=0 \
          go build -buildvcs=false -trimpath -ldflags "-s -w $ldflags" -o "$dir/$name.partial" "$package")
        mv "$dir/$name.partial" "$dir/$name"
        log "built $name in $((SECONDS - start)) s, $(du -m "$dir/$name" | cut -f1) MB"
      fi
    ) 9>"$dir.lock"
  fi
  ln -sfn "$dir/$name" "$bin/$name"
}

# The Argo Rollouts controller at the release whose CRDs `crds` installs (it declares a newer Go
# than many machines have: GO_TOOLCHAIN_FOR_MODULES).
install_rollouts_controller() {
  local spec="${CRD_MODULES[argo-rollouts]%%:*}"
  install_module_command rollouts-controller "$spec" ./cmd/rollouts-controller \
    "-X ${spec%%@*}/utils/version.version=${spec#*@v}"
}

# kwok's Stage files (how fake nodes and Pods change status) ship in its module, not its binary:
# copied once next to the binary and linked as .tools/kwok-stages.
install_kwok_stages() {
  local spec="${GO_TOOLS[kwok]}"
  local module="${spec%%/cmd/*}" version="${spec##*@}"
  local dir="$cache/kwok@$version/stages" src
  if [[ ! -f "$dir/.complete" ]]; then
    (
      flock 9
      if [[ ! -f "$dir/.complete" ]]; then
        src="$(cd "$cache" && GOFLAGS=-mod=mod go mod download -json "$module@$version" \
          | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
        rm -rf "$dir" && cp -r "$src/kustomize/stage" "$dir" && chmod -R u+w "$dir"
        touch "$dir/.complete"
      fi
    ) 9>"$cache/kwok@$version.stages.lock"
  fi
  ln -sfn "$dir" "$root/.tools/kwok-stages"
}

# Copies the CRD manifests of every pinned controller release into $cache/crds/<name>@<version>
# and links .tools/crds/<name> to it.
install_crds() {
  local name spec module version folder dir src
  mkdir -p "$root/.tools/crds"
  for name in "${!CRD_MODULES[@]}"; do
    spec="${CRD_MODULES[$name]}"
    module="${spec%%@*}"; version="${spec#*@}"; folder="${version#*:}"; version="${version%%:*}"
    dir="$cache/crds/$name@$version"
    if [[ ! -f "$dir/.complete" ]]; then
      log "fetching the CRDs of $module@$version (first run only)"
      mkdir -p "$cache/crds"
      (
        flock 9
        if [[ ! -f "$dir/.complete" ]]; then
          # Outside any module, so the project's own go.mod files (if any) play no part.
          src="$(cd "$cache" && GOTOOLCHAIN="$GO_TOOLCHAIN_FOR_MODULES" GOFLAGS=-mod=mod \
            go mod download -json "$module@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
          [[ -d "$src/$folder" ]] || { log "no CRD folder $folder in $module@$version"; exit 1; }
          rm -rf "$dir" && mkdir -p "$dir"
          cp "$src/$folder"/*.yaml "$dir/"
          rm -f "$dir/kustomization.yaml"
          touch "$dir/.complete"
        fi
      ) 9>"$cache/crds/$name.lock"
    fi
    ln -sfn "$dir" "$root/.tools/crds/$name"
  done
}

[[ $# -gt 0 ]] || set -- "${!GO_TOOLS[@]}" prometheus crds
requested=()
for tool in "$@"; do
  if [[ "$tool" == kube ]]; then requested+=("${KUBE_TOOLS[@]}"); else requested+=("$tool"); fi
done
for tool in "${requested[@]}"; do
  case "$tool" in
    prometheus|promtool) install_prometheus ;;
    crds) install_crds ;;
    rollouts-controller) install_rollouts_controller ;;
    kwok) install_go_tool kwok && install_kwok_stages ;;
    *)
      if [[ -n "${GO_MODULE_BUILDS[$tool]:-}" ]]; then
        install_go_module_build "$tool"
      elif [[ -n "${GO_TOOLS[$tool]:-}" ]]; then
        install_go_tool "$tool"
      else
        log "unknown tool: $tool"; exit 2
      fi
      ;;
  esac
done
