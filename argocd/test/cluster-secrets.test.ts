/**
 * Cluster Secrets that must not produce a working Application: not selected (no environment
 * label, another environment or project), refused by the project (another namespace), or
 * refused at expansion (a required annotation missing, missingkey=error); and prod without a host
 * name, which the service chart refuses to render with TLS.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ClusterSecret } from "../../scripts/lib/appset.js";
import { clusterSecrets, environmentOf } from "../../scripts/lib/argocd-environments.js";
import { expand, type Install, install, renderDeployed, secretVariant, selects } from "../lib/apps.js";

// Terraform leaves out null values: no IRSA role with enable_irsa = false (node role or EKS Pod
// Identity instead), no host name without an ingress. Such a cluster must still get its Application.
const OPTIONAL_ANNOTATIONS = ["infergate_irsa_role_arn", "infergate_ingress_hostname"];
const devFixture = clusterSecrets().find((s) => environmentOf(s) === "dev") as ClusterSecret;
const REQUIRED_ANNOTATIONS = Object.keys(devFixture.metadata.annotations).filter(
  (k) => !OPTIONAL_ANNOTATIONS.includes(k),
);

let i: Install;
beforeAll(async () => {
  i = await install();
});

describe("not selected by the ApplicationSet", () => {
  it("a cluster Secret without the environment label", () => {
    expect(selects(i.appset, devFixture)).toBe(true);
    expect(
      selects(
        i.appset,
        secretVariant((s) => delete s.metadata.labels["infergate.io/environment"]),
      ),
    ).toBe(false);
  });

  it("a cluster Secret of another environment (qa)", () => {
    expect(
      selects(
        i.appset,
        secretVariant((s) => (s.metadata.labels["infergate.io/environment"] = "qa")),
      ),
    ).toBe(false);
  });

  it("a cluster Secret of another project", () => {
    expect(
      selects(
        i.appset,
        secretVariant((s) => delete s.metadata.labels["app.kubernetes.io/part-of"]),
      ),
    ).toBe(false);
  });
});

// Terraform trusting another namespace than the project admits: Argo CD refuses the sync
// instead of deploying where IRSA does not work.
it("a cluster Secret naming another namespace yields an Application the project does not admit", async () => {
  const app = await expand(
    i.appset,
    secretVariant((s) => (s.metadata.annotations.infergate_namespace = "ml-serving")),
  );
  expect(app.spec.destination.namespace).toBe("ml-serving");
  expect(i.project.spec.destinations).not.toContainEqual(
    expect.objectContaining({ name: app.spec.destination.name, namespace: app.spec.destination.namespace }),
  );
});

it("the dev fixture has required annotations to leave out", () => {
  expect(REQUIRED_ANNOTATIONS.length).toBeGreaterThan(0);
});

it.each(REQUIRED_ANNOTATIONS)(
  "a cluster Secret without annotation %s fails to expand (missingkey=error)",
  async (key) => {
    await expect(
      expand(
        i.appset,
        secretVariant((s) => delete s.metadata.annotations[key]),
      ),
    ).rejects.toThrow(`"${key}"`);
  },
);

// The host name is optional for the expansion (dev has no Ingress), so the chart refuses TLS without it.
it("prod cluster Secret without a host name: the chart refuses to render TLS", async () => {
  const app = await expand(
    i.appset,
    secretVariant((s) => delete s.metadata.annotations.infergate_ingress_hostname, "prod"),
  );
  const r = await renderDeployed(app);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain("ingress.alb.tls needs ingress.hostname");
});
