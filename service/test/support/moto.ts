import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { S3Client } from "@aws-sdk/client-s3";
import { freePort, waitFor } from "./net.js";
import { REPO_ROOT } from "./paths.js";

export type Moto = { endpoint: string; s3: S3Client; stop: () => Promise<void> };

/** Fake credentials for the emulator, set in the test process env only (never in files). */
export const MOTO_ENV = {
  AWS_ACCESS_KEY_ID: "testing",
  AWS_SECRET_ACCESS_KEY: "testing",
  AWS_REGION: "us-east-1",
};

/** The pinned `moto_server` in its venv (scripts/venv.sh: created on first use, then cached). */
function motoServer(): string {
  const venv = execFileSync("bash", ["scripts/venv.sh", "moto", "scripts/requirements/moto.txt"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  }).trim();
  return `${venv}/bin/moto_server`;
}

/**
 * Starts the pinned `moto_server` (an AWS emulator) on a free loopback port. With
 * `authAfter`, moto enforces IAM after that many requests, which is how tests get real 403s.
 */
export async function startMoto(options: { authAfter?: number } = {}): Promise<Moto> {
  Object.assign(process.env, MOTO_ENV);
  const port = await freePort();
  const env = {
    ...process.env,
    ...(options.authAfter !== undefined ? { INITIAL_NO_AUTH_ACTION_COUNT: String(options.authAfter) } : {}),
  };
  const child: ChildProcess = spawn(motoServer(), ["-H", "127.0.0.1", "-p", String(port)], {
    env,
    stdio: "ignore",
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Poll a path that moto answers without counting it as an AWS action.
  await waitFor(async () => (await fetch(`${endpoint}/moto-api/`)).ok, 30_000, "moto_server");
  const s3 = new S3Client({ endpoint, forcePathStyle: true, region: MOTO_ENV.AWS_REGION });
  return {
    endpoint,
    s3,
    stop: async () => {
      s3.destroy();
      child.kill("SIGTERM");
      await exited;
    },
  };
}
