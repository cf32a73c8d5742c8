import { beforeAll, describe, expect, it } from "vitest";
import { PROTO_FILE } from "../../src/grpc/server.js";
import { runClientScript, v2ClientsPython } from "../support/v2-clients.js";

type Comparison = { compared: number; mismatches: string[]; ours_only: string[]; theirs_only: string[] };

/**
 * The shipped proto against the descriptors tritonclient.grpc and kserve's gRPC client are
 * generated from (pinned in the clients' venv): same messages, field numbers, types and methods.
 */
describe("gRPC proto matches the V2 clients' definitions", () => {
  let python = "";
  beforeAll(() => {
    python = v2ClientsPython();
  }, 600_000);
  const compare = (client: string) =>
    runClientScript(python, "proto_fields.py", [PROTO_FILE, client]) as Comparison;

  it("tritonclient: every field and method the same", () => {
    const c = compare("tritonclient");
    expect(c.compared).toBeGreaterThan(60);
    expect(c).toMatchObject({ mismatches: [], ours_only: [], theirs_only: [] });
  });

  it("kserve: the same, except two InferParameter choices its proto lacks (skipped as unknown fields)", () => {
    const c = compare("kserve");
    expect(c.compared).toBeGreaterThan(60);
    expect(c).toMatchObject({ mismatches: [], theirs_only: [] });
    expect(c.ours_only).toEqual([
      "inference.InferParameter.double_param",
      "inference.InferParameter.uint64_param",
    ]);
  });
});
