/**
 * The Terraform roots under test, and the checks every one of them gets: init + validate, and
 * `terraform test` with the mocked AWS provider (the .tftest.hcl files in the root's tests/).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Workspace } from "./workspace.js";

export const MODULE_ROOT = "modules/infergate-platform";
/** The private, versioned, SSE-KMS, TLS-only bucket both the module (models) and bootstrap (state) use. */
export const BUCKET_MODULE_ROOT = "modules/private-s3-bucket";
export const BOOTSTRAP_ROOT = "bootstrap";
/** The one root of every environment, driven by environments/<env>.tfvars. */
export const PLATFORM_ROOT = "platform";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Relative to the platform root, as Terraform resolves -var-file and -backend-config there. */
export const tfvarsOf = (env: Environment) => `../environments/${env}.tfvars`;
export const backendConfigOf = (env: Environment) => `../environments/${env}.s3.tfbackend`;

/**
 * `init -backend=false` + `validate` (which also validates the root's test files). With
 * `lockfile: "readonly"` the committed .terraform.lock.hcl must already match the mirror.
 */
export async function initAndValidate(
  ws: Workspace,
  root: string,
  lockfile: "readonly" | "write" = "readonly",
): Promise<string> {
  const lockArgs = lockfile === "readonly" ? ["-lockfile=readonly"] : [];
  await ws.terraform(root, ["init", "-input=false", "-no-color", "-backend=false", ...lockArgs]);
  return ws.terraform(root, ["validate", "-no-color"]);
}

/** How many run blocks the given test files of a root hold (each must pass). */
export function runBlocksIn(ws: Workspace, root: string, files?: readonly string[]): number {
  const dir = join(ws.src, root, "tests");
  const names = files ?? readdirSync(dir).filter((file) => file.endsWith(".tftest.hcl"));
  return names
    .map((file) => readFileSync(join(dir, file), "utf8").match(/^run "[^"]+" \{/gm)?.length ?? 0)
    .reduce((sum, count) => sum + count, 0);
}

export type TestSummary = { passed: number; failed: number; output: string };

/** Runs `terraform test` in an initialised root and reads its summary line. */
export async function terraformTest(
  ws: Workspace,
  root: string,
  args: readonly string[] = [],
): Promise<TestSummary> {
  const output = await ws.terraform(root, ["test", "-no-color", ...args], { timeoutMs: 600_000 });
  const summary = /^Success! (\d+) passed, (\d+) failed\.$/m.exec(output);
  if (!summary) throw new Error(`no summary line in the output of terraform test:\n${output}`);
  return { passed: Number(summary[1]), failed: Number(summary[2]), output };
}
