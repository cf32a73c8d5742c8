#!/usr/bin/env node
// Prints the helm arguments Argo CD adds for one environment (values file, then the
// parameters from its cluster Secret fixture), one per line, for the service chart's tests.
// Usage (repo root): node argocd/lib/helm-args.mjs --env prod [--helm PATH] [--work DIR]
import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { clusterSecrets, environmentOf, expand, parameterArgs, renderInstall } from "./environments.mjs";

const { values: opts } = parseArgs({
  options: {
    env: { type: "string" },
    helm: { type: "string", default: ".tools/bin/helm" },
    work: { type: "string", default: ".cache/argocd-helm-args" },
  },
});
const install = renderInstall(opts.helm);
if (!install.ok) throw new Error(`argocd/apps does not render: ${install.stderr}`);
const appset = install.docs.find((d) => d.kind === "ApplicationSet");
const secret = clusterSecrets().find((s) => environmentOf(s) === opts.env);
if (!secret) throw new Error(`no cluster Secret fixture for environment ${opts.env}`);
mkdirSync(opts.work, { recursive: true });
const app = expand(appset, secret, { helm: opts.helm, workDir: opts.work });
const valueFiles = app.spec.source.helm.valueFiles.flatMap((v) => ["-f", `${app.spec.source.path}/${v}`]);
console.log([...valueFiles, ...parameterArgs(app)].join("\n"));
