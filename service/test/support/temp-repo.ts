import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLED_REPOSITORY, DEGRADED_REPOSITORY } from "./paths.js";

export type TempRepo = { root: string; pointer: (p: object) => void; cleanup: () => void };

/**
 * A writable copy of the bundled repository (digits v1, v2) plus, with `degraded`, the degraded
 * digits v3 fixture: admin-API and reload tests write pointers and versions into it.
 */
export function tempRepository(options: { degraded?: boolean } = {}): TempRepo {
  const root = mkdtempSync(join(tmpdir(), "infergate-repo-"));
  for (const v of ["1", "2"])
    cpSync(join(BUNDLED_REPOSITORY, "digits", v), join(root, "digits", v), { recursive: true });
  if (options.degraded)
    cpSync(join(DEGRADED_REPOSITORY, "digits", "3"), join(root, "digits", "3"), { recursive: true });
  return {
    root,
    pointer: (p) => writeFileSync(join(root, "digits", "tracks.json"), JSON.stringify(p)),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
