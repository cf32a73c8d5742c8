/**
 * The Argo CD chart (argocd/apps) as the one-time install renders it: it needs a Git repoURL,
 * and renders an AppProject without wildcards, a root Application that manages the chart itself,
 * and the ApplicationSet that generates one Application per cluster Secret.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_URL, renderInstall } from "../../scripts/lib/argocd-environments.js";
import { helm } from "../../scripts/lib/helm.js";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { type Install, install } from "../lib/apps.js";

describe("helm", () => {
  it("lint --strict argocd/apps (repoURL set)", async () => {
    const r = await helm(["lint", "--strict", "argocd/apps", "--set", `repoURL=${REPO_URL}`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("argocd/apps renders with repoURL set", async () => {
    const r = await renderInstall();
    expect(r.ok, r.stderr).toBe(true);
  });

  it("argocd/apps refuses to render without repoURL", async () => {
    const r = await helm(["template", "infergate-apps", "argocd/apps"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/repoURL/);
  });

  it("argocd/apps refuses a repoURL that is not a Git URL", async () => {
    const r = await helm(["template", "infergate-apps", "argocd/apps", "--set", "repoURL=infergate"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/repoURL/);
  });
});

describe("the install", () => {
  let i: Install;
  beforeAll(async () => {
    i = await install();
  });

  it("renders the AppProject, the root Application and the ApplicationSet", () => {
    expect([i.project.kind, i.root.kind, i.appset.kind]).toEqual([
      "AppProject",
      "Application",
      "ApplicationSet",
    ]);
  });

  it("AppProject source repo is the repoURL given at install (no wildcard)", () => {
    expect(i.project.spec.sourceRepos).toEqual([REPO_URL]);
  });

  it("AppProject restricts destinations (no wildcard server/namespace)", () => {
    for (const d of i.project.spec.destinations) {
      expect([d.namespace, d.name, d.server]).not.toContain("*");
    }
  });

  it("AppProject cluster-scoped kinds: Namespace only", () => {
    expect(i.project.spec.clusterResourceWhitelist).toEqual([{ group: "", kind: "Namespace" }]);
  });

  it("root app renders this chart from Git with the install's values (manages itself)", () => {
    expect(i.root.spec.source).toMatchObject({
      path: "argocd/apps",
      repoURL: REPO_URL,
      helm: { valuesObject: { repoURL: REPO_URL } },
    });
    expect(existsSync(join(REPO_ROOT, i.root.spec.source.path, "Chart.yaml"))).toBe(true);
  });

  it("root app syncs automatically with prune and selfHeal", () => {
    expect(i.root.spec.syncPolicy?.automated).toMatchObject({ prune: true, selfHeal: true });
  });

  it("ApplicationSet: Go templates with missingkey=error", () => {
    expect(i.appset.spec.goTemplate).toBe(true);
    expect(i.appset.spec.goTemplateOptions ?? []).toContain("missingkey=error");
  });

  it("ApplicationSet: deleting it keeps what it deployed", () => {
    expect(i.appset.spec.syncPolicy?.preserveResourcesOnDeletion).toBe(true);
  });

  // Only the automated block: retries and sync options still follow the template.
  it("ApplicationSet: leaves an Application's automated sync alone once a person changed it (rollback)", () => {
    const pointers = (i.appset.spec.ignoreApplicationDifferences ?? []).map(
      (d: { jsonPointers?: string[] }) => d.jsonPointers,
    );
    expect(pointers).toContainEqual(["/spec/syncPolicy/automated"]);
  });

  it("ApplicationSet: source repo and revision come from the install", () => {
    expect(i.appset.spec.template.spec.source).toMatchObject({
      repoURL: REPO_URL,
      targetRevision: i.root.spec.source.targetRevision,
    });
  });
});
