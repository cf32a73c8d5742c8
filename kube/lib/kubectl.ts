/**
 * kubectl against a given kubeconfig, for what is simpler with it than with raw API calls
 * (server-side apply of YAML, waiting on conditions). Never throws on a non-zero exit: callers
 * assert on the exit code and the exact messages (rejections are what the tests look for).
 */
import { type RunResult, run } from "../../scripts/lib/run.js";

export type KubectlResult = RunResult;

export function kubectl(kubeconfig: string, args: string[], stdin?: string): Promise<KubectlResult> {
  return run("kubectl", ["--kubeconfig", kubeconfig, ...args], stdin === undefined ? {} : { input: stdin });
}

/** Server-side apply of the given objects (sent as one v1 List); returns kubectl's result. */
export function applyServerSide(kubeconfig: string, objects: object[]): Promise<KubectlResult> {
  const list = JSON.stringify({ apiVersion: "v1", kind: "List", items: objects });
  return kubectl(kubeconfig, ["apply", "--server-side", "--field-manager=infergate-kube", "-f", "-"], list);
}
