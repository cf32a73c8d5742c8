import { deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { applyByteMutation, type ByteMutation, byteMutation, padTo } from "./bytes.js";
import { BODY_LIMIT, inferUrl, type ValidSpec, validSpec } from "./digits.js";
import type { HttpRequest } from "./http.js";
import { applyTreeMutation, serialize, type TreeMutation, treeMutation } from "./json-tree.js";
import { applyFieldMutation, type FieldMutation, fieldMutation, v2Body } from "./v2-requests.js";

/**
 * Whole HTTP requests to the V2 infer route, valid or mutated, for the JSON route and for the
 * binary tensor data extension. A case is a description (spec + mutations) and `buildV2Request`
 * makes the request from it, so a counterexample prints as what was done, not as a byte dump.
 * Mutations stack: fields, then the tree, then the bytes, then the transport (headers, URL).
 */

/** How a request travels; every choice here keeps a valid request valid. */
type Transport = {
  contentType: string | undefined;
  encoding: "gzip" | "deflate" | undefined;
  timeoutHeader: string | undefined;
};

/** Transport mutations: headers and URLs a careless or hostile client sends. */
type BadTransport = {
  contentType?: string;
  encoding?: { name: string; compress: boolean };
  timeoutHeader?: string;
  url?: string;
  /** Inference-Header-Content-Length off by this many bytes, or replaced (JSON requests: added). */
  headerLengthDelta?: number;
  headerLength?: string | string[];
  overLimit?: true;
};

export type Mutations = {
  fields: FieldMutation[];
  tree: TreeMutation[];
  bytes: ByteMutation | undefined;
  transport: BadTransport;
};

export type V2Case = {
  spec: ValidSpec;
  binaryInput: boolean;
  transport: Transport;
  mutations: Mutations | undefined;
};

const transport = (binaryInput: boolean): fc.Arbitrary<Transport> =>
  fc.record({
    // No content type: tritonclient sends none with binary data, several JSON clients none at all.
    contentType: binaryInput
      ? fc.constantFrom("application/octet-stream", undefined)
      : fc.constantFrom("application/json", "application/json; charset=utf-8", undefined),
    // Compressed now and then: inflating costs each request more than parsing it.
    encoding: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      fc.constantFrom("gzip" as const, "deflate" as const),
    ),
    timeoutHeader: fc.constantFrom(undefined, "5000", "600000"),
  });

/** One transport mutation per request: stacked, the first (a 413, a 415) would hide the others. */
const badTransport: fc.Arbitrary<BadTransport> = fc.oneof(
  fc.record({
    contentType: fc.constantFrom(
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
      "application/octet-stream",
      "application/json",
      "",
      "garbage/",
    ),
  }),
  fc.record({
    encoding: fc.record({
      name: fc.constantFrom("gzip", "deflate", "br", "zstd", "identity", "x-unknown", "gzip, gzip"),
      compress: fc.boolean(),
    }),
  }),
  fc.record({
    timeoutHeader: fc.constantFrom("0", "-1", "1.5", "abc", "600001", "", "1e3", "99999999999999999999"),
  }),
  fc.record({
    url: fc.constantFrom(
      "/v2/models/nope/infer",
      "/v2/models/digits/versions/0/infer",
      "/v2/models/digits/versions/3/infer",
      "/v2/models/digits/versions/abc/infer",
      "/v2/models/digits/versions/01/infer",
      "/v2/models/digits/versions/99999999999999999999/infer",
      "/v2/models/digits/versions/-1/infer",
      "/v2/models/%00/infer",
      "/v2/models/__proto__/infer",
      "/v2/models/constructor/versions/1/infer",
      "/v2/models/digits/infer?x=%ZZ",
    ),
  }),
  fc.record({ headerLengthDelta: fc.constantFrom(-1, 1, -1_000_000, 7, 1_000_000) }),
  fc.record({
    headerLength: fc.constantFrom<string | string[]>(
      "-1",
      "abc",
      "1e3",
      " 12",
      "0x10",
      "9999999999999",
      "",
      "0",
      ["10", "12"],
    ),
  }),
  fc.record({ overLimit: fc.constant(true as const) }),
);

const mutations = (spec: ValidSpec): fc.Arbitrary<Mutations> =>
  fc.record({
    fields: fc.array(fieldMutation(spec), { maxLength: 2 }),
    tree: fc.array(treeMutation, { maxLength: 2 }),
    bytes: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, byteMutation),
    transport: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, badTransport),
  });

/** Valid requests (about a third) and mutated ones, for the JSON route or the binary one. */
export function v2Case(binaryInput: boolean): fc.Arbitrary<V2Case> {
  return validSpec.chain((spec) =>
    fc.record({
      spec: fc.constant(spec),
      binaryInput: fc.constant(binaryInput),
      transport: transport(binaryInput),
      mutations: fc.oneof(fc.constant(undefined), { weight: 2, arbitrary: mutations(spec) }),
    }),
  );
}

export function buildV2Request(c: V2Case): HttpRequest {
  const m = c.mutations;
  const body = v2Body(c.spec, c.binaryInput);
  for (const f of m?.fields ?? []) applyFieldMutation(body, f);
  let header: unknown = body.header;
  for (const t of m?.tree ?? []) header = applyTreeMutation(header, t);
  const json = Buffer.from(serialize(header));
  let payload: Buffer = body.bytes ? Buffer.concat([json, body.bytes]) : json;
  if (m?.bytes) payload = applyByteMutation(payload, m.bytes);
  const bad = m?.transport ?? {};
  if (bad.overLimit) payload = padTo(payload, BODY_LIMIT + 1);
  const headers: Record<string, string | string[]> = {};
  const contentType = bad.contentType ?? c.transport.contentType;
  if (contentType !== undefined) headers["content-type"] = contentType;
  // On the JSON route too, as a mutation: without a content type the body is then read as binary.
  if (c.binaryInput || bad.headerLength !== undefined || bad.headerLengthDelta !== undefined) {
    headers["inference-header-content-length"] =
      bad.headerLength ?? String(json.length + (bad.headerLengthDelta ?? 0));
  }
  const timeout = bad.timeoutHeader ?? c.transport.timeoutHeader;
  if (timeout !== undefined) headers["x-request-timeout-ms"] = timeout;
  const encoding = bad.encoding ?? (c.transport.encoding && { name: c.transport.encoding, compress: true });
  if (encoding) {
    headers["content-encoding"] = encoding.name;
    if (encoding.compress) payload = encoding.name === "deflate" ? deflateSync(payload) : gzipSync(payload);
  }
  return { url: bad.url ?? inferUrl(c.spec.version), headers, payload };
}
