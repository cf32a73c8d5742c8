/**
 * Production before the release: a fresh S3 repository holding the stable version (published by
 * the same command model.yml's publish job runs), the GitOps repository saying production serves
 * it, production serving it from S3 on the platform asked for (one server, or the chart on a local
 * control plane), Prometheus scraping it, and the production traffic, which runs until the
 * rehearsal ends.
 */
import { join } from "node:path";
import { RehearsalError } from "./errors.js";
import { GitOpsRepository } from "./gitops.js";
import type { PlatformName } from "./options.js";
import type { Progress } from "./progress.js";
import { type S3Emulator, startS3 } from "./s3-emulator.js";
import { startSite } from "./site-loader.js";
import type { ProductionSite } from "./stages/context.js";
import type { Supervisor } from "./supervisor.js";
import { ProductionTraffic } from "./traffic.js";
import { commandLine, publishCommand } from "./workflow-commands.js";

/** What production serves before the release: the bundled repository's newest version. */
export const PRODUCTION = { model: "digits", version: 2 } as const;
/** Production's clients: 60 requests/s of 32 rows each (a page of images), given up after 10 s. */
export const TRAFFIC = { rate: 60, rowsPerRequest: 32, timeoutMs: 10_000 } as const;

export type Running = {
  s3: S3Emulator;
  gitops: GitOpsRepository;
  site: ProductionSite;
  traffic: ProductionTraffic;
};

export async function setUp(
  supervisor: Supervisor,
  progress: Progress,
  o: { root: string; scratch: string; reportDir: string; platform: PlatformName },
  /** Called as soon as the site runs, so that a failure later still stops it. */
  onSite: (site: ProductionSite) => void,
): Promise<Running> {
  const s3 = await startS3(supervisor, o.root);
  const stable = join(o.root, "models", "repository", PRODUCTION.model, String(PRODUCTION.version));
  const c = commandLine(o.root, publishCommand(stable, s3.repository));
  const published = await supervisor.run("publish-stable", c.command, c.args, {
    cwd: o.root,
    env: { ...process.env, ...s3.env },
  });
  if (published.code !== 0)
    throw new RehearsalError(`publishing production's v${PRODUCTION.version} failed; see ${published.log}`);
  progress.line(
    `  S3 (moto) at ${s3.endpoint}: ${s3.repository}/${PRODUCTION.model}/${PRODUCTION.version} published`,
  );

  const gitops = await GitOpsRepository.create(supervisor, o.root, join(o.reportDir, "gitops"), PRODUCTION);
  const site = await startSite(o.platform, {
    ...o,
    supervisor,
    progress,
    s3,
    gitops,
    production: PRODUCTION,
  });
  onSite(site);
  const traffic = new ProductionTraffic(o.root, { route: site.route, model: PRODUCTION.model, ...TRAFFIC });
  traffic.start();
  progress.counts = () => traffic.counts;
  progress.line(
    `  production traffic: ${TRAFFIC.rate} requests/s of ${TRAFFIC.rowsPerRequest} rows, counted until the end`,
  );
  return { s3, gitops, site, traffic };
}
