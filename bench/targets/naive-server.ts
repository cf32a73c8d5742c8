import Fastify from "fastify";
import * as ort from "onnxruntime-node";

/**
 * Baseline: what a developer writes in 20 lines. Bare Fastify, one ONNX Runtime session (same
 * settings as the server: 1 intra-op thread), one session.run per request: no batching, no
 * validation, no metrics, no logs. MODEL_PATH is the model.onnx to serve.
 */
const session = await ort.InferenceSession.create(process.env.MODEL_PATH as string, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
});
const DATATYPES: Record<string, string> = { float32: "FP32", int64: "INT64" };
type Body = { inputs: { name: string; shape: number[]; data: number[] }[] };

const app = Fastify({ logger: false });
app.post<{ Params: { model: string }; Body: Body }>("/v2/models/:model/infer", async (request) => {
  const feeds: Record<string, ort.Tensor> = {};
  for (const t of request.body.inputs)
    feeds[t.name] = new ort.Tensor("float32", Float32Array.from(t.data), t.shape);
  const results = await session.run(feeds);
  const outputs = Object.entries(results).map(([name, t]) => ({
    name,
    datatype: DATATYPES[t.type] ?? t.type,
    shape: t.dims,
    data: Array.from(t.data as ArrayLike<number | bigint>, Number),
  }));
  return { model_name: request.params.model, outputs };
});
app.get("/v2/health/ready", async () => ({ ready: true }));
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
// Exit normally on SIGTERM (run.ts stops servers so), so `node --cpu-prof` can write its profile.
process.once("SIGTERM", () => process.exit(0));
