/**
 * The Terraform binary and where the pinned hashicorp/aws provider comes from. Tests install
 * providers only from a filesystem mirror: the machine's offline one when it holds the pinned
 * version, else one mirrored once from the registry into the project's tool cache (outside the
 * clone, checked against the committed lock file's hashes by `terraform providers mirror`).
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../../../scripts/lib/repo.js";
import { runOk } from "../../../scripts/lib/run.js";

export const AWS_PROVIDER_VERSION = "5.100.0";

/** The terraform binary: TERRAFORM from the environment, else the one on PATH. */
export const TERRAFORM = process.env.TERRAFORM ?? "terraform";

/** Terraform's name for this machine's platform, e.g. linux_amd64. */
export function providerPlatform(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return `${process.platform}_${arch}`;
}

/** The provider executable inside a filesystem mirror, if the mirror holds the pinned version. */
export function providerBinaryIn(mirror: string): string | undefined {
  const dir = join(mirror, "registry.terraform.io/hashicorp/aws", AWS_PROVIDER_VERSION, providerPlatform());
  if (!existsSync(dir)) return undefined;
  const binary = readdirSync(dir).find((file) => file.startsWith("terraform-provider-aws_"));
  return binary ? join(dir, binary) : undefined;
}

const machineMirror = process.env.TF_PLUGIN_MIRROR ?? "/opt/tf-plugins";
const cacheMirror = join(
  process.env.INFERGATE_TOOLS_CACHE ?? join(homedir(), ".cache/infergate/tools"),
  "terraform-providers",
);

/** The filesystem mirror to install providers from, mirroring the registry once if needed. */
export async function providerMirror(): Promise<string> {
  if (providerBinaryIn(machineMirror)) return machineMirror;
  if (!providerBinaryIn(cacheMirror)) await mirrorFromRegistry(cacheMirror);
  return cacheMirror;
}

/**
 * Mirrors the platform root's providers into a fresh folder and renames it into place, so test
 * files running in parallel never install from half a mirror; the loser of a race keeps the
 * winner's copy.
 */
async function mirrorFromRegistry(target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const partial = await mkdtemp(`${target}.partial-`);
  try {
    await runOk(
      TERRAFORM,
      [
        `-chdir=${join(REPO_ROOT, "terraform/platform")}`,
        "providers",
        "mirror",
        `-platform=${providerPlatform()}`,
        partial,
      ],
      { env: { ...process.env, CHECKPOINT_DISABLE: "1" }, timeoutMs: 900_000 },
    );
    if (existsSync(target) && !providerBinaryIn(target)) await rm(target, { recursive: true, force: true });
    await rename(partial, target).catch((error: unknown) => {
      if (!providerBinaryIn(target)) throw error;
    });
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}
