import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerMismatch,
  type Case,
  type ConverterModels,
  type JsonTensor,
  type ModelName,
  makeConverterModels,
} from "../../../service/test/runtime/converter-models.js";
import { startService } from "../../../service/test/support/service.js";
import { infergate } from "../support/cli.js";

/**
 * From an ONNX file to answers: `infergate model init` on converter-made models, then the server
 * on that repository answers every request exactly as ONNX Runtime (Python, each request run
 * alone) does, one at a time and under concurrent requests of mixed row counts and sequence
 * lengths (which the batcher stacks where shapes allow).
 */
const MODELS: ModelName[] = ["onehot", "regressor", "sequence", "nobatch"];

let models: ConverterModels;
let dir: string;
let svc: Awaited<ReturnType<typeof startService>>;
const logs: Record<string, unknown>[] = [];

async function infer(name: string, c: Case, version?: number): Promise<JsonTensor[]> {
  const url =
    version === undefined ? `/v2/models/${name}/infer` : `/v2/models/${name}/versions/${version}/infer`;
  const res = await svc.app.inject({ method: "POST", url, payload: { inputs: c.inputs } });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { outputs: JsonTensor[] }).outputs;
}

/** ONNX Runtime runs of a version so far, as /metrics counts them (infergate_batch_size). */
async function runsOf(name: string, version: number): Promise<number> {
  const text = (await svc.app.inject("/metrics")).body;
  const series = `infergate_batch_size_count{model="${name}",version="${version}"} `;
  const line = text.split("\n").find((l) => l.startsWith(series));
  return Number(line?.slice(series.length));
}

beforeAll(async () => {
  models = await makeConverterModels();
  dir = await mkdtemp(join(tmpdir(), "infergate-model-serve-"));
  const repo = join(dir, "repository");
  const samples = join(dir, "samples.json");
  await writeFile(samples, JSON.stringify({ inputs: models.cases.onehot[1]?.inputs }));
  const init = (name: string, version: number, ...more: string[]) =>
    infergate(
      ["model", "init", models.model(name as ModelName), "--name", name, "--version", String(version)].concat(
        ["--repository", repo, ...more],
      ),
    );
  const made = await Promise.all([
    init("onehot", 1, "--labels", models.labelsFile),
    init("regressor", 1, "--task", "regression"),
    init("sequence", 1),
    init("nobatch", 1),
  ]);
  // Version 2 of the one-hot model carries warm-up samples: real rows instead of zeros.
  made.push(await init("onehot", 2, "--labels", models.labelsFile, "--warmup-samples", samples));
  for (const r of made) expect(r.code, r.stderr).toBe(0);
  const stream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      cb();
    },
  });
  svc = await startService(
    { INFERGATE_MODEL_REPOSITORY: repo, INFERGATE_VERSION_POLICY: "all", INFERGATE_POLL_INTERVAL_MS: "0" },
    pino({ level: "info" }, stream),
  );
});
afterAll(async () => {
  await svc?.close();
  await models?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe("serving what model init made", () => {
  it("becomes ready with every model; only the one-hot version without samples warns about its warm-up", async () => {
    expect((await svc.app.inject("/v2/health/ready")).statusCode).toBe(200);
    const warnings = logs.filter((l) => l.level === 40);
    expect(warnings).toEqual([
      expect.objectContaining({
        model: "onehot",
        version: 1,
        err: expect.stringContaining("Unknown Category"),
      }),
    ]);
    const ready = logs.filter((l) => l.msg === "model version ready").map((l) => `${l.model}/${l.version}`);
    expect(ready.sort()).toEqual(["nobatch/1", "onehot/1", "onehot/2", "regressor/1", "sequence/1"]);
  });

  it("publishes each model's metadata as the manifest says, -1 for dynamic dims", async () => {
    const meta = (await svc.app.inject("/v2/models/sequence")).json() as { inputs: unknown[] };
    expect(meta.inputs).toEqual([{ name: "ids", datatype: "INT64", shape: [-1, -1] }]);
    const fixed = (await svc.app.inject("/v2/models/nobatch")).json() as { outputs: unknown[] };
    expect(fixed.outputs).toEqual([{ name: "y", datatype: "FP32", shape: [4, 2] }]);
  });

  it.each(MODELS)("answers %s requests one at a time as ONNX Runtime does", async (name) => {
    for (const c of models.cases[name]) expect(answerMismatch(c.outputs, await infer(name, c))).toEqual([]);
  });

  it("answers the one-hot version warmed with samples the same way", async () => {
    for (const c of models.cases.onehot)
      expect(answerMismatch(c.outputs, await infer("onehot", c, 2))).toEqual([]);
  });

  it("answers concurrent requests of every model, mixed row counts and sequence lengths, as ONNX Runtime does", async () => {
    const before = await runsOf("onehot", 2);
    const all = MODELS.flatMap((name) => models.cases[name].map((c) => ({ name, c })));
    // Three rounds, each in another order, so requests meet different neighbours in the queue.
    const rounds = [
      all,
      [...all].reverse(),
      all.filter((_, i) => i % 2 === 0).concat(all.filter((_, i) => i % 2)),
    ];
    for (const round of rounds) {
      const answers = await Promise.all(round.map(({ name, c }) => infer(name, c)));
      round.forEach(({ name, c }, i) => {
        expect(
          answerMismatch(c.outputs, answers[i] ?? []),
          `${name} request ${models.cases[name].indexOf(c)}`,
        ).toEqual([]);
      });
    }
    // Unversioned requests go to the newest version, onehot/2: its 3 × 8 requests, arriving
    // together, were stacked into fewer ONNX Runtime runs.
    const runs = (await runsOf("onehot", 2)) - before;
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(runs).toBeLessThan(3 * models.cases.onehot.length);
  });
});
