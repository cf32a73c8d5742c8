/**
 * The platform root: one root for every environment. It validates against its committed lock
 * file; each environment has a tfvars and a backend config of its own; and the root, planned and
 * applied with each environment's tfvars against the mocked AWS provider, passes that
 * environment's tests (platform/tests/<env>.tftest.hcl).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  backendConfigOf,
  ENVIRONMENTS,
  initAndValidate,
  PLATFORM_ROOT,
  runBlocksIn,
  terraformTest,
  tfvarsOf,
} from "./support/roots.js";
import { createWorkspace, type Workspace } from "./support/workspace.js";

/** The top-level `name = value` lines of a tfvars or backend config file, values as written. */
function settingsOf(path: string): Record<string, string> {
  const lines = readFileSync(path, "utf8").split("\n");
  const settings = lines
    .map((line) => /^([a-z_]+)\s*=\s*(.*?)\s*(#.*)?$/.exec(line))
    .filter((match) => match !== null)
    .map(([, name, value]) => [name, value]);
  return Object.fromEntries(settings);
}

describe(PLATFORM_ROOT, () => {
  let ws: Workspace;

  beforeAll(async () => {
    ws = await createWorkspace("platform");
  }, 900_000);

  afterAll(async () => {
    await ws?.remove();
  });

  it("init (-lockfile=readonly: the committed lock file matches the mirror) + validate", async () => {
    expect(await initAndValidate(ws, PLATFORM_ROOT)).toContain("The configuration is valid.");
  }, 180_000);

  describe.each(ENVIRONMENTS)("%s", (env) => {
    it(`has ${env}.tfvars and ${env}.s3.tfbackend: its own state key, encrypted and locked`, () => {
      const root = join(ws.src, PLATFORM_ROOT);
      expect(settingsOf(join(root, tfvarsOf(env)))).toMatchObject({ environment: `"${env}"` });
      expect(settingsOf(join(root, backendConfigOf(env)))).toEqual({
        key: `"infergate/${env}/terraform.tfstate"`,
        region: '"eu-central-1"',
        encrypt: "true",
        use_lockfile: "true",
      });
    });

    it(`terraform test with ${env}.tfvars: every run of tests/${env}.tftest.hcl passes`, async () => {
      const summary = await terraformTest(ws, PLATFORM_ROOT, [
        `-var-file=${tfvarsOf(env)}`,
        `-filter=tests/${env}.tftest.hcl`,
      ]);
      expect(summary.passed).toBeGreaterThan(0);
      expect(summary).toMatchObject({
        passed: runBlocksIn(ws, PLATFORM_ROOT, [`${env}.tftest.hcl`]),
        failed: 0,
      });
    }, 600_000);
  });
});
