#!/usr/bin/env node
// Prints the helm arguments Argo CD adds for one environment (values file, then the
// parameters from its cluster Secret fixture), one per line, for the service chart's tests.
// Usage (repo root): node argocd/lib/helm-args.mjs --env prod [--helm PATH] [--work DIR]
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { applicationsByEnvironment, parameterArgs } from "./environments.mjs";

const { values: opts } = parseArgs({
  options: {
    env: { type: "string" },
    helm: { type: "string", default: ".tools/bin/helm" },
    work: { type: "string", default: ".cache/argocd-helm-args" },
  },
});
mkdirSync(opts.work, { recursive: true });
const app = applicationsByEnvironment(opts.helm, opts.work, opts.env).get(opts.env);
if (!app) throw new Error(`no cluster Secret fixture for environment ${opts.env}`);
const valueFiles = app.spec.source.helm.valueFiles.flatMap((v) => ["-f", `${app.spec.source.path}/${v}`]);
console.log([...valueFiles, ...parameterArgs(app)].join("\n"));
