/**
 * The pinned moto_server (scripts/requirements/moto.txt) over HTTPS on a free 127.0.0.1 port,
 * with a throwaway self-signed certificate. HTTPS because the buckets' TLS-only policies make a
 * plain-HTTP emulator a poor stand-in; Terraform trusts the certificate through AWS_CA_BUNDLE,
 * the SDK clients of the checks through an https agent.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { openSync, readFileSync } from "node:fs";
import { get } from "node:https";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runOk } from "../../../scripts/lib/run.js";
import { venv } from "../../../scripts/lib/tools.js";

export type MotoServer = {
  endpoint: string;
  /** The self-signed certificate (PEM), which is its own CA. */
  caFile: string;
  ca: Buffer;
  pid: number;
  stop(): Promise<void>;
};

async function unusedLoopbackPort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  probe.close();
  return port;
}

/** Whether GET <url> answers 200 over TLS verified against `ca`. */
function answers(url: string, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, { ca, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const killTimer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(killTimer);
}

/** Starts moto_server, its certificate and log in `dir`; resolves once it answers over HTTPS. */
export async function startMotoServer(dir: string): Promise<MotoServer> {
  const motoServer = join(await venv("moto", "scripts/requirements/moto.txt"), "bin", "moto_server");
  const keyFile = join(dir, "moto-key.pem");
  const caFile = join(dir, "moto-cert.pem");
  await runOk(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
      ...["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", keyFile, "-out", caFile],
    ],
    { timeoutMs: 30_000 },
  );
  const ca = readFileSync(caFile);
  const port = await unusedLoopbackPort();
  const logFile = join(dir, "moto.log");
  const log = openSync(logFile, "w");
  // The AWS managed IAM policies must exist: the module attaches several to its roles.
  const child = spawn(motoServer, ["-H", "127.0.0.1", "-p", String(port), "-c", caFile, "-k", keyFile], {
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true" },
    stdio: ["ignore", log, log],
  });
  const endpoint = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await answers(`${endpoint}/moto-api/`, ca))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopProcess(child);
      throw new Error(
        `moto_server did not come up on ${endpoint}:\n${readFileSync(logFile, "utf8").slice(-4000)}`,
      );
    }
    await sleep(250);
  }
  return { endpoint, caFile, ca, pid: child.pid as number, stop: () => stopProcess(child) };
}
