import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Errors, type InfergateError } from "../../errors.js";
import { bindGauge } from "../../metrics/bound-metrics.js";
import type { Metrics } from "../../metrics/service-metrics.js";
import { errorHeaders, HTTP_STATUS } from "../status.js";

/** How long an early-refused body is still read (and thrown away) before the connection is cut. */
const LINGER_MS = 5_000;

/** Bytes of the memory budget a request holds until its answer is sent, kept on the Node response. */
const CHARGE = Symbol("infergate.budgetCharge");
type Charged = ServerResponse & { [CHARGE]?: number };

/**
 * Admission before a body is read or parsed: a body over the size limit gets a 413, and one the
 * worker's memory budget cannot hold a 503 with Retry-After, without being buffered, so a burst
 * of large requests is answered instead of held (the budget bounds the bytes of bodies in flight;
 * see README "Limits"). A body of unknown or compressed size is charged the limit, what it may
 * inflate to. A refused body is read and dropped before the answer (refuse, drain below).
 *
 * One hook on the request path, and it returns at once for methods without a body. The charge
 * is released on the response's `close`, which Node emits once the answer has been sent and also
 * when the connection closes first: no onResponse or onSend hook runs for every request. (Not the
 * request's `close`: Node emits that as soon as the body has been read, before the answer.)
 */
export function installAdmission(
  app: FastifyInstance,
  limits: { bodyLimitBytes: number; memoryBudgetBytes: number },
  metrics: Metrics,
): void {
  let held = 0;
  // Bound once: an unbound gauge looks its series up on every set, twice per request here.
  const heldGauge = bindGauge(metrics.requestBytesHeld, {});
  const rejected = {
    tooLarge: metrics.admissionRejected.labels("body_too_large"),
    budget: metrics.admissionRejected.labels("memory_budget"),
  };
  // One listener for every request (it reads the charge from the response it fires on): no
  // closure or once-wrapper per request, and no removal (the response is dropped after close).
  function release(this: Charged): void {
    held -= this[CHARGE] ?? 0;
    this[CHARGE] = 0;
    heldGauge.set(held);
  }

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
    (reply.raw as Charged)[CHARGE] = charge;
    // Released when the answer has been sent, or when the client goes away before it.
    reply.raw.on("close", release);
    done();
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
 * is not worth reading), as nginx's lingering close does. The error handler calls it too, for a
 * body that grows past the limit while it streams (no Content-Length): Fastify's parser refuses
 * it mid-body, and the rest is read before the 413 goes out, as for a refusal here.
 */
export function drain(request: FastifyRequest): Promise<void> {
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
