import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "../support/data.js";
import { startService } from "../support/service.js";
import { type TempRepo, tempRepository } from "../support/temp-repo.js";

type Svc = Awaited<ReturnType<typeof startService>>;
const TOKEN = "test-admin-token-0123456789";
const auth = { authorization: `Bearer ${TOKEN}` };
const one = inferBody(validationRows().slice(0, 1));

describe("admin API", () => {
  let repo: TempRepo;
  let svc: Svc;
  const pointerFile = () => JSON.parse(readFileSync(join(repo.root, "digits", "tracks.json"), "utf8"));
  const answering = async () =>
    (await svc.app.inject({ method: "POST", url: "/v2/models/digits/infer", payload: one })).json()
      .model_version;

  beforeAll(async () => {
    repo = tempRepository({ degraded: true });
    svc = await startService({
      INFERGATE_MODEL_REPOSITORY: repo.root,
      INFERGATE_VERSION_POLICY: "specific:1",
      INFERGATE_ADMIN_TOKEN: TOKEN,
      INFERGATE_POLL_INTERVAL_MS: "0",
    });
  });
  afterAll(async () => {
    await svc.close();
    repo.cleanup();
  });

  it("does not exist without a configured token", async () => {
    const plain = await startService({
      INFERGATE_MODEL_REPOSITORY: repo.root,
      INFERGATE_POLL_INTERVAL_MS: "0",
    });
    try {
      const res = await plain.app.inject({ url: "/admin/models/digits/tracks", headers: auth });
      expect(res.statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it("refuses a missing or wrong token with 401", async () => {
    const missing = await svc.app.inject({ url: "/admin/models/digits/tracks" });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(missing.json()).toEqual({ error: "missing or wrong bearer token" });
    const wrong = await svc.app.inject({
      url: "/admin/models/digits/tracks",
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.statusCode).toBe(401);
    const basic = await svc.app.inject({
      method: "POST",
      url: "/admin/models/digits/promote",
      headers: { authorization: `Basic ${TOKEN}` },
    });
    expect(basic.statusCode).toBe(401);
  });

  it("shows the current state", async () => {
    const res = await svc.app.inject({ url: "/admin/models/digits/tracks", headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ model: "digits", stable: 1, candidate: null, mode: "off", weight: 0 });
    expect((await svc.app.inject({ url: "/admin/models/nope/tracks", headers: auth })).statusCode).toBe(404);
  });

  it("starts a canary: loads the candidate beside stable, writes the pointer, routes by weight", async () => {
    const res = await svc.app.inject({
      method: "PUT",
      url: "/admin/models/digits/tracks",
      headers: auth,
      payload: { mode: "canary", weight: 1, candidate: 2 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      stable: 1,
      candidate: 2,
      mode: "canary",
      weight: 1,
      answering: { stable: 1, candidate: 2 },
    });
    expect(pointerFile()).toEqual({ stable: 1, candidate: 2, mode: "canary", weight: 1 });
    expect(await answering()).toBe("2");
  });

  it("rejects bad bodies with 400 naming the field", async () => {
    const res = await svc.app.inject({
      method: "PUT",
      url: "/admin/models/digits/tracks",
      headers: auth,
      payload: { mode: "canary", weight: 2 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/weight/);
  });

  it("rolls back: candidate dropped, stable answers, pointer updated", async () => {
    const res = await svc.app.inject({ method: "POST", url: "/admin/models/digits/rollback", headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stable: 1, candidate: null, mode: "off" });
    expect(pointerFile()).toEqual({ stable: 1, mode: "off", weight: 0 });
    expect(await answering()).toBe("1");
    expect(res.json().versions).not.toHaveProperty("2"); // unloaded: neither policy nor pointer wants it
  });

  it("promotes: the candidate becomes stable and answers everything", async () => {
    await svc.app.inject({
      method: "PUT",
      url: "/admin/models/digits/tracks",
      headers: auth,
      payload: { mode: "canary", weight: 0.1, candidate: 2 },
    });
    const res = await svc.app.inject({ method: "POST", url: "/admin/models/digits/promote", headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stable: 2, candidate: null, mode: "off" });
    expect(pointerFile()).toEqual({ stable: 2, mode: "off", weight: 0 });
    for (let i = 0; i < 20; i++) expect(await answering()).toBe("2");
    const none = await svc.app.inject({ method: "POST", url: "/admin/models/digits/promote", headers: auth });
    expect(none.statusCode).toBe(409);
  });

  it("refuses a candidate that cannot load (409) while stable keeps answering", async () => {
    const res = await svc.app.inject({
      method: "PUT",
      url: "/admin/models/digits/tracks",
      headers: auth,
      payload: { mode: "canary", weight: 1, candidate: 9 },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatch(/candidate digits\/9 is not serving/);
    expect(await answering()).toBe("2");
    expect(pointerFile()).toEqual({ stable: 2, mode: "off", weight: 0 }); // the previous pointer is back
  });

  it("reloads on demand and counts every change", async () => {
    const res = await svc.app.inject({ method: "POST", url: "/admin/models/digits/reload", headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().report).toMatchObject({ failed: [] });
    const text = (await svc.app.inject("/metrics")).body;
    expect(text).toMatch(/infergate_admin_changes_total\{model="digits",action="promote"\} 1/);
    expect(text).toMatch(/infergate_admin_changes_total\{model="digits",action="rollback"\} [1-9]/);
    expect(text).toMatch(/infergate_admin_changes_total\{model="digits",action="reload"\} 1/);
  });
});
