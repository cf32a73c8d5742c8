/**
 * The CustomResourceDefinitions of the pinned controller releases (`scripts/tools.sh crds` copies
 * them to .tools/crds/<name>/), applied server-side as Argo CD and Helm would: the Argo CD CRDs
 * are larger than client-side apply's last-applied annotation may be.
 */
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { kubectl } from "./kubectl.js";

/** The CRD folders `scripts/tools.sh crds` links under .tools/crds, one per controller release. */
export function crdFolders(toolsDir: string): string[] {
  const root = join(toolsDir, "crds");
  if (!existsSync(root)) throw new Error(`${root} does not exist: run \`bash scripts/tools.sh crds\``);
  return readdirSync(root)
    .sort()
    .map((name) => realpathSync(join(root, name)));
}

/** Applies every CRD in `folders` and waits until each is Established; returns their names. */
export async function installCrds(
  kubeconfig: string,
  folders: string[],
  timeoutSeconds = 60,
): Promise<string[]> {
  const files = folders.flatMap((folder) => ["-f", folder]);
  const applied = await kubectl(kubeconfig, [
    "apply",
    "--server-side",
    "--field-manager=infergate-kube",
    "-o",
    "name",
    ...files,
  ]);
  if (applied.code !== 0)
    throw new Error(`applying the CRDs in ${folders.join(", ")} failed:\n${applied.stderr}`);
  const names = applied.stdout.split("\n").filter((line) => line.startsWith("customresourcedefinition"));
  const waited = await kubectl(kubeconfig, [
    "wait",
    "--for=condition=Established",
    `--timeout=${timeoutSeconds}s`,
    ...names,
  ]);
  if (waited.code !== 0) throw new Error(`CRDs not Established:\n${waited.stderr}`);
  return names.map((name) => name.replace(/^customresourcedefinition[^/]*\//, ""));
}
