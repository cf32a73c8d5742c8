import { execFileSync } from "node:child_process";
import { REPO_ROOT } from "./paths.js";

/**
 * The Python of the venv holding the pinned V2 client libraries (service/test/clients), created
 * on first use by scripts/venv.sh and cached outside the clone. Slow only the first time.
 */
export function v2ClientsPython(): string {
  const venv = execFileSync(
    "bash",
    ["scripts/venv.sh", "v2-clients", "service/test/clients/requirements.txt"],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
    },
  ).trim();
  return `${venv}/bin/python`;
}

/** Runs one of service/test/clients' scripts and parses the JSON it prints. */
export function runClientScript(python: string, script: string, args: string[]): unknown {
  const out = execFileSync(python, [`service/test/clients/${script}`, ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return JSON.parse(out);
}
