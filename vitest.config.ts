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
  },
});
