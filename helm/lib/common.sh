# Shared by helm/test.sh and argocd/test.sh (source it from the repo root).
# Sets up the pinned tools and offline strict schemas, and provides check helpers that print
# one line per check and keep the counts for the final "<name>: N passed, M failed" line.

K8S_VERSION="${K8S_VERSION:-1.33.0}"          # EKS version the manifests are validated against
TEST_DIR="${TEST_DIR:-.cache/k8s-test}"       # git-ignored scratch
CRD_SCHEMAS=".tools/schemas/crds"             # generated from the pinned controllers' CRDs
K8S_SCHEMAS=".tools/schemas/kubernetes"
PASS=0
FAIL=0
mkdir -p "$TEST_DIR"

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }

# expect_ok NAME CMD...: passes when CMD exits 0 (its output is shown only on failure).
expect_ok() {
  local name="$1" log
  shift
  log="$(mktemp "$TEST_DIR/log.XXXXXX")"
  if "$@" >"$log" 2>&1; then ok "$name"; else bad "$name"; sed 's/^/     | /' "$log" | tail -25; fi
  rm -f "$log"
}

# expect_fail NAME REGEX CMD...: passes when CMD exits non-zero AND its output matches REGEX.
expect_fail() {
  local name="$1" pattern="$2" log
  shift 2
  log="$(mktemp "$TEST_DIR/log.XXXXXX")"
  if "$@" >"$log" 2>&1; then
    bad "$name (expected a failure, got success)"
  elif grep -Eq -- "$pattern" "$log"; then
    ok "$name"
  else
    bad "$name (failed, but output does not match /$pattern/)"; sed 's/^/     | /' "$log" | tail -15
  fi
  rm -f "$log"
}

# expect_many NAME CMD...: CMD prints its own ok/FAIL lines and ends with "x: N passed, M failed";
# its counts are added to ours (a non-zero exit with no failures counted still counts one).
expect_many() {
  local name="$1" log status p f line
  shift
  log="$(mktemp "$TEST_DIR/log.XXXXXX")"
  set +e
  "$@" >"$log" 2>&1
  status=$?
  set -e
  grep -E '^(FAIL|ok )' "$log" | sed "s/^\(FAIL\|ok \)\(  *\)/\1\2$name: /" || true
  line="$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)"
  if [[ -n "$line" ]]; then
    p="${line%% passed*}"; f="${line#*, }"; f="${f%% failed*}"
  else
    p=0; f=0
  fi
  if [[ $status -ne 0 && $f -eq 0 ]]; then f=1; echo "FAIL $name exited $status:"; tail -20 "$log" | sed 's/^/     | /'; fi
  PASS=$((PASS + p)); FAIL=$((FAIL + f))
  rm -f "$log"
}

setup_tools() {
  bash scripts/tools.sh helm kubeconform prometheus crds >"$TEST_DIR/tools.log" 2>&1 || { cat "$TEST_DIR/tools.log"; return 1; }
  HELM=.tools/bin/helm
  KUBECONFORM=.tools/bin/kubeconform
  PROMTOOL=.tools/bin/promtool
  VENV="$(bash scripts/venv.sh helm-test helm/requirements-test.txt 2>"$TEST_DIR/venv.log")" || { cat "$TEST_DIR/venv.log"; return 1; }
  # Strict core schemas, regenerated when the pinned requirements or the generator change.
  local minor="${K8S_VERSION%.*}" stamp
  stamp="$(cat helm/requirements-test.txt helm/lib/gen-k8s-schemas.py | sha256sum | cut -c1-16)"
  if [[ "$(cat "$K8S_SCHEMAS/v$K8S_VERSION-standalone-strict/.stamp" 2>/dev/null)" != "$stamp" ]]; then
    "$VENV/bin/python" helm/lib/gen-k8s-schemas.py "$minor" "$K8S_SCHEMAS" 2>>"$TEST_DIR/venv.log"
    echo "$stamp" >"$K8S_SCHEMAS/v$K8S_VERSION-standalone-strict/.stamp"
  fi
  # CRD schemas, regenerated when a pinned release or the generator changes.
  stamp="$( (readlink -f .tools/crds/*; cat scripts/crd-schemas.ts) | sha256sum | cut -c1-16)"
  if [[ "$(cat "$CRD_SCHEMAS/.stamp" 2>/dev/null)" != "$stamp" ]]; then
    rm -rf "$CRD_SCHEMAS"
    node_modules/.bin/tsx scripts/crd-schemas.ts --out "$CRD_SCHEMAS" .tools/crds/* || return 1
    echo "$stamp" >"$CRD_SCHEMAS/.stamp"
  fi
}

# kubeconform, strict, offline: core kinds from kubernetes-validate's strict schemas, CRDs
# from the pinned controller releases (scripts/crd-schemas.ts). No -ignore-missing-schemas: a kind
# without a schema is an error.
kc() {
  "$KUBECONFORM" -strict -summary -kubernetes-version "$K8S_VERSION" \
    -schema-location "$K8S_SCHEMAS/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json" \
    -schema-location "$CRD_SCHEMAS/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json" \
    "$@"
}

# kc_valid FILE...: strict validation that also insists something was validated.
kc_valid() {
  local out
  out="$(kc "$@" 2>&1)" || { echo "$out"; return 1; }
  echo "$out"
  grep -Eq 'Valid: [1-9][0-9]*, Invalid: 0, Errors: 0, Skipped: 0' <<<"$out"
}
