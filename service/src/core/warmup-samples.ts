import type { HostTensor, TensorSpec } from "../contract/tensor.js";
import { InfergateError, ModelLoadError } from "../errors.js";
import { toTensorValues } from "../protocol/tensor-data.js";
import type { Manifest } from "../repository/manifest.js";
import type { WarmupSamples } from "../runtime/warmup.js";

/** Says why one input of one sample does not fit the model's declared input. */
function misfit(
  tensor: { name: string; datatype: string; shape: number[] },
  spec: TensorSpec,
): string | undefined {
  if (tensor.datatype !== spec.datatype) return `is ${tensor.datatype}, the model takes ${spec.datatype}`;
  const fits =
    tensor.shape.length === spec.shape.length &&
    spec.shape.every((d, i) => d === -1 || d === tensor.shape[i]);
  return fits ? undefined : `has shape [${tensor.shape}], the model takes [${spec.shape}]`;
}

/**
 * The manifest's `warmup` samples as request tensors, decoded by the same JSON tensor decoder as
 * a V2 request and checked against the declared inputs (every input exactly once, datatype,
 * shape). Undefined when the manifest has none. A sample that does not fit is a manifest error:
 * it names the sample and input, so the version fails to load before any session is created.
 */
export function warmupSamples(manifest: Manifest, where: string): WarmupSamples | undefined {
  if (!manifest.warmup) return undefined;
  const specs = new Map(manifest.inputs.map((s) => [s.name, s]));
  return manifest.warmup.map((sample, i) => {
    const fail = (detail: string) =>
      new ModelLoadError("manifest", `${where}: warmup sample ${i + 1}: ${detail}`);
    const given = sample.inputs.map((t) => t.name);
    const expected = [...specs.keys()];
    if (given.length !== expected.length || !expected.every((name) => given.includes(name))) {
      throw fail(`has inputs [${given.join(", ")}], the model takes [${expected.join(", ")}]`);
    }
    return sample.inputs.map((tensor): HostTensor => {
      const spec = specs.get(tensor.name) as TensorSpec;
      const problem = misfit(tensor, spec);
      if (problem) throw fail(`input "${tensor.name}" ${problem}`);
      try {
        const values = toTensorValues(tensor.name, spec.datatype, tensor.shape, tensor.data);
        return { name: tensor.name, datatype: spec.datatype, shape: tensor.shape, values };
      } catch (err) {
        if (err instanceof InfergateError) throw fail(err.message);
        throw err;
      }
    });
  });
}
