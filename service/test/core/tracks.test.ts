import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stickyFraction } from "../../src/core/model-registry.js";
import { inferBody, validationRows } from "../support/data.js";
import { startService } from "../support/service.js";
import { type TempRepo, tempRepository } from "../support/temp-repo.js";

type Svc = Awaited<ReturnType<typeof startService>>;
const one = inferBody(validationRows().slice(0, 1));

async function versionsAnswering(
  svc: Svc,
  n: number,
  headers: (i: number) => Record<string, string> = () => ({}),
) {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const res = await svc.app.inject({
      method: "POST",
      url: "/v2/models/digits/infer",
      payload: one,
      headers: headers(i),
    });
    expect(res.statusCode).toBe(200);
    const v = String(res.headers["x-model-version"]);
    expect(res.json().model_version).toBe(v);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

describe("in-server canary tracks", () => {
  let repo: TempRepo;
  let svc: Svc;
  beforeAll(async () => {
    repo = tempRepository();
    repo.pointer({ stable: 1, candidate: 2, mode: "canary", weight: 0.25 });
    svc = await startService({ INFERGATE_MODEL_REPOSITORY: repo.root, INFERGATE_POLL_INTERVAL_MS: "0" });
  });
  afterAll(async () => {
    await svc.close();
    repo.cleanup();
  });

  it("sends the configured share of unversioned requests to the candidate (25% ± 3.5% over 2000)", async () => {
    const counts = await versionsAnswering(svc, 2000);
    const share = (counts.get("2") ?? 0) / 2000;
    console.info(
      `canary split: ${(share * 100).toFixed(1)}% of 2000 unversioned requests to the candidate (weight 25%)`,
    );
    expect(share).toBeGreaterThan(0.215);
    expect(share).toBeLessThan(0.285);
    expect((counts.get("1") ?? 0) + (counts.get("2") ?? 0)).toBe(2000);
  });

  it("is sticky per routing key, and the keyed split still follows the weight", async () => {
    const first = await versionsAnswering(svc, 30, () => ({ "x-routing-key": "user-42" }));
    expect(first.size).toBe(1);
    const perKey = await versionsAnswering(svc, 1000, (i) => ({ "x-routing-key": `user-${i}` }));
    const share = (perKey.get("2") ?? 0) / 1000;
    console.info(
      `sticky split: ${(share * 100).toFixed(1)}% of 1000 routing keys to the candidate (weight 25%)`,
    );
    expect(share).toBeGreaterThan(0.19);
    expect(share).toBeLessThan(0.31);
    expect(stickyFraction("user-42")).toBe(stickyFraction("user-42"));
  });

  it("never reroutes explicitly versioned requests", async () => {
    for (const v of ["1", "2"]) {
      for (let i = 0; i < 50; i++) {
        const res = await svc.app.inject({
          method: "POST",
          url: `/v2/models/digits/versions/${v}/infer`,
          payload: one,
        });
        expect(res.json().model_version).toBe(v);
      }
    }
  });

  it("labels the candidate's metrics track=canary and the stable's track=stable", async () => {
    const text = (await svc.app.inject("/metrics")).body;
    expect(text).toMatch(
      /infergate_inference_requests_total\{model="digits",version="2",track="canary",outcome="success"\} [1-9]/,
    );
    expect(text).toMatch(
      /infergate_inference_requests_total\{model="digits",version="1",track="stable",outcome="success"\} [1-9]/,
    );
  });
});

describe("in-server shadow track", () => {
  let repo: TempRepo;
  let svc: Svc;
  beforeAll(async () => {
    repo = tempRepository({ degraded: true });
    repo.pointer({ stable: 2, candidate: 3, mode: "shadow", weight: 1 });
    svc = await startService({
      INFERGATE_MODEL_REPOSITORY: repo.root,
      INFERGATE_POLL_INTERVAL_MS: "0",
      INFERGATE_SHADOW_QUEUE_SIZE: "4",
    });
  });
  afterAll(async () => {
    await svc.close();
    repo.cleanup();
  });

  it("answers every request with stable, byte for byte as without shadowing, and compares off-path", async () => {
    const rows = validationRows().slice(0, 40);
    for (const row of rows) {
      const body = inferBody([row]);
      const shadowed = await svc.app.inject({
        method: "POST",
        url: "/v2/models/digits/infer",
        payload: body,
      });
      const direct = await svc.app.inject({
        method: "POST",
        url: "/v2/models/digits/versions/2/infer",
        payload: body,
      });
      expect(shadowed.statusCode).toBe(200);
      expect(shadowed.json()).toEqual(direct.json());
    }
    await new Promise((r) => setTimeout(r, 200)); // shadow runs finish on later loop turns
    const text = (await svc.app.inject("/metrics")).body;
    const agree = Number(
      /infergate_shadow_comparisons_total\{model="digits",stable_version="2",candidate_version="3",agreement="agree"\} (\d+)/.exec(
        text,
      )?.[1] ?? 0,
    );
    const disagree = Number(
      /infergate_shadow_comparisons_total\{model="digits",stable_version="2",candidate_version="3",agreement="disagree"\} (\d+)/.exec(
        text,
      )?.[1] ?? 0,
    );
    expect(agree + disagree).toBe(40);
    expect(disagree).toBeGreaterThan(agree); // the degraded candidate disagrees most of the time
    expect(text).toMatch(
      /infergate_inference_requests_total\{model="digits",version="3",track="shadow",outcome="success"\} 40/,
    );
    expect(text).toMatch(
      /infergate_shadow_score_abs_diff_count\{model="digits",stable_version="2",candidate_version="3"\} 40/,
    );
  });

  // The bound the issue asks for: over 1000 requests each, interleaved so that machine noise hits
  // both alike, the p99 of shadowed answers stays within 1.5× + 2 ms of the same requests sent
  // versioned (never shadowed) to the same stable version. The shadow run starts on a later loop
  // turn, after the answer; only its CPU time can touch later requests.
  it("keeps the stable path's p99 within 1.5× + 2 ms of unshadowed requests", async () => {
    const payload = inferBody(validationRows().slice(0, 1));
    const time = async (url: string) => {
      const t0 = performance.now();
      const res = await svc.app.inject({ method: "POST", url, payload });
      expect(res.statusCode).toBe(200);
      return performance.now() - t0;
    };
    const shadowRuns = async () =>
      Number(
        /infergate_inference_requests_total\{model="digits",version="3",track="shadow",outcome="success"\} (\d+)/.exec(
          (await svc.app.inject("/metrics")).body,
        )?.[1] ?? 0,
      );
    const before = await shadowRuns();
    const shadowed: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < 1000; i++) {
      shadowed.push(await time("/v2/models/digits/infer"));
      direct.push(await time("/v2/models/digits/versions/2/infer"));
    }
    await new Promise((r) => setTimeout(r, 100));
    const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.99) - 1] as number;
    console.log(
      `shadow cost on the stable path: p99 ${p99(shadowed).toFixed(2)} ms shadowed vs ${p99(direct).toFixed(2)} ms unshadowed (1000 each)`,
    );
    expect(p99(shadowed)).toBeLessThanOrEqual(1.5 * p99(direct) + 2);
    expect((await shadowRuns()) - before).toBe(1000); // every one of them was really shadowed
  });

  it("drops and counts shadow runs beyond its queue, never the answers", async () => {
    const body = inferBody(validationRows().slice(0, 8));
    const results = await Promise.all(
      Array.from({ length: 60 }, () =>
        svc.app.inject({ method: "POST", url: "/v2/models/digits/infer", payload: body }),
      ),
    );
    expect(results.every((r) => r.statusCode === 200 && r.json().model_version === "2")).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const text = (await svc.app.inject("/metrics")).body;
    expect(
      Number(
        /infergate_shadow_dropped_total\{model="digits",reason="queue_full"\} (\d+)/.exec(text)?.[1] ?? 0,
      ),
    ).toBeGreaterThan(0);
  });
});
