/**
 * A throwaway copy of terraform/ to run Terraform in, so no .terraform folder, state, plan or
 * lock file is ever written into the clone. Every root gets its own TF_DATA_DIR in the
 * workspace; providers come only from the filesystem mirror; AWS sees fake credentials only.
 */
import { cpSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { REPO_ROOT } from "../../../scripts/lib/repo.js";
import { runOk } from "../../../scripts/lib/run.js";
import { providerMirror, TERRAFORM } from "./toolchain.js";

/** Credentials and region no real account accepts; nothing in the tests reads real ones. */
export const FAKE_AWS_ENV = {
  AWS_ACCESS_KEY_ID: "testing",
  AWS_SECRET_ACCESS_KEY: "testing",
  AWS_REGION: "eu-central-1",
  AWS_DEFAULT_REGION: "eu-central-1",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
} as const;

export type TerraformOptions = { dataDir?: string; timeoutMs?: number; env?: Record<string, string> };

export type Workspace = {
  /** The workspace folder (logs, plans, generated files). */
  dir: string;
  /** The copy of terraform/ inside it. */
  src: string;
  /** Runs `terraform -chdir=<src>/<root> <args>` and resolves with its stdout (rejects on failure). */
  terraform(root: string, args: readonly string[], options?: TerraformOptions): Promise<string>;
  remove(): Promise<void>;
};

/** What the copy leaves out: local state and caches of the clone, and files tests generate. */
function copied(path: string): boolean {
  const name = basename(path);
  return !(
    name === ".terraform" ||
    name.includes(".tfstate") ||
    name.endsWith(".tfplan") ||
    name === "backend.hcl" ||
    name.endsWith("_override.tf")
  );
}

/** Variables of the caller's shell that would change what Terraform or the AWS SDK does. */
function isolatedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(TF_VAR_|TF_CLI_ARGS|TF_WORKSPACE$|TF_LOG|AWS_)/.test(key)) delete env[key];
  }
  return env;
}

export async function createWorkspace(label: string): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), `infergate-tf-${label}-`));
  const src = join(dir, "terraform");
  cpSync(join(REPO_ROOT, "terraform"), src, { recursive: true, filter: copied });
  const cliConfig = join(dir, "cli.tfrc");
  await writeFile(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path    = "${await providerMirror()}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`,
  );
  const baseEnv = { ...isolatedEnv(), ...FAKE_AWS_ENV, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: "1" };
  return {
    dir,
    src,
    terraform: (root, args, options = {}) =>
      runOk(TERRAFORM, [`-chdir=${join(src, root)}`, ...args], {
        env: {
          ...baseEnv,
          CHECKPOINT_DISABLE: "1",
          TF_DATA_DIR: options.dataDir ?? join(dir, "data", root.replaceAll("/", "_")),
          ...options.env,
        },
        timeoutMs: options.timeoutMs ?? 120_000,
      }),
    // TF_TEST_KEEP=1 keeps the workspace (plans, generated overrides, moto.log) for a post-mortem.
    remove: async () => {
      if (process.env.TF_TEST_KEEP === "1") console.log(`terraform: workspace kept at ${dir}`);
      else await rm(dir, { recursive: true, force: true });
    },
  };
}
