/**
 * The parts of the API objects the rehearsal reads (Rollout, AnalysisRun, Event), and how they
 * become report records: which controller an Event's reporting component is, an AnalysisRun's
 * results with each measurement.
 */
import type { AnalysisRunRecord } from "../../tools/src/rehearse/report/types.js";

export type CanaryStepSpec = { setWeight?: number; pause?: { duration?: string } };

export type Rollout = {
  spec: { replicas?: number; strategy: { canary?: { steps?: CanaryStepSpec[] } } };
  status?: {
    phase?: string;
    message?: string;
    currentStepIndex?: number;
    stableRS?: string;
    currentPodHash?: string;
    abort?: boolean;
    pauseConditions?: { reason: string; startTime: string }[];
    canary?: { weights?: { canary?: { weight?: number } } };
  };
};

export type Measurement = {
  phase: string;
  value?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
};
export type MetricResult = {
  name: string;
  phase: string;
  count?: number;
  successful?: number;
  failed?: number;
  inconclusive?: number;
  error?: number;
  measurements?: Measurement[];
};
export type AnalysisRun = {
  metadata: { name: string; labels?: Record<string, string>; creationTimestamp?: string };
  status?: { phase?: string; message?: string; metricResults?: MetricResult[] };
};

export type KubeEvent = {
  metadata: { resourceVersion: string; creationTimestamp?: string };
  reason: string;
  message: string;
  count?: number;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  reportingComponent?: string;
  source?: { component?: string };
  involvedObject: { kind: string; name: string };
};

/** "setWeight: 25", "pause: 15s", "pause (until promoted)": a step as the report names it. */
export function describeStep(step: CanaryStepSpec | undefined): string {
  if (step?.setWeight !== undefined) return `setWeight: ${step.setWeight}`;
  if (step?.pause) return step.pause.duration ? `pause: ${step.pause.duration}` : "pause (until promoted)";
  return "done";
}

/** Which controller a reporting component is (the names the components record Events under). */
const CONTROLLERS: Record<string, string> = {
  "rollouts-controller": "Argo Rollouts controller",
  "default-scheduler": "kube-scheduler",
  "replicaset-controller": "kube-controller-manager: ReplicaSet controller",
  "horizontal-pod-autoscaler": "kube-controller-manager: HPA controller",
  controllermanager: "kube-controller-manager: disruption (PDB) controller",
};

export function controllerName(component: string): string {
  return CONTROLLERS[component] ?? (component || "unknown");
}

export function analysisRunRecord(run: AnalysisRun, at: (time: string) => number): AnalysisRunRecord {
  return {
    name: run.metadata.name,
    phase: run.status?.phase ?? "",
    message: run.status?.message ?? "",
    metrics: (run.status?.metricResults ?? []).map((m) => ({
      name: m.name,
      phase: m.phase,
      count: m.count ?? 0,
      successful: m.successful ?? 0,
      failed: m.failed ?? 0,
      inconclusive: m.inconclusive ?? 0,
      error: m.error ?? 0,
      measurements: (m.measurements ?? []).map((x) => ({
        at: at(x.finishedAt ?? x.startedAt ?? ""),
        phase: x.phase,
        value: x.value ?? x.message ?? "",
      })),
    })),
  };
}
