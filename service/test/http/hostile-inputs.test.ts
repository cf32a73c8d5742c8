import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "../support/process.js";
import { startService } from "../support/service.js";

/**
 * Requests a hostile or careless client sends, each answered with the catalogue's 4xx and never
 * a 500 (issue #21's named cases): the shapes that used to allocate before they were checked,
 * data nested deeper than any model's rank, a duplicated input of a multi-input request, more
 * rows than a request may carry, and a body over the limit from a client that writes its whole
 * body before it reads.
 */
type Svc = Awaited<ReturnType<typeof startService>>;

function binaryBody(header: object, bytes = Buffer.alloc(0)) {
  const json = Buffer.from(JSON.stringify(header));
  return {
    payload: Buffer.concat([json, bytes]),
    headers: {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(json.length),
    },
  };
}

describe("hostile inputs (in-process)", () => {
  let svc: Svc;
  beforeAll(async () => {
    svc = await startService();
  });
  afterAll(async () => {
    await svc.close();
  });
  const infer = (payload: object | Buffer, headers: Record<string, string> = {}) =>
    svc.app.inject({ method: "POST", url: "/v2/models/digits/infer", payload, headers });

  it.each([
    ["[100000, 100000]", [100000, 100000], /dimension 1 must be 64/],
    ["[2^40, 64]", [2 ** 40, 64], /has 1099511627776 rows; a request may carry at most 32/],
    ["[2^53, 64] (past safe integers)", [2 ** 53, 64], /inputs\[0\]\.shape\[0\]: Too big/],
  ])("binary tensor data of shape %s with 0 bytes: 400, nothing allocated", async (_n, shape, message) => {
    const { payload, headers } = binaryBody({
      inputs: [{ name: "input", shape, datatype: "FP32", parameters: { binary_data_size: 0 } }],
    });
    const res = await infer(payload, headers);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(message);
  });

  it("JSON data nested 5000 deep with a shape of 5000 ones: 400 on the rank, no deep recursion", async () => {
    const body = `{"inputs":[{"name":"input","shape":${JSON.stringify(new Array(5000).fill(1))},"datatype":"FP32","data":${"[".repeat(5000)}1${"]".repeat(5000)}}]}`;
    const res = await infer(Buffer.from(body), { "content-type": "application/json" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('input "input": expected rank 2 [-1,64], got 5000 dimensions');
  });

  it("more rows than a request may carry: 400 naming the limit (INFERGATE_MAX_ROWS_PER_REQUEST)", async () => {
    const rows = 33;
    const res = await infer({
      inputs: [{ name: "input", shape: [rows, 64], datatype: "FP32", data: new Array(rows * 64).fill(0) }],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe(
      'input "input" has 33 rows; a request may carry at most 32 (INFERGATE_MAX_ROWS_PER_REQUEST)',
    );
  });

  it("the same input twice with the right element count: 400 DUPLICATE_INPUT, not a runtime 500", async () => {
    const row = { name: "input", shape: [1, 64], datatype: "FP32", data: new Array(64).fill(0) };
    const res = await infer({ inputs: [row, row] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('input "input" is given more than once');
  });

  it("a binary header with a __proto__ key is refused like the JSON route refuses it", async () => {
    const json = Buffer.from('{"__proto__":{"x":1},"inputs":[]}');
    const res = await infer(json, {
      "content-type": "application/octet-stream",
      "inference-header-content-length": String(json.length),
    });
    expect(res.statusCode).toBe(400);
  });
});

describe("bodies over the limit (a real server and raw sockets)", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ INFERGATE_BODY_LIMIT_BYTES: String(1024 * 1024) });
  });
  afterAll(async () => {
    await server.stop();
  });

  /** Writes a whole request (headers, then every body byte) before reading, as urllib does. */
  function writeAllThenRead(headers: string, bodyBytes: number): Promise<{ wrote: number; answer: string }> {
    const port = Number(new URL(server.url).port);
    return new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1");
      let wrote = 0;
      let answer = "";
      socket.on("data", (d) => {
        answer += d.toString();
      });
      socket.on("error", () => resolve({ wrote, answer }));
      socket.on("close", () => resolve({ wrote, answer }));
      socket.write(headers);
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (wrote < bodyBytes) {
          wrote += chunk.length;
          if (!socket.write(chunk)) return void socket.once("drain", pump);
        }
        setTimeout(() => socket.end(), 500);
      };
      pump();
    });
  }

  it("a 20 MiB body (limit 1 MiB) with Connection: close and no Expect: the client writes it all and reads the 413", async () => {
    const size = 20 * 1024 * 1024;
    const r = await writeAllThenRead(
      `POST /v2/models/digits/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${size}\r\n\r\n`,
      size,
    );
    expect(r.wrote).toBeGreaterThanOrEqual(size);
    expect(r.answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.answer).toContain('{"error":"request body exceeds the limit of 1048576 bytes"}');
  });

  it("the same without a Content-Length (chunked): the 413 comes once the limit is passed, no reset", async () => {
    const size = 4 * 1024 * 1024;
    const port = Number(new URL(server.url).port);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      let text = "";
      socket.on("data", (d) => {
        text += d.toString();
      });
      socket.on("error", () => resolve(text));
      socket.on("close", () => resolve(text));
      socket.write(
        "POST /v2/models/digits/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n",
      );
      const chunk = Buffer.alloc(64 * 1024, 120);
      for (let sent = 0; sent < size; sent += chunk.length)
        socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`);
      socket.write("0\r\n\r\n");
      setTimeout(() => socket.end(), 500);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it("stays ready throughout", async () => {
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
    expect(server.output()).not.toMatch(/"level":50/);
  });
});
