#!/usr/bin/env bash
# Tests for the Argo CD chart (argocd/apps). Run from the repo root: bash argocd/test.sh
# Prints one line per check and ends with "argocd: N passed, M failed"; exits 1 on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TEST_DIR=.cache/argocd-test
# shellcheck source=../helm/lib/common.sh
source helm/lib/common.sh

if setup_tools; then ok "tools: helm, kubeconform (pinned) and offline schemas"; else
  bad "tools setup"; echo "argocd: $PASS passed, $FAIL failed"; exit 1; fi

expect_ok "helm lint --strict argocd/apps (repoURL set)" "$HELM" lint --strict argocd/apps --set repoURL=https://git.acme.test/ml/infergate.git
expect_fail "argocd/apps refuses to render without repoURL" "repoURL" "$HELM" template infergate-apps argocd/apps
expect_fail "argocd/apps refuses a repoURL that is not a Git URL" "repoURL" "$HELM" template infergate-apps argocd/apps --set repoURL=infergate
expect_fail "strict CRD schema rejects a misspelt Application field (fixture)" "selfHeel" \
  kc argocd/tests/fixtures/application-misspelt.yaml

# Renders the chart, expands the ApplicationSet per cluster Secret fixture and renders what each
# generated Application deploys, into $TEST_DIR (validated below).
rm -f "$TEST_DIR"/*.yaml
expect_many "apps" node argocd/lib/check-apps.mjs --helm "$HELM" --kube-version "$K8S_VERSION" --out "$TEST_DIR"

expect_ok "kubeconform -strict (Argo CD CRD schemas): what the install applies (project, root app, ApplicationSet)" \
  kc_valid "$TEST_DIR/argocd-apps.yaml"
# dev-no-irsa: the dev cluster Secret without the IRSA role annotation (enable_irsa = false).
for env in dev staging prod dev-no-irsa; do
  expect_ok "kubeconform -strict: the Application generated for $env" kc_valid "$TEST_DIR/application-$env.yaml"
  out="$TEST_DIR/$env.yaml"
  if [[ -s "$out" ]]; then
    expect_ok "kubeconform -strict: what infergate-$env deploys ($(grep -c '^kind:' "$out") objects)" kc_valid "$out"
  else
    bad "no render of what infergate-$env deploys"
  fi
done

echo "argocd: $PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]
