/** What the data plane takes and gives back, whatever the transport (REST, binary, gRPC, V1). */
import type { HostTensor, TensorSpec } from "./tensor.js";

/**
 * Which outputs the client wants as binary tensor data: an output's own `binary_data` parameter,
 * else the request's `binary_data_output`.
 */
export type BinaryOutputs = { all: boolean; byName: ReadonlyMap<string, boolean> };

/** An inference request after decoding: protocol-neutral, ready for the data plane. */
export type InferenceRequest = {
  id: string | undefined;
  /** From `parameters.timeout_ms`: drop the request if it has not started by then. */
  timeoutMs?: number | undefined;
  inputs: HostTensor[];
  outputs: string[] | undefined;
  /** Undefined when every output is wanted as JSON (the common case). */
  binaryOutputs?: BinaryOutputs | undefined;
  /** Outputs wanted as their top k classes (the classification extension), by name. */
  classification?: ReadonlyMap<string, number> | undefined;
};

export type InferenceResult = {
  model: string;
  version: number;
  id: string | undefined;
  outputs: HostTensor[];
};

/** Runs inputs to the named outputs; `timeoutMs` bounds how long a queued request may wait. */
export type RunFn = (
  inputs: readonly HostTensor[],
  outputNames: readonly string[],
  timeoutMs?: number,
) => Promise<HostTensor[]>;

/**
 * What a decoder checks a request's tensors against before it allocates anything (the model
 * version's inputs and the per-request row limit), computed once when the version loads.
 */
export type DecodeTarget = Readonly<{
  model: string;
  inputs: ReadonlyMap<string, TensorSpec>;
  /** Whether every input and output has a dynamic first dimension (rows). */
  batchable: boolean;
  /** Rows one request may carry (a batchable model's first dimension). */
  maxRows: number;
}>;

/** How V1 predictions present a classifier: the label output and the probability output. */
export type ClassifierView = Readonly<{
  labels: readonly string[];
  probabilities: string;
  labelOutput?: string;
}>;
