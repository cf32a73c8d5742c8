import { readFileSync } from "node:fs";

/**
 * Summarizes a V8 .cpuprofile (node --cpu-prof): self time by function and by package/module, and
 * inclusive time of a few functions of interest, as percentages of the profile's busy time.
 *
 *   npx tsx bench/profile-summary.ts PROFILE.cpuprofile [--top 40] [--focus name1,name2] [--skip-ms 3000]
 *
 * --skip-ms ignores the first milliseconds of the profile (start-up, module loading, warm-up).
 */
type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const args = process.argv.slice(2);
const file = args[0];
if (!file) throw new Error("usage: profile-summary.ts PROFILE.cpuprofile [--top N] [--focus a,b]");
const top = Number(args.includes("--top") ? args[args.indexOf("--top") + 1] : 40) || 40;
const focus = args.includes("--focus") ? (args[args.indexOf("--focus") + 1] ?? "").split(",") : [];
const skipUs = 1000 * (Number(args.includes("--skip-ms") ? args[args.indexOf("--skip-ms") + 1] : 0) || 0);
const p = JSON.parse(readFileSync(file, "utf8")) as Profile;

const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
let clock = 0;
p.samples.forEach((id, i) => {
  clock += p.timeDeltas[i] ?? 0;
  if (clock >= skipUs) self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self]
  .filter(([id]) => byId.get(id)?.callFrame.functionName === "(idle)")
  .reduce((a, [, t]) => a + t, 0);
const busy = total - idle;

function module(url: string): string {
  if (!url) return "(native/VM)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith("node:")) return url;
  const src = url.indexOf("/service/src/");
  if (src >= 0) return `service/src/${url.slice(src + 13)}`;
  return url.replace(/^file:\/\//, "");
}

const fnSelf = new Map<string, number>();
const modSelf = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id) as Node;
  const { functionName, url, lineNumber } = n.callFrame;
  if (functionName === "(idle)") continue;
  const key = `${functionName || "(anonymous)"}  ${module(url)}${url ? `:${lineNumber + 1}` : ""}`;
  fnSelf.set(key, (fnSelf.get(key) ?? 0) + t);
  modSelf.set(module(url), (modSelf.get(module(url)) ?? 0) + t);
}

const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)}%`;
const show = (title: string, m: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(t)}  ${k}`);
};
console.log(
  `${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (${((100 * busy) / total).toFixed(0)}%)`,
);
show("self time by module (% of busy)", modSelf, 25);
show("self time by function (% of busy)", fnSelf, top);

if (focus.length) {
  // Inclusive time: every sample whose stack contains a frame with that name (counted once).
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, number>();
  for (const [id, t] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)?.callFrame.functionName ?? "";
      if (focus.includes(name) && !seen.has(name)) {
        seen.add(name);
        incl.set(name, (incl.get(name) ?? 0) + t);
      }
    }
  }
  show("inclusive time (% of busy)", incl, focus.length);
}
