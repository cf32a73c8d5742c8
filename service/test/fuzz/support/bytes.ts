import fc from "fast-check";

/**
 * Mutations of a request's bytes, after it was serialized: what a broken client, a proxy that
 * cuts a body short or a hand-written attack puts on the wire. The same list serves JSON text,
 * a binary tensor body and a protobuf message; positions are taken modulo the length, so one
 * mutation applies to a body of any size.
 */
export type ByteMutation =
  | { op: "truncate"; at: number }
  | { op: "append"; bytes: readonly number[] }
  | { op: "insert"; at: number; bytes: readonly number[] }
  | { op: "overwrite"; at: number; bytes: readonly number[] }
  | { op: "empty" }
  | { op: "bom" };

/** Bytes that are not UTF-8 (a lone continuation byte, an overlong form, a cut sequence, 0xff). */
const notUtf8 = fc.constantFrom(
  [0x80],
  [0xc0, 0xaf],
  [0xe2, 0x82],
  [0xff],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80],
);

const someBytes = fc.oneof(
  notUtf8,
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
);

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }) },
  fc.record({ op: fc.constant("append" as const), bytes: someBytes }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: someBytes }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("overwrite" as const), at: fc.nat(), bytes: someBytes }),
  },
  fc.record({ op: fc.constant("empty" as const) }),
  fc.record({ op: fc.constant("bom" as const) }),
);

export function applyByteMutation(body: Buffer, m: ByteMutation): Buffer {
  const at = (n: number) => (body.length === 0 ? 0 : n % body.length);
  switch (m.op) {
    case "truncate":
      return body.subarray(0, at(m.at));
    case "append":
      return Buffer.concat([body, Buffer.from(m.bytes)]);
    case "insert":
      return Buffer.concat([body.subarray(0, at(m.at)), Buffer.from(m.bytes), body.subarray(at(m.at))]);
    case "overwrite": {
      const out = Buffer.from(body);
      m.bytes.forEach((b, i) => {
        if (at(m.at) + i < out.length) out[at(m.at) + i] = b;
      });
      return out;
    }
    case "empty":
      return Buffer.alloc(0);
    case "bom":
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
  }
}

/** A body `size` bytes long: the JSON text padded with spaces (still valid JSON, just too big). */
export function padTo(body: Buffer, size: number): Buffer {
  return body.length >= size ? body : Buffer.concat([body, Buffer.alloc(size - body.length, 0x20)]);
}

/** Elements in BYTES tensor data (4-byte little-endian length, then the bytes, per element). */
export function lengthPrefixedCount(bytes: Buffer): number {
  let n = 0;
  for (let at = 0; at < bytes.length; n++) at += 4 + bytes.readUInt32LE(at);
  return n;
}
