import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { UsageError } from "../cli/args.js";
import type { AnalysisDefinition } from "./definition/schema.js";
import { endInput, judge, tracksInput, windowAndStep } from "./judge.js";
import { type PrometheusClient, PrometheusQueryError } from "./prometheus.js";

/**
 * The canary verdict over HTTP, for Argo Rollouts' `web` metric provider: the controller calls
 * GET /verdict?model=…&window=…&step=…&selector=… and its successCondition reads `result.verdict`
 * from the same report JSON `infergate canary evaluate --json-out` writes (judge.ts makes both).
 *
 *   200  a verdict (promote, hold or rollback: a rollback is an answer, not a failure)
 *   400  bad parameters (the metric is misconfigured; Argo Rollouts counts it as an error)
 *   502  Prometheus unreachable or a query failed: no verdict, the controller retries
 */

export type VerdictServerOptions = {
  client: PrometheusClient;
  definition: AnalysisDefinition;
  source: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  log?: (line: string) => void;
};

export type VerdictServer = { url: string; server: Server; close(): Promise<void> };

/** The query parameters /verdict takes (anything else is a 400: a typo must not be ignored). */
const PARAMETERS = ["model", "window", "step", "end", "selector", "stable-track", "candidate-track"];

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function answer(req: IncomingMessage, options: VerdictServerOptions): Promise<[number, unknown]> {
  const url = new URL(req.url ?? "/", "http://judge");
  if (url.pathname === "/healthz") return [200, { status: "ok" }];
  if (url.pathname !== "/verdict") return [404, { error: `no such path: ${url.pathname}` }];
  if (req.method !== "GET") return [405, { error: "use GET" }];
  const unknown = [...url.searchParams.keys()].filter((k) => !PARAMETERS.includes(k));
  if (unknown.length > 0) throw new UsageError(`unknown parameter(s): ${unknown.join(", ")}`);
  const get = (name: string) => url.searchParams.get(name) ?? undefined;
  const model = get("model");
  if (!model) throw new UsageError("model is required");
  const report = await judge({
    client: options.client,
    definition: options.definition,
    source: options.source,
    model,
    ...windowAndStep(options.definition, get("window"), get("step")),
    end: endInput(get("end"), Date.now() / 1000),
    selector: get("selector"),
    tracks: tracksInput(get("stable-track"), get("candidate-track")),
  });
  const score = report.score === undefined ? "no score" : `score ${report.score}`;
  options.log?.(`verdict ${report.model}: ${report.verdict} (${score}) for ${report.selector}`);
  return [200, report];
}

export async function startVerdictServer(options: VerdictServerOptions): Promise<VerdictServer> {
  const server = createServer((req, res) => {
    answer(req, options).then(
      ([status, body]) => send(res, status, body),
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        const status = err instanceof UsageError ? 400 : err instanceof PrometheusQueryError ? 502 : 500;
        options.log?.(`${req.url}: ${status} ${message}`);
        send(res, status, { error: message });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
