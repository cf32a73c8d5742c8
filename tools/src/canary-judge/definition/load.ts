import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AnalysisDefinition, AnalysisDefinitionError, parseDefinition } from "./schema.js";

/** Environment variable holding the definition as base64-encoded JSON (how the chart's Job metric passes it). */
export const DEFINITION_ENV = "INFERGATE_CANARY_ANALYSIS";

/** The repository's copy, found by walking up from this module (works from service/src and from dist). */
export function defaultDefinitionPath(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, "helm/infergate/files/canary-analysis.yaml");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

async function parseYaml(text: string, source: string): Promise<unknown> {
  let yaml: { parse: (s: string) => unknown };
  try {
    yaml = (await import("yaml")) as { parse: (s: string) => unknown };
  } catch {
    throw new AnalysisDefinitionError(
      `${source}: reading YAML needs the "yaml" package (a dev dependency); pass the definition as JSON (a .json file or $${DEFINITION_ENV})`,
    );
  }
  try {
    return yaml.parse(text);
  } catch (err) {
    throw new AnalysisDefinitionError(`${source}: ${(err as Error).message}`);
  }
}

/**
 * Loads the definition: `path` (YAML or .json) when given, else $INFERGATE_CANARY_ANALYSIS
 * (base64 JSON), else the repository's helm/infergate/files/canary-analysis.yaml.
 */
export async function loadDefinition(
  path: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ definition: AnalysisDefinition; source: string }> {
  if (path === undefined && env[DEFINITION_ENV]) {
    const source = `$${DEFINITION_ENV}`;
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(env[DEFINITION_ENV] ?? "", "base64").toString("utf8"));
    } catch (err) {
      throw new AnalysisDefinitionError(`${source}: not base64-encoded JSON (${(err as Error).message})`);
    }
    return { definition: parseDefinition(data, source), source };
  }
  const file = path ?? defaultDefinitionPath();
  if (file === undefined) {
    throw new AnalysisDefinitionError(
      `no canary analysis definition: pass --analysis <file> or set $${DEFINITION_ENV}`,
    );
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new AnalysisDefinitionError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  if (file.endsWith(".json")) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new AnalysisDefinitionError(`${file}: ${(err as Error).message}`);
    }
  } else data = await parseYaml(text, file);
  return { definition: parseDefinition(data, file), source: file };
}
