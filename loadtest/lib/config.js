// Stage configuration for the k6 load gate: defaults from loadtest/stages.json, overridden by
// environment variables (k6 -e NAME=value or the process environment). Plain k6 JavaScript,
// no network imports: everything here runs offline.

const STAGES = JSON.parse(open("../stages.json"));

/** "1m30s", "30s", "500ms", "2m" → milliseconds. */
export function parseDuration(text) {
  const s = String(text).trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    total += Number(m[1]) * unit[m[2]];
    consumed += m[0].length;
  }
  if (consumed !== s.length || consumed === 0)
    throw new Error(`invalid duration "${text}" (use e.g. 500ms, 30s, 2m)`);
  return total;
}

function num(name, fallback, { min = 0, integer = false } = {}) {
  const raw = __ENV[name];
  if (raw === undefined || raw === "") return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    throw new Error(`${name}=${raw}: expected a${integer ? "n integer" : " number"} >= ${min}`);
  }
  return v;
}

function str(name, fallback) {
  const raw = __ENV[name];
  return raw === undefined || raw === "" ? fallback : raw;
}

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

/** Ramp, hold, spike, hold, fall back, recover: fractions of the total duration. */
function spikeProfile(base, peak, durationMs) {
  const parts = [
    [base, 0.2],
    [base, 0.2],
    [peak, 0.1],
    [peak, 0.2],
    [base, 0.1],
    [base, 0.2],
  ];
  return parts.map(([target, f]) => ({ target, duration: `${Math.max(1, Math.round(durationMs * f))}ms` }));
}

/** Average arrival rate of a ramping-arrival-rate profile (piecewise linear from startRate). */
function averageRate(startRate, stages) {
  let area = 0;
  let time = 0;
  let from = startRate;
  for (const s of stages) {
    const d = parseDuration(s.duration);
    area += ((from + s.target) / 2) * d;
    time += d;
    from = s.target;
  }
  return time === 0 ? 0 : area / time;
}

/**
 * The resolved configuration of one stage: scenario, thresholds and everything the summary reports.
 * `stage` is "smoke", "load" or "stress".
 */
export function stageConfig(stage) {
  const d = STAGES[stage];
  if (!d) throw new Error(`unknown stage "${stage}"`);
  const durationText = str("DURATION", d.duration);
  const durationMs = parseDuration(durationText);
  const cfg = {
    stage,
    description: d.description,
    baseUrl: str("BASE_URL", "http://127.0.0.1:8080").replace(/\/+$/, ""),
    model: str("MODEL", "digits"),
    batch: num("BATCH", 1, { min: 1, integer: true }),
    v1Share: num("V1_SHARE", 0.2),
    requestTimeout: str("REQUEST_TIMEOUT", "10s"),
    summaryDir: str("SUMMARY_DIR", "loadtest/results").replace(/\/+$/, ""),
    duration: durationText,
    durationMs,
    p95Ms: num("P95_MS", d.p95_ms),
    p99Ms: num("P99_MS", d.p99_ms),
    maxErrorRate: num("MAX_ERROR_RATE", d.max_error_rate),
    minRps: 0,
    expectedRps: undefined,
    scenario: undefined,
  };
  if (cfg.v1Share > 1) throw new Error(`V1_SHARE=${cfg.v1Share}: expected a fraction between 0 and 1`);

  if (stage === "smoke") {
    const vus = num("VUS", d.vus, { min: 1, integer: true });
    cfg.vus = vus;
    cfg.scenario = { executor: "constant-vus", vus, duration: durationText, gracefulStop: "5s" };
  } else if (stage === "load") {
    const rate = num("RATE", d.rate, { min: 1, integer: true });
    cfg.rate = rate;
    cfg.expectedRps = rate;
    cfg.scenario = {
      executor: "constant-arrival-rate",
      rate,
      timeUnit: "1s",
      duration: durationText,
      preAllocatedVUs: clamp(Math.ceil(rate / 10), 2, 50),
      maxVUs: num("MAX_VUS", clamp(rate, 10, 500), { min: 1, integer: true }),
      gracefulStop: "10s",
    };
  } else {
    const rate = num("RATE", d.rate, { min: 1, integer: true });
    const peak = num("PEAK_RATE", Math.max(d.peak_rate, rate), { min: 1, integer: true });
    const stages = spikeProfile(rate, peak, durationMs);
    cfg.rate = rate;
    cfg.peakRate = peak;
    cfg.expectedRps = averageRate(0, stages);
    cfg.scenario = {
      executor: "ramping-arrival-rate",
      startRate: 0,
      timeUnit: "1s",
      stages,
      preAllocatedVUs: clamp(Math.ceil(peak / 10), 2, 100),
      maxVUs: num("MAX_VUS", clamp(peak * 2, 10, 1000), { min: 1, integer: true }),
      gracefulStop: "10s",
    };
  }
  // An explicit MIN_RPS wins; otherwise a stage's absolute min_rps; otherwise a ratio of the
  // rate the executor is asked to produce (so --rate overrides keep a consistent gate).
  const fromRatio =
    d.min_rps_ratio !== undefined && cfg.expectedRps !== undefined ? d.min_rps_ratio * cfg.expectedRps : 0;
  cfg.minRps = num("MIN_RPS", d.min_rps ?? Math.floor(fromRatio * 100) / 100);
  return cfg;
}

/**
 * The gate's thresholds, as a list the summary can report on, and as k6's `thresholds` option.
 * Latency and rate apply to inference requests only (tag kind=infer); the error rate covers every
 * check the script makes (status and response shape).
 */
export function gateThresholds(cfg) {
  const list = [
    {
      metric: "http_req_duration{kind:infer}",
      expr: `p(95)<${cfg.p95Ms}`,
      label: "p95 latency",
      stat: "p(95)",
      unit: "ms",
    },
    {
      metric: "http_req_duration{kind:infer}",
      expr: `p(99)<${cfg.p99Ms}`,
      label: "p99 latency",
      stat: "p(99)",
      unit: "ms",
    },
    {
      metric: "gate_errors",
      expr: `rate<=${cfg.maxErrorRate}`,
      label: "error rate",
      stat: "rate",
      unit: "fraction",
    },
  ];
  if (cfg.minRps > 0) {
    list.push({
      metric: "http_reqs{kind:infer}",
      expr: `rate>=${cfg.minRps}`,
      label: "achieved request rate",
      stat: "rate",
      unit: "per_second",
    });
  }
  const option = {};
  for (const t of list) {
    if (!option[t.metric]) option[t.metric] = [];
    option[t.metric].push(t.expr);
  }
  return { list, option };
}

/** The k6 `options` export of a stage. */
export function k6Options(cfg) {
  return {
    scenarios: { [cfg.stage]: cfg.scenario },
    thresholds: gateThresholds(cfg).option,
    summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)", "count"],
    discardResponseBodies: false,
    setupTimeout: "60s",
    teardownTimeout: "10s",
  };
}
