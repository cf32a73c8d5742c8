import fc from "fast-check";
import type { Datatype } from "../../../src/contract/tensor.js";
import { features, INPUT, MODEL, type ValidSpec, validSpec, WIDTH } from "./digits.js";
import { storeBytes, type TypedTensor, typedInputs } from "./typed-target.js";

/**
 * ModelInferRequest messages (as objects for the proto's encoder): the valid ones for the digits
 * model and for the every-datatype target, with typed `contents` or `raw_input_contents`, and the
 * mutations of them (grpc-mutations.ts). Values keep their field's protobuf type (a string stays a
 * string, int64 a decimal string), since the encoder would refuse or coerce anything else; bytes
 * that break the message itself are the wire mutations' job (bytes.ts, grpc-wire.ts).
 */
export type Message = Record<string, unknown>;

/** The typed field of each datatype (the protocol's table; FP16 has none: raw only). */
const CONTENTS: Readonly<Record<Datatype, string | undefined>> = {
  BOOL: "bool_contents",
  INT8: "int_contents",
  INT16: "int_contents",
  INT32: "int_contents",
  INT64: "int64_contents",
  UINT8: "uint_contents",
  UINT16: "uint_contents",
  UINT32: "uint_contents",
  UINT64: "uint64_contents",
  FP16: undefined,
  FP32: "fp32_contents",
  FP64: "fp64_contents",
  BYTES: "bytes_contents",
};
export const CONTENT_FIELDS = [...new Set(Object.values(CONTENTS).filter((f) => f !== undefined))];

export type DigitsGrpcCase = { spec: ValidSpec; raw: boolean };
export const digitsGrpcCase: fc.Arbitrary<DigitsGrpcCase> = fc.record({ spec: validSpec, raw: fc.boolean() });

export function digitsMessage({ spec, raw }: DigitsGrpcCase): Message {
  const values = features(spec);
  const input: Message = { name: INPUT, datatype: "FP32", shape: [String(spec.rows), String(WIDTH)] };
  if (!raw) input.contents = { fp32_contents: values };
  return {
    model_name: MODEL,
    model_version: spec.version === undefined ? "" : String(spec.version),
    id: spec.id ?? "",
    parameters: spec.timeoutMs === undefined ? {} : { timeout_ms: { int64_param: String(spec.timeoutMs) } },
    inputs: [input],
    outputs: (spec.outputs ?? []).map((o) => ({
      name: o.name,
      parameters:
        o.classification === undefined ? {} : { classification: { int64_param: String(o.classification) } },
    })),
    raw_input_contents: raw ? [Buffer.from(new Float32Array(values).buffer)] : [],
  };
}

export type TypedGrpcCase = { inputs: TypedTensor[]; raw: boolean };
/** Raw contents whenever an input is FP16: the protocol gives FP16 no typed field. */
export const typedGrpcCase: fc.Arbitrary<TypedGrpcCase> = typedInputs.chain((inputs) =>
  fc.record({
    inputs: fc.constant(inputs),
    raw: inputs.some((t) => t.datatype === "FP16") ? fc.constant(true) : fc.boolean(),
  }),
);

/** The typed field's values: booleans, numbers, 64-bit integers as decimal strings, BYTES as UTF-8. */
function contentsOf(t: TypedTensor): Message {
  const field = CONTENTS[t.datatype] as string;
  const kind =
    field === "int64_contents" || field === "uint64_contents"
      ? "long"
      : field === "bytes_contents"
        ? "bytes"
        : "as-is";
  const values = t.json.map((v) =>
    kind === "long" ? String(v) : kind === "bytes" ? Buffer.from(v as string, "utf8") : v,
  );
  return { [field]: values };
}

export function typedMessage({ inputs, raw }: TypedGrpcCase): Message {
  return {
    model_name: "typed",
    parameters: {},
    outputs: [],
    inputs: inputs.map((t) => ({
      name: t.name,
      datatype: t.datatype,
      shape: t.shape.map(String),
      ...(raw ? {} : { contents: contentsOf(t) }),
    })),
    raw_input_contents: raw ? inputs.map((t) => storeBytes(t.datatype, t.store)) : [],
  };
}
