/**
 * Strict core Kubernetes schemas kubeconform can read offline, from the JSON files the pinned
 * PyPI package kubernetes-validate ships (helm/requirements-test.txt; Python only installs it).
 *
 * The package has, per Kubernetes minor, a `vX.Y.0-local-strict/` folder whose per-kind files
 * `$ref` into a shared `/api/_definitions.json` that only its own Python registry resolves.
 * kubeconform resolves refs against the schema file's URL, so it cannot follow them. This writes
 * one self-contained file per kind (the `$defs` it reaches copied in, refs rewritten to
 * `#/$defs/...`), named as kubeconform's template expects:
 * `<dir>/v1.33.0-standalone-strict/deployment-apps-v1.json`. The folder exists only with the
 * `-strict` suffix, so running kubeconform without -strict fails loudly instead of passing.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./repo.js";
import { venv } from "./tools.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const REQUIREMENTS = join(REPO_ROOT, "helm", "requirements-test.txt");
const REF_PREFIXES = ["/api/_definitions.json#/$defs/", "#/$defs/"];

/** Copies a schema node with every `$ref` pointed at `#/$defs/<name>`; adds the names to `found`. */
function rewriteRefs(node: Json, found: Set<string>): Json {
  if (Array.isArray(node)) return node.map((child) => rewriteRefs(child, found));
  if (node === null || typeof node !== "object") return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string") {
      const prefix = REF_PREFIXES.find((p) => value.startsWith(p));
      if (!prefix) throw new Error(`unexpected $ref ${value}`);
      const name = value.slice(prefix.length);
      found.add(name);
      out[key] = `#/$defs/${name}`;
    } else {
      out[key] = rewriteRefs(value, found);
    }
  }
  return out;
}

/** One kind's schema made self-contained: its refs and, transitively, theirs copied into `$defs`. */
export function standalone(schema: Json, definitions: Record<string, Json>): Json {
  const found = new Set<string>();
  const out = rewriteRefs(schema, found) as { [key: string]: Json };
  const defs: Record<string, Json> = {};
  const todo = [...found];
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    if (name in defs) continue;
    const definition = definitions[name];
    if (definition === undefined) throw new Error(`$ref to unknown definition ${name}`);
    const more = new Set<string>();
    defs[name] = rewriteRefs(definition, more);
    todo.push(...[...more].filter((n) => !(n in defs)));
  }
  if (Object.keys(defs).length > 0) out.$defs = defs;
  out.$schema ??= "https://json-schema.org/draft/2020-12/schema";
  return out;
}

/** Writes `<out>/v<minor>.0-standalone-strict/*.json` from the package's strict folder. */
export function writeStandaloneSchemas(packageSchemas: string, minor: string, out: string): number {
  const src = join(packageSchemas, `v${minor}.0-local-strict`);
  if (!existsSync(src)) throw new Error(`no strict schemas for ${minor} in ${packageSchemas}`);
  const definitions = (
    JSON.parse(readFileSync(join(src, "_definitions.json"), "utf8")) as { $defs: Record<string, Json> }
  ).$defs;
  const dst = join(out, `v${minor}.0-standalone-strict`);
  mkdirSync(dst, { recursive: true });
  const kinds = readdirSync(src).filter((f) => f.endsWith(".json") && !f.startsWith("_") && f !== "all.json");
  for (const file of kinds) {
    const schema = JSON.parse(readFileSync(join(src, file), "utf8")) as Json;
    writeFileSync(join(dst, file), JSON.stringify(standalone(schema, definitions)));
  }
  return kinds.length;
}

/** The package's schema folder inside the venv (lib/python3.X/site-packages/kubernetes_validate). */
function packageSchemasIn(venvDir: string): string {
  for (const python of readdirSync(join(venvDir, "lib"))) {
    const dir = join(
      venvDir,
      "lib",
      python,
      "site-packages",
      "kubernetes_validate",
      "kubernetes-json-schema",
    );
    if (existsSync(dir)) return dir;
  }
  throw new Error(`kubernetes-validate is not installed in ${venvDir}`);
}

/**
 * The folder kubeconform's `{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}` template
 * resolves under, generated once per pinned package and generator. The folder name carries a
 * digest of both, so a change regenerates; test processes running at once never see a half
 * written version folder: each writes its own copy and only the first rename wins.
 */
export async function coreSchemas(kubernetesVersion: string): Promise<string> {
  const digest = createHash("sha256")
    .update(readFileSync(REQUIREMENTS))
    .update(readFileSync(new URL(import.meta.url)))
    .digest("hex")
    .slice(0, 16);
  const dir = join(REPO_ROOT, ".tools", "schemas", `kubernetes-${digest}`);
  const minor = kubernetesVersion.split(".").slice(0, 2).join(".");
  const versionDir = `v${minor}.0-standalone-strict`;
  if (existsSync(join(dir, versionDir))) return dir;
  const packageSchemas = packageSchemasIn(await venv("helm-test", REQUIREMENTS));
  const tmp = `${dir}.tmp${process.pid}`;
  writeStandaloneSchemas(packageSchemas, minor, tmp);
  mkdirSync(dir, { recursive: true });
  try {
    renameSync(join(tmp, versionDir), join(dir, versionDir));
  } catch (err) {
    if (!existsSync(join(dir, versionDir))) throw err;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
