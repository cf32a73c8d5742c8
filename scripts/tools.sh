#!/usr/bin/env bash
# Installs the pinned external tools the tests need and links them into .tools/bin.
# Go tools are built once per name@version into a cache outside the clone
# (~/.cache/infergate/tools), so a fresh CI clone on the same machine reuses them.
# Usage: scripts/tools.sh helm kubeconform actionlint k6 promtool prometheus
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

[[ $# -gt 0 ]] || set -- "${!GO_TOOLS[@]}" prometheus
for tool in "$@"; do
  case "$tool" in
    prometheus|promtool) install_prometheus ;;
    *)
      [[ -n "${GO_TOOLS[$tool]:-}" ]] || { log "unknown tool: $tool"; exit 2; }
      install_go_tool "$tool"
      ;;
  esac
done
