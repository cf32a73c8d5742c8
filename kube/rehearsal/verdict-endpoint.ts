/**
 * The verdict endpoint the AnalysisRun's web metric calls: `npm run canary:serve` (`infergate
 * canary serve`, the same definition and statistics as `canary evaluate`) over the rehearsal's
 * Prometheus, under the rehearsal's supervisor, on 127.0.0.1 where the controller reaches it. Its
 * log (logs/NN-canary-serve.log) has a line per verdict it answered.
 */
import { freePort } from "../../tools/src/load-gate/service-under-test.js";
import { npmScript } from "../../tools/src/rehearse/checkout.js";
import type { SiteOptions } from "../../tools/src/rehearse/site-options.js";
import { answers200, waitUntil } from "../../tools/src/rehearse/wait.js";

export async function startVerdicts(
  o: SiteOptions,
  prometheus: string,
): Promise<{ url: string; pid: number }> {
  const port = await freePort();
  const serve = npmScript(o.root, "canary:serve");
  const p = o.supervisor.start(
    "canary-serve",
    serve.command,
    [...serve.args, "--prometheus", prometheus, "--port", String(port)],
    { cwd: o.root },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(o.supervisor, "infergate canary serve", () => answers200(`${url}/healthz`), {
    timeoutMs: 60_000,
    process: p,
  });
  return { url, pid: p.pid };
}
