/**
 * Why `infergate model init` did not create a version. `refused`: it read the model and will not
 * make a version of it as it is (an output the server cannot answer with, a file ONNX Runtime
 * cannot load, an existing version, samples the model refuses), exit 1; `input`: a file it was
 * pointed at cannot be read or parsed, exit 2 (like a usage error). The message is one line that
 * says what to change.
 */
export class ModelInitError extends Error {
  override name = "ModelInitError";
  constructor(
    readonly reason: "refused" | "input",
    message: string,
  ) {
    super(message);
  }
}
