#!/usr/bin/env bash
# Checks that every metric the shipped PromQL uses (helm/infergate/files: alert rules,
# canary analysis, dashboard) is exported by the REAL service:
#   1. starts the service from the repo root (PORT=<free port> HOST=127.0.0.1 npx tsx
#      service/src/server.ts, bundled model repository), waits for /v2/health/ready (60 s),
#   2. runs the chart's `helm test` script (helm/infergate/files/helm-test.js: readiness +
#      one real infer request) against it, so counters and histograms have series,
#   3. scrapes /metrics and runs check-metric-names.mjs on the scrape (names, labels, le
#      buckets), then stops the server.
# Usage (repo root): bash observability/check-metric-names.sh [--keep-scrape FILE]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

keep=""
[[ "${1:-}" == "--keep-scrape" ]] && keep="${2:?file}"

[[ -f service/src/server.ts ]] || { echo "FAIL metric-names: service/src/server.ts not found"; exit 1; }
work="$(mktemp -d)"
port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    # setsid made the server its own process group: stop npx, tsx and node together
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

PORT="$port" HOST=127.0.0.1 LOG_LEVEL=warn INFERGATE_MODEL_CACHE_DIR="$work/cache" \
  setsid npx --no-install tsx service/src/server.ts >"$work/server.log" 2>&1 &
pid=$!

base="http://127.0.0.1:$port"
ready=""
for _ in $(seq 1 120); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "FAIL metric-names: the service exited during startup:"; sed 's/^/  | /' "$work/server.log" | tail -20; exit 1
  fi
  if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/v2/health/ready" || true)" == 200 ]]; then ready=1; break; fi
  sleep 0.5
done
[[ -n "$ready" ]] || { echo "FAIL metric-names: $base/v2/health/ready not 200 within 60 s"; tail -20 "$work/server.log"; exit 1; }
echo "ok   metric-names: service ready on $base"

if BASE_URL="$base" MODEL=digits DEADLINE_SECONDS=20 node helm/infergate/files/helm-test.js >"$work/helm-test.out" 2>&1; then
  echo "ok   metric-names: chart helm-test script against the real service: $(tail -1 "$work/helm-test.out")"
else
  echo "FAIL metric-names: chart helm-test script: $(cat "$work/helm-test.out")"; exit 1
fi

curl -sf "$base/metrics" >"$work/metrics.txt" || { echo "FAIL metric-names: GET /metrics failed"; exit 1; }
[[ -z "$keep" ]] || cp "$work/metrics.txt" "$keep"
echo "ok   metric-names: scraped $(grep -c '^# TYPE' "$work/metrics.txt") metric families from /metrics"
node observability/check-metric-names.mjs --metrics-file "$work/metrics.txt"
