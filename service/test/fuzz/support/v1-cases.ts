import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { applyByteMutation, type ByteMutation, byteMutation, padTo } from "./bytes.js";
import { BODY_LIMIT, features, MAX_ROWS, MODEL, WIDTH } from "./digits.js";
import type { HttpRequest } from "./http.js";
import {
  applyTreeMutation,
  deepArray,
  hostileValue,
  serialize,
  type TreeMutation,
  treeMutation,
} from "./json-tree.js";

/**
 * Requests to the V1 predict route (`{"instances": [...]}`, TF Serving's row format) for the
 * digits model: each instance one row of 64 numbers. Mutations: the fields (instances that are
 * not rows, rows one value short, more rows than allowed, TF's other forms: named instances,
 * the columnar `inputs`), the tree and the bytes as for V2, and the URL's `model:verb` segment,
 * which the route parses itself.
 */
export type V1Spec = {
  rows: number;
  fillSeed: number;
  version: 1 | 2 | undefined;
  gzip: boolean;
  parameters: boolean;
};

export const v1Spec: fc.Arbitrary<V1Spec> = fc.record({
  rows: fc.integer({ min: 1, max: MAX_ROWS }),
  fillSeed: fc.nat(),
  version: fc.constantFrom(1 as const, 2 as const, undefined),
  // Compressed one time in eight: inflating costs each request more than parsing it.
  gzip: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, fc.constant(true)),
  // Unknown parameters are accepted and ignored.
  parameters: fc.boolean(),
});

type Field = { set: string; to: unknown } | { row: number; delta: number };

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.record({
    set: fc.constant("instances"),
    to: fc.oneof(
      hostileValue,
      fc.constantFrom<unknown>(
        [],
        [[]],
        new Array(MAX_ROWS + 1).fill(new Array(WIDTH).fill(0)),
        new Array(WIDTH).fill(1),
      ),
      fc.constant([{ input: new Array(WIDTH).fill(0) }]),
      fc.constantFrom(10, 100_000).map((d) => [deepArray(d)]),
    ),
  }),
  fc.record({
    set: fc.constantFrom("inputs", "signature_name", "parameters", "__proto__"),
    to: hostileValue,
  }),
  fc.record({ row: fc.nat(), delta: fc.constantFrom(-WIDTH, -1, 1) }),
);

type Transport = {
  contentType?: string;
  url?: string;
  encoding?: string;
  timeoutHeader?: string;
  overLimit?: true;
};

const badTransport: fc.Arbitrary<Transport> = fc.oneof(
  fc.record({
    contentType: fc.constantFrom(
      "text/plain",
      "application/octet-stream",
      "application/json; charset=latin1",
      "",
    ),
  }),
  fc.record({
    url: fc.constantFrom(
      "/v1/models/digits:predic",
      "/v1/models/digits",
      "/v1/models/:predict",
      "/v1/models/digits:predict:predict",
      "/v1/models/nope:predict",
      "/v1/models/__proto__:predict",
      "/v1/models/digits/versions/0:predict",
      "/v1/models/digits/versions/x:predict",
      "/v1/models/digits/versions/1:classify",
      "/v1/models/digits%3Apredict",
    ),
  }),
  fc.record({ encoding: fc.constantFrom("gzip", "br", "x-unknown") }),
  fc.record({ timeoutHeader: fc.constantFrom("0", "abc", "600001") }),
  fc.record({ overLimit: fc.constant(true as const) }),
);

export type V1Case = {
  spec: V1Spec;
  mutations:
    | { fields: Field[]; tree: TreeMutation[]; bytes: ByteMutation | undefined; transport: Transport }
    | undefined;
};

export const v1Case: fc.Arbitrary<V1Case> = fc.record({
  spec: v1Spec,
  mutations: fc.oneof(fc.constant(undefined), {
    weight: 2,
    arbitrary: fc.record({
      fields: fc.array(field, { maxLength: 2 }),
      tree: fc.array(treeMutation, { maxLength: 2 }),
      bytes: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, byteMutation),
      transport: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, badTransport),
    }),
  }),
});

export function buildV1Request(c: V1Case): HttpRequest {
  const values = features({ rows: c.spec.rows, fill: "pixels", fillSeed: c.spec.fillSeed });
  const instances = Array.from({ length: c.spec.rows }, (_, r) => values.slice(r * WIDTH, (r + 1) * WIDTH));
  const body: Record<string, unknown> = { instances };
  if (c.spec.parameters) body.parameters = { unknown_knob: 1 };
  const m = c.mutations;
  for (const f of m?.fields ?? []) {
    if ("set" in f)
      Object.defineProperty(body, f.set, {
        value: f.to,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else {
      const row = instances[f.row % instances.length] as number[];
      if (f.delta < 0) row.splice(f.delta);
      else row.push(0);
    }
  }
  let tree: unknown = body;
  for (const t of m?.tree ?? []) tree = applyTreeMutation(tree, t);
  let payload: Buffer = Buffer.from(serialize(tree));
  if (m?.bytes) payload = applyByteMutation(payload, m.bytes);
  const bad = m?.transport ?? {};
  if (bad.overLimit) payload = padTo(payload, BODY_LIMIT + 1);
  const headers: Record<string, string> = { "content-type": bad.contentType ?? "application/json" };
  if (bad.timeoutHeader !== undefined) headers["x-request-timeout-ms"] = bad.timeoutHeader;
  const encoding = bad.encoding ?? (c.spec.gzip ? "gzip" : undefined);
  if (encoding !== undefined) {
    headers["content-encoding"] = encoding;
    payload = gzipSync(payload);
  }
  const url =
    bad.url ??
    (c.spec.version === undefined
      ? `/v1/models/${MODEL}:predict`
      : `/v1/models/${MODEL}/versions/${c.spec.version}:predict`);
  return { url, headers, payload };
}
