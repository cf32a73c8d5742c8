import { defineConfig } from "vitest/config";

/**
 * One test runner for the whole repository: each part keeps its own suite (a vitest project,
 * `npm run test:<name>` runs one) and `npm test` runs them all into one summary.
 */
const PARTS = [
  "service",
  "tools",
  "bench",
  "models",
  "helm",
  "argocd",
  "observability",
  "terraform",
  "kube",
  "scripts",
  ".github",
] as const;

export default defineConfig({
  test: {
    // Integration tests start real servers (S3 emulator, the service); give them room on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    // Integration tests run real servers, k6 and Prometheus on 2 shared cores: a test that fails
    // once is run once more, and `npm test` names it as FLAKY with its first failure (scripts/test.sh)
    // so it gets fixed. A test that fails twice fails the suite.
    retry: 1,
    projects: PARTS.map((name) => ({
      extends: true,
      test: { name, include: [`${name}/test/**/*.test.ts`], exclude: [`${name}/test/fixtures/**`] },
    })),
  },
});
