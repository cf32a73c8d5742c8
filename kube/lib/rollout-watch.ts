/**
 * What `kubectl` shows of a canary: `kubectl get rollout -w` with the status columns (each change
 * as one row, with the seconds since the watch began), and the AnalysisRuns with their metric
 * results and the verdicts the web metric measured.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { kubectl } from "./kubectl.js";

const COLUMNS = [
  "PHASE:.status.phase",
  "STEP:.status.currentStepIndex",
  "DESIRED:.spec.replicas",
  "UPDATED:.status.updatedReplicas",
  "AVAILABLE:.status.availableReplicas",
  "STABLE:.status.stableRS",
  "CURRENT:.status.currentPodHash",
  "ABORT:.status.abort",
  "MESSAGE:.status.message",
].join(",");

export type RolloutRow = { phase: string; step: string; stable: string; current: string; line: string };

export type RolloutWatch = { rows: RolloutRow[]; header: string; lines(): string[]; stop(): void };

export function watchRollout(kubeconfig: string, namespace: string, name: string): RolloutWatch {
  const started = Date.now();
  const child: ChildProcess = spawn(
    "kubectl",
    [
      "--kubeconfig",
      kubeconfig,
      "-n",
      namespace,
      "get",
      `rollout/${name}`,
      "-w",
      "-o",
      `custom-columns=${COLUMNS}`,
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  const watch: RolloutWatch = {
    rows: [],
    header: "",
    lines: () => [`  TIME    ${watch.header}`, ...watch.rows.map((r) => r.line)],
    stop: () => child.kill("SIGTERM"),
  };
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const text of lines) {
      if (text.startsWith("PHASE")) {
        watch.header = text;
        continue;
      }
      // The watch sends every status update; a row is a change of what the columns show.
      if (text === watch.rows.at(-1)?.line.slice(10)) continue;
      const [phase = "", step = "", , , , stable = "", current = ""] = text.split(/\s+/);
      const seconds = `+${((Date.now() - started) / 1000).toFixed(1)}s`.padStart(8);
      watch.rows.push({ phase, step, stable, current, line: `${seconds}  ${text}` });
    }
  });
  return watch;
}

type Measurement = { phase: string; value?: string; startedAt?: string };
type MetricResult = {
  name: string;
  phase: string;
  count?: number;
  successful?: number;
  failed?: number;
  measurements?: Measurement[];
};
export type AnalysisRun = {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { phase: string; message?: string; metricResults?: MetricResult[] };
};

export async function analysisRuns(kubeconfig: string, namespace: string): Promise<AnalysisRun[]> {
  const r = await kubectl(kubeconfig, ["-n", namespace, "get", "analysisruns", "-o", "json"]);
  return (JSON.parse(r.stdout) as { items: AnalysisRun[] }).items;
}

/**
 * `kubectl get analysisruns` (only the canary's with the pod template `hash`, when given), and of
 * those runs their metric results and the verdicts their web metrics measured.
 */
export async function describeAnalysisRuns(
  kubeconfig: string,
  namespace: string,
  hash?: string,
): Promise<string[]> {
  const selector = hash ? ["-l", `rollouts-pod-template-hash=${hash}`] : [];
  const list = await kubectl(kubeconfig, ["-n", namespace, "get", "analysisruns", ...selector]);
  const out = [
    `$ kubectl get analysisruns ${selector.join(" ")}`.trimEnd(),
    ...list.stdout.trimEnd().split("\n"),
  ];
  if (!hash) return out;
  const runs = (await analysisRuns(kubeconfig, namespace)).filter(
    (run) => run.metadata.labels?.["rollouts-pod-template-hash"] === hash,
  );
  for (const run of runs) {
    out.push("", `$ kubectl get analysisrun ${run.metadata.name} -o custom-columns=… (status.metricResults)`);
    const results = await kubectl(kubeconfig, [
      "-n",
      namespace,
      "get",
      `analysisrun/${run.metadata.name}`,
      "-o",
      'jsonpath={range .status.metricResults[*]}{.name}{"\\t"}{.phase}{"\\tcount="}{.count}{" successful="}{.successful}{" failed="}{.failed}{"\\n"}{end}',
    ]);
    out.push(
      ...results.stdout
        .trimEnd()
        .split("\n")
        .map((l) => `  ${l.replaceAll("\t", "  ")}`),
    );
    if (run.status?.message) out.push(`  message: ${run.status.message}`);
    for (const m of run.status?.metricResults ?? []) {
      const verdicts = (m.measurements ?? []).flatMap((x) => {
        if (!x.value?.startsWith("{")) return [];
        const report = JSON.parse(x.value) as { verdict: string; score?: number; reasons: string[] };
        return [
          `${x.phase}: ${report.verdict} (score ${report.score ?? "-"})${report.reasons[0] ? ` ${report.reasons[0]}` : ""}`,
        ];
      });
      if (verdicts.length > 0)
        out.push(`  ${m.name} measurements (.value.verdict):`, ...verdicts.map((v) => `    ${v}`));
    }
  }
  return out;
}
