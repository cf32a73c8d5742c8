/**
 * The toolchain every other check needs (terraform and the pinned provider in a filesystem
 * mirror), and the canonical format of every Terraform file (.tf, .tfvars, .tftest.hcl).
 */
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/lib/repo.js";
import { runOk } from "../../scripts/lib/run.js";
import { AWS_PROVIDER_VERSION, providerBinaryIn, providerMirror, TERRAFORM } from "./support/toolchain.js";

describe("terraform toolchain and format", () => {
  it(`terraform >= 1.10 and hashicorp/aws ${AWS_PROVIDER_VERSION} in the filesystem mirror`, async () => {
    const version = JSON.parse(await runOk(TERRAFORM, ["version", "-json"])) as { terraform_version: string };
    const [major = 0, minor = 0] = version.terraform_version.split(".").map(Number);
    expect(major > 1 || (major === 1 && minor >= 10), `terraform ${version.terraform_version}`).toBe(true);

    const provider = providerBinaryIn(await providerMirror());
    expect(provider, "provider executable in the mirror").toBeDefined();
    expect(() => accessSync(provider as string, constants.X_OK)).not.toThrow();
  }, 900_000);

  it("terraform fmt -check -recursive: every file is formatted", async () => {
    // Read-only on the clone: -check reports, it never rewrites.
    const out = await runOk(TERRAFORM, [
      `-chdir=${join(REPO_ROOT, "terraform")}`,
      "fmt",
      "-check",
      "-recursive",
      "-diff",
      "-no-color",
    ]);
    expect(out).toBe("");
  }, 60_000);
});
