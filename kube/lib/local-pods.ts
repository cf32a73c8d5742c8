/**
 * kwok Pods run no container; this plays the container of each of a release's Ready server Pods
 * as a real infergate process on this machine, started with the Pod's own environment as the
 * kubelet would resolve it (pod-env.ts), and ends it as the kubelet ends a container: out of the
 * running set at once (as the Pod leaves its Services' endpoints), then the Pod's preStop sleep,
 * then SIGTERM, on which the server drains what it still has in flight.
 * What a node gives a container differently is remapped: a free port on 127.0.0.1 for PORT and
 * HOST (the launcher picks it), a temp dir for the model cache, no gRPC port (not used here),
 * warn-level logs. How a process is started is the caller's (`launch`): a test's helper, or the
 * rehearsal's supervisor, which knows every process by PID.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ApiClient } from "./api.js";
import { resolveEnv } from "./pod-env.js";
import { isReady, type Pod, serverPods } from "./workloads.js";

export type LocalPod = {
  name: string;
  /** The Pod's live `track` label (Argo Rollouts relabels pods on promotion). */
  track: string;
  /** The Pod's `rollouts-pod-template-hash` (or `pod-template-hash`): its ReplicaSet. */
  hash: string;
  /** The node the scheduler bound it to. */
  node: string;
  url: string;
  /** The PID of the process playing its container, when the launcher knows it. */
  pid: number | undefined;
  /** Model versions the process serves (GET /v2/models/<model>). */
  versions: string[];
  env: Record<string, string>;
};

/** A process playing a container: where it answers, and how to end it (SIGTERM: it drains). */
export type PodProcess = { url: string; pid: number | undefined; stop(): Promise<unknown> };

/** Starts the process for a Pod with the container's env; resolves once it answers ready. */
export type PodLauncher = (podName: string, env: Record<string, string>) => Promise<PodProcess>;

type Entry = { pod: Pod; local?: LocalPod; process?: PodProcess; cacheDir?: string; gone?: boolean };

const NODE_SPECIFIC = ["PORT", "HOST", "INFERGATE_GRPC_PORT"];

type ContainerLifecycle = { lifecycle?: { preStop?: { sleep?: { seconds?: number } } } };

export class LocalPods {
  private readonly entries = new Map<string, Entry>();
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private syncing = false;
  readonly errors: string[] = [];

  constructor(
    private readonly api: ApiClient,
    private readonly namespace: string,
    private readonly model: string,
    private readonly launch: PodLauncher,
    /** Called whenever the set of running local pods or a track changes (e.g. to rewrite scrape targets). */
    private readonly onChange: (pods: LocalPod[]) => void = () => {},
  ) {}

  start(intervalMs = 300): void {
    this.timer = setInterval(() => void this.sync(), intervalMs);
  }

  /** The pods whose process serves now (not those being ended). */
  running(): LocalPod[] {
    return [...this.entries.values()].flatMap((e) => (e.local && !e.gone ? [e.local] : []));
  }

  /** Every pod whose process ever served, in the order they came. */
  all(): LocalPod[] {
    return [...this.entries.values()].flatMap((e) => (e.local ? [e.local] : []));
  }

  private async sync(): Promise<void> {
    if (this.syncing || this.stopping.signal.aborted) return;
    this.syncing = true;
    try {
      const pods = (await serverPods(this.api, this.namespace)).filter(isReady);
      const names = new Set(pods.map((p) => p.metadata.name));
      let changed = false;
      for (const pod of pods) {
        const entry = this.entries.get(pod.metadata.name);
        if (!entry) {
          const created: Entry = { pod };
          this.entries.set(pod.metadata.name, created);
          void this.play(created);
        } else if (entry.local && entry.local.track !== (pod.metadata.labels.track ?? "")) {
          entry.local.track = pod.metadata.labels.track ?? "";
          changed = true;
        }
      }
      for (const [name, entry] of this.entries) {
        if (names.has(name) || entry.gone) continue;
        entry.gone = true;
        changed = true;
        void this.halt(entry, preStopSeconds(entry.pod) * 1000);
      }
      if (changed) this.onChange(this.running());
    } catch (error) {
      this.errors.push(error instanceof Error ? error.message : String(error));
    } finally {
      this.syncing = false;
    }
  }

  private async play(entry: Entry): Promise<void> {
    const { pod } = entry;
    try {
      const env = await resolveEnv(this.api, this.namespace, pod);
      for (const name of NODE_SPECIFIC) delete env[name];
      entry.cacheDir = mkdtempSync(join(tmpdir(), "infergate-pod-cache-"));
      entry.process = await this.launch(pod.metadata.name, {
        ...env,
        INFERGATE_MODEL_CACHE_DIR: entry.cacheDir,
        LOG_LEVEL: "warn",
      });
      const metadata = (await (await fetch(`${entry.process.url}/v2/models/${this.model}`)).json()) as {
        versions?: string[];
      };
      const labels = pod.metadata.labels;
      entry.local = {
        name: pod.metadata.name,
        track: labels.track ?? "",
        hash: labels["rollouts-pod-template-hash"] ?? labels["pod-template-hash"] ?? "",
        node: pod.spec.nodeName ?? "",
        url: entry.process.url,
        pid: entry.process.pid,
        versions: metadata.versions ?? [],
        env,
      };
      if (entry.gone || this.stopping.signal.aborted) await this.halt(entry, 0);
      else this.onChange(this.running());
    } catch (error) {
      this.errors.push(`${pod.metadata.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Ends a pod's process after `graceMs` (its preStop sleep), or at once once stop() is called. */
  private async halt(entry: Entry, graceMs: number): Promise<void> {
    if (graceMs > 0) await sleep(graceMs, undefined, { signal: this.stopping.signal }).catch(() => {});
    await entry.process?.stop();
    if (entry.cacheDir) rmSync(entry.cacheDir, { recursive: true, force: true });
    entry.cacheDir = undefined;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping.abort();
    await Promise.all([...this.entries.values()].map((e) => this.halt(e, 0)));
  }
}

/** The container's preStop sleep (the chart's lifecycle.preStopSleepSeconds), 0 without one. */
function preStopSeconds(pod: Pod): number {
  const container = pod.spec.containers[0] as ContainerLifecycle | undefined;
  return container?.lifecycle?.preStop?.sleep?.seconds ?? 0;
}
