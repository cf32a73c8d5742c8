import fc from "fast-check";
import pino from "pino";
import { expect } from "vitest";
import { startService } from "../../support/service.js";

/**
 * The bundled model the route-level properties talk to, and the valid requests built from its
 * signature: input "input" FP32 [-1, 64]; outputs "label" INT64 [-1] and "probabilities" FP32
 * [-1, 10] (both versions). `checkSignature` compares these constants with the served metadata,
 * so a changed model fails here by name instead of as thousands of puzzling counterexamples.
 */
export const MODEL = "digits";
export const INPUT = "input";
export const WIDTH = 64;
export const CLASSES = 10;
export const OUTPUTS = ["label", "probabilities"] as const;
export type OutputName = (typeof OUTPUTS)[number];

/** The row cap the fuzzed service runs with (INFERGATE_MAX_ROWS_PER_REQUEST), set, not assumed. */
export const MAX_ROWS = 16;
/** A small body limit, so bodies over it (413) are cheap to make; valid bodies stay far below. */
export const BODY_LIMIT = 256 * 1024;
const SERVICE_ENV = {
  // Both versions served, so the versioned routes are reached (the default serves the newest).
  INFERGATE_VERSION_POLICY: "all",
  INFERGATE_MAX_ROWS_PER_REQUEST: String(MAX_ROWS),
  INFERGATE_BODY_LIMIT_BYTES: String(BODY_LIMIT),
};

type Svc = Awaited<ReturnType<typeof startService>>;

/**
 * The service the route-level properties talk to, with its error-level log lines kept: a 5xx, an
 * internal gRPC failure or an unhandled rejection logs one, so "none were logged" is part of the
 * oracle even for a failure that somehow left with a 4xx. Its signature is checked first.
 */
export async function startFuzzedService(
  env: Record<string, string> = {},
): Promise<Svc & { errors: string[] }> {
  const errors: string[] = [];
  const logger = pino({ level: "error" }, { write: (line: string) => void errors.push(line) });
  const svc = await startService({ ...SERVICE_ENV, ...env }, logger);
  await checkSignature(svc);
  return Object.assign(svc, { errors });
}

async function checkSignature(svc: Svc): Promise<void> {
  for (const url of ["/v2/models/digits/versions/1", "/v2/models/digits/versions/2"]) {
    const meta = (await svc.app.inject(url)).json();
    expect(meta.inputs).toEqual([{ name: INPUT, datatype: "FP32", shape: [-1, WIDTH] }]);
    expect(meta.outputs).toEqual([
      { name: "label", datatype: "INT64", shape: [-1] },
      { name: "probabilities", datatype: "FP32", shape: [-1, CLASSES] },
    ]);
  }
}

/** How the rows' 64 features are filled: the range matters to the decoder, not each value. */
const FILLS = ["pixels", "floats", "extremes", "zeros"] as const;

/** One valid request, as a description (short when printed as a counterexample). */
export type ValidSpec = {
  rows: number;
  fill: (typeof FILLS)[number];
  fillSeed: number;
  /** Data nested [rows][64] rather than flat (both are the protocol's). */
  nested: boolean;
  version: 1 | 2 | undefined;
  id: string | undefined;
  timeoutMs: number | undefined;
  /** parameters.binary_data_output */
  binaryAll: boolean;
  outputs:
    | { name: OutputName; binary: boolean | undefined; classification: number | undefined }[]
    | undefined;
};

const outputRequest = fc.record({
  name: fc.constantFrom(...OUTPUTS),
  binary: fc.option(fc.boolean(), { nil: undefined }),
  classification: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
});

export const validSpec: fc.Arbitrary<ValidSpec> = fc.record({
  rows: fc.integer({ min: 1, max: MAX_ROWS }),
  fill: fc.constantFrom(...FILLS),
  fillSeed: fc.nat(),
  nested: fc.boolean(),
  version: fc.constantFrom(1 as const, 2 as const, undefined),
  // Any well-formed Unicode (a lone surrogate cannot cross protobuf or UTF-8 unchanged).
  id: fc.option(fc.string({ maxLength: 16, unit: "grapheme" }), { nil: undefined }),
  // Long enough never to expire here: a short one could make a valid request a legitimate 504.
  timeoutMs: fc.option(fc.integer({ min: 5_000, max: 600_000 }), { nil: undefined }),
  binaryAll: fc.boolean(),
  // Each output at most once: the same output twice is a mutation (see the V2 requests).
  outputs: fc.option(fc.uniqueArray(outputRequest, { minLength: 1, maxLength: 2, selector: (o) => o.name }), {
    nil: undefined,
  }),
});

/** The spec's features, rows × 64, made from its seed (a generator is faster than fc.array here). */
export function features(spec: Pick<ValidSpec, "rows" | "fill" | "fillSeed">): number[] {
  let s = spec.fillSeed | 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  return Array.from({ length: spec.rows * WIDTH }, () => {
    const u = next();
    if (spec.fill === "pixels") return Math.floor(u * 17);
    if (spec.fill === "floats") return (u - 0.5) * 2 ** Math.floor(next() * 40 - 20);
    if (spec.fill === "extremes")
      return [3.4028234663852886e38, -3.4028234663852886e38, 1e-45, 1e39][Math.floor(u * 4)] as number;
    return 0;
  });
}

/** The outputs a valid request is answered with: name, datatype, shape, and whether as binary data. */
export function expectedOutputs(spec: ValidSpec) {
  const wanted =
    spec.outputs ?? OUTPUTS.map((name) => ({ name, binary: undefined, classification: undefined }));
  return wanted.map((o) => {
    const width = o.name === "label" ? undefined : CLASSES;
    const classified = o.classification !== undefined;
    const shape = classified
      ? [spec.rows, Math.min(o.classification as number, width ?? 1)]
      : width === undefined
        ? [spec.rows]
        : [spec.rows, width];
    const datatype = classified ? "BYTES" : o.name === "label" ? "INT64" : "FP32";
    return { name: o.name, datatype, shape, binary: o.binary ?? spec.binaryAll };
  });
}

/** The V2 infer URL for a version (or the unversioned route). */
export const inferUrl = (version: number | string | undefined) =>
  version === undefined ? `/v2/models/${MODEL}/infer` : `/v2/models/${MODEL}/versions/${version}/infer`;
