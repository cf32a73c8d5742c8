import fc from "fast-check";
import { expect } from "vitest";
import { applyByteMutation, type ByteMutation, byteMutation, lengthPrefixedCount } from "./bytes.js";
import { BODY_LIMIT, expectedOutputs } from "./digits.js";
import { type DigitsGrpcCase, digitsGrpcCase, digitsMessage } from "./grpc-messages.js";
import { applyMessageMutation, type MessageMutation, messageMutation } from "./grpc-mutations.js";
import { type Answer, serializeRequest } from "./grpc-wire.js";

/**
 * ModelInfer calls to the digits model as the route-level gRPC property sends them: a valid
 * message (typed or raw contents), or one mutated in its fields and then, a quarter of the time,
 * in its bytes on the wire; and what a valid call must be answered with: OK, the outputs asked
 * for, in order, of the right datatypes and shapes, each raw output as many elements as its shape.
 */
type Mutations = { fields: MessageMutation[]; wire: ByteMutation | undefined };
export type Case = { base: DigitsGrpcCase; mutations: Mutations | undefined };

/** Past the message size limit (the HTTP body limit): RESOURCE_EXHAUSTED before any decoding. */
const overLimit: fc.Arbitrary<MessageMutation> = fc.constant({
  set: ["raw_input_contents"],
  to: [Buffer.alloc(BODY_LIMIT + 1)],
});
const mutations: fc.Arbitrary<Mutations> = fc.record({
  fields: fc.array(fc.oneof({ weight: 30, arbitrary: messageMutation }, overLimit), { maxLength: 2 }),
  wire: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, byteMutation),
});
export const callCase: fc.Arbitrary<Case> = fc.record({
  base: digitsGrpcCase,
  mutations: fc.oneof(fc.constant(undefined), { weight: 2, arbitrary: mutations }),
});

export function requestBytes(c: Case): Buffer {
  const message = digitsMessage(c.base);
  for (const m of c.mutations?.fields ?? []) applyMessageMutation(message, m);
  const bytes = serializeRequest(message);
  return c.mutations?.wire ? applyByteMutation(bytes, c.mutations.wire) : bytes;
}

/** Output element counts from raw contents: fixed sizes by bytes, BYTES by their length prefixes. */
function rawElements(datatype: string, bytes: Buffer): number {
  if (datatype === "INT64") return bytes.length / 8;
  if (datatype === "FP32") return bytes.length / 4;
  return lengthPrefixedCount(bytes);
}

export function expectValidAnswer(answer: Answer, c: DigitsGrpcCase): void {
  if (!answer.ok) throw new Error(`a valid call failed: ${answer.code} ${answer.details}`);
  const r = answer.response;
  expect(r.model_name).toBe("digits");
  if (c.spec.version !== undefined) expect(r.model_version).toBe(String(c.spec.version));
  expect(r.id).toBe(c.spec.id ?? "");
  const outputs = (r.outputs as { name: string; datatype: string; shape: string[] }[]).map((o) => ({
    name: o.name,
    datatype: o.datatype,
    shape: o.shape.map(Number),
  }));
  expect(outputs).toEqual(
    expectedOutputs(c.spec).map(({ name, datatype, shape }) => ({ name, datatype, shape })),
  );
  const raw = r.raw_output_contents as Buffer[];
  outputs.forEach((o, i) => {
    expect(rawElements(o.datatype, raw[i] as Buffer), o.name).toBe(o.shape.reduce((a, b) => a * b, 1));
  });
}
