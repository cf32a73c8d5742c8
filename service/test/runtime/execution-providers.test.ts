import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelLoadError } from "../../src/errors.js";
import { ConfigError, loadConfig } from "../../src/process/config.js";
import {
  installedExecutionProviders,
  parseExecutionProviders,
} from "../../src/runtime/execution-providers.js";
import { OnnxModel } from "../../src/runtime/onnx-model.js";
import { BUNDLED_REPOSITORY, REPO_ROOT } from "../support/paths.js";

/**
 * INFERGATE_EXECUTION_PROVIDERS: parsed and checked against what the installed onnxruntime-node
 * can use, passed to every session, and a wrong value stops the server at start-up naming it.
 */
const BACKENDS = [
  { name: "cpu", bundled: true },
  { name: "cuda", bundled: false },
];
const CUDA_LIBS = ["libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"];

let bindingDir: string;
beforeAll(async () => {
  bindingDir = await mkdtemp(join(tmpdir(), "infergate-binding-"));
});
afterAll(async () => {
  await rm(bindingDir, { recursive: true, force: true });
});

describe("execution providers", () => {
  it("lists the providers the installed binding offers; CPU always, with nothing missing", () => {
    const installed = installedExecutionProviders();
    expect(installed.find((p) => p.name === "cpu")).toEqual({ name: "cpu", missingLibraries: [] });
  });

  it("counts a provider the package does not ship as usable only once its libraries sit beside the binding", async () => {
    expect(installedExecutionProviders(BACKENDS, bindingDir)).toEqual([
      { name: "cpu", missingLibraries: [] },
      { name: "cuda", missingLibraries: CUDA_LIBS },
    ]);
    const cudaMissing = installedExecutionProviders(BACKENDS, bindingDir);
    expect(() => parseExecutionProviders("cuda,cpu", cudaMissing)).toThrow(
      /"cuda" is in the binary, but its provider libraries are not installed \(libonnxruntime_providers_shared\.so, libonnxruntime_providers_cuda\.so missing/,
    );
    for (const lib of CUDA_LIBS) await writeFile(join(bindingDir, lib), "");
    const cudaInstalled = installedExecutionProviders(BACKENDS, bindingDir);
    expect(parseExecutionProviders(" CUDA , cpu", cudaInstalled)).toEqual(["cuda", "cpu"]);
  });

  it.each([
    ["dml", /"dml" is not in this ONNX Runtime build \(onnxruntime-node .* has cpu, cuda\)/],
    ["cpu,cpu", /names "cpu" twice/],
    [" , ", /names no execution provider/],
  ])("refuses %j with a message saying what is wrong", (text, message) => {
    const installed = installedExecutionProviders(BACKENDS, bindingDir);
    expect(() => parseExecutionProviders(text, installed)).toThrow(message);
  });

  it("defaults to cpu and stops the configuration naming the variable for a provider not in this build", () => {
    expect(loadConfig({}).runtime.executionProviders).toEqual(["cpu"]);
    const load = () => loadConfig({ INFERGATE_EXECUTION_PROVIDERS: "coreml,cpu" });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/INFERGATE_EXECUTION_PROVIDERS: "coreml" is not in this ONNX Runtime build/);
  });

  it("passes the providers to ONNX Runtime: a session asked for a provider it lacks is not created", async () => {
    const path = join(BUNDLED_REPOSITORY, "digits", "1", "model.onnx");
    const signature = {
      inputs: [{ name: "input", datatype: "FP32" as const, shape: [-1, 64] }],
      outputs: [
        { name: "label", datatype: "INT64" as const, shape: [-1] },
        { name: "probabilities", datatype: "FP32" as const, shape: [-1, 10] },
      ],
    };
    const options = { intraOpThreads: 1, graphOptimizationLevel: "all" as const };
    const cpu = await OnnxModel.load(
      path,
      signature,
      { ...options, executionProviders: ["cpu"] },
      "digits/1",
    );
    await cpu.release();
    const err = await OnnxModel.load(
      path,
      signature,
      { ...options, executionProviders: ["dml"] },
      "digits/1",
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).reason).toBe("session");
    expect((err as Error).message).toMatch(/execution providers dml\): .*dml/);
  });

  it("stops the server at start-up (exit 1) with one line naming the variable", async () => {
    const child = spawn(process.execPath, ["bin/infergate.js", "serve"], {
      cwd: REPO_ROOT,
      env: { ...process.env, INFERGATE_EXECUTION_PROVIDERS: "dml", PORT: "0", INFERGATE_WORKERS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^infergate: invalid configuration:\n {2}INFERGATE_EXECUTION_PROVIDERS: "dml" is not in this ONNX Runtime build/,
    );
  });
});
