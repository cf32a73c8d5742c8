import { describe, expect, it } from "vitest";
import { gateExitCode } from "../../src/load-gate/exit-codes.js";

describe("gate:load exit codes", () => {
  it("maps k6 exit codes to the gate's", () => {
    expect(gateExitCode(0, true)).toBe(0);
    expect(gateExitCode(99, false)).toBe(1);
    expect(gateExitCode(0, false)).toBe(1); // a threshold k6 could not evaluate
    expect(gateExitCode(0, undefined)).toBe(2); // no summary: verdict unknown
    expect(gateExitCode(107, undefined)).toBe(2); // script error
    expect(gateExitCode(null, undefined)).toBe(2); // killed
  });
});
