import fc from "fast-check";

/**
 * Mutations of a JSON request body as a tree: a value replaced by one of another type or range,
 * a key deleted or added, an array entry duplicated or dropped, a value nested deeper. They act
 * on any body (V2, V1, a binary request's header), so every field of every decoder gets the
 * same treatment without a hand-written list per field.
 *
 * Some hostile bodies cannot be built as JS values and stringified: data nested 100,000 deep
 * (JSON.stringify would recurse that deep in the test itself), numbers JSON allows and JS does
 * not keep (1e400, 123456789012345678901234567890), lone surrogate escapes, a key given twice.
 * Those travel as `RawJson`, spliced into the text by `serialize`.
 */
export class RawJson {
  constructor(
    readonly text: string,
    /** How a counterexample prints it (a 200 KB token would bury the rest). */
    private readonly label = text.length <= 60 ? text : `${text.slice(0, 40)}… (${text.length} chars)`,
  ) {}
  toJSON(): string {
    return rawMarker(this);
  }
  [fc.toStringMethod](): string {
    return `RawJson(${this.label})`;
  }
}

const raws: RawJson[] = [];
const rawMarker = (r: RawJson) => {
  raws.push(r);
  return `\u0001raw${raws.length - 1}\u0001`;
};

/** The body's JSON text, with every RawJson's text spliced in where it stands. */
export function serialize(value: unknown): string {
  raws.length = 0;
  const text = JSON.stringify(value) ?? "";
  // JSON.stringify escapes \u0001, so a marker can only come from a RawJson.
  return text.replace(/"\\u0001raw(\d+)\\u0001"/g, (_m, i: string) => (raws[Number(i)] as RawJson).text);
}

/** `depth` arrays one inside the other around a single 1: built as text, never as a JS value. */
export const deepArray = (depth: number) =>
  new RawJson(`${"[".repeat(depth)}1${"]".repeat(depth)}`, `1 in ${depth} nested arrays`);

/** JSON tokens a JS value cannot produce, each a different way for a parser or a check to slip. */
const rawTokens = fc.constantFrom(
  "1e400",
  "-1e400",
  "123456789012345678901234567890",
  "-0",
  "1.0",
  "64.0000000000000001",
  "1E2",
  '"\\ud800"',
  '"\\u0000"',
  '{"a":1,"a":[2]}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
);

/** Values of every JSON type and of the ranges that break integer, size and index checks. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    -0.5,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    2 ** 64,
    -(2 ** 53),
    1e308,
    5e-324,
    "",
    "0",
    "64",
    "-1",
    "FP32",
    "input",
    "__proto__",
    [],
    {},
    [[]],
    [null],
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 12, unit: "binary" }),
  fc.jsonValue({ maxDepth: 2 }),
  rawTokens.map((t) => new RawJson(t)),
  fc.constantFrom(10, 1_000, 100_000).map(deepArray),
);

type Path = (string | number)[];

/** Paths to every node, large arrays stood for by themselves and their first and last entries. */
function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) {
    const picks = value.length > 4 ? [0, value.length - 1] : value.keys();
    for (const i of picks) pathsOf(value[i], [...at, i], out);
  } else if (typeof value === "object" && value !== null && !(value instanceof RawJson)) {
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  }
  return out;
}

export type TreeMutation =
  | { op: "replace"; pick: number; value: unknown }
  | { op: "delete"; pick: number }
  | { op: "add"; pick: number; key: string; value: unknown }
  | { op: "duplicate"; pick: number }
  | { op: "wrap"; pick: number };

/** Keys added to objects: the prototype-poisoning ones, and near-misses of real field names. */
const addedKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "data", "shape", "parameters", "inputs", "name"),
  fc.string({ maxLength: 8 }),
);

export const treeMutation: fc.Arbitrary<TreeMutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant("replace" as const), pick: fc.nat(), value: hostileValue }),
  },
  fc.record({ op: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ op: fc.constant("add" as const), pick: fc.nat(), key: addedKey, value: hostileValue }),
  fc.record({ op: fc.constant("duplicate" as const), pick: fc.nat() }),
  fc.record({ op: fc.constant("wrap" as const), pick: fc.nat() }),
);

/**
 * Applies `m` to a copy of `body` (the node: `pick` modulo the number of nodes) and returns it.
 * An added key is defined, not assigned, so `__proto__` becomes a real key of the JSON text.
 */
export function applyTreeMutation(body: unknown, m: TreeMutation): unknown {
  const root = { root: structuredCloneRaw(body) } as Record<string, unknown>;
  const paths = pathsOf(root.root).map((p) => ["root", ...p]);
  const path = paths[m.pick % paths.length] as Path;
  const key = path[path.length - 1] as string | number;
  const parent = path
    .slice(0, -1)
    .reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], root) as Record<string | number, unknown>;
  const node = parent[key];
  if (m.op === "replace") parent[key] = m.value;
  else if (m.op === "wrap") parent[key] = [node];
  else if (m.op === "delete") {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (m.op === "duplicate") {
    if (Array.isArray(parent)) parent.splice(key as number, 0, structuredCloneRaw(node));
    else if (Array.isArray(node)) node.push(structuredCloneRaw(node[0]));
  } else if (
    typeof node === "object" &&
    node !== null &&
    !Array.isArray(node) &&
    !(node instanceof RawJson)
  ) {
    Object.defineProperty(node, m.key, {
      value: m.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else if (Array.isArray(node)) node.push(m.value);
  return root.root;
}

/** A deep copy that keeps RawJson tokens (structuredClone would turn them into plain objects). */
function structuredCloneRaw(v: unknown): unknown {
  if (v instanceof RawJson || typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map(structuredCloneRaw);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    Object.defineProperty(out, k, {
      value: structuredCloneRaw(x),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
