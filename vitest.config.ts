import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["service/test/**/*.test.ts", "bench/test/**/*.test.ts"],
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
  },
});
