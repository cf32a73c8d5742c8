import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";

/**
 * ONNX Runtime execution providers (INFERGATE_EXECUTION_PROVIDERS): which of them this install can
 * really use, checked once at start-up so a wrong setting stops the process with one clear line
 * instead of failing every model load later with "Failed to load shared library".
 */

/** What every session uses unless told otherwise: the CPU provider, in every build. */
export const DEFAULT_EXECUTION_PROVIDERS: readonly string[] = Object.freeze(["cpu"]);

/** A provider this build of onnxruntime-node knows, and the libraries it still lacks (none: usable). */
export type InstalledProvider = Readonly<{ name: string; missingLibraries: readonly string[] }>;

/**
 * Providers compiled into the binding but not shipped in the npm package: their libraries come
 * from NuGet only when onnxruntime-node's install script runs with `--onnxruntime-node-install=cuda12`
 * (this repository's .npmrc skips it), and ONNX Runtime loads them from the binding's folder.
 */
const PROVIDER_LIBRARIES: Readonly<Record<string, readonly string[]>> = {
  cuda: ["libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"],
  tensorrt: ["libonnxruntime_providers_shared.so", "libonnxruntime_providers_tensorrt.so"],
};

/** The folder of onnxruntime-node's native binding, where ONNX Runtime looks for provider libraries. */
export function bindingDirectory(): string {
  const entry = createRequire(import.meta.url).resolve("onnxruntime-node");
  return join(dirname(entry), "..", "bin", "napi-v6", process.platform, process.arch);
}

/** The providers this install of onnxruntime-node offers, each with the libraries it is missing. */
export function installedExecutionProviders(
  backends: readonly { name: string; bundled: boolean }[] = ort.listSupportedBackends(),
  bindingDir: string = bindingDirectory(),
): InstalledProvider[] {
  return backends.map(({ name, bundled }) => ({
    name,
    missingLibraries: bundled
      ? []
      : (PROVIDER_LIBRARIES[name] ?? []).filter((lib) => !existsSync(join(bindingDir, lib))),
  }));
}

/**
 * Parses a comma-separated provider list (order is preference: "cuda,cpu" runs what CUDA can on
 * the GPU, the rest on the CPU) and refuses, with a message saying what to change, a provider
 * this install cannot use.
 */
export function parseExecutionProviders(
  text: string,
  installed: readonly InstalledProvider[] = installedExecutionProviders(),
): readonly string[] {
  const names = text
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) throw new Error("names no execution provider (e.g. cpu, or cuda,cpu)");
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`names "${duplicate}" twice`);
  const byName = new Map(installed.map((p) => [p.name, p]));
  for (const name of names) {
    const provider = byName.get(name);
    if (!provider) {
      throw new Error(
        `"${name}" is not in this ONNX Runtime build (onnxruntime-node ${ort.env.versions.node ?? ""} on ${process.platform}/${process.arch} has ${[...byName.keys()].join(", ")})`,
      );
    }
    if (provider.missingLibraries.length > 0) {
      throw new Error(
        `"${name}" is in the binary, but its provider libraries are not installed (${provider.missingLibraries.join(", ")} missing beside the binding): ` +
          "use an image built with onnxruntime-node's CUDA libraries (--onnxruntime-node-install=cuda12) on CUDA 12 and cuDNN 9, or set cpu",
      );
    }
  }
  return Object.freeze(names);
}
