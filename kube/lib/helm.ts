/**
 * The service chart against the local control plane: the pinned helm (scripts/tools.sh) with the
 * control plane's kubeconfig, from the repository root (Argo CD's values-file paths are relative
 * to it), and namespaces that enforce PodSecurity `restricted` as Argo CD creates them
 * (argocd/apps: managedNamespaceMetadata).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import type { RunResult } from "../../scripts/lib/run.js";
import { run } from "../../scripts/lib/run.js";
import { tool } from "../../scripts/lib/tools.js";
import { applyServerSide } from "./kubectl.js";

export const CHART = "helm/infergate";
/** Argo CD deploys release `infergate`: its fullname is the ServiceAccount IRSA trusts. */
export const RELEASE = "infergate";

export async function helm(
  kubeconfig: string,
  args: readonly string[],
  timeoutMs = 180_000,
): Promise<RunResult> {
  return run(await tool("helm"), args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeoutMs });
}

/** Like `helm`, but throws with helm's output unless it exits 0. */
export async function helmOk(
  kubeconfig: string,
  args: readonly string[],
  timeoutMs?: number,
): Promise<string> {
  const r = await helm(kubeconfig, args, timeoutMs);
  if (r.code !== 0) throw new Error(`helm ${args.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

export function restrictedNamespace(name: string): object {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
      },
    },
  };
}

export async function createRestrictedNamespaces(
  kubeconfig: string,
  names: readonly string[],
): Promise<void> {
  const applied = await applyServerSide(kubeconfig, names.map(restrictedNamespace));
  if (applied.code !== 0) throw new Error(`creating namespaces ${names.join(", ")}:\n${applied.stderr}`);
}

/** `helm install|upgrade RELEASE CHART -n NAMESPACE ARGS...`: the chart as `helm` users deploy it. */
export function releaseArgs(
  verb: "install" | "upgrade",
  namespace: string,
  args: readonly string[],
): string[] {
  return [verb, RELEASE, CHART, "-n", namespace, ...args];
}

// biome-ignore lint/suspicious/noExplicitAny: chart values are free-form; tests read the fields they need
type Values = Record<string, any>;

function merge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const plain = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
    out[key] = plain(value) && plain(base[key]) ? merge(base[key], value) : value;
  }
  return out;
}

/** The chart's values with an environment's file over them (helm's merge: maps deep, lists replaced). */
export function environmentValues(env: string): Values {
  const read = (file: string) => parse(readFileSync(join(REPO_ROOT, CHART, file), "utf8")) as Values;
  return merge(read("values.yaml"), read(`values-${env}.yaml`));
}
