/**
 * Turns CustomResourceDefinition manifests into the strict JSON schemas kubeconform reads offline:
 * one file per kind and version, `OUT/<group>/<kind>_<version>.json` (kubeconform's
 * `{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`).
 *
 * The CRDs come from the pinned controller releases (`scripts/tools.sh crds` copies them out of the
 * controllers' Go modules), so the schemas are exactly what those controllers' API servers accept.
 * Strict like kubeconform's core schemas: an object that lists its properties rejects any other
 * (unless the CRD preserves unknown fields there), so a misspelt field fails validation.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT } from "./repo.js";
import { tool } from "./tools.js";

type Schema = { [key: string]: unknown };
type Crd = {
  kind?: string;
  spec?: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema?: { openAPIV3Schema?: Schema } }[];
  };
};

const isSchema = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);

/** OpenAPI v3 (Kubernetes structural schema) → JSON schema kubeconform validates strictly. */
export function strictSchema(node: Schema): Schema {
  if (node["x-kubernetes-int-or-string"] === true) {
    const { type: _type, "x-kubernetes-int-or-string": _flag, ...rest } = node;
    const out = convertChildren(rest);
    if (out.anyOf === undefined) out.anyOf = [{ type: "string" }, { type: "integer" }];
    return out;
  }
  const out = convertChildren(node);
  if (out.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  delete out.nullable;
  const open = node["x-kubernetes-preserve-unknown-fields"] === true;
  if (isSchema(out.properties) && !open && out.additionalProperties === undefined)
    out.additionalProperties = false;
  return out;
}

function convertChildren(node: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "properties" && isSchema(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, isSchema(child) ? strictSchema(child) : child]),
      );
    } else if ((key === "items" || key === "additionalProperties" || key === "not") && isSchema(value)) {
      out[key] = strictSchema(value);
    } else if ((key === "allOf" || key === "anyOf" || key === "oneOf") && Array.isArray(value)) {
      out[key] = value.map((v) => (isSchema(v) ? strictSchema(v) : v));
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Every (file name, schema) a CRD manifest yields: one per served version with a schema. */
export function schemasOf(crd: Crd): [string, Schema][] {
  if (crd.kind !== "CustomResourceDefinition" || !crd.spec) return [];
  const { group, names, versions } = crd.spec;
  return versions.flatMap((v) => {
    const root = v.schema?.openAPIV3Schema;
    if (!root) return [];
    const schema = strictSchema(root);
    // The envelope every object has, whether or not the CRD spells it out.
    schema.properties = {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      ...(isSchema(schema.properties) ? schema.properties : {}),
    };
    schema.additionalProperties = false;
    return [[`${group}/${names.kind.toLowerCase()}_${v.name}.json`, schema] as [string, Schema]];
  });
}

/** Writes the schemas of every CRD manifest in `crdDirs` under `out`; returns how many. */
export function writeCrdSchemas(crdDirs: readonly string[], out: string): number {
  let written = 0;
  for (const dir of crdDirs) {
    for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
        for (const [name, schema] of schemasOf(doc.toJS() as Crd)) {
          const path = join(out, name);
          mkdirSync(join(path, ".."), { recursive: true });
          writeFileSync(path, `${JSON.stringify(schema, null, 2)}\n`);
          written++;
        }
      }
    }
  }
  if (written === 0) throw new Error(`no CRD schemas found in ${crdDirs.join(", ")}`);
  return written;
}

/**
 * The folder of CRD schemas for kubeconform's `{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`
 * template, from the CRDs `scripts/tools.sh crds` links into .tools/crds/<controller>. Named by a
 * digest of the pinned releases and this generator, so a new pin regenerates; concurrent test
 * processes each write their own copy and the first rename wins.
 */
export async function crdSchemas(): Promise<string> {
  await tool("crds");
  const linked = join(REPO_ROOT, ".tools", "crds");
  const crdDirs = readdirSync(linked)
    .sort()
    .map((name) => realpathSync(join(linked, name)));
  const digest = createHash("sha256")
    .update(crdDirs.join("\n"))
    .update(readFileSync(new URL(import.meta.url)))
    .digest("hex")
    .slice(0, 16);
  const dir = join(REPO_ROOT, ".tools", "schemas", `crds-${digest}`);
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.tmp${process.pid}`;
  writeCrdSchemas(crdDirs, tmp);
  try {
    renameSync(tmp, dir);
  } catch (err) {
    if (!existsSync(dir)) throw err;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
