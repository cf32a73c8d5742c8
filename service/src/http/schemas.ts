/** JSON Schemas of the HTTP API, for the OpenAPI document (see plugins/openapi.ts). */

const parameters = { type: "object", additionalProperties: true } as const;
const tensorData = { type: "array", items: {} } as const;
const shape = { type: "array", items: { type: "integer", minimum: -1 } } as const;

export const errorBody = {
  type: "object",
  properties: { error: { type: "string" } },
  required: ["error"],
} as const;

export const metadataTensor = {
  type: "object",
  properties: { name: { type: "string" }, datatype: { type: "string" }, shape },
  required: ["name", "datatype", "shape"],
} as const;

export const modelParams = {
  type: "object",
  properties: { model: { type: "string" }, version: { type: "string", pattern: "^[1-9][0-9]*$" } },
  required: ["model"],
} as const;

/**
 * A tensor as requests send it and responses return it: `data` in JSON, or (binary tensor data
 * extension) `parameters.binary_data_size` bytes after the JSON header instead.
 */
const tensor = {
  type: "object",
  properties: {
    name: { type: "string" },
    shape,
    datatype: { type: "string" },
    parameters: {
      ...parameters,
      properties: { binary_data_size: { type: "integer", minimum: 0 } },
    },
    data: tensorData,
  },
  required: ["name", "shape", "datatype"],
} as const;

export const inferenceRequest = {
  type: "object",
  properties: {
    id: { type: "string" },
    parameters: {
      ...parameters,
      properties: { timeout_ms: { type: "integer", minimum: 1 }, binary_data_output: { type: "boolean" } },
    },
    inputs: {
      type: "array",
      items: tensor,
    },
    outputs: {
      type: "array",
      items: {
        type: "object",
        properties: {
          name: { type: "string" },
          parameters: { ...parameters, properties: { binary_data: { type: "boolean" } } },
        },
        required: ["name"],
      },
    },
  },
  required: ["inputs"],
} as const;

export const inferenceResponse = {
  type: "object",
  properties: {
    model_name: { type: "string" },
    model_version: { type: "string" },
    id: { type: "string" },
    parameters,
    outputs: {
      type: "array",
      items: tensor,
    },
  },
  required: ["model_name", "outputs"],
} as const;

export const modelMetadata = {
  type: "object",
  properties: {
    name: { type: "string" },
    versions: { type: "array", items: { type: "string" } },
    platform: { type: "string" },
    inputs: { type: "array", items: metadataTensor },
    outputs: { type: "array", items: metadataTensor },
    parameters,
  },
  required: ["name", "platform"],
} as const;

export const predictRequest = {
  type: "object",
  properties: { instances: { type: "array", items: {} }, parameters },
  required: ["instances"],
} as const;

export const predictResponse = {
  type: "object",
  properties: { predictions: { type: "array", items: {} }, model_version: { type: "string" } },
  required: ["predictions"],
} as const;

/** Standard error responses every model route can give. */
export const errorResponses = {
  400: errorBody,
  404: errorBody,
  413: errorBody,
  415: errorBody,
  503: errorBody,
  504: errorBody,
} as const;
