/**
 * Strict, offline kubeconform: core kinds against kubernetes-validate's strict schemas
 * (./k8s-schemas.ts), Argo and prometheus-operator kinds against schemas generated from the pinned
 * controllers' CRDs (./crd-schemas.ts). No -ignore-missing-schemas: a kind without a schema is an
 * error, never skipped.
 */
import { join } from "node:path";
import { crdSchemas } from "./crd-schemas.js";
import { coreSchemas } from "./k8s-schemas.js";
import { type RunResult, run } from "./run.js";
import { tool } from "./tools.js";

/** The Kubernetes (EKS) version manifests are rendered for and validated against. */
export const K8S_VERSION = "1.33.0";

/**
 * kubeconform's summary when everything passed and something was validated: a run that found no
 * resources (an empty render) must not count as valid.
 */
export const ALL_VALID = /Valid: [1-9]\d*, Invalid: 0, Errors: 0, Skipped: 0/;

let schemas: Promise<{ core: string; crds: string }> | undefined;

/** The folders of both schema sets, generated on first use (see their modules). */
export function kubeconformSchemas(): Promise<{ core: string; crds: string }> {
  schemas ??= Promise.all([coreSchemas(K8S_VERSION), crdSchemas()]).then(([core, crds]) => ({ core, crds }));
  return schemas;
}

async function locations(): Promise<string[]> {
  const { core, crds } = await kubeconformSchemas();
  return [
    "-schema-location",
    join(
      core,
      "{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json",
    ),
    "-schema-location",
    join(crds, "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"),
  ];
}

/**
 * Validates manifests strictly: `files` are paths (relative to the repository root), or
 * `{ yaml }` validates text (reported as file "stdin"). The result's `output` holds stdout and
 * stderr: one line per invalid resource and the summary (match it with ALL_VALID).
 */
export async function kubeconform(
  input: readonly string[] | { yaml: string },
): Promise<RunResult & { output: string }> {
  const args = [
    "-strict",
    "-summary",
    "-kubernetes-version",
    K8S_VERSION,
    ...(await locations()),
    ...("yaml" in input ? ["-"] : input),
  ];
  const r = await run(await tool("kubeconform"), args, "yaml" in input ? { input: input.yaml } : {});
  return { ...r, output: r.stdout + r.stderr };
}
