import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "../support/data.js";
import { startService } from "../support/service.js";

/**
 * Canary integrity (issue #21): a client that names the candidate's version does not move the
 * canary's metrics (the series the canary verdict and the Rollout's analysis read); it is counted
 * as track "direct". Routed requests still reach the canary at its weight.
 */
type Svc = Awaited<ReturnType<typeof startService>>;

/** infergate_inference_requests_total for one model/version/track, summed over outcomes. */
function requests(metrics: string, version: string, track: string): number {
  let n = 0;
  for (const line of metrics.split("\n")) {
    if (!line.startsWith("infergate_inference_requests_total{")) continue;
    if (!line.includes(`version="${version}"`) || !line.includes(`track="${track}"`)) continue;
    n += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return n;
}

describe("canary integrity", () => {
  let svc: Svc;
  const body = JSON.stringify(inferBody(validationRows().slice(0, 1)));
  const metrics = async () => (await svc.app.inject({ method: "GET", url: "/metrics" })).body;
  const infer = (url: string) =>
    svc.app.inject({ method: "POST", url, payload: body, headers: { "content-type": "application/json" } });

  beforeAll(async () => {
    svc = await startService({
      INFERGATE_VERSION_POLICY: "all",
      INFERGATE_TRACKS: '{"digits":{"stable":1,"candidate":2,"mode":"canary","weight":0.5}}',
    });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it("counts requests that name the candidate's version as direct, never as canary", async () => {
    const before = await metrics();
    for (let i = 0; i < 50; i++)
      expect((await infer("/v2/models/digits/versions/2/infer")).statusCode).toBe(200);
    const after = await metrics();
    expect(requests(after, "2", "canary") - requests(before, "2", "canary")).toBe(0);
    expect(requests(after, "2", "direct") - requests(before, "2", "direct")).toBe(50);
  });

  it("still sends routed requests to the canary at its weight", async () => {
    const before = await metrics();
    for (let i = 0; i < 200; i++) expect((await infer("/v2/models/digits/infer")).statusCode).toBe(200);
    const after = await metrics();
    const canary = requests(after, "2", "canary") - requests(before, "2", "canary");
    const stable = requests(after, "1", "stable") - requests(before, "1", "stable");
    expect(canary + stable).toBe(200);
    expect(canary).toBeGreaterThan(60); // weight 0.5: 100 expected, P(≤ 60) < 1e-7
    expect(stable).toBeGreaterThan(60);
  });
});
