/**
 * What the chart sets for exposing the pods safely (issue #21): the memory budget and the largest
 * model follow the container's memory limit (downward API), the timeouts are explicit with the
 * keep-alive above the ALB's idle timeout, /docs is off, and the routing secret and limits come
 * from values when given.
 */
import { describe, expect, it } from "vitest";
import { renderChart } from "../lib/chart.js";
import { workloadOf } from "../lib/workload.js";

type EnvVar = { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> };

const envOf = async (args: string[] = []) => {
  const env = workloadOf(await renderChart(args)).server.env as EnvVar[];
  return new Map(env.map((e) => [e.name, e]));
};

describe("limits and exposure", () => {
  it("defaults: memory limit from the container's limit, explicit timeouts, no /docs", async () => {
    const env = await envOf();
    expect(env.get("INFERGATE_MEMORY_LIMIT_BYTES")?.valueFrom).toEqual({
      resourceFieldRef: { resource: "limits.memory" },
    });
    expect(env.get("INFERGATE_HEADERS_TIMEOUT_MS")?.value).toBe("10000");
    expect(env.get("INFERGATE_REQUEST_TIMEOUT_MS")?.value).toBe("60000");
    // Above the ALB's 60 s idle timeout: the balancer closes idle connections, never the pod mid-reuse.
    expect(Number(env.get("INFERGATE_KEEPALIVE_TIMEOUT_MS")?.value)).toBeGreaterThan(60_000);
    expect(env.get("INFERGATE_DOCS")?.value).toBe("false");
    for (const derived of [
      "INFERGATE_MEMORY_BUDGET_BYTES",
      "INFERGATE_MAX_MODEL_BYTES",
      "INFERGATE_MAX_ROWS_PER_REQUEST",
      "INFERGATE_MAX_REQUESTS_PER_SOCKET",
      "INFERGATE_ROUTING_SECRET",
      "INFERGATE_EXECUTION_PROVIDERS",
    ])
      expect(env.has(derived), derived).toBe(false);
  });

  it("values set the budget, limits, timeouts, providers and the shared routing secret", async () => {
    const env = await envOf([
      ...["--set", "config.memoryBudgetBytes=67108864", "--set", "config.maxModelBytes=268435456"],
      ...["--set", "config.maxRowsPerRequest=256", "--set", "config.maxRequestsPerSocket=1000"],
      ...["--set", "config.headersTimeoutMs=5000", "--set", "config.docs=true"],
      ...[
        "--set",
        "config.executionProviders=cuda\\,cpu",
        "--set",
        "routing.existingSecret=infergate-routing",
      ],
    ]);
    expect(env.get("INFERGATE_MEMORY_BUDGET_BYTES")?.value).toBe("67108864");
    expect(env.get("INFERGATE_MAX_MODEL_BYTES")?.value).toBe("268435456");
    expect(env.get("INFERGATE_MAX_ROWS_PER_REQUEST")?.value).toBe("256");
    expect(env.get("INFERGATE_MAX_REQUESTS_PER_SOCKET")?.value).toBe("1000");
    expect(env.get("INFERGATE_HEADERS_TIMEOUT_MS")?.value).toBe("5000");
    expect(env.get("INFERGATE_DOCS")?.value).toBe("true");
    expect(env.get("INFERGATE_EXECUTION_PROVIDERS")?.value).toBe("cuda,cpu");
    expect(env.get("INFERGATE_ROUTING_SECRET")?.valueFrom).toEqual({
      secretKeyRef: { name: "infergate-routing", key: "routing-secret" },
    });
  });

  it("refuses a header timeout under the server's minimum (the schema matches the service's config)", async () => {
    await expect(renderChart(["--set", "config.headersTimeoutMs=10"])).rejects.toThrow(/headersTimeoutMs/);
  });
});
