import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runOk } from "../../../scripts/lib/run.js";
import { venv } from "../../../scripts/lib/tools.js";
import type { Datatype } from "../../src/contract/tensor.js";

/**
 * Models as a user brings them (converter_models.py: a skl2onnx one-hot pipeline, its zipmap
 * variant, regressors, a [batch, seq] INT64 model, a model without a batch dimension) and ONNX
 * Runtime's own answers to requests for them, made once per test file in the pinned models venv.
 */

/** A tensor as a V2 JSON request or answer carries it. */
export type JsonTensor = { name: string; datatype: Datatype; shape: number[]; data: unknown[] };

/** One request's inputs and what ONNX Runtime (Python, run alone) answered. */
export type Case = { inputs: JsonTensor[]; outputs: JsonTensor[] };

export type ModelName = "onehot" | "regressor" | "sequence" | "nobatch";

export type ConverterModels = {
  dir: string;
  /** `<dir>/<name>.onnx`; also "zipmap" (seq(map) probabilities) and "degraded" (a useless regressor). */
  model(name: ModelName | "zipmap" | "degraded"): string;
  /** The onehot classifier's labels, one per line. */
  labelsFile: string;
  /** Regression validation rows: {"features": [4 floats], "target": y} per line. */
  regressionData: string;
  cases: Record<ModelName, Case[]>;
  cleanup(): Promise<void>;
};

const SCRIPT = fileURLToPath(new URL("converter_models.py", import.meta.url));

export async function makeConverterModels(): Promise<ConverterModels> {
  const python = join(await venv("models", "models/requirements.txt"), "bin", "python");
  const dir = await mkdtemp(join(tmpdir(), "infergate-converter-models-"));
  await runOk(python, [SCRIPT, dir], {
    timeoutMs: 180_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  const cases = JSON.parse(await readFile(join(dir, "cases.json"), "utf8")) as Record<ModelName, Case[]>;
  return {
    dir,
    model: (name) => join(dir, `${name}.onnx`),
    labelsFile: join(dir, "onehot-labels.txt"),
    regressionData: join(dir, "regression.jsonl"),
    cases,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Whether two answers agree: same names, datatypes, shapes; equal labels; floats within `tolerance`. */
export function answerMismatch(
  expected: readonly JsonTensor[],
  actual: readonly JsonTensor[],
  tolerance = 1e-5,
) {
  const problems: string[] = [];
  for (const want of expected) {
    const got = actual.find((t) => t.name === want.name);
    if (!got) {
      problems.push(`${want.name}: missing`);
      continue;
    }
    if (got.datatype !== want.datatype || got.shape.join(",") !== want.shape.join(",")) {
      problems.push(
        `${want.name}: ${got.datatype} [${got.shape}] instead of ${want.datatype} [${want.shape}]`,
      );
      continue;
    }
    want.data.forEach((w, i) => {
      const g = got.data[i];
      const close =
        typeof w === "number" && typeof g === "number"
          ? Math.abs(w - g) <= tolerance * Math.max(1, Math.abs(w))
          : w === g;
      if (!close) problems.push(`${want.name}[${i}]: ${JSON.stringify(g)} instead of ${JSON.stringify(w)}`);
    });
  }
  return problems;
}
