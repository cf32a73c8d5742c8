import { join } from "node:path";
import { REPO_ROOT } from "./repo.js";
import { runOk } from "./run.js";

const installed = new Map<string, Promise<string>>();

/**
 * The path of a pinned external tool (helm, kubeconform, promtool, k6, ...), installed by
 * scripts/tools.sh on first use (built once per name@version and cached outside the clone) and
 * linked into .tools/bin. Concurrent callers share one install.
 */
export function tool(name: string): Promise<string> {
  let pending = installed.get(name);
  if (!pending) {
    pending = runOk("bash", ["scripts/tools.sh", name], { timeoutMs: 1_800_000 }).then(() =>
      join(REPO_ROOT, ".tools", "bin", name),
    );
    installed.set(name, pending);
  }
  return pending;
}

/**
 * The folder of a Python venv made by scripts/venv.sh from one pinned requirements file (created
 * on first use, cached outside the clone by the file's digest). Use `<venv>/bin/<command>`.
 */
export async function venv(name: string, requirements: string): Promise<string> {
  const out = await runOk("bash", ["scripts/venv.sh", name, requirements], { timeoutMs: 1_200_000 });
  return out.trim();
}
