/**
 * Talking to the local API server: kubeconfig files for the components and the user, and a small
 * HTTPS JSON client (client-certificate auth) for the start-up checks and the fake nodes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import type { KeyPair } from "./certs.js";

export const CLUSTER_NAME = "infergate-local";

/** Writes a kubeconfig (JSON is valid kubeconfig YAML) naming the certificate files by path. */
export function writeKubeconfig(path: string, server: string, caFile: string, identity: KeyPair): void {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: CLUSTER_NAME, cluster: { server, "certificate-authority": caFile } }],
    users: [
      { name: CLUSTER_NAME, user: { "client-certificate": identity.cert, "client-key": identity.key } },
    ],
    contexts: [{ name: CLUSTER_NAME, context: { cluster: CLUSTER_NAME, user: CLUSTER_NAME } }],
    "current-context": CLUSTER_NAME,
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

export type ApiResponse = { status: number; body: string };

export class ApiClient {
  private readonly ca: Buffer;
  private readonly cert: Buffer;
  private readonly key: Buffer;

  constructor(
    readonly url: string,
    caFile: string,
    identity: KeyPair,
  ) {
    this.ca = readFileSync(caFile);
    this.cert = readFileSync(identity.cert);
    this.key = readFileSync(identity.key);
  }

  send(method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<ApiResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.url),
        {
          method,
          ca: this.ca,
          cert: this.cert,
          key: this.key,
          timeout: timeoutMs,
          headers: payload ? { "content-type": "application/json", accept: "application/json" } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** GET that expects 200 and JSON. */
  async get<T>(path: string): Promise<T> {
    const res = await this.send("GET", path);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body) as T;
  }

  /** POST that expects 201 Created (or 409 AlreadyExists when `existingIsFine`). */
  async create(path: string, object: unknown, existingIsFine = false): Promise<void> {
    const res = await this.send("POST", path, object);
    if (res.status === 201 || (existingIsFine && res.status === 409)) return;
    throw new Error(`POST ${path}: ${res.status} ${res.body.slice(0, 500)}`);
  }
}

/**
 * GET https://127.0.0.1:<port>/healthz of a component serving a self-signed certificate it made
 * itself in memory (controller-manager, scheduler): true on 200 "ok". Loopback only, so not
 * verifying that certificate costs nothing.
 */
export function healthy(port: number, path = "/healthz"): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port, path, rejectUnauthorized: false, timeout: 5_000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode === 200));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}
