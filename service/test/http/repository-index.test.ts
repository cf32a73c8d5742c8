import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService } from "../support/service.js";
import { type TempRepo, tempRepository } from "../support/temp-repo.js";

type Svc = Awaited<ReturnType<typeof startService>>;
const ADMIN_TOKEN = "index-admin-token-0123456789";

/** `POST /v2/repository/index` (Triton's and MLServer's repository index), read-only. */
describe("HTTP: repository index", () => {
  let repo: TempRepo;
  let svc: Svc;
  beforeAll(async () => {
    repo = tempRepository();
    // digits v3: v2's files with one byte of the model changed, so its digest check fails.
    const v3 = join(repo.root, "digits", "3");
    cpSync(join(repo.root, "digits", "2"), v3, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(v3, "manifest.json"), "utf8"));
    writeFileSync(join(v3, "manifest.json"), JSON.stringify({ ...manifest, version: 3 }));
    const model = readFileSync(join(v3, "model.onnx"));
    model.writeUInt8(model.readUInt8(model.length - 1) ^ 0xff, model.length - 1);
    writeFileSync(join(v3, "model.onnx"), model);
    svc = await startService({
      INFERGATE_MODEL_REPOSITORY: repo.root,
      INFERGATE_VERSION_POLICY: "all",
      INFERGATE_MODELS: "digits,absent",
      INFERGATE_POLL_INTERVAL_MS: "0",
      INFERGATE_ADMIN_TOKEN: ADMIN_TOKEN,
    });
  });
  afterAll(async () => {
    await svc?.close();
    repo?.cleanup();
  });

  const index = (
    payload?: string,
    headers: Record<string, string> = { "content-type": "application/json" },
  ) => svc.app.inject({ method: "POST", url: "/v2/repository/index", payload, headers });

  it("lists every model and version with its state, and why one is unavailable", async () => {
    const res = await index();
    expect(res.statusCode).toBe(200);
    const entries = res.json();
    expect(entries).toEqual([
      { name: "absent", version: "", state: "UNAVAILABLE", reason: "no version found in the repository" },
      { name: "digits", version: "1", state: "READY", reason: "" },
      { name: "digits", version: "2", state: "READY", reason: "" },
      {
        name: "digits",
        version: "3",
        state: "UNAVAILABLE",
        reason: "failed to load (digest_mismatch); details in the server log or with the admin token",
      },
    ]);
    expect(res.body).not.toContain(repo.root);
  });

  it("gives the full load error (paths, digests) only with the admin token", async () => {
    const headers = { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` };
    const v3 = (await index("{}", headers)).json().at(-1);
    expect(v3.reason).toContain(join(repo.root, "digits", "3", "model.onnx"));
    expect(v3.reason).toMatch(/sha256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64}/);
    const wrong = { ...headers, authorization: `Bearer ${ADMIN_TOKEN}x` };
    expect((await index("{}", wrong)).json().at(-1).reason).toMatch(/^failed to load \(digest_mismatch\)/);
  });

  it('keeps the ready ones with {"ready": true}; an empty body, {} and no content type list all', async () => {
    expect((await index('{"ready": true}')).json()).toEqual([
      { name: "digits", version: "1", state: "READY", reason: "" },
      { name: "digits", version: "2", state: "READY", reason: "" },
    ]);
    for (const [payload, headers] of [
      ["{}", undefined],
      ['{"ready": false, "other": 1}', undefined],
      [undefined, {}],
      ["", { "content-type": "application/json" }],
    ] as const) {
      const res = await index(payload, headers);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toHaveLength(4);
    }
  });

  it("refuses a malformed body with a 400 naming the field", async () => {
    const res = await index('{"ready": "yes"}');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/^ready: /);
    expect((await index("[]")).statusCode).toBe(400);
  });

  it("keeps the empty-body rule to this route: an empty infer body is still a 400", async () => {
    const res = await svc.app.inject({
      method: "POST",
      url: "/v2/models/digits/infer",
      payload: "",
      headers: { "content-type": "application/json" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/empty/);
  });
});
