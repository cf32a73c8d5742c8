import { expect } from "vitest";
import { InfergateError } from "../../src/errors.js";

/** The catalogue error `fn` throws (fails the test if it throws nothing or something else). */
export function thrown(fn: () => unknown): InfergateError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InfergateError);
    return err as InfergateError;
  }
  throw new Error("expected the call to throw");
}
