#!/usr/bin/env bash
# The whole test suite: what `npm test` and CI run. Every step runs (so one failure does not hide
# another); the script exits non-zero if any step failed and ends with one summary line. The steps
# are the tools, the linter, the type checker and vitest, which runs every part's suite.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/.tools/bin:$root/node_modules/.bin:$PATH"
mkdir -p .cache/test
log_dir=.cache/test

# What a fresh machine must have (README "Prerequisites"); everything else is installed by the
# project's scripts. One line naming what is missing, before anything runs.
missing=()
for cmd in git python3 go terraform openssl curl flock; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
python3 -c 'import sys, venv; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || missing+=("python3 >= 3.10 with venv")
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "npm test: missing prerequisites: ${missing[*]} (see README.md, Prerequisites)"
  exit 2
fi
# The suite runs on the Node that .nvmrc pins (npm ci installs it as node-linux-<arch>).
node_version="$(node --version)"
if [[ "$node_version" != "v$(cat .nvmrc)" ]]; then
  echo "npm test: node is $node_version, not v$(cat .nvmrc) (.nvmrc); run npm ci on linux x64/arm64, or install that version"
  exit 2
fi
echo "node $node_version ($(command -v node))"

passed=0
failed=0
failed_steps=()

# Adds the "<name>: N passed, M failed" figures a step printed last (or 1/0 for the step itself).
count() {
  local name="$1" status="$2" log="$3"
  local line p f
  line="$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)"
  if [[ -n "$line" ]]; then
    p="${line%% passed*}"
    f="${line#*, }"; f="${f%% failed*}"
  else
    if [[ "$status" -eq 0 ]]; then p=1; f=0; else p=0; f=1; fi
  fi
  if [[ "$status" -ne 0 && "$f" -eq 0 ]]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
  if [[ "$status" -ne 0 ]]; then failed_steps+=("$name"); fi
}

step() {
  local name="$1"
  shift
  local log="$log_dir/$name.log"
  local start=$SECONDS
  printf '\n=== %s: %s\n' "$name" "$*"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  count "$name" "$status" "$log"
  printf '=== %s: %s in %ds\n' "$name" "$([[ $status -eq 0 ]] && echo ok || echo FAILED)" $((SECONDS - start))
}

run_vitest() {
  vitest run --reporter=default --reporter=json --outputFile.json="$log_dir/vitest.json"
  local status=$?
  # One summary for every part's suite (scripts/vitest-summary.ts): per part, flaky tests, totals.
  tsx scripts/vitest-summary.ts "$log_dir/vitest.json" || status=1
  return $status
}

# kube: the local control plane's binaries (a one-time build of about 10–20 min on 2 cores, cached
# by name@version outside the clone), as its own visible step rather than inside a test's set-up.
step tools bash scripts/tools.sh helm kubeconform actionlint k6 prometheus crds kube
step lint biome check .
step typecheck tsc -p tsconfig.json --noEmit
# Every part's suite (service, tools, models, bench, helm, argocd, observability, terraform, kube,
# scripts, .github: vitest.config.ts) in one run and one report.
step vitest run_vitest

echo
if [[ ${#failed_steps[@]} -gt 0 ]]; then
  echo "failed steps: ${failed_steps[*]}"
fi
echo "summary: $passed passed, $failed failed"
[[ $failed -eq 0 && ${#failed_steps[@]} -eq 0 ]]
