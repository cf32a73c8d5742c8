import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Drift check of the committed benchmark figures: bench/RESULTS.json is the run's own JSON, and
 * the plot (bench/README-throughput.svg) and the generated part of bench/RESULTS.md (from its
 * "- machine:" line on) must be exactly what `bench/run.ts --from` renders from it today.
 */
const out = mkdtempSync(join(tmpdir(), "infergate-bench-drift-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function render(): void {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "bench/run.ts", "--from", "bench/RESULTS.json", "--out", out],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`bench/run.ts --from failed: ${r.stderr}`);
}

describe("committed benchmark results", () => {
  it("plot and tables are what bench/run.ts renders from bench/RESULTS.json", () => {
    render();
    expect(readFileSync(join(out, "throughput.svg"), "utf8")).toBe(
      readFileSync("bench/README-throughput.svg", "utf8"),
    );
    const generated = readFileSync(join(out, "latest.md"), "utf8");
    const committed = readFileSync("bench/RESULTS.md", "utf8");
    const from = (text: string) => text.slice(text.indexOf("- machine: "));
    expect(committed).toContain("- machine: ");
    expect(from(committed)).toBe(from(generated));
  });
});
