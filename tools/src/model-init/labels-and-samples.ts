import { readFile } from "node:fs/promises";
import type { TensorSpec } from "../../../service/src/contract/tensor.js";
import type { Manifest } from "../../../service/src/repository/manifest.js";
import { ModelInitError } from "./errors.js";

/** The manifest's warm-up samples: each one request's inputs, in the V2 JSON tensor form. */
export type WarmupSamplesJson = NonNullable<Manifest["warmup"]>;

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new ModelInitError("input", `cannot read the ${what} file ${path} (${(err as Error).message})`);
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelInitError("input", `${path} is not valid JSON (${(err as Error).message})`);
  }
}

/** Class labels in output order: one per line, or a JSON array of strings. */
export async function readLabels(path: string): Promise<string[]> {
  const text = await readText(path, "labels");
  const labels = text.trimStart().startsWith("[")
    ? parseJson(text, path)
    : text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
  if (
    !Array.isArray(labels) ||
    labels.length === 0 ||
    !labels.every((l) => typeof l === "string" && l !== "")
  ) {
    throw new ModelInitError("input", `${path} holds no labels (one per line, or a JSON array of strings)`);
  }
  const duplicate = labels.find((l, i) => labels.indexOf(l) !== i);
  if (duplicate !== undefined)
    throw new ModelInitError("input", `${path} lists the label "${duplicate}" twice`);
  return labels;
}

/**
 * Labels name the columns of a [batch, n_labels] score output (what the V1 predict route and the
 * classification extension rank); refuse labels that match no output, naming the outputs there are.
 */
export function checkLabels(labels: readonly string[], outputs: readonly TensorSpec[], path: string): void {
  const scores = outputs.find(
    (o) =>
      (o.datatype === "FP32" || o.datatype === "FP64") &&
      o.shape.length === 2 &&
      o.shape[1] === labels.length,
  );
  if (!scores) {
    const have = outputs.map((o) => `${o.name} ${o.datatype} [${o.shape}]`).join(", ");
    throw new ModelInitError(
      "refused",
      `${path} has ${labels.length} labels, but no output is a [batch, ${labels.length}] FP32/FP64 tensor of class scores (outputs: ${have})`,
    );
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/**
 * Warm-up samples from a file of real rows: one V2 inference request body ({"inputs": [...]}) or
 * a JSON array of them, as a client would send them. Only name, datatype, shape and data are
 * kept; whether they fit the model is checked against its signature afterwards.
 */
export async function readWarmupSamples(path: string): Promise<WarmupSamplesJson> {
  const json = parseJson(await readText(path, "warm-up samples"), path);
  const requests = Array.isArray(json) ? json : [json];
  if (requests.length === 0 || requests.length > 16) {
    throw new ModelInitError("input", `${path} must hold 1 to 16 requests, it holds ${requests.length}`);
  }
  return requests.map((request, i) => {
    const where = `${path}: request ${i + 1}`;
    if (!isObject(request) || !Array.isArray(request.inputs) || request.inputs.length === 0) {
      throw new ModelInitError("input", `${where} is not a V2 inference request ({"inputs": [...]})`);
    }
    const inputs = request.inputs.map((t: unknown, j: number) => {
      const ok =
        isObject(t) &&
        typeof t.name === "string" &&
        typeof t.datatype === "string" &&
        Array.isArray(t.shape) &&
        Array.isArray(t.data);
      if (!ok)
        throw new ModelInitError("input", `${where}, input ${j + 1} needs name, datatype, shape and data`);
      return { name: t.name, datatype: t.datatype, shape: t.shape, data: t.data };
    });
    return { inputs } as WarmupSamplesJson[number];
  });
}
