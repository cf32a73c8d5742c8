import type { CallFrame } from "./cpuprofile.js";

/**
 * The categories of a server's time per request (issue #25; breakdown.ts credits each CPU profile
 * sample to the first frame, from the leaf up, that one of them matches): the parts of a predict
 * request the issue names, by the package or service module a frame's code is in.
 */
export type Category = { id: string; title: string; color: string; matches: (f: CallFrame) => boolean };

const inPackage = (name: string) => (f: CallFrame) => f.url.includes(`/node_modules/${name}/`);
const inService = (path: string) => (f: CallFrame) => f.url.includes(`/service/src/${path}`);
const named = (re: RegExp) => (f: CallFrame) => f.url === "" && re.test(f.functionName);
const any =
  (...tests: ((f: CallFrame) => boolean)[]) =>
  (f: CallFrame) =>
    tests.some((t) => t(f));

/** In order: the first category a frame matches is its category. */
export const CATEGORIES: readonly Category[] = [
  { id: "idle", title: "idle (event loop waiting for I/O)", color: "#e0e0e0", matches: named(/^\(idle\)$/) },
  { id: "gc", title: "garbage collection", color: "#bdbdbd", matches: named(/^\(garbage collector\)$/) },
  {
    id: "socket-write",
    title: "socket writes (write/writev syscalls)",
    color: "#8c6d31",
    matches: named(/^(writev|writeBuffer|writeUtf8String|writeLatin1String|writeAsciiString)$/),
  },
  {
    id: "inference",
    title: "ONNX Runtime (session.run and its JS wrapper)",
    color: "#2ca02c",
    matches: any(
      inPackage("onnxruntime-node"),
      inPackage("onnxruntime-common"),
      inService("runtime/onnx-model"),
    ),
  },
  {
    id: "batching",
    title: "batching hand-off (queue, merge, split)",
    color: "#98df8a",
    matches: any(inService("core/batcher"), inService("core/batch-tensors")),
  },
  {
    id: "body-parse",
    title: "body parse (JSON text → object)",
    color: "#1f77b4",
    matches: any(
      inPackage("secure-json-parse"),
      (f) => f.url.includes("/node_modules/fastify/lib/content-type-parser"),
      inService("http/plugins/content-type"),
      inService("http/binary-body"),
    ),
  },
  {
    id: "validation",
    title: "validation and decoding (request → tensors)",
    color: "#aec7e8",
    matches: any(
      (f) =>
        f.url.includes("/service/src/protocol/") &&
        /^(decode|plain|to|check|flatten|values)/i.test(f.functionName),
      inService("protocol/tensor-header"),
      inService("runtime/datatypes"),
      inPackage("zod"),
      (f) => f.url.includes("/service/src/core/served-version") && /^check/.test(f.functionName),
    ),
  },
  {
    id: "encoding",
    title: "output encoding (tensors → JSON text)",
    color: "#9467bd",
    matches: any(inService("protocol/"), inPackage("fast-json-stringify")),
  },
  {
    id: "routing",
    title: "routing and tracks (URL → route → model version)",
    color: "#c5b0d5",
    matches: any(
      inPackage("find-my-way"),
      inService("core/model-registry"),
      (f) => f.url.includes("/service/src/core/data-plane") && /^(route|parseVersion)/.test(f.functionName),
    ),
  },
  {
    id: "metrics",
    title: "metrics (service and HTTP route series)",
    color: "#ff7f0e",
    matches: any(
      inService("metrics/"),
      inService("http/plugins/route-metrics"),
      inPackage("@prometheus-io"),
      inPackage("fastify-metrics"),
    ),
  },
  {
    id: "logging",
    title: "logging (request logger, request id)",
    color: "#ffbb78",
    matches: any(inPackage("pino"), inService("http/request-logger"), (f) =>
      f.url.includes("/node_modules/fastify/lib/logger"),
    ),
  },
  {
    id: "admission",
    title: "admission (body size, memory budget)",
    color: "#d62728",
    matches: inService("http/plugins/admission"),
  },
  {
    id: "compression",
    title: "compression hooks (@fastify/compress)",
    color: "#ff9896",
    matches: inPackage("@fastify/compress"),
  },
  {
    id: "handler",
    title: "route handler and data plane",
    color: "#17becf",
    matches: any(inService("http/"), inService("core/")),
  },
  {
    id: "fastify",
    title: "Fastify (request, reply, hook runners)",
    color: "#e377c2",
    matches: any(
      inPackage("fastify"),
      inPackage("avvio"),
      inPackage("@fastify"),
      inPackage("light-my-request"),
    ),
  },
  {
    id: "promises",
    title: "promises, ticks and immediates",
    color: "#f7b6d2",
    matches: (f) => /^node:internal\/(process\/task_queues|timers)/.test(f.url),
  },
  {
    id: "node-http",
    title: "Node HTTP server, parser and streams",
    color: "#7f7f7f",
    matches: (f) => f.url.startsWith("node:"),
  },
  {
    id: "program",
    title: "V8 and native code outside JS ((program))",
    color: "#c7c7c7",
    matches: named(/^\(program\)$/),
  },
];

export const OTHER: Category = { id: "other", title: "other", color: "#dbdb8d", matches: () => true };

export function categoryOf(f: CallFrame): Category | undefined {
  return CATEGORIES.find((c) => c.matches(f));
}
