/**
 * How the rehearsal starts the process playing a Pod's container: `npm start` (what the image's
 * entry point runs, from this checkout) under the rehearsal's supervisor, so it is known by PID,
 * logs to the report's logs/ and is stopped with everything else, with the Pod's environment and
 * what a node would give it differently: 127.0.0.1 and a free port, the image's NODE_ENV, one
 * worker (a node's two CPUs would give two; here every pod shares this machine's cores), and
 * credentials for the S3 emulator where EKS's pod identity webhook would inject the IRSA role.
 */
import { freePort } from "../../tools/src/load-gate/service-under-test.js";
import { npmScript } from "../../tools/src/rehearse/checkout.js";
import type { Supervisor } from "../../tools/src/rehearse/supervisor.js";
import { answers200, waitUntil } from "../../tools/src/rehearse/wait.js";
import type { PodLauncher } from "../lib/local-pods.js";

/** The S3 emulator's fake credentials, from the rehearsal's S3 environment. */
const CREDENTIALS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

export function supervisedLauncher(
  supervisor: Supervisor,
  root: string,
  s3Env: Record<string, string>,
): PodLauncher {
  // A container sees only its own environment: nothing of the caller's server settings.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(INFERGATE_|AWS_)/.test(k) && k !== "PORT" && k !== "HOST",
    ),
  );
  const credentials = Object.fromEntries(CREDENTIALS.map((k) => [k, s3Env[k] ?? ""]));
  return async (podName, env) => {
    const port = await freePort();
    const start = npmScript(root, "start");
    const p = supervisor.start(`pod-${podName}`, start.command, start.args, {
      cwd: root,
      env: {
        ...inherited,
        ...env,
        ...credentials,
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: String(port),
        INFERGATE_WORKERS: "1",
      },
    });
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(supervisor, `the process of pod ${podName}`, () => answers200(`${url}/v2/health/ready`), {
      timeoutMs: 120_000,
      process: p,
    });
    return { url, pid: p.pid, stop: () => supervisor.stop(p) };
  };
}
