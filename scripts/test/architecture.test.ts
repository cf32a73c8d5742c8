import { beforeAll, describe, expect, it } from "vitest";
import { type FileImports, importCircles, importGraph, sourceFiles } from "../lib/imports.js";

/**
 * The import rules of docs/architecture.md, held against the code: the server's layers import
 * only downwards, the contract imports nothing, the tools use the server and never the reverse,
 * each infra folder keeps to itself and the shared library, and nothing anywhere imports in a circle.
 */

/** The server's layers, each with the layers it may import (a layer may always import itself). */
const SERVER_LAYERS: Record<string, readonly string[]> = {
  contract: [],
  paths: [],
  errors: ["contract"],
  runtime: ["contract", "errors"],
  repository: ["contract", "errors"],
  metrics: ["contract"],
  protocol: ["contract", "errors", "runtime"],
  core: ["contract", "errors", "runtime", "repository", "metrics", "protocol"],
  http: ["contract", "errors", "paths", "runtime", "repository", "metrics", "protocol", "core"],
  grpc: ["contract", "errors", "paths", "runtime", "metrics", "protocol", "core"],
  process: [
    "contract",
    "errors",
    "paths",
    "runtime",
    "repository",
    "metrics",
    "protocol",
    "core",
    "http",
    "grpc",
  ],
  main: ["process"],
};

/** Packages that belong to one transport: nothing below it may depend on them. */
const TRANSPORT_PACKAGES: Record<string, readonly string[]> = {
  fastify: ["http", "process"],
  "@fastify": ["http"],
  "fastify-metrics": ["http"],
  "@grpc": ["grpc", "process"],
};

/** The server layer of a file under service/src ("core" for service/src/core/x.ts, "errors" for errors.ts). */
function serverLayer(file: string): string | undefined {
  const m = /^service\/src\/([^/]+?)(?:\.ts|\/)/.exec(file);
  return m?.[1];
}

/** The part of the repository a file belongs to: its first folder, or "root". */
const part = (file: string) => (file.includes("/") ? (file.split("/")[0] as string) : "root");

const INFRA = ["helm", "argocd", "observability", "terraform", "kube"];

let graph: Map<string, FileImports>;
beforeAll(async () => {
  graph = importGraph(await sourceFiles());
});

const sources = (prefix: string) => [...graph.values()].filter((f) => f.file.startsWith(prefix));

describe("import rules (docs/architecture.md)", () => {
  it("reads the whole repository", () => {
    expect(graph.size).toBeGreaterThan(300);
    expect(sources("service/src/").length).toBeGreaterThan(60);
  });

  it("the server's layers import only the layers below them", () => {
    const broken: string[] = [];
    for (const { file, files } of sources("service/src/")) {
      const layer = serverLayer(file);
      const allowed = layer === undefined ? undefined : SERVER_LAYERS[layer];
      if (!allowed) {
        broken.push(`${file}: not in a known layer`);
        continue;
      }
      for (const target of files) {
        const to = serverLayer(target);
        if (to === undefined) broken.push(`${file} -> ${target}: outside the server`);
        else if (to !== layer && !allowed.includes(to))
          broken.push(`${file} -> ${target} (${layer} -> ${to})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("only the transports (and the process) depend on Fastify and gRPC", () => {
    const broken: string[] = [];
    for (const { file, packages } of sources("service/src/")) {
      const layer = serverLayer(file) as string;
      for (const pkg of packages) {
        const owners = TRANSPORT_PACKAGES[pkg];
        if (owners && !owners.includes(layer)) broken.push(`${file} imports ${pkg}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("the server never imports a tool; tools import the server, not its tests", () => {
    const broken: string[] = [];
    for (const { file, files } of graph.values()) {
      for (const target of files) {
        if (file.startsWith("service/") && target.startsWith("tools/")) broken.push(`${file} -> ${target}`);
        if (file.startsWith("tools/src/") && /^(service|tools)\/test\//.test(target))
          broken.push(`${file} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("each infra folder keeps to itself and the shared library (scripts/lib)", () => {
    const broken: string[] = [];
    for (const { file, files } of graph.values()) {
      const from = part(file);
      if (!INFRA.includes(from)) continue;
      for (const target of files) {
        const to = part(target);
        if (to !== from && !target.startsWith("scripts/lib/") && !(to === "service" || to === "tools"))
          broken.push(`${file} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("the shared library (scripts/lib) imports no part that uses it", () => {
    const broken = sources("scripts/lib/").flatMap(({ file, files }) =>
      files.filter((t) => !t.startsWith("scripts/lib/")).map((t) => `${file} -> ${t}`),
    );
    expect(broken).toEqual([]);
  });

  it("has no import circles anywhere, tests included", () => {
    expect(importCircles(graph)).toEqual([]);
  });

  it("finds a circle and a layer break when there is one (the checks can fail)", () => {
    const fake = new Map<string, FileImports>([
      [
        "service/src/core/a.ts",
        { file: "service/src/core/a.ts", files: ["service/src/http/b.ts"], packages: [] },
      ],
      [
        "service/src/http/b.ts",
        { file: "service/src/http/b.ts", files: ["service/src/core/a.ts"], packages: [] },
      ],
    ]);
    expect(importCircles(fake)).toEqual([["service/src/core/a.ts", "service/src/http/b.ts"]]);
    expect(SERVER_LAYERS.core).not.toContain(serverLayer("service/src/http/b.ts"));
  });
});
