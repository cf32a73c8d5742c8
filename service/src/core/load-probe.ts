import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ModelLoadError } from "../errors.js";
import type { RuntimeOptions } from "../runtime/onnx-model.js";

/** What the probe process loads: the manifest as read, the verified artifact, the runtime settings. */
export type ProbeJob = { manifestText: string; where: string; path: string; runtime: RuntimeOptions };
export type ProbeOutcome = { ok: true } | { ok: false; reason: ModelLoadError["reason"]; message: string };

/** A load that takes longer than this in the probe is a failure (a hang would hold the reload). */
const PROBE_TIMEOUT_MS = 300_000;

// The child runs this module's sibling. Compiled, that is plain JavaScript; from the TypeScript
// sources (tests, `tsx`) the child needs tsx's loader too, which a test runner's process lacks.
const FROM_SOURCES = import.meta.url.endsWith(".ts");
const CHILD = fileURLToPath(new URL(`./load-probe-child${FROM_SOURCES ? ".ts" : ".js"}`, import.meta.url));
const CHILD_EXEC_ARGV =
  FROM_SOURCES && !process.execArgv.some((a) => a.includes("tsx"))
    ? [...process.execArgv, "--import", "tsx"]
    : process.execArgv;

/**
 * Loads and warms a version in a child process first, exactly as the server would, before it is
 * loaded beside the versions that serve: an artifact that crashes ONNX Runtime (a segfault, an
 * abort, memory running out) takes down the probe, not every worker at the next poll. Resolves
 * when the probe loaded it; throws the probe's ModelLoadError, or "crash" when the probe died.
 */
export function probeLoad(job: ProbeJob, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], { execArgv: CHILD_EXEC_ARGV, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let outcome: ProbeOutcome | undefined;
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr = (stderr + d).slice(-2000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("message", (m: ProbeOutcome) => {
      outcome = m;
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (outcome?.ok) return resolve();
      if (outcome) return reject(new ModelLoadError(outcome.reason, outcome.message));
      if (timedOut)
        return reject(
          new ModelLoadError("session", `${job.where}: the load probe did not finish within ${timeoutMs} ms`),
        );
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      reject(
        new ModelLoadError(
          "crash",
          `${job.where}: the load probe process died (${how}) loading it; it never loaded beside the serving versions${stderr ? `: ${stderr.trim().split("\n").at(-1)}` : ""}`,
        ),
      );
    });
    child.send(job);
  });
}
