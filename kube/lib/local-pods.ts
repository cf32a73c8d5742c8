/**
 * kwok Pods run no container; this plays the container of each of a release's Ready server Pods
 * as a real infergate process on this machine (service/src/main.ts), started with the Pod's own
 * environment as the kubelet would resolve it (pod-env.ts) and stopped when the Pod goes away.
 * What a node gives a container differently is remapped: a free port on 127.0.0.1 for PORT and
 * HOST, a temp dir for the model cache, no gRPC port (not used here), warn-level logs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServerProcess, startServerProcess } from "../../service/test/support/process.js";
import type { ApiClient } from "./api.js";
import { resolveEnv } from "./pod-env.js";
import { isReady, type Pod, serverPods } from "./workloads.js";

export type LocalPod = {
  name: string;
  /** The Pod's live `track` label (Argo Rollouts relabels pods on promotion). */
  track: string;
  /** The Pod's `rollouts-pod-template-hash` (or `pod-template-hash`): its ReplicaSet. */
  hash: string;
  url: string;
  /** Model versions the process serves (GET /v2/models/<model>). */
  versions: string[];
  env: Record<string, string>;
};

type Entry = { pod: Pod; local?: LocalPod; process?: ServerProcess; cacheDir?: string; gone?: boolean };

const NODE_SPECIFIC = ["PORT", "HOST", "INFERGATE_GRPC_PORT"];

export class LocalPods {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private syncing = false;
  readonly errors: string[] = [];

  constructor(
    private readonly api: ApiClient,
    private readonly namespace: string,
    private readonly model: string,
    /** Called whenever the set of running local pods or a track changes (e.g. to rewrite scrape targets). */
    private readonly onChange: (pods: LocalPod[]) => void = () => {},
  ) {}

  start(intervalMs = 300): void {
    this.timer = setInterval(() => void this.sync(), intervalMs);
  }

  running(): LocalPod[] {
    return [...this.entries.values()].flatMap((e) => (e.local && !e.gone ? [e.local] : []));
  }

  private async sync(): Promise<void> {
    if (this.syncing) return;
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
          void this.launch(created);
        } else if (entry.local && entry.local.track !== (pod.metadata.labels.track ?? "")) {
          entry.local.track = pod.metadata.labels.track ?? "";
          changed = true;
        }
      }
      for (const [name, entry] of this.entries) {
        if (names.has(name) || entry.gone) continue;
        entry.gone = true;
        changed = true;
        void this.halt(entry);
      }
      if (changed) this.onChange(this.running());
    } catch (error) {
      this.errors.push(error instanceof Error ? error.message : String(error));
    } finally {
      this.syncing = false;
    }
  }

  private async launch(entry: Entry): Promise<void> {
    const { pod } = entry;
    try {
      const env = await resolveEnv(this.api, this.namespace, pod);
      for (const name of NODE_SPECIFIC) delete env[name];
      entry.cacheDir = mkdtempSync(join(tmpdir(), "infergate-pod-cache-"));
      entry.process = await startServerProcess({
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
        url: entry.process.url,
        versions: metadata.versions ?? [],
        env,
      };
      if (entry.gone) await this.halt(entry);
      else this.onChange(this.running());
    } catch (error) {
      this.errors.push(`${pod.metadata.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async halt(entry: Entry): Promise<void> {
    await entry.process?.stop();
    if (entry.cacheDir) rmSync(entry.cacheDir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.entries.values()].map((e) => this.halt(e)));
  }
}
