import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT } from "../../../service/test/support/paths.js";

export const CHART = `${REPO_ROOT}helm/infergate`;
const HELM = `${REPO_ROOT}.tools/bin/helm`;

export type Doc = { kind: string; metadata: { name: string }; spec: any };

/** The pinned helm from scripts/tools.sh (built on first use, cached by version). */
export function ensureHelm(): void {
  if (existsSync(HELM)) return;
  const r = spawnSync("bash", ["scripts/tools.sh", "helm"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`scripts/tools.sh helm failed: ${r.stderr}`);
}

/** `helm template` of the chart with the Argo Rollouts canary on, as Kubernetes objects. */
export function renderRolloutChart(args: string[] = [], chart = CHART): Doc[] {
  ensureHelm();
  const r = spawnSync(
    HELM,
    [
      "template",
      "infergate",
      chart,
      "-n",
      "infergate",
      "--kube-version",
      "1.33.0",
      "--set",
      "rollout.enabled=true",
      ...args,
    ],
    { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Doc)
    .filter(Boolean);
}

export function analysisTemplate(docs: Doc[]): Doc {
  const at = docs.find((d) => d.kind === "AnalysisTemplate");
  if (!at) throw new Error("no AnalysisTemplate rendered");
  return at;
}
