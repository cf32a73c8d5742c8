/**
 * The modules and the state bucket root on their own: each validates, and its tests (tests/*.tftest.hcl
 * in its folder, run against the mocked AWS provider) all pass: the platform module's security and
 * behaviour (private nodes and endpoint, encryption, IRSA scope, node hardening, tags, NAT layouts, the
 * Argo CD cluster Secret, rejected inputs), the bucket module's (public access blocked, ACLs off,
 * versioned, SSE-KMS with the given key, TLS-only policy with the caller's statements after it,
 * lifecycle, access logging, rejected inputs), the state bucket's protection and the optional lock table.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BOOTSTRAP_ROOT,
  BUCKET_MODULE_ROOT,
  initAndValidate,
  MODULE_ROOT,
  runBlocksIn,
  terraformTest,
} from "./support/roots.js";
import { createWorkspace, type Workspace } from "./support/workspace.js";

// A module commits no lock file (init writes one into the workspace); a root's lock file is committed
// and must already match the mirror (-lockfile=readonly).
const ROOTS = [
  { root: MODULE_ROOT, lockfile: "write" },
  { root: BUCKET_MODULE_ROOT, lockfile: "write" },
  { root: BOOTSTRAP_ROOT, lockfile: "readonly" },
] as const;

describe.each(ROOTS)("$root", ({ root, lockfile }) => {
  let ws: Workspace;

  beforeAll(async () => {
    ws = await createWorkspace(root.replaceAll("/", "-"));
  }, 900_000);

  afterAll(async () => {
    await ws?.remove();
  });

  it(`init (lock file: ${lockfile}) + validate`, async () => {
    expect(await initAndValidate(ws, root, lockfile)).toContain("The configuration is valid.");
  }, 180_000);

  it("terraform test: every run block passes against the mocked AWS provider", async () => {
    const summary = await terraformTest(ws, root);
    expect(summary.passed).toBeGreaterThan(0);
    expect(summary).toMatchObject({ passed: runBlocksIn(ws, root), failed: 0 });
  }, 600_000);
});
