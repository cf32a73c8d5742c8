import { SERVER_ENTRY } from "./compile.js";
import { pinned, type Started, startServer } from "./processes.js";
import type { ModelKey } from "./report.js";
import { LARGE_MODEL, LARGE_REPOSITORY } from "./setup.js";

/**
 * What `npm run bench` measures: the servers under test and the baselines (see run.ts), each
 * started on demand for a model, pinned to the server CPU unless it runs several workers.
 */

/** The two models every target serves (the large one is built on first use, see setup.ts). */
export const MODELS: Record<
  ModelKey,
  { title: string; name: string; onnx: string; env: Record<string, string> }
> = {
  small: {
    title: "small model: digits v2 (MLP 64→128→10, shipped)",
    name: "digits",
    onnx: "models/repository/digits/2/model.onnx",
    env: { INFERGATE_MODELS: "digits" },
  },
  large: {
    title: "large model: digits_large v1 (MLP 64→2048→2048→10, ~17 MB)",
    name: "digits_large",
    onnx: LARGE_MODEL,
    env: { INFERGATE_MODEL_REPOSITORY: LARGE_REPOSITORY, INFERGATE_MODELS: "digits_large" },
  },
};

export type Target = {
  id: string;
  /** Canary/shadow targets: read each track's share of the point from the server's /metrics. */
  tracks?: boolean;
  name: string;
  models: ModelKey[];
  /** Multi-worker targets cannot be pinned to the server core. */
  pinned: boolean;
  path: (m: ModelKey) => string;
  readyPath: string;
  start: (m: ModelKey) => Promise<Started>;
};

/** Digits v1 (the candidate) beside v2 (stable, what the plain rows serve), from server config. */
export const CANDIDATE_VERSION = 1;
export const CANDIDATE_ONNX = `models/repository/digits/${CANDIDATE_VERSION}/model.onnx`;

/** What the targets take from the run; the commands are read when a server starts. */
export type TargetContext = {
  /** CPUs for single-process servers (taskset), undefined on a one-CPU machine. */
  serverCpus: string | undefined;
  nCpus: number;
  /** Extra environment for infergate only (--server-env). */
  serverEnv: Record<string, string>;
  /** The command running one of the bench's TypeScript entry points (compiled, see compile.ts). */
  script: (entry: string) => string[];
  /** Python of the FastAPI peer's venv. */
  python: () => string;
};

export function targets(ctx: TargetContext): Target[] {
  const { serverCpus, nCpus, serverEnv } = ctx;
  const twoCpus = nCpus >= 2;

  const infer = (m: ModelKey) => `/v2/models/${MODELS[m].name}/infer`;
  const ours = (m: ModelKey, env: Record<string, string>, cpus: string | undefined) =>
    startServer(
      pinned(cpus, ctx.script(SERVER_ENTRY)),
      { INFERGATE_DOCS: "false", ...MODELS[m].env, ...env, ...serverEnv },
      "/v2/health/ready",
    );
  const fastapi = (m: ModelKey, workers: number, cpus: string | undefined) =>
    startServer(
      pinned(cpus, [
        ctx.python(),
        "-m",
        "uvicorn",
        "--app-dir",
        "bench/peers",
        "fastapi_server:app",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--workers",
        String(workers),
        "--log-level",
        "warning",
        "--no-access-log",
      ]),
      { MODEL_PATH: MODELS[m].onnx, MODEL_NAME: MODELS[m].name, PYTHONDONTWRITEBYTECODE: "1" },
      "/v2/health/ready",
    );

  const both: ModelKey[] = ["small", "large"];
  const withTracks = (mode: "canary" | "shadow", weight: number) => (m: ModelKey) =>
    ours(
      m,
      {
        INFERGATE_WORKERS: "1",
        INFERGATE_BATCHING: "true",
        INFERGATE_POLL_INTERVAL_MS: "0",
        INFERGATE_TRACKS: JSON.stringify({
          [MODELS[m].name]: { stable: 2, candidate: CANDIDATE_VERSION, mode, weight },
        }),
      },
      serverCpus,
    );
  return [
    {
      id: "echo",
      name: "echo (bare Fastify, same bodies)",
      models: ["small"], // the HTTP limit does not depend on the model: measured once, drawn in both panels
      pinned: true,
      path: () => "/echo",
      readyPath: "/ready",
      start: () => startServer(pinned(serverCpus, ctx.script("bench/targets/echo-server.ts")), {}, "/ready"),
    },
    {
      id: "node-echo",
      name: "echo (bare node:http, same bodies)",
      models: ["small"],
      pinned: true,
      path: () => "/echo",
      readyPath: "/ready",
      start: () =>
        startServer(pinned(serverCpus, ctx.script("bench/targets/node-echo-server.ts")), {}, "/ready"),
    },
    {
      id: "infergate-on",
      name: "infergate, batching on",
      models: both,
      pinned: true,
      path: infer,
      readyPath: "/v2/health/ready",
      start: (m) => ours(m, { INFERGATE_WORKERS: "1", INFERGATE_BATCHING: "true" }, serverCpus),
    },
    {
      id: "infergate-off",
      name: "infergate, batching off",
      models: both,
      pinned: true,
      path: infer,
      readyPath: "/v2/health/ready",
      start: (m) => ours(m, { INFERGATE_WORKERS: "1", INFERGATE_BATCHING: "false" }, serverCpus),
    },
    {
      id: "infergate-canary",
      name: "infergate, 10 % canary (v1 beside v2)",
      tracks: true,
      models: ["small"],
      pinned: true,
      path: infer,
      readyPath: "/v2/health/ready",
      start: withTracks("canary", 0.1),
    },
    {
      id: "infergate-shadow",
      name: "infergate, 100 % shadow (v1 beside v2)",
      tracks: true,
      models: ["small"],
      pinned: true,
      path: infer,
      readyPath: "/v2/health/ready",
      start: withTracks("shadow", 1),
    },
    {
      id: "naive",
      name: "naive (Fastify + 1 ORT session)",
      models: both,
      pinned: true,
      path: infer,
      readyPath: "/v2/health/ready",
      start: (m) =>
        startServer(
          pinned(serverCpus, ctx.script("bench/targets/naive-server.ts")),
          { MODEL_PATH: MODELS[m].onnx },
          "/v2/health/ready",
        ),
    },
    {
      id: "fastapi-1w",
      name: "FastAPI + onnxruntime, 1 worker",
      models: both,
      pinned: true,
      path: infer,
      readyPath: "/v2/health/ready",
      start: (m) => fastapi(m, 1, serverCpus),
    },
    ...(twoCpus
      ? [
          {
            id: "infergate-on-2w",
            name: `infergate, batching on, ${nCpus} workers`,
            models: both,
            pinned: false,
            path: infer,
            readyPath: "/v2/health/ready",
            start: (m: ModelKey) =>
              ours(m, { INFERGATE_WORKERS: String(nCpus), INFERGATE_BATCHING: "true" }, undefined),
          },
          {
            id: "fastapi-2w",
            name: `FastAPI + onnxruntime, ${nCpus} workers`,
            models: both,
            pinned: false,
            path: infer,
            readyPath: "/v2/health/ready",
            start: (m: ModelKey) => fastapi(m, nCpus, undefined),
          },
        ]
      : []),
  ];
}
