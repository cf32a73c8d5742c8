/**
 * A real Kubernetes control plane on this machine, without containers: etcd, kube-apiserver
 * (RBAC, service-account tokens, PodSecurity admission), kube-controller-manager and
 * kube-scheduler as built from the pinned releases (`bash scripts/tools.sh kube`), plus kwok
 * playing the kubelets of fake nodes shaped like the Terraform node groups. Nodes and Pods are
 * simulated (no container runs, no image is pulled); everything the API server and the
 * controllers decide is real.
 *
 * Library: `startControlPlane()` → { kubeconfig, apiUrl, stop() }.
 * CLI:     tsx kube/control-plane.ts up [--dir DIR] [--crds] [--rollouts]
 *          (runs until SIGINT/SIGTERM, then stops every process it started).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../scripts/lib/repo.js";
import { ApiClient, healthy, writeKubeconfig } from "./lib/api.js";
import { createPki } from "./lib/certs.js";
import {
  apiServerArgs,
  controllerManagerArgs,
  etcdArgs,
  type Kubeconfigs,
  kwokArgs,
  type Ports,
  schedulerArgs,
} from "./lib/components.js";
import { crdFolders, installCrds } from "./lib/crds.js";
import { createNodes, unreadyNodes } from "./lib/nodes.js";
import {
  freePortsFor,
  logTail,
  type ManagedProcess,
  startProcess,
  stopProcess,
  waitFor,
} from "./lib/processes.js";
import { startRolloutsController } from "./lib/rollouts.js";
import { checkTools, kwokStageFiles } from "./lib/tools.js";

export type ControlPlaneOptions = {
  /**
   * Certificates, kubeconfigs, etcd data and logs: a new or empty dir, kept after stop() for
   * inspection. Default: a fresh temp dir, removed by stop().
   */
  dataDir?: string;
  /** Where `scripts/tools.sh` put binaries (bin/), kwok stages (kwok-stages/) and CRDs (crds/). */
  toolsDir?: string;
  /** For each start-up step (etcd, API server, nodes Ready). Default 120 s: 2 cores may be busy. */
  stepTimeoutMs?: number;
  log?: (message: string) => void;
};

