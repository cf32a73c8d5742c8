import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { REPO_ROOT } from "./repo.js";
import { runOk } from "./run.js";

/** One file's imports: repository files it imports (resolved paths) and the packages it names. */
export type FileImports = { file: string; files: string[]; packages: string[] };

// Static imports and re-exports (also multi-line and type-only), dynamic import("..."), vi.mock("...").
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;

/** Every tracked TypeScript/JavaScript source of the repository (no dependencies, build output or fixtures). */
export async function sourceFiles(): Promise<string[]> {
  const out = await runOk("git", ["ls-files", "-co", "--exclude-standard", "*.ts", "*.js", "*.mjs"]);
  return out
    .split("\n")
    .filter((f) => f && !/(^|\/)(node_modules|dist|fixtures)\//.test(f) && !f.endsWith(".d.ts"))
    .filter((f) => !f.startsWith("loadtest/")) // k6 scripts: k6's own module system, checked by k6
    .filter((f) => existsSync(join(REPO_ROOT, f))); // tracked but deleted in the work tree
}

/** The repository file a relative specifier names (a `.js` specifier of a `.ts` file included). */
function resolveSpecifier(from: string, spec: string, known: ReadonlySet<string>): string | undefined {
  const base = normalize(join(dirname(from), spec));
  for (const candidate of [base, base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")])
    if (known.has(candidate)) return candidate;
  return undefined;
}

/** The import graph of the given files (paths relative to the repository root). */
export function importGraph(files: readonly string[]): Map<string, FileImports> {
  const known = new Set(files);
  const graph = new Map<string, FileImports>();
  for (const file of files) {
    const text = readFileSync(join(REPO_ROOT, file), "utf8");
    const entry: FileImports = { file, files: [], packages: [] };
    for (const m of text.matchAll(SPECIFIER)) {
      const spec = (m[1] ?? m[2] ?? m[3]) as string;
      if (spec.startsWith(".")) {
        const target = resolveSpecifier(file, spec, known);
        if (target) entry.files.push(target);
      } else if (!spec.startsWith("node:")) {
        entry.packages.push(
          spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] as string),
        );
      }
    }
    graph.set(file, entry);
  }
  return graph;
}

/** The import circles (strongly connected components of two files or more, or a file importing itself). */
export function importCircles(graph: ReadonlyMap<string, FileImports>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.files ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, indices.get(w) as number));
    }
    if (low.get(v) === indices.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.files.includes(v)) circles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return circles;
}
