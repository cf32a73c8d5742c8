/**
 * The pinned helm (scripts/tools.sh), run from the repository root, and the parsing of what it
 * renders. Charts are rendered for the Kubernetes version the manifests are validated against.
 */
import { parseAllDocuments } from "yaml";
import { K8S_VERSION } from "./kubeconform.js";
import { type RunResult, run } from "./run.js";
import { tool } from "./tools.js";

/** One rendered Kubernetes object; `any` below the envelope, since every check reads other fields. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are free-form; checks assert on their fields
  [field: string]: any;
};

export async function helm(args: readonly string[]): Promise<RunResult> {
  return run(await tool("helm"), args);
}

/** `helm template RELEASE CHART -n NAMESPACE --kube-version K8S_VERSION ARGS...` */
export function helmTemplate(
  release: string,
  chart: string,
  namespace: string,
  args: readonly string[] = [],
): Promise<RunResult> {
  return helm(["template", release, chart, "-n", namespace, "--kube-version", K8S_VERSION, ...args]);
}

/** The objects of a multi-document YAML stream (empty documents dropped). */
export function docsOf(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((d): d is K8sObject => d !== null && d !== undefined);
}

/** How many objects a render holds (its `kind:` lines), for test names and sanity checks. */
export const countKinds = (yaml: string): number => yaml.match(/^kind:/gm)?.length ?? 0;
