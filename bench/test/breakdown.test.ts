import { describe, expect, it } from "vitest";
import { breakdown } from "../lib/breakdown.js";
import { type CpuProfile, windowOf } from "../lib/cpuprofile.js";
import { renderFlameGraph } from "../lib/flame-graph.js";

/**
 * The per-request breakdown of a CPU profile (issue #25): samples cut to the measured window, a
 * native leaf credited to the code that called it, V8's "(idle)" split with the main thread's CPU
 * time into native I/O and real waiting, and the flame graph drawn from the same window.
 */
const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url, lineNumber: 0 },
  children,
});
const APP = "file:///repo/bench/results/dist/service/src";
const NM = "file:///repo/node_modules";

// root ─┬ (idle)
//       ├ (garbage collector)
//       └ routeHandler (fastify) ─┬ _parse (secure-json-parse) ─ parse (native JSON.parse)
//                                 └ infer (service/src/http/routes) ─ encodeInferResponse (protocol)
const profile: CpuProfile = {
  nodes: [
    frame(1, "(root)", "", [2, 3, 4]),
    frame(2, "(idle)", ""),
    frame(3, "(garbage collector)", ""),
    frame(4, "routeHandler", `${NM}/fastify/lib/route.js`, [5, 7]),
    frame(5, "_parse", `${NM}/secure-json-parse/index.js`, [6]),
    frame(6, "parse", ""),
    frame(7, "infer", `${APP}/http/routes/v2-models.js`, [8]),
    frame(8, "encodeInferResponse", `${APP}/protocol/v2-codec.js`),
  ],
  startTime: 1_000,
  endTime: 1_000 + 11 * 100,
  // One sample every 100 µs; the first one falls before the window below.
  samples: [6, 6, 6, 2, 2, 2, 2, 3, 8, 4, 7],
  timeDeltas: new Array(11).fill(100),
};

describe("CPU profile breakdown", () => {
  const w = windowOf(profile, 1_150, 2_100); // leaves out the first sample only

  it("keeps the window's samples and credits a native leaf to its caller's category", () => {
    expect(w.total).toBe(1_000);
    expect(w.idle).toBe(400);
    const rows = breakdown(w, 4);
    const us = (id: string) => rows.find((r) => r.id === id)?.usPerRequest;
    expect(us("body-parse")).toBe(50); // two JSON.parse samples, 200 µs over 4 requests
    expect(us("idle")).toBe(100);
    expect(us("gc")).toBe(25);
    expect(us("encoding")).toBe(25);
    expect(us("fastify")).toBe(25);
    expect(us("handler")).toBe(25);
    expect(rows.reduce((a, r) => a + r.share, 0)).toBeCloseTo(1, 10);
    expect(rows[0]?.id).toBe("idle"); // most first
  });

  it("splits V8's idle into native work and waiting by the main thread's CPU time", () => {
    // 600 µs of JS were sampled; the thread was on CPU for 900: 300 of the "idle" were native work.
    const rows = breakdown(w, 4, { mainUs: 900, othersUs: 120 });
    const ms = (id: string) => rows.find((r) => r.id === id)?.ms;
    expect(ms("native-io")).toBeCloseTo(0.3, 10);
    expect(ms("idle")).toBeCloseTo(0.1, 10);
    expect(ms("other-threads")).toBeCloseTo(0.12, 10);
  });

  it("draws the window's busy time as a flame graph, idle left out", () => {
    const svg = renderFlameGraph({ title: "t <1>", subtitle: ["s"], window: w, breakdown: breakdown(w, 4) });
    expect(svg.startsWith("<svg ")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("t &lt;1&gt;");
    expect(svg).toContain("<title>_parse node_modules/secure-json-parse/index.js:1: 0.2 ms (33.3 %)</title>");
    expect(svg).not.toContain("<title>(idle)");
  });
});
