import { describe, expect, it } from "vitest";
import { BenchUsageError, parseBenchArgs } from "../lib/options.js";

describe("npm run bench options", () => {
  it("defaults to the full run: 3 s points, c=1,8,64, 5 rounds, 2 retries", () => {
    expect(parseBenchArgs([])).toMatchObject({
      help: false,
      quick: false,
      seconds: 3,
      concurrencies: [1, 8, 64],
      rounds: 5,
      retries: 2,
      out: "bench/results",
      serverEnv: {},
    });
  });

  it("--quick means c=64 and one round unless told otherwise", () => {
    expect(parseBenchArgs(["--quick"])).toMatchObject({ quick: true, concurrencies: [64], rounds: 1 });
    expect(parseBenchArgs(["--quick", "--rounds", "2", "--connections", "8,64"])).toMatchObject({
      rounds: 2,
      concurrencies: [8, 64],
    });
  });

  it("reads --only as a case-insensitive regex and --server-env as a map", () => {
    const o = parseBenchArgs([
      "--only",
      "small/(echo|infergate-on)$",
      "--server-env",
      "A=1",
      "--server-env",
      "B=x=y",
    ]);
    expect(o.only?.test("SMALL/echo")).toBe(true);
    expect(o.only?.test("large/echo")).toBe(false);
    expect(o.serverEnv).toEqual({ A: "1", B: "x=y" });
    expect(parseBenchArgs(["-h"]).help).toBe(true);
  });

  it.each([
    [["--second", "3"], /second/],
    [["--seconds", "0"], /--seconds must be a positive number/],
    [["--seconds", "abc"], /--seconds/],
    [["--connections", "1,x"], /--connections must be a whole number ≥ 1, got "x"/],
    [["--rounds", "0"], /--rounds must be a whole number ≥ 1/],
    [["--retries=-1"], /--retries must be a whole number ≥ 0/],
    [["--only", "("], /--only/],
    [["--server-env", "=1"], /KEY=VALUE/],
    [["extra"], /extra/],
  ])("refuses %j with a usage error", (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});
