/** What the control plane needs from `bash scripts/tools.sh kube` (linked under .tools/). */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/lib/repo.js";

const CONTROL_PLANE_BINARIES = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
];

export function checkTools(toolsDir: string): void {
  const missing = CONTROL_PLANE_BINARIES.filter((name) => !existsSync(join(toolsDir, "bin", name)));
  if (!existsSync(join(toolsDir, "kwok-stages"))) missing.push("kwok-stages");
  if (missing.length > 0)
    throw new Error(`missing in ${toolsDir}: ${missing.join(", ")}; run \`bash scripts/tools.sh kube\``);
}

/**
 * kwok stages: nodes become Ready and keep a heartbeat; Pods become Running and Ready at once
 * (pod/fast: Deployments are Ready within a second), Job Pods complete, deleted Pods go away; plus
 * the project's stage completing bare run-once Pods such as `helm test` hooks.
 */
export function kwokStageFiles(toolsDir: string): string[] {
  const stages = join(toolsDir, "kwok-stages");
  const folders = ["node/fast", "node/heartbeat", "pod/fast"].map((folder) => join(stages, folder));
  const upstream = folders.flatMap((folder) =>
    readdirSync(folder)
      .filter((file) => file.endsWith(".yaml") && file !== "kustomization.yaml")
      .map((file) => join(folder, file)),
  );
  return [...upstream, join(REPO_ROOT, "kube/stages/pod-complete-run-once.yaml")];
}
