import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Errors, type InfergateError } from "../../errors.js";
import type { Metrics } from "../../metrics/service-metrics.js";
import { errorHeaders, HTTP_STATUS } from "../status.js";

/** How long an early-refused body is still read (and thrown away) before the connection is cut. */
const LINGER_MS = 5_000;

declare module "fastify" {
  interface FastifyRequest {
    /** Bytes of the memory budget this request holds until its answer is sent. */
    budgetCharge?: number;
  }
}

/**
 * Admission before a body is read or parsed: a body over the size limit gets a 413, and one the
 * worker's memory budget cannot hold a 503 with Retry-After, without being buffered, so a burst
 * of large requests is answered instead of held (the budget bounds the bytes of bodies in flight;
 * see README "Limits"). A body of unknown or compressed size is charged the limit, what it may
 * inflate to. A refused body is read and dropped before the answer (refuse, drain below).
 */
export function installAdmission(
  app: FastifyInstance,
  limits: { bodyLimitBytes: number; memoryBudgetBytes: number },
  metrics: Metrics,
): void {
  let held = 0;
  const heldGauge = metrics.requestBytesHeld;
  const rejected = {
    tooLarge: metrics.admissionRejected.labels("body_too_large"),
    budget: metrics.admissionRejected.labels("memory_budget"),
  };
  const release = (request: FastifyRequest) => {
    held -= request.budgetCharge ?? 0;
    request.budgetCharge = 0;
    heldGauge.set(held);
  };

  app.addHook("onRequest", (request, reply, done) => {
    if (request.method !== "POST" && request.method !== "PUT") return done();
    const declared = Number(request.headers["content-length"] ?? Number.NaN);
    if (declared > limits.bodyLimitBytes) {
      rejected.tooLarge.inc();
      return refuse(request, reply, Errors.bodyTooLarge(limits.bodyLimitBytes));
    }
    const encoded = request.headers["content-encoding"] !== undefined;
    const charge = Number.isSafeInteger(declared) && !encoded ? declared : limits.bodyLimitBytes;
    if (held + charge > limits.memoryBudgetBytes && held > 0) {
      rejected.budget.inc();
      return refuse(request, reply, Errors.overBudget(charge, limits.memoryBudgetBytes));
    }
    held += charge;
    heldGauge.set(held);
    request.budgetCharge = charge;
    // Released when the answer is sent, or when the client goes away before it.
    request.raw.once("close", () => release(request));
    done();
  });
  app.addHook("onResponse", (request, _reply, done) => {
    release(request);
    done();
  });
  // A body that grows past the limit while it streams (no Content-Length) is refused by Fastify's
  // parser mid-body: read the rest before the answer goes out, as for a refusal above.
  app.addHook("onSend", (request, reply, payload, done) => {
    if (reply.statusCode !== 413 || request.raw.complete) return done(null, payload);
    drain(request).then(() => done(null, payload));
  });
  metrics.requestBytesBudget.set(limits.memoryBudgetBytes);
}

/**
 * Answers a refused request once its body is read and dropped (or LINGER_MS has passed): a client
 * that writes its whole body before it reads, as Python's urllib and requests do, then gets the
 * answer, where answering at once and closing makes its write fail with a broken pipe.
 */
function refuse(request: FastifyRequest, reply: FastifyReply, err: InfergateError): void {
  drain(request).then(() => {
    const headers = errorHeaders(err);
    if (headers) reply.headers(headers);
    void reply.code(HTTP_STATUS[err.kind]).send({ error: err.message });
  });
}

/**
 * Reads and drops the rest of a request's body; resolves when it has all arrived, or after
 * LINGER_MS, when the connection is marked to close after the answer (a body still arriving then
 * is not worth reading), as nginx's lingering close does.
 */
function drain(request: FastifyRequest): Promise<void> {
  const raw = request.raw;
  if (raw.complete) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      raw.socket.once("finish", () => raw.socket.destroy());
      resolve();
    }, LINGER_MS);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    raw.once("end", done);
    raw.once("error", done);
    raw.on("data", () => {});
    raw.resume();
  });
}
