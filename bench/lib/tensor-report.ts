import type { LoadResult } from "./load.js";
import type { RawPoint } from "./report.js";

/**
 * The rows issue #25 added, their types and how the report shows them: one batch of images
 * ([8, 3, 224, 224] FP32) per request over V2 JSON, V2 binary tensor data and gRPC beside raw ONNX
 * Runtime on the same batch, and the cold start of a ~100 MB artifact from the local S3 API.
 */
export const TENSOR_PROTOCOLS = ["json", "binary", "grpc", "floor"] as const;
export type TensorProtocol = (typeof TENSOR_PROTOCOLS)[number];

export const PROTOCOL_NAMES: Readonly<Record<TensorProtocol, string>> = {
  json: "infergate, V2 JSON (data as a flat number array)",
  binary: "infergate, V2 binary tensor data extension",
  grpc: "infergate, gRPC ModelInfer, raw_input_contents",
  floor: "bare node:http reading the binary body, answering a few bytes (HTTP floor, no model)",
};

export type TensorRow = {
  protocol: TensorProtocol;
  connections: number;
  /** Bytes of one request body (gRPC: of the tensor). */
  bodyBytes: number;
  round?: number;
  rpsRange?: [number, number];
} & LoadResult;

/** One round's points: every protocol, and raw ORT on the same batch. */
export type TensorRound = { rows: TensorRow[]; raw: RawPoint[] };

export type TensorResult = TensorRound & { title: string; shape: number[] };

/** One cold start: the artifact's plain download and the server's spawn to ready, in ms. */
export type ColdStartRound = {
  downloadMs: number;
  readyMs: number;
  /** The server's own infergate_model_load_duration_seconds (fetch, verify, session, warm-up). */
  loadMs: number | undefined;
};

export type ColdStartResult = { title: string; artifactBytes: number; rounds: ColdStartRound[] };

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
}

/** Per protocol the round with the median req/s (with the range), and raw ORT's median rate. */
export function summariseTensors(rounds: readonly TensorRound[]): TensorRound {
  const rows = TENSOR_PROTOCOLS.flatMap((p) => {
    const all = rounds.flatMap((r) => r.rows.filter((x) => x.protocol === p)).sort((a, b) => a.rps - b.rps);
    const mid = all[Math.floor((all.length - 1) / 2)];
    if (!mid) return [];
    return [
      all.length > 1
        ? { ...mid, rpsRange: [all[0]?.rps, all[all.length - 1]?.rps] as [number, number] }
        : mid,
    ];
  });
  const first = rounds[0]?.raw ?? [];
  const raw = first.map((p) => {
    const rowsPerSec = median(rounds.map((r) => r.raw.find((q) => q.batch === p.batch)?.rowsPerSec ?? 0));
    return { ...p, rowsPerSec, msPerRun: (1000 * p.batch) / rowsPerSec };
  });
  return { rows, raw };
}

/** The round with the median time to ready. */
export function medianColdStart(rounds: readonly ColdStartRound[]): ColdStartRound | undefined {
  const s = [...rounds].sort((a, b) => a.readyMs - b.readyMs);
  return s[Math.floor((s.length - 1) / 2)];
}

const f = (v: number, d: number) => v.toFixed(d);

/** Markdown sections of both (empty when the run measured neither). */
export function tensorMarkdown(
  tensors: TensorResult | undefined,
  cold: ColdStartResult | undefined,
): string[] {
  const out: string[] = [];
  if (tensors) {
    const raw = tensors.raw[0];
    out.push(
      "",
      `## ${tensors.title}`,
      "",
      "| protocol | conns | MB per request | req/s | req/s range | ms per request | p50 ms | p99 ms | errors | CPU cores: server / load gen / other |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...tensors.rows.map(
        (r) =>
          `| ${PROTOCOL_NAMES[r.protocol]} | ${r.connections} | ${f(r.bodyBytes / 1e6, 1)} | ${f(r.rps, 1)} | ${r.rpsRange ? `${f(r.rpsRange[0], 1)}–${f(r.rpsRange[1], 1)}` : ""} | ${f(1000 / r.rps, 2)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${r.non2xx + r.errors} | ${r.cpu ? `${f(r.cpu.server, 2)}/${f(r.cpu.load, 2)}/${f(r.cpu.other, 2)}` : ""} |`,
      ),
      ...(raw
        ? [
            `| raw ONNX Runtime in-process, same batch (${raw.batch} images) | – | – | ${f(1000 / raw.msPerRun, 1)} | | ${f(raw.msPerRun, 2)} | | | | |`,
          ]
        : []),
    );
  }
  if (cold) {
    const m = medianColdStart(cold.rounds);
    out.push(
      "",
      `## ${cold.title}`,
      "",
      `Artifact ${f(cold.artifactBytes / 1e6, 1)} MB; ${cold.rounds.length} cold start(s), each with an empty model cache; the median one:`,
      "",
      "| download alone (SDK GetObject to a file) | spawn to ready | ready − download | the server's own model load (fetch, verify, session, warm-up) |",
      "| ---: | ---: | ---: | ---: |",
      ...(m
        ? [
            `| ${f(m.downloadMs, 0)} ms | ${f(m.readyMs, 0)} ms | ${f(m.readyMs - m.downloadMs, 0)} ms | ${m.loadMs === undefined ? "not reported" : `${f(m.loadMs, 0)} ms`} |`,
          ]
        : []),
      "",
      `All rounds (download / ready ms): ${cold.rounds.map((r) => `${f(r.downloadMs, 0)} / ${f(r.readyMs, 0)}`).join(", ")}`,
    );
  }
  return out;
}
