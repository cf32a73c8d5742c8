import type { FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import type { Datatype } from "../../src/contract/tensor.js";
import { HEADER_LENGTH_HEADER, parseBinaryBody } from "../../src/http/binary-body.js";
import { decodeInferRequest } from "../../src/protocol/v2-codec.js";
import { DATATYPE_INFO } from "../../src/runtime/datatypes.js";
import { binaryRequest, inferBody, validationRows } from "../support/data.js";
import { startService } from "../support/service.js";
import { targetOf } from "../support/targets.js";

/**
 * The bytes after a binary body's JSON header are moved back to an address aligned for every
 * fixed-size datatype (over the header's last bytes, once it is parsed), so the decoder can keep
 * them as an input's store without copying them (protocol/binary-tensor.ts). Fastify's buffer
 * parser hands over a Buffer.concat of the chunks: below 4 KiB a slice of Node's shared pool, at
 * any multiple of 8 in it. The move must stay inside the body, for every header length, datatype
 * and mix of inputs.
 */
const requestWith = (length: number) =>
  ({ headers: { [HEADER_LENGTH_HEADER]: String(length) } }) as unknown as FastifyRequest;
const parse = (body: Buffer, headerLength: number) =>
  parseBinaryBody(requestWith(headerLength), body, (text) => JSON.parse(text));

/** A JSON header of exactly `size` bytes (trailing spaces are whitespace JSON allows). */
function headerOf(json: unknown, size: number): Buffer {
  const text = JSON.stringify(json);
  if (text.length > size) throw new Error(`header ${text} is longer than ${size}`);
  return Buffer.from(text.padEnd(size, " "));
}

const FIXED = (Object.keys(DATATYPE_INFO) as Datatype[]).filter((d) => d !== "BYTES");
const bytesPer = (d: Datatype) => (DATATYPE_INFO[d].alloc(0) as Uint8Array).BYTES_PER_ELEMENT;
/** Valid bytes for `count` elements of `d` (BOOL: 0 or 1), different at every position. */
function dataOf(d: Datatype, count: number, seed: number): Buffer {
  const out = Buffer.alloc(count * bytesPer(d));
  for (let i = 0; i < out.length; i++)
    out[i] = d === "BOOL" ? (i + seed) % 2 : (i * 37 + seed * 11 + 5) % 256;
  return out;
}
const storeBytes = (v: unknown) => {
  const t = v as Uint8Array;
  return Buffer.from(t.buffer, t.byteOffset, t.byteLength);
};

describe("binary body split", () => {
  it.each([2, 13, 27, 31, 32, 45, 64])(
    "header of %i bytes: header parsed, data intact and 8-aligned",
    (size) => {
      const json = size >= 10 ? { pad: "x".repeat(size - 10) } : {};
      const header = headerOf(json, size);
      const data = Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 7 + 3) % 256));
      const parsed = parse(Buffer.concat([header, data]), size);
      expect(parsed.json).toEqual(json);
      expect(Buffer.from(parsed.binary)).toEqual(data);
      expect(parsed.binary.byteOffset % 8).toBe(0);
    },
  );

  it("a small body is a slice of Node's shared pool, and nothing outside it is written", () => {
    const pooled = Buffer.concat([headerOf({}, 13), Buffer.alloc(24, 1)]);
    // What Fastify's parser hands over: a slice of a larger buffer that other Buffers share.
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    // Bodies at every offset in a shared buffer whose other bytes must stay as they are.
    for (let at = 0; at < 8; at++) {
      for (let size = 2; size <= 20; size++) {
        const shared = Buffer.alloc(256, 0xee);
        const data = dataOf("UINT8", 33, size);
        const body = shared.subarray(16 + at, 16 + at + size + data.length);
        Buffer.concat([headerOf({}, size), data]).copy(body);
        const parsed = parse(body, size);
        expect(Buffer.from(parsed.binary)).toEqual(data);
        expect(shared.subarray(0, 16 + at).every((b) => b === 0xee)).toBe(true);
        expect(shared.subarray(16 + at + body.length).every((b) => b === 0xee)).toBe(true);
      }
    }
  });
});

