import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService } from "../support/service.js";

type Line = { level: number; msg: string; status?: number; url?: string; reqId?: string };

describe("access logging", () => {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)) as Line);
      cb();
    },
  });
  let svc: Awaited<ReturnType<typeof startService>>;
  beforeAll(async () => {
    svc = await startService({}, pino({ level: "info" }, stream));
  });
  afterAll(async () => {
    await svc.close();
  });
  const logged = async () => {
    await new Promise((r) => setImmediate(r));
    return lines.filter((l) => l.url !== undefined).map((l) => [l.level, l.msg, l.status, l.url]);
  };

  it("logs a rejected request once, at info, with its request id; successes not at all", async () => {
    lines.length = 0;
    await svc.app.inject({ method: "POST", url: "/v2/models/digits/infer", payload: { inputs: [] } });
    await svc.app.inject("/v2/health/ready");
    expect(await logged()).toEqual([[30, "request rejected", 400, "/v2/models/digits/infer"]]);
    expect(lines.find((l) => l.msg === "request rejected")?.reqId).toMatch(/^[0-9a-f]{12}-/);
  });

  it("does not log readiness probes answering 503 as failures (debug only)", async () => {
    lines.length = 0;
    svc.dataPlane.startDraining();
    const server = await svc.app.inject("/v2/health/ready");
    const model = await svc.app.inject("/v2/models/digits/ready");
    expect([server.statusCode, model.statusCode]).toEqual([503, 503]);
    expect(await logged()).toEqual([]);
    // Other answers of a probe route still log: an unknown version is a 404 (info).
    await svc.app.inject("/v2/models/digits/versions/9/ready");
    expect((await logged()).map((l) => l[1])).toEqual(["request rejected"]);
  });
});
