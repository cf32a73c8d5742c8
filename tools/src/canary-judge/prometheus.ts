/**
 * A minimal client of the Prometheus HTTP API (instant and range queries), enough for the
 * canary verdict. Every failure (unreachable server, HTTP error, PromQL error, unexpected
 * answer) is a PrometheusQueryError: the verdict could not be reached (exit code 2).
 */

export class PrometheusQueryError extends Error {
  override name = "PrometheusQueryError";
}

export type Labels = Record<string, string>;
export type InstantSample = { labels: Labels; value: number };
export type RangeSeries = { labels: Labels; values: { time: number; value: number }[] };

type ApiResponse = {
  status: "success" | "error";
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: unknown[] };
};

/** Prometheus sample values are strings; "+Inf"/"-Inf"/"NaN" included. */
export function parseSampleValue(text: string): number {
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(text); // "NaN" -> NaN
}

export class PrometheusClient {
  readonly baseUrl: string;

  constructor(
    url: string,
    private readonly timeoutMs = 30_000,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PrometheusQueryError(`not a URL: "${url}"`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new PrometheusQueryError(`not an http(s) URL: "${url}"`);
    }
    this.baseUrl = parsed.href.replace(/\/+$/, "");
  }

  private async call(path: string, params: Record<string, string>): Promise<unknown[]> {
    const url = `${this.baseUrl}${path}`;
    let res: Response;
    try {
      // POST with a form body: queries can be longer than a URL may be.
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      throw new PrometheusQueryError(`cannot reach Prometheus at ${url}: ${cause}`);
    }
    const text = await res.text();
    let body: ApiResponse;
    try {
      body = JSON.parse(text) as ApiResponse;
    } catch {
      throw new PrometheusQueryError(
        `${url}: HTTP ${res.status}, not a Prometheus API answer: ${text.slice(0, 200)}`,
      );
    }
    if (!res.ok || body.status !== "success" || !body.data) {
      throw new PrometheusQueryError(
        `${url}: ${body.errorType ?? `HTTP ${res.status}`}: ${body.error ?? "no data"}\n  query: ${params.query}`,
      );
    }
    return body.data.result;
  }

  /** Instant query at `time` (unix seconds). */
  async query(promql: string, time: number): Promise<InstantSample[]> {
    const result = await this.call("/api/v1/query", { query: promql, time: String(time) });
    return result.map((r) => {
      const s = r as { metric?: Labels; value?: [number, string] };
      if (!s.value) throw new PrometheusQueryError(`unexpected instant query result for ${promql}`);
      return { labels: s.metric ?? {}, value: parseSampleValue(s.value[1]) };
    });
  }

  /** Range query from `start` to `end` (unix seconds) every `step` seconds. */
  async queryRange(promql: string, start: number, end: number, step: number): Promise<RangeSeries[]> {
    const result = await this.call("/api/v1/query_range", {
      query: promql,
      start: String(start),
      end: String(end),
      step: String(step),
    });
    return result.map((r) => {
      const s = r as { metric?: Labels; values?: [number, string][] };
      if (!s.values) throw new PrometheusQueryError(`unexpected range query result for ${promql}`);
      return {
        labels: s.metric ?? {},
        values: s.values.map(([time, v]) => ({ time, value: parseSampleValue(v) })),
      };
    });
  }
}
