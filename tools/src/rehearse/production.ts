/**
 * Production: the service as `npm start` runs it, serving the model repository in S3 with the
 * version policy the GitOps values give production, and its admin API on (a token made per
 * rehearsal), which is how the canary moves: the same tracks pointer (tracks.json) an operator or
 * a pipeline changes, applied by every worker before the call returns.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { freePort } from "../load-gate/service-under-test.js";
import { npmScript } from "./checkout.js";
import { RehearsalError } from "./errors.js";
import type { Managed, Supervisor } from "./supervisor.js";
import { answers200, waitUntil } from "./wait.js";

export type TrackState = {
  stable: number | null;
  candidate: number | null;
  mode: "off" | "canary" | "shadow";
  weight: number;
};

export type Production = {
  url: string;
  /** host:port, the scrape target. */
  target: string;
  process: Managed;
  admin: AdminApi;
};

export async function startProduction(
  supervisor: Supervisor,
  options: {
    root: string;
    scratch: string;
    repository: string;
    model: string;
    versionPolicy: string;
    s3Env: Record<string, string>;
  },
): Promise<Production> {
  const port = await freePort();
  const token = randomBytes(24).toString("hex");
  // Only the settings given here: a server variable of the caller's must not change production.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("INFERGATE_") && k !== "PORT" && k !== "HOST"),
  );
  const env = {
    ...inherited,
    ...options.s3Env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "info",
    INFERGATE_MODELS: options.model,
    INFERGATE_VERSION_POLICY: options.versionPolicy,
    INFERGATE_MODEL_CACHE_DIR: join(options.scratch, "production-cache"),
    INFERGATE_ADMIN_TOKEN: token,
    INFERGATE_DRAIN_TIMEOUT_MS: "5000",
  };
  const start = npmScript(options.root, "start");
  const p = supervisor.start("production", start.command, [...start.args, options.repository], {
    cwd: options.root,
    env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    supervisor,
    "production service",
    () => answers200(`${url}/v2/models/${options.model}/ready`),
    {
      timeoutMs: 120_000,
      process: p,
    },
  );
  return { url, target: `127.0.0.1:${port}`, process: p, admin: new AdminApi(url, options.model, token) };
}

/** The admin API calls the canary and promotion make (README, "Canary and shadow"). */
export class AdminApi {
  constructor(
    private readonly url: string,
    private readonly model: string,
    private readonly token: string,
  ) {}

  tracks(): Promise<TrackState> {
    return this.call("GET", "tracks");
  }

  /** Loads and warms the candidate beside stable (first time), then routes `weight` of traffic to it. */
  canary(candidate: number, weight: number): Promise<TrackState> {
    return this.call("PUT", "tracks", { mode: "canary", weight, candidate });
  }

  promote(): Promise<TrackState> {
    return this.call("POST", "promote");
  }

  rollback(): Promise<TrackState> {
    return this.call("POST", "rollback");
  }

  private async call(method: string, action: string, body?: unknown): Promise<TrackState> {
    const res = await fetch(`${this.url}/admin/models/${this.model}/${action}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    if (!res.ok)
      throw new RehearsalError(`admin ${method} ${action}: HTTP ${res.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as TrackState;
  }
}
