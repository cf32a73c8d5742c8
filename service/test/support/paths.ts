import { fileURLToPath } from "node:url";

/** Absolute paths the tests share. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const BUNDLED_REPOSITORY = `${REPO_ROOT}models/repository`;
export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
export const DEGRADED_REPOSITORY = `${FIXTURES}models/degraded`;
