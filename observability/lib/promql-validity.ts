/**
 * PromQL syntax checked by promtool 2.42 (the Prometheus the rules are written for): each
 * expression becomes a recording rule in a throwaway rule file that `promtool check rules` parses.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { run } from "../../scripts/lib/run.js";
import { tool } from "../../scripts/lib/tools.js";

/**
 * The expressions promtool refuses, with its message, by index into `exprs` (empty when all parse).
 * One rule file holds them all; only when promtool refuses it is each checked on its own, since
 * one file per expression would be slow.
 */
export async function invalidExpressions(exprs: readonly string[]): Promise<Map<number, string>> {
  const promtool = await tool("promtool");
  const dir = await mkdtemp(join(tmpdir(), "infergate-promql-"));
  try {
    const check = async (indices: number[]) => {
      const file = join(dir, `rules-${indices.join("-").slice(0, 100)}.yaml`);
      const rules = indices.map((i) => ({ record: `check:expr_${i}`, expr: exprs[i] }));
      await writeFile(file, stringify({ groups: [{ name: "promql-validity", rules }] }));
      return run(promtool, ["check", "rules", file]);
    };
    const all = exprs.map((_, i) => i);
    const invalid = new Map<number, string>();
    if ((await check(all)).code === 0) return invalid;
    for (const i of all) {
      const r = await check([i]);
      if (r.code !== 0) invalid.set(i, (r.stdout + r.stderr).trim().split("\n").slice(-2).join(" "));
    }
    return invalid;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
