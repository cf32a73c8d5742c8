/**
 * Starts production on the platform `--platform` names. The local platform is this folder's
 * (local-site.ts). The kube platform lives with the control plane it drives, in
 * kube/rehearsal/site.ts, which imports this folder's types and kube/lib; the rehearsal loads it
 * at run time from the checkout, never by a static import: tools/src imports no infra folder, and
 * the package and the image build tools/src alone (docs/architecture.md, "The tools").
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { RehearsalError } from "./errors.js";
import { startLocalSite } from "./local-site.js";
import type { PlatformName } from "./options.js";
import type { SiteOptions } from "./site-options.js";
import type { ProductionSite } from "./stages/context.js";

/** The kube platform's module, relative to the checkout (scripts/test/architecture.test.ts reads it). */
export const KUBE_SITE_MODULE = "kube/rehearsal/site.ts";

type KubeSiteModule = { startKubeSite?: (o: SiteOptions) => Promise<ProductionSite> };

export async function startSite(platform: PlatformName, o: SiteOptions): Promise<ProductionSite> {
  if (platform === "local") return startLocalSite(o);
  const file = join(o.root, KUBE_SITE_MODULE);
  if (!existsSync(file)) throw new RehearsalError(`--platform kube needs ${file}, which is missing`);
  let loaded: KubeSiteModule;
  try {
    loaded = (await import(pathToFileURL(file).href)) as KubeSiteModule;
  } catch (err) {
    throw new RehearsalError(
      `--platform kube: cannot load ${KUBE_SITE_MODULE} (${(err as Error).message}); it runs from a checkout through bin/infergate.js, which loads TypeScript`,
    );
  }
  if (typeof loaded.startKubeSite !== "function")
    throw new RehearsalError(`${KUBE_SITE_MODULE} exports no startKubeSite()`);
  return loaded.startKubeSite(o);
}
