import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stickyFraction } from "../../src/core/model-registry.js";
import { inferBody, validationRows } from "../support/data.js";
import { waitFor } from "../support/net.js";
import { startService } from "../support/service.js";
import { type TempRepo, tempRepository } from "../support/temp-repo.js";

type Svc = Awaited<ReturnType<typeof startService>>;

/** Shadow runs of candidate version 3 that completed, from the scrape. */
async function shadowSuccesses(svc: Svc): Promise<number> {
  const text = (await svc.app.inject("/metrics")).body;
  const re =
    /infergate_inference_requests_total\{model="digits",version="3",track="shadow",outcome="success"\} (\d+)/;
  return Number(re.exec(text)?.[1] ?? 0);
}
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
    expect(stickyFraction("user-42", "any-routing-secret")).toBe(
      stickyFraction("user-42", "any-routing-secret"),
    );
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
    // Shadow runs finish on later loop turns.
    await waitFor(async () => (await shadowSuccesses(svc)) === rows.length, 10_000, "40 shadow runs");
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

  // Why shadowing cannot slow the stable path: the answer never waits for the candidate. Here the
  // candidate's runs are held until every answer is in, so an answer that waited would never come.
  // (The cost it does have, the extra inference CPU, is the bench's "100 % shadow" row.)
  it("answers while the candidate's shadow runs are still held, then compares them once released", async () => {
    const candidate = svc.registry.tracks("digits").candidate;
    if (!candidate) throw new Error("no candidate loaded");
    const run = candidate.run;
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let started = 0;
    Object.defineProperty(candidate, "run", {
      configurable: true,
      value: async (...args: Parameters<typeof run>) => {
        started++;
        await held;
        return run(...args);
      },
    });
    try {
      const before = await shadowSuccesses(svc);
      const rows = validationRows().slice(0, 4); // = INFERGATE_SHADOW_QUEUE_SIZE: none dropped
      for (const row of rows) {
        const res = await svc.app.inject({
          method: "POST",
          url: "/v2/models/digits/infer",
          payload: inferBody([row]),
        });
        expect(res.statusCode).toBe(200);
        expect(res.json().model_version).toBe("2");
      }
      await waitFor(async () => started === rows.length, 5_000, "the shadow runs to start");
      expect(await shadowSuccesses(svc)).toBe(before); // all answered, none of the shadow runs done
      release();
      await waitFor(
        async () => (await shadowSuccesses(svc)) === before + rows.length,
        10_000,
        "the shadow runs to finish",
      );
    } finally {
      Object.defineProperty(candidate, "run", { configurable: true, value: run });
      release();
    }
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
