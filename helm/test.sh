#!/usr/bin/env bash
# Tests for the infergate Helm chart and its observability pack.
# Run from the repo root: bash helm/test.sh
# Prints one line per check and ends with "helm: N passed, M failed"; exits 1 on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TEST_DIR=.cache/helm-test
# shellcheck source=lib/common.sh
source helm/lib/common.sh
CHART=helm/infergate
ENVS=(dev staging prod)

if setup_tools; then ok "tools: helm, kubeconform, promtool (pinned, scripts/tools.sh) and strict Kubernetes $K8S_VERSION schemas"; else
  bad "tools setup"; echo "helm: $PASS passed, $((FAIL)) failed"; exit 1; fi
expect_ok "helm is v3.22.0" bash -c "$HELM version --template '{{.Version}}' | grep -Eq '^v3\.22(\.0)?$'"
expect_ok "promtool is 2.42" bash -c "$PROMTOOL --version 2>&1 | grep -q 'version 2\.42'"

tpl() { "$HELM" template infergate "$CHART" -n infergate --kube-version "$K8S_VERSION" "$@"; }

# Each environment as Argo CD deploys it: its values file, then the parameters the ApplicationSet
# takes from the cluster Secret Terraform writes (fixtures in argocd/tests/fixtures/clusters).
for env in "${ENVS[@]}"; do
  node argocd/lib/helm-args.mjs --env "$env" --helm "$HELM" --work "$TEST_DIR/helm-args" >"$TEST_DIR/args-$env" ||
    bad "helm arguments Argo CD passes for $env (argocd/lib/helm-args.mjs)"
done
env_args() { mapfile -t ARGS <"$TEST_DIR/args-$1"; }

# ---------------------------------------------------------------- lint (values schema)
expect_ok "helm lint --strict (default values)" "$HELM" lint --strict "$CHART" --kube-version "$K8S_VERSION"
for env in "${ENVS[@]}"; do
  env_args "$env"
  expect_ok "helm lint --strict $env (values-$env.yaml + cluster Secret parameters)" "$HELM" lint --strict "$CHART" --kube-version "$K8S_VERSION" "${ARGS[@]}"
done
expect_fail "values typo (image.tagg) is rejected by values.schema.json" "additional properties 'tagg' not allowed|tagg" \
  "$HELM" lint --strict "$CHART" --kube-version "$K8S_VERSION" --set image.tagg=1.0
expect_fail "nested values typo (metrics.serviceMonitor.enabeld) is rejected" "enabeld" \
  "$HELM" lint --strict "$CHART" --kube-version "$K8S_VERSION" --set metrics.serviceMonitor.enabeld=true
expect_fail "weakened security context (readOnlyRootFilesystem=false) is rejected" "readOnlyRootFilesystem" \
  tpl --set containerSecurityContext.readOnlyRootFilesystem=false
expect_fail "grace period not above the drain deadline is rejected" "terminationGracePeriodSeconds .* must exceed" \
  tpl --set config.drainTimeoutMs=30000
expect_fail "ALB canary routing without an Ingress is rejected" "needs ingress.enabled" \
  tpl --set rollout.enabled=true --set rollout.trafficRouting.alb.enabled=true
expect_fail "gRPC port equal to the HTTP containerPort is rejected" "grpc.port \(8080\) must differ from containerPort" \
  tpl --set grpc.port=8080
expect_fail "gRPC values typo (grpc.prot) is rejected by values.schema.json" "additional properties 'prot' not allowed" \
  "$HELM" lint --strict "$CHART" --kube-version "$K8S_VERSION" --set grpc.prot=8081

# ---------------------------------------------------------------- render + strict kubeconform
for env in "${ENVS[@]}"; do
  for rollout in false true; do
    out="$TEST_DIR/$env-rollout-$rollout.yaml"
    env_args "$env"
    if tpl "${ARGS[@]}" --set rollout.enabled=$rollout >"$out" 2>"$out.err"; then
      expect_ok "kubeconform -strict: $env, rollout=$rollout ($(grep -c '^kind:' "$out") objects)" kc_valid "$out"
    else
      bad "helm template $env rollout=$rollout"; sed 's/^/     | /' "$out.err"
    fi
  done
done
all="$TEST_DIR/all-options.yaml"
env_args prod
tpl "${ARGS[@]}" --set gpu.enabled=true --set autoscaling.customMetric.enabled=true \
  --set admin.existingSecret=infergate-admin --set "image.digest=sha256:$(printf 'a%.0s' {1..64})" \
  --set lifecycle.preStopSleepSeconds=0 --set config.extra.NODE_OPTIONS=--max-old-space-size=1536 >"$all"
