/**
 * Finding the parts of a render the template tests look at: the workload (a Deployment, or a
 * Rollout when the canary is on), its pod template and the `server` container, and the config.
 */
import type { K8sObject } from "../../scripts/lib/helm.js";
import type { Rendered } from "./chart.js";

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are free-form; tests assert on their fields
type Any = any;

export type Workload = {
  object: K8sObject;
  pod: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: Any };
  server: Any;
  config: Record<string, string>;
};

/** The one Deployment or Rollout of a render, with its pod template, server container and ConfigMap data. */
export function workloadOf(r: Rendered): Workload {
  const object = r.one("Deployment") ?? r.one("Rollout");
  if (!object) throw new Error("the render has no Deployment or Rollout");
  const pod = object.spec.template;
  const server = pod.spec.containers.find((c: { name: string }) => c.name === "server");
  if (!server) throw new Error(`${object.kind} ${object.metadata.name} has no container named server`);
  const config = r.one("ConfigMap", "infergate-config")?.data;
  if (!config) throw new Error("the render has no ConfigMap infergate-config");
  return { object, pod, server, config };
}

/** The object of `kind` (and `name`) in a render; fails the test when there is none. */
export function required(r: Rendered, kind: string, name?: string): K8sObject {
  const found = r.one(kind, name);
  if (!found) throw new Error(`the render has no ${kind}${name ? ` ${name}` : ""}`);
  return found;
}
