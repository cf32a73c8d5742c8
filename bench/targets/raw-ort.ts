import { readFileSync } from "node:fs";
import * as ort from "onnxruntime-node";

/**
 * Compute limit: onnxruntime-node in-process, no HTTP, no JSON. One session with the server's
 * settings (1 intra-op thread, 1 inter-op thread, sequential, all graph optimizations); for each
 * batch size, runs on validation rows (a fresh input Tensor per run, as the server makes) for
 * `seconds` after a short warm-up and reports rows/s. Run pinned to the server's CPU by run.ts.
 *
 * argv[2]: JSON {model: path to model.onnx, batches: number[], seconds: number, rows: path to jsonl}
 * or, for a model whose rows are not 64 features (the large-tensor rows), instead of `rows`:
 * tensor: {file: raw FP32 little-endian rows, the bytes the requests carry; shape: one row's dims}
 * stdout: JSON [{batch, rowsPerSec, runs, msPerRun}]
 */
type Opts = {
  model: string;
  batches: number[];
  seconds: number;
  rows?: string;
  tensor?: { file: string; shape: number[] };
};
const opts = JSON.parse(process.argv[2] as string) as Opts;

function tensorRows(file: string, shape: readonly number[]): Float32Array[] {
  const size = shape.reduce((a, b) => a * b, 1);
  const bytes = readFileSync(file);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return Array.from({ length: Math.floor(all.length / size) }, (_, r) =>
    all.subarray(r * size, (r + 1) * size),
  );
}
const features: ArrayLike<number>[] = opts.tensor
  ? tensorRows(opts.tensor.file, opts.tensor.shape)
  : readFileSync(opts.rows as string, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { features: number[] }).features);
const width = features[0]?.length ?? 64;
const rowShape = opts.tensor?.shape ?? [width];

const session = await ort.InferenceSession.create(opts.model, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
});
const inputName = session.inputNames[0] as string;
const outputNames = [...session.outputNames];

const points: { batch: number; rowsPerSec: number; runs: number; msPerRun: number }[] = [];
for (const batch of opts.batches) {
  const data = new Float32Array(batch * width);
  for (let r = 0; r < batch; r++) data.set(features[r % features.length] as ArrayLike<number>, r * width);
  const once = () =>
    session.run({ [inputName]: new ort.Tensor("float32", data, [batch, ...rowShape]) }, outputNames);
  // Warm-up: a few runs or 100 ms, whichever is longer.
  for (let i = 0, t0 = performance.now(); i < 3 || performance.now() - t0 < 100; i++) await once();
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (runs < 3 || elapsed < opts.seconds * 1000) {
    await once();
    runs++;
    elapsed = performance.now() - start;
  }
  points.push({ batch, rowsPerSec: (runs * batch) / (elapsed / 1000), runs, msPerRun: elapsed / runs });
}
await session.release();
process.stdout.write(`${JSON.stringify(points)}\n`);