describe("binary inputs decoded from the aligned body", () => {
  it.each(FIXED)("%s: every header length decodes the same values, viewed in place", (datatype) => {
    for (let size = 30; size < 46; size++) {
      const data = dataOf(datatype, 6, size);
      const json = {
        inputs: [{ name: "x", datatype, shape: [2, 3], parameters: { binary_data_size: data.length } }],
      };
      const body = Buffer.concat([headerOf(json, size + 150), data]);
      const parsed = parse(body, size + 150);
      const [x] = decodeInferRequest(parsed.json, targetOf(parsed.json), parsed.binary).inputs;
      if (!x) throw new Error("no input decoded");
      expect(storeBytes(x.values)).toEqual(data);
      expect((x.values as Uint8Array).buffer).toBe(body.buffer); // a view: no copy
    }
  });

  it("several inputs of mixed datatypes: each takes its own bytes, viewed when aligned, copied when not", () => {
    const specs: [Datatype, number][] = [
      ["BOOL", 3],
      ["FP64", 2],
      ["INT8", 5],
      ["INT64", 2],
      ["FP16", 3],
      ["FP32", 1],
      ["UINT32", 2],
    ];
    const words = Buffer.from([2, 0, 0, 0, 0x68, 0x69, 1, 0, 0, 0, 0x21]); // BYTES ["hi", "!"]
    for (let size = 100; size < 116; size++) {
      const datas = specs.map(([d, n], i) => dataOf(d, n, i + size));
      const inputs = specs.map(([datatype, n], i) => ({
        name: `in${i}`,
        datatype,
        shape: [n],
        parameters: { binary_data_size: (datas[i] as Buffer).length },
      }));
      inputs.splice(3, 0, {
        name: "words",
        datatype: "BYTES",
        shape: [2],
        parameters: { binary_data_size: 11 },
      });
      datas.splice(3, 0, words);
      const json = { inputs };
      const body = Buffer.concat([headerOf(json, size + 1500), ...datas]);
      const parsed = parse(body, size + 1500);
      const decoded = decodeInferRequest(parsed.json, targetOf(parsed.json), parsed.binary).inputs;
      let offset = parsed.binary.byteOffset;
      decoded.forEach((input, i) => {
        const want = datas[i] as Buffer;
        if (input.datatype === "BYTES") {
          expect(input.values).toEqual(["hi", "!"]);
        } else {
          expect(storeBytes(input.values)).toEqual(want);
          const viewed = (input.values as Uint8Array).buffer === body.buffer;
          expect(viewed).toBe(offset % bytesPer(input.datatype) === 0);
        }
        offset += want.length;
      });
    }
  });
});

describe("HTTP: a viewed input is what ONNX Runtime reads", () => {
  it("16 header lengths (every offset mod 8, twice) answer as the JSON request does", async () => {
    const svc = await startService();
    try {
      const rows = validationRows().slice(0, 4);
      const json = await svc.app.inject({
        method: "POST",
        url: "/v2/models/digits/infer",
        payload: inferBody(rows),
      });
      expect(json.statusCode).toBe(200);
      for (let pad = 0; pad < 16; pad++) {
        const { payload, headerLength } = binaryRequest(rows, { id: "x".repeat(pad) });
        const res = await svc.app.inject({
          method: "POST",
          url: "/v2/models/digits/infer",
          payload,
          headers: {
            "content-type": "application/octet-stream",
            [HEADER_LENGTH_HEADER]: String(headerLength),
          },
        });
        expect(res.statusCode).toBe(200);
        expect(res.json().outputs).toEqual(json.json().outputs);
      }
    } finally {
      await svc.close();
    }
  });
});
