/**
 * Production before the release: a fresh S3 repository holding the stable version (published by
 * the same command model.yml's publish job runs), the GitOps repository saying production serves
 * it, the service serving it from S3 with the policy those values give, Prometheus scraping the
 * service, and the production traffic, which runs until the rehearsal ends.
 */
import { join } from "node:path";
import { RehearsalError } from "./errors.js";
import { GitOpsRepository } from "./gitops.js";
import { type Production, startProduction } from "./production.js";
import type { Progress } from "./progress.js";
import { type Prometheus, startPrometheus } from "./prometheus-server.js";
import { type S3Emulator, startS3 } from "./s3-emulator.js";
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
  production: Production;
  prometheus: Prometheus;
  traffic: ProductionTraffic;
};

export async function setUp(
  supervisor: Supervisor,
  progress: Progress,
  o: { root: string; scratch: string; reportDir: string },
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
  const production = await startProduction(supervisor, {
    root: o.root,
    scratch: o.scratch,
    repository: s3.repository,
    model: PRODUCTION.model,
    versionPolicy: GitOpsRepository.policyOf(PRODUCTION.version),
    s3Env: s3.env,
  });
  progress.line(
    `  production at ${production.url} (pid ${production.process.pid}) serves v${PRODUCTION.version} from S3`,
  );
  const prometheus = await startPrometheus(supervisor, o.root, o.scratch, production.target);
  progress.line(`  Prometheus at ${prometheus.url} scrapes it every second`);
  const traffic = new ProductionTraffic(o.root, { url: production.url, model: PRODUCTION.model, ...TRAFFIC });
  traffic.start();
  progress.counts = () => traffic.counts;
  progress.line(
    `  production traffic: ${TRAFFIC.rate} requests/s of ${TRAFFIC.rowsPerRequest} rows, counted until the end`,
  );
  return { s3, gitops, production, prometheus, traffic };
}