expect_ok "kubeconform -strict: every optional feature on ($(grep -c '^kind:' "$all") objects)" kc_valid "$all"
tpl >"$TEST_DIR/defaults.yaml"
expect_ok "kubeconform -strict: default values" kc_valid "$TEST_DIR/defaults.yaml"
env_args prod
tpl "${ARGS[@]}" --set grpc.enabled=false >"$TEST_DIR/prod-no-grpc.yaml"
expect_ok "kubeconform -strict: prod with gRPC off" kc_valid "$TEST_DIR/prod-no-grpc.yaml"

# ---------------------------------------------------------------- the validation is strict
expect_fail "strict core schema rejects a misspelt Deployment field (fixture)" "additional properties 'readOnlyRootFilesytem' not allowed" \
  kc helm/tests/fixtures/deployment-misspelt.yaml
sed 's/readOnlyRootFilesystem: true/readOnlyRootFilesytem: true/' "$TEST_DIR/dev-rollout-false.yaml" >"$TEST_DIR/dev-misspelt.yaml"
expect_fail "strict core schema rejects the rendered dev Deployment with one field misspelt" "Deployment infergate is invalid.*readOnlyRootFilesytem" \
  kc "$TEST_DIR/dev-misspelt.yaml"
expect_fail "strict CRD schema rejects a misspelt Rollout field (fixture)" "setWieght" kc helm/tests/fixtures/rollout-misspelt.yaml
expect_fail "a kind without a schema is an error, not skipped" "could not find schema for Widget" kc helm/tests/fixtures/unknown-kind.yaml

# NOTES.txt is not rendered by `helm template`: render it through a throwaway copy of the chart.
notes_chart="$TEST_DIR/notes-chart"
rm -rf "$notes_chart" && cp -r "$CHART" "$notes_chart"
printf '%s\n' 'apiVersion: v1' 'kind: ConfigMap' 'metadata: {name: notes}' \
  'data: {notes: {{ include (print $.Template.BasePath "/NOTES.txt") . | quote }}}' >"$notes_chart/templates/notes-preview.yaml"
notes() { "$HELM" template infergate "$notes_chart" -n infergate --kube-version "$K8S_VERSION" -s templates/notes-preview.yaml "$@"; }
notes_ok() { local out; out="$(notes "$@")" && echo "$out" && grep -q "helm test infergate" <<<"$out" && ! grep -q WARNING <<<"$out"; }
notes_warns() { notes "$@" | grep -q "WARNING: the model repository is on S3 but no IRSA role"; }
for env in "${ENVS[@]}"; do
  env_args "$env"
  expect_ok "NOTES.txt renders for $env and names the helm test" notes_ok "${ARGS[@]}"
done
expect_ok "NOTES.txt warns about an S3 model repository without IRSA" notes_warns --set config.modelRepository=s3://b/p

# ---------------------------------------------------------------- template assertions
expect_many "template" node helm/lib/assert-templates.mjs --helm "$HELM" --kube-version "$K8S_VERSION"

# ---------------------------------------------------------------- alert rules
expect_ok "promtool check rules $CHART/files/prometheus-rules.yaml" "$PROMTOOL" check rules "$CHART/files/prometheus-rules.yaml"
expect_ok "promtool test rules helm/tests/rules.test.yaml" "$PROMTOOL" test rules helm/tests/rules.test.yaml
expect_many "rules" node helm/lib/alert-coverage.mjs "$CHART/files/prometheus-rules.yaml" helm/tests/rules.test.yaml

# ---------------------------------------------------------------- PromQL validity and metric names
expect_ok "PromQL of rules, canary analysis and dashboard parses (promtool)" node observability/check-promql.mjs --promtool "$PROMTOOL"
expect_fail "PromQL check rejects an invalid expression" "unclosed left parenthesis" \
  node observability/check-promql.mjs --promtool "$PROMTOOL" --expr 'sum(rate(infergate_inference_requests_total[5m])'
expect_many "observability" node observability/test-extractor.mjs
metric_log="$TEST_DIR/metric-names.log"
if bash observability/check-metric-names.sh >"$metric_log" 2>&1; then
  ok "metric names, labels and buckets used by rules/analysis/dashboard are exported by the running service ($(tail -1 "$metric_log"))"
  grep '^PENDING' "$metric_log" | sed 's/^/     /' || true
else
  bad "metric names against the running service"; sed 's/^/     | /' "$metric_log" | grep -v '^     | ok ' | tail -30
fi

echo "helm: $PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]
