/**
 * What the report says the cluster did, read from the API server, never inferred: the Rollout's
 * status at each change (polled twice a second), the Events each controller recorded (the Argo
 * Rollouts controller's steps, weights, analysis and promotion or abort; the ReplicaSet
 * controller's pods; the scheduler's bindings), the AnalysisRuns with every measurement, and the
 * kwok nodes; plus what the rehearsal itself did standing in for Argo CD or an operator.
 */
import type {
  AnalysisRunRecord,
  ClusterAction,
  ClusterRecord,
  RolloutState,
} from "../../tools/src/rehearse/report/types.js";
import type { ApiClient } from "../lib/api.js";
import { KWOK_NODE_ANNOTATION } from "../lib/nodes.js";
import {
  type AnalysisRun,
  analysisRunRecord,
  controllerName,
  type KubeEvent,
  type Rollout,
} from "./objects.js";

export class ClusterRecorder {
  readonly rollout: RolloutState[] = [];
  latest: Rollout | undefined;
  private readonly acts: ClusterAction[] = [];
  private events: ClusterAction[] = [];
  private runs: AnalysisRunRecord[] = [];
  private nodes: ClusterRecord["nodes"] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly namespace: string,
    private readonly name: string,
    /** The rehearsal's start, ms: every `at` is seconds from it. */
    private readonly startedAt: number,
  ) {}

  at(time: string | number = Date.now()): number {
    const ms = typeof time === "number" ? time : Date.parse(time);
    return Math.round((ms - this.startedAt) / 100) / 10;
  }

  start(intervalMs = 500): void {
    this.timer = setInterval(() => void this.poll().catch(() => {}), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The Rollout now (and its state kept when it changed). */
  async poll(): Promise<Rollout> {
    const r = await this.api.get<Rollout>(
      `/apis/argoproj.io/v1alpha1/namespaces/${this.namespace}/rollouts/${this.name}`,
    );
    this.latest = r;
    const s = r.status ?? {};
    const state: RolloutState = {
      at: this.at(),
      phase: s.phase ?? "",
      step: s.currentStepIndex === undefined ? "" : String(s.currentStepIndex),
      canary_weight: s.canary?.weights?.canary?.weight ?? null,
      stable: s.stableRS ?? "",
      current: s.currentPodHash ?? "",
      abort: s.abort ?? false,
      message: s.message ?? "",
    };
    const last = this.rollout.at(-1);
    if (!last || JSON.stringify({ ...last, at: 0 }) !== JSON.stringify({ ...state, at: 0 }))
      this.rollout.push(state);
    return r;
  }

  /** Something the rehearsal did in another's place (Argo CD's sync, an operator's promote). */
  act(who: string, object: string, reason: string, message: string): void {
    this.acts.push({ at: this.at(), controller: who, object, reason, message });
  }

  /** Reads the Events, the AnalysisRuns and the nodes as the API server holds them now. */
  async collect(): Promise<AnalysisRun[]> {
    const ns = `/namespaces/${this.namespace}`;
    const [events, runs, nodes] = await Promise.all([
      this.api.get<{ items: KubeEvent[] }>(`/api/v1${ns}/events`),
      this.api.get<{ items: AnalysisRun[] }>(`/apis/argoproj.io/v1alpha1${ns}/analysisruns`),
      this.api.get<{ items: NodeObject[] }>("/api/v1/nodes"),
    ]);
    this.events = events.items
      .map((e) => {
        const time = e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? "";
        const times = (e.count ?? 1) > 1 ? ` (${e.count} times)` : "";
        return {
          action: {
            at: this.at(time),
            controller: controllerName(e.reportingComponent || e.source?.component || ""),
            object: `${e.involvedObject.kind}/${e.involvedObject.name}`,
            reason: e.reason,
            message: `${e.message}${times}`,
          },
          order: Number(e.metadata.resourceVersion),
        };
      })
      .sort((a, b) => a.action.at - b.action.at || a.order - b.order)
      .map((e) => e.action);
    this.runs = runs.items.map((run) => analysisRunRecord(run, (t) => this.at(t)));
    this.nodes = nodes.items
      .filter((n) => n.metadata.annotations?.[KWOK_NODE_ANNOTATION.key] === KWOK_NODE_ANNOTATION.value)
      .map((n) => ({
        name: n.metadata.name,
        group: n.metadata.labels?.["eks.amazonaws.com/nodegroup"] ?? "",
        zone: n.metadata.labels?.["topology.kubernetes.io/zone"] ?? "",
      }));
    return runs.items;
  }

  /** The Events collected last and the rehearsal's own acts, in order, from `at` on. */
  actions(at = Number.NEGATIVE_INFINITY): ClusterAction[] {
    return [...this.events, ...this.acts].sort((a, b) => a.at - b.at).filter((a) => a.at >= at);
  }

  record(o: Pick<ClusterRecord, "real" | "simulated" | "pods">): ClusterRecord {
    return {
      ...o,
      nodes: this.nodes,
      actions: this.actions(),
      rollout: this.rollout,
      analysis_runs: this.runs,
    };
  }
}

type NodeObject = {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};
