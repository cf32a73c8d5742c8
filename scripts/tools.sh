#!/usr/bin/env bash
# Installs the pinned external tools the tests need and links them into .tools/bin.
# Go tools are built once per name@version into a cache outside the clone
# (~/.cache/infergate/tools), so a fresh CI clone on the same machine reuses them.
# Usage: scripts/tools.sh helm kubeconform actionlint k6 promtool prometheus crds
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${INFERGATE_TOOLS_CACHE:-$HOME/.cache/infergate/tools}"
bin="$root/.tools/bin"
mkdir -p "$cache" "$bin"

# name -> go module@version (the only place versions are pinned)
declare -A GO_TOOLS=(
  [helm]="helm.sh/helm/v3/cmd/helm@v3.22.0"
  [kubeconform]="github.com/yannh/kubeconform/cmd/kubeconform@v0.8.0"
  [actionlint]="github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"
  [k6]="go.k6.io/k6@v1.8.1"
)
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
# Debian package that provides prometheus and promtool (bookworm ships 2.42).
PROMETHEUS_DEB_VERSION_PREFIX="2.42"

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

# The system's binary, never our own link to it (scripts/test.sh puts .tools/bin first on PATH;
# linking `command -v` would then point a link at itself).
system_bin() {
  PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$bin" | paste -sd: -)" command -v "$1"
}

install_prometheus() {
  if ! system_bin promtool >/dev/null 2>&1 || ! system_bin prometheus >/dev/null 2>&1; then
    log "installing Debian's prometheus package"
    (
      flock 9
      if ! system_bin promtool >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends prometheus >/dev/null
      fi
    ) 9>"$cache/prometheus.lock"
  fi
  local v
  v="$("$(system_bin promtool)" --version 2>&1 | head -1)"
  [[ "$v" == *"version $PROMETHEUS_DEB_VERSION_PREFIX"* ]] || { log "unexpected promtool: $v"; exit 1; }
  ln -sfn "$(system_bin promtool)" "$bin/promtool"
  ln -sfn "$(system_bin prometheus)" "$bin/prometheus"
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
for tool in "$@"; do
  case "$tool" in
    prometheus|promtool) install_prometheus ;;
    crds) install_crds ;;
    *)
      [[ -n "${GO_TOOLS[$tool]:-}" ]] || { log "unknown tool: $tool"; exit 2; }
      install_go_tool "$tool"
      ;;
  esac
done
