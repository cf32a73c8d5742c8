import { z } from "zod";
import { DATATYPES } from "../contract/tensor.js";
import { ModelLoadError } from "../errors.js";

const tensorSpec = z.strictObject({
  name: z.string().min(1),
  datatype: z.enum(DATATYPES),
  shape: z.array(z.number().int().min(-1)),
});

const batchingOverride = z
  .strictObject({
    enabled: z.boolean().optional(),
    max_batch_size: z.number().int().min(1).optional(),
    max_queue_delay_us: z.number().int().min(0).optional(),
    max_queue_size: z.number().int().min(1).optional(),
  })
  .optional();

/** One input of a warm-up sample, as a V2 request carries it (data flat or nested row-major). */
const warmupTensor = z.strictObject({
  name: z.string().min(1),
  datatype: z.enum(DATATYPES),
  shape: z.array(z.number().int().min(0)),
  data: z.array(z.unknown()),
});

/**
 * Real rows the loader warms the session with instead of synthetic zeros (Triton's
 * `model_warmup`): each entry is one request's inputs. Kept small: the manifest is read on
 * every load and poll, and a few rows exercise the graph as well as many.
 */
const warmupSamples = z
  .array(z.strictObject({ inputs: z.array(warmupTensor).min(1) }))
  .min(1)
  .max(16)
  .optional();

/** What the model predicts, for tools that judge it (the accuracy gate's metrics). */
export const TASKS = ["classification", "regression"] as const;
export type Task = (typeof TASKS)[number];

/**
 * `manifest.json` beside each `model.onnx`: what the artifact is (digest), what it takes and
 * returns, and how good it was when made. Unknown keys are allowed at the top level so newer
 * tooling can add information without breaking older servers.
 */
export const manifestSchema = z.looseObject({
  schema_version: z.literal(1),
  // One plain path segment of the repository: never "." or "..", no leading dot or dash.
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "letters, digits, _ . - and starting with a letter or digit"),
  version: z.number().int().min(1),
  platform: z.literal("onnxruntime_onnx"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters"),
  inputs: z.array(tensorSpec).min(1),
  outputs: z.array(tensorSpec).min(1),
  labels: z.array(z.string()).optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  training: z.record(z.string(), z.unknown()).optional(),
  batching: batchingOverride,
  task: z.enum(TASKS).optional(),
  warmup: warmupSamples,
  created_at: z.iso.datetime({ offset: true }),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** Parses manifest text; `where` names the file or object so a bad manifest is easy to find. */
export function parseManifest(text: string, where: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelLoadError("manifest", `${where}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ModelLoadError("manifest", `${where}: invalid manifest: ${detail}`);
  }
  return parsed.data;
}

/** A manifest must describe the place it sits in: `<root>/<name>/<version>/manifest.json`. */
export function checkManifestLocation(
  manifest: Manifest,
  model: string,
  version: number,
  where: string,
): void {
  if (manifest.name !== model || manifest.version !== version) {
    throw new ModelLoadError(
      "manifest",
      `${where}: manifest says ${manifest.name}/${manifest.version} but sits at ${model}/${version}`,
    );
  }
}
