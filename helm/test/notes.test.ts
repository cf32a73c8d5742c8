/**
 * NOTES.txt, which `helm template` does not render: rendered through a throwaway copy of the
 * chart with one more template that includes it.
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { argoCdHelmArgs, ENVIRONMENTS } from "../../scripts/lib/argocd-environments.js";
import { helmTemplate } from "../../scripts/lib/helm.js";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { CHART, NAMESPACE } from "../lib/chart.js";

let work: string;
let chart: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "infergate-notes-"));
  chart = join(work, "infergate");
  await cp(join(REPO_ROOT, CHART), chart, { recursive: true });
  await writeFile(
    join(chart, "templates", "notes-preview.yaml"),
    [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata: {name: notes}",
      'data: {notes: {{ include (print $.Template.BasePath "/NOTES.txt") . | quote }}}',
      "",
    ].join("\n"),
  );
});

afterAll(() => rm(work, { recursive: true, force: true }));

async function notes(args: readonly string[]): Promise<string> {
  const r = await helmTemplate("infergate", chart, NAMESPACE, [
    "-s",
    "templates/notes-preview.yaml",
    ...args,
  ]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe("NOTES.txt", () => {
  // On a cluster with metrics-server, as the HPA of staging and prod needs.
  it.each(ENVIRONMENTS)("renders for %s and names the helm test, without a warning", async (env) => {
    const out = await notes([...(await argoCdHelmArgs(env)), "--api-versions", "metrics.k8s.io/v1beta1"]);
    expect(out).toContain("helm test infergate");
    expect(out).not.toContain("WARNING");
  });

  it("warns about an HPA on a cluster without the resource metrics API", async () => {
    const out = await notes(["--set", "autoscaling.enabled=true"]);
    expect(out).toContain("WARNING: the HPA scales on CPU, but this cluster serves no resource metrics API");
    expect(await notes(["--set", "autoscaling.enabled=false"])).not.toContain("WARNING");
  });

  it("warns about an S3 model repository without IRSA", async () => {
    const out = await notes(["--set", "config.modelRepository=s3://b/p"]);
    expect(out).toContain("WARNING: the model repository is on S3 but no IRSA role");
  });
});
