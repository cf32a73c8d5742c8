import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES } from "../../src/process/env-schema.js";
import { REPO_ROOT } from "../support/paths.js";

/** README's Configuration table documents every variable the server reads, and nothing else. */
describe("README Configuration table", () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.slice(
    readme.indexOf("\n## Configuration\n"),
    readme.indexOf("\n## Model repository\n"),
  );
  const documented = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);

  it("has a row for every variable, in the schema or not", () => {
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(30);
    expect(CONFIG_VARIABLES.filter((v) => !documented.includes(v))).toEqual([]);
    expect(documented.filter((v) => !CONFIG_VARIABLES.includes(v as string))).toEqual([]);
  });
});
