import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * A path under the project (or image) root, found by walking up from this file, so the same code
 * works from `service/src` (tsx) and from `dist/service/src` (compiled). Falls back to the
 * working directory.
 */
export function findInRoot(...segments: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, ...segments);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return resolve(...segments);
    dir = parent;
  }
}
/** The bundled model repository (`models/repository`): what `npm start` serves with no configuration. */
export const BUNDLED_REPOSITORY = findInRoot("models", "repository");
