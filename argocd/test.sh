#!/usr/bin/env bash
# Tests for the Argo CD manifests. Run from the repo root: bash argocd/test.sh
# Prints one line per check and ends with "argocd: N passed, M failed"; exits 1 on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TEST_DIR=.cache/argocd-test
# shellcheck source=../helm/lib/common.sh
source helm/lib/common.sh

if setup_tools; then ok "tools: helm, kubeconform (pinned) and offline schemas"; else
  bad "tools setup"; echo "argocd: $PASS passed, $FAIL failed"; exit 1; fi

manifests=(argocd/project.yaml argocd/root.yaml argocd/apps/*.yaml)
for f in "${manifests[@]}"; do
  expect_ok "kubeconform -strict (Argo CD CRD schemas): $f" kc_valid "$f"
done
expect_fail "strict CRD schema rejects a misspelt Application field (fixture)" "selfHeel" \
  kc argocd/tests/fixtures/application-misspelt.yaml

expect_many "apps" node argocd/lib/check-apps.mjs --helm "$HELM" --kube-version "$K8S_VERSION"

# What each Application deploys, rendered exactly as Argo CD will, validated strictly.
for app in argocd/apps/*.yaml; do
  env="$(basename "$app" .yaml)"; env="${env#infergate-}"
  out="$TEST_DIR/$env.yaml"
  if "$HELM" template infergate helm/infergate -n infergate --kube-version "$K8S_VERSION" \
      -f "helm/infergate/values-$env.yaml" >"$out" 2>"$out.err"; then
    expect_ok "kubeconform -strict: what $(basename "$app") deploys ($(grep -c '^kind:' "$out") objects)" kc_valid "$out"
  else
    bad "render for $app"; sed 's/^/     | /' "$out.err"
  fi
done

echo "argocd: $PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]
