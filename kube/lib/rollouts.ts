import { freePortsFor, type ManagedProcess, waitFor } from "./processes.js";

/** What the controller needs of a running control plane (control-plane.ts's ControlPlane has it). */
type Host = Readonly<{ kubeconfig: string; startProcess(binary: string, args: string[]): ManagedProcess }>;

/**
 * The Argo Rollouts controller (built at the release whose CRDs `installCrds` applies) against the
 * control plane, cluster-wide; resolves once its /healthz answers.
 */
export async function startRolloutsController(plane: Host, timeoutMs = 120_000): Promise<ManagedProcess> {
  const { metricsPort, healthzPort } = await freePortsFor(["metricsPort", "healthzPort"] as const);
  const controller = plane.startProcess("rollouts-controller", [
    `--kubeconfig=${plane.kubeconfig}`,
    `--metricsPort=${metricsPort}`,
    `--healthzPort=${healthzPort}`,
    "--leader-elect=false",
  ]);
  await waitFor(
    "the Argo Rollouts controller's /healthz",
    async () => {
      const res = await fetch(`http://127.0.0.1:${healthzPort}/healthz`, {
        signal: AbortSignal.timeout(5_000),
      });
      return res.ok ? true : undefined;
    },
    { timeoutMs, watched: [controller], blame: controller },
  );
  return controller;
}
