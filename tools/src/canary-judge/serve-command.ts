import { numberOption, parseOptions, requireOption } from "../cli/args.js";
import type { Command } from "../cli/command.js";
import { DEFINITION_ENV, loadDefinition } from "./definition/load.js";
import { AnalysisDefinitionError } from "./definition/schema.js";
import { PrometheusClient, PrometheusQueryError } from "./prometheus.js";
import { startVerdictServer } from "./verdict-server.js";

const HELP = `usage: infergate canary serve --prometheus <url> [options]

Serves the canary verdict of \`infergate canary evaluate\` over HTTP, for Argo Rollouts' web metric
provider (the chart's rollout.analysis.judge.provider=web):

  GET /verdict?model=<name>[&window=<duration>][&step=<duration>][&selector=<matchers>]
              [&end=<time>][&stable-track=<name>][&candidate-track=<name>]
      200 with the JSON report --json-out writes (read result.verdict: promote, hold, rollback),
      400 for bad parameters, 502 when Prometheus cannot answer (no verdict)
  GET /healthz

  --prometheus <url>    Prometheus base URL (HTTP API)
  --port <n>            listen port, default 9091 (0: any free port, printed at start)
  --host <address>      listen address, default 127.0.0.1 (0.0.0.0 in a pod)
  --analysis <file>     definition (YAML, or JSON if it ends in .json); default: $${DEFINITION_ENV}
                        (base64 JSON), else the repository's helm/infergate/files/canary-analysis.yaml;
                        use the one the chart's AnalysisTemplate was rendered from
  --timeout <seconds>   per Prometheus request, default 30

Runs until SIGINT or SIGTERM (exit 0); exit 2 for usage or definition errors.
`;

const OPTIONS = {
  prometheus: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  analysis: { type: "string" },
  timeout: { type: "string" },
} as const;

async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const o = parseOptions(argv, OPTIONS);
  const prometheusUrl = requireOption(o.prometheus, "prometheus");
  const port = numberOption(o.port, "port", 9091, { min: 0, max: 65535, integer: true });
  const timeoutSeconds = numberOption(o.timeout, "timeout", 30, { min: 1, max: 600 });
  const { definition, source } = await loadDefinition(o.analysis, env);
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const server = await startVerdictServer({
    client: new PrometheusClient(prometheusUrl, timeoutSeconds * 1000),
    definition,
    source,
    host: o.host ?? "127.0.0.1",
    port,
    log,
  });
  process.stdout.write(`canary verdicts on ${server.url}/verdict (definition ${source})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  return 0;
}

export const command: Command = {
  name: "canary serve",
  summary: "serve the canary verdict over HTTP (GET /verdict) for Argo Rollouts' web metrics",
  help: HELP,
  run,
  exitCodeOf: (err) =>
    err instanceof PrometheusQueryError || err instanceof AnalysisDefinitionError ? 2 : undefined,
};
