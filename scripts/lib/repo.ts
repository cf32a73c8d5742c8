import { fileURLToPath } from "node:url";

/** The repository's root (absolute, with a trailing slash), from this file's place in it. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