export type ControlPlane = {
  dataDir: string;
  /** Administrator kubeconfig (system:masters). */
  kubeconfig: string;
  apiUrl: string;
  /** HTTPS client with the administrator's certificate. */
  api: ApiClient;
  /** Milliseconds from the call to nodes Ready. */
  startupMs: number;
  toolsDir: string;
  processes: ManagedProcess[];
  /** Starts another binary from the tools dir (its log in the data dir); stop() stops it too. */
  startProcess(binary: string, args: string[]): ManagedProcess;
  stop(): Promise<void>;
};

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const toolsDir = options.toolsDir ?? join(REPO_ROOT, ".tools");
  const timeoutMs = options.stepTimeoutMs ?? 120_000;
  checkTools(toolsDir);
  const ownsDataDir = options.dataDir === undefined;
  // A used dir would hold another cluster's etcd data, signed with keys this start replaces.
  if (options.dataDir && existsSync(options.dataDir) && readdirSync(options.dataDir).length > 0)
    throw new Error(`${options.dataDir} is not empty: give a new or empty data dir`);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "infergate-kube-"));
  mkdirSync(join(dataDir, "pki"), { recursive: true });

  const processes: ManagedProcess[] = [];
  const launch = (name: string, args: string[]) => {
    const p = startProcess(name, join(toolsDir, "bin", name), args, dataDir);
    processes.push(p);
    return p;
  };
  let stopped = false;
  const stopProcesses = async () => {
    if (stopped) return;
    stopped = true;
    // Reverse order: clients before the API server, the API server before etcd.
    for (const p of [...processes].reverse()) await stopProcess(p);
  };
  const stop = async () => {
    await stopProcesses();
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const ports: Ports = await freePortsFor([
      "etcdClient",
      "etcdPeer",
      "apiServer",
      "controllerManager",
      "scheduler",
      "kwok",
    ] as const);
    const pki = await createPki(join(dataDir, "pki"));
    const apiUrl = `https://127.0.0.1:${ports.apiServer}`;
    const kubeconfigs: Kubeconfigs = {
      admin: join(dataDir, "kubeconfig"),
      controllerManager: join(dataDir, "controller-manager.kubeconfig"),
      scheduler: join(dataDir, "scheduler.kubeconfig"),
      kwok: join(dataDir, "kwok.kubeconfig"),
    };
    writeKubeconfig(kubeconfigs.admin, apiUrl, pki.ca.cert, pki.admin);
    writeKubeconfig(kubeconfigs.controllerManager, apiUrl, pki.ca.cert, pki.controllerManager);
    writeKubeconfig(kubeconfigs.scheduler, apiUrl, pki.ca.cert, pki.scheduler);
    writeKubeconfig(kubeconfigs.kwok, apiUrl, pki.ca.cert, pki.kwok);
    const api = new ApiClient(apiUrl, pki.ca.cert, pki.admin);

    const etcd = launch("etcd", etcdArgs(dataDir, ports));
    await waitFor(
      "etcd",
      async () => {
        const res = await fetch(`http://127.0.0.1:${ports.etcdClient}/health`, {
          signal: AbortSignal.timeout(5_000),
        });
        return res.ok ? true : undefined;
      },
      { timeoutMs, watched: processes, blame: etcd },
    );
    log(`etcd /health: after ${Date.now() - started} ms`);

    const apiServerProcess = launch("kube-apiserver", apiServerArgs(dataDir, ports, pki));
    await waitFor(
      "the API server's /readyz",
      async () => ((await api.send("GET", "/readyz", undefined, 5_000)).status === 200 ? true : undefined),
      { timeoutMs, watched: processes, blame: apiServerProcess },
    );
    log(`the API server's /readyz: after ${Date.now() - started} ms`);

    const controllerManagerProcess = launch(
      "kube-controller-manager",
      controllerManagerArgs(ports, pki, kubeconfigs),
    );
    const schedulerProcess = launch("kube-scheduler", schedulerArgs(ports, kubeconfigs));
    const kwokProcess = launch("kwok", kwokArgs(ports, kubeconfigs, kwokStageFiles(toolsDir)));
    await createNodes(api);
    const componentHealthy = (port: number) => async () => ((await healthy(port)) ? true : undefined);
    const readiness: { what: string; check: () => Promise<true | undefined>; blame: ManagedProcess }[] = [
      {
        what: "kube-controller-manager /healthz",
        check: componentHealthy(ports.controllerManager),
        blame: controllerManagerProcess,
      },
      { what: "kube-scheduler /healthz", check: componentHealthy(ports.scheduler), blame: schedulerProcess },
      {
        what: "the fake nodes to be Ready and untainted",
        check: async () => ((await unreadyNodes(api)).length === 0 ? true : undefined),
        blame: kwokProcess,
      },
      {
        // The service-account controller runs: Pods in new namespaces will find their account.
        what: "the default ServiceAccount",
        check: async () => {
          const res = await api.send("GET", "/api/v1/namespaces/default/serviceaccounts/default");
          return res.status === 200 ? true : undefined;
        },
        blame: controllerManagerProcess,
      },
    ];
    await Promise.all(
      readiness.map(async ({ what, check, blame }) => {
        await waitFor(what, check, { timeoutMs, watched: processes, blame });
        log(`${what}: after ${Date.now() - started} ms`);
      }),
    );
    const startupMs = Date.now() - started;
    log(`control plane ready after ${startupMs} ms`);
    return {
      dataDir,
      kubeconfig: kubeconfigs.admin,
      apiUrl,
      api,
      startupMs,
      toolsDir,
      processes,
      startProcess: launch,
      stop,
    };
  } catch (error) {
    // The logs stay for a post-mortem; the error already carries the failing one's tail.
    await stopProcesses();
    if (error instanceof Error) error.message += `\n(data dir kept: ${dataDir})`;
    throw error;
  }
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { dir: { type: "string" }, crds: { type: "boolean" }, rollouts: { type: "boolean" } },
  });
  if (positionals[0] !== "up") {
    console.error("usage: tsx kube/control-plane.ts up [--dir DIR] [--crds] [--rollouts]");
    process.exit(2);
  }
  const log = (message: string) => console.error(`[kube] ${message}`);
  const plane = await startControlPlane({ ...(values.dir ? { dataDir: values.dir } : {}), log });
  let stopping = false;
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    log(`${reason}: stopping`);
    await plane.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown("SIGINT", 0));
  process.on("SIGTERM", () => void shutdown("SIGTERM", 0));
  try {
    if (values.crds || values.rollouts) {
      const names = await installCrds(plane.kubeconfig, crdFolders(plane.toolsDir));
      log(`CRDs Established: ${names.join(", ")}`);
    }
    if (values.rollouts) {
      await startRolloutsController(plane);
      log("Argo Rollouts controller running");
    }
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    await shutdown("start failed", 1);
  }
  // A process that dies while the control plane is up takes the whole of it down, loudly.
  const watchdog = setInterval(() => {
    const dead = plane.processes.find((p) => p.exit);
    if (!dead) return;
    clearInterval(watchdog);
    log(`${dead.name} exited; last lines of its log:\n${logTail(dead)}`);
    void shutdown(`${dead.name} exited`, 1);
  }, 1_000);
  console.log(`kubeconfig: ${plane.kubeconfig}`);
  console.log(`export KUBECONFIG=${plane.kubeconfig}`);
  log(`up in ${(plane.startupMs / 1000).toFixed(1)} s, data in ${plane.dataDir}; Ctrl-C stops it`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`[kube] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
