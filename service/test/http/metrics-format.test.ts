import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "../support/data.js";
import { REPO_ROOT } from "../support/paths.js";
import { startService } from "../support/service.js";

// Installed by scripts/tools.sh (npm test runs it first).
const promtool = `${REPO_ROOT}.tools/bin/promtool`;

describe("GET /metrics", () => {
  let svc: Awaited<ReturnType<typeof startService>>;
  beforeAll(async () => {
    svc = await startService({ INFERGATE_VERSION_POLICY: "all" });
    await svc.app.inject({
      method: "POST",
      url: "/v2/models/digits/infer",
      payload: inferBody(validationRows().slice(0, 2)),
    });
    await svc.app.inject({ method: "POST", url: "/v2/models/digits/infer", payload: { inputs: [] } });
  });
  afterAll(async () => {
    await svc.close();
  });

  it("passes promtool check metrics with no findings", async () => {
    expect(existsSync(promtool), "run scripts/tools.sh prometheus first").toBe(true);
    const text = (await svc.app.inject("/metrics")).body;
    const check = spawnSync(promtool, ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(check.stdout + check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it("serves the Prometheus text content type", async () => {
    const res = await svc.app.inject("/metrics");
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0.0.4/);
  });
});
