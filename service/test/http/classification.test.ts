import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferBody, validationRows } from "../support/data.js";
import { startService } from "../support/service.js";

type Svc = Awaited<ReturnType<typeof startService>>;
type Output = { name: string; datatype: string; shape: number[]; data: unknown[] };
const rows = validationRows().slice(0, 4);

/** Classification extension over HTTP on the bundled digits classifier (labels "0".."9"). */
describe("HTTP: classification extension (inject)", () => {
  let svc: Svc;
  let probabilities: number[][];
  beforeAll(async () => {
    svc = await startService();
    const plain = await infer(inferBody(rows));
    const p = plain.json().outputs.find((o: Output) => o.name === "probabilities") as Output;
    probabilities = Array.from(
      { length: rows.length },
      (_, r) => p.data.slice(r * 10, r * 10 + 10) as number[],
    );
  });
  afterAll(async () => {
    await svc.close();
  });
  const infer = (payload: object) =>
    svc.app.inject({
      method: "POST",
      url: "/v2/models/digits/infer",
      payload: payload as Record<string, unknown>,
    });

  it("is announced in the server metadata", async () => {
    expect((await svc.app.inject("/v2")).json().extensions).toContain("classification");
  });

  it("answers the top 3 classes of each row as value:index:label, largest first", async () => {
    const res = await infer(
      inferBody(rows, {
        outputs: [{ name: "probabilities", parameters: { classification: 3 } }, { name: "label" }],
      }),
    );
    expect(res.statusCode).toBe(200);
    const [top, label] = res.json().outputs as Output[];
    expect(top).toMatchObject({ name: "probabilities", datatype: "BYTES", shape: [4, 3] });
    probabilities.forEach((row, r) => {
      const expected = row
        .map((v, i) => ({ v, i }))
        .sort((a, b) => b.v - a.v || a.i - b.i)
        .slice(0, 3)
        .map(({ v, i }) => `${v.toFixed(6)}:${i}:${i}`);
      expect(top?.data.slice(r * 3, r * 3 + 3)).toEqual(expected);
      // the first class is the model's own label
      expect(String(top?.data[r * 3]).split(":")[1]).toBe(String(label?.data[r]));
    });
  });

  it("sends the classes as binary BYTES on request", async () => {
    const res = await infer(
      inferBody(rows.slice(0, 1), {
        outputs: [{ name: "probabilities", parameters: { classification: 1, binary_data: true } }],
      }),
    );
    const length = Number(res.headers["inference-header-content-length"]);
    const body = res.rawPayload;
    expect(JSON.parse(body.subarray(0, length).toString()).outputs[0]).toMatchObject({
      datatype: "BYTES",
      shape: [1, 1],
    });
    const n = body.readUInt32LE(length);
    expect(body.subarray(length + 4, length + 4 + n).toString()).toMatch(/^0\.\d{6}:\d:\d$/);
  });

  it("refuses a class count below 1 with a 400 naming the field", async () => {
    const zero = await infer(
      inferBody(rows, { outputs: [{ name: "label", parameters: { classification: 0 } }] }),
    );
    expect(zero.statusCode).toBe(400);
    expect(zero.json().error).toMatch(/outputs\[0\]\.parameters\.classification/);
  });
});
