/**
 * The S3 API: the pinned moto_server (scripts/venv.sh moto, the emulator the tests use) on a free
 * 127.0.0.1 port, and a fresh bucket for this rehearsal's model repository. moto accepts any
 * credentials; the fake ones below exist only in the environment of the processes that call it.
 */
import { randomBytes } from "node:crypto";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { freePort } from "../load-gate/service-under-test.js";
import { pinnedVenv } from "./checkout.js";
import type { Supervisor } from "./supervisor.js";
import { answers200, waitUntil } from "./wait.js";

export type S3Emulator = {
  endpoint: string;
  /** s3://<bucket>/models: the model repository production serves. */
  repository: string;
  /** What every process that talks to it gets: the endpoint (INFERGATE_S3_*) and fake credentials. */
  env: Record<string, string>;
};

function client(s3: Pick<S3Emulator, "endpoint" | "env">): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: s3.env.AWS_REGION,
    credentials: {
      accessKeyId: s3.env.AWS_ACCESS_KEY_ID ?? "",
      secretAccessKey: s3.env.AWS_SECRET_ACCESS_KEY ?? "",
    },
  });
}

/** The versions of `model` the repository holds (a version exists once its manifest does). */
export async function publishedVersions(s3: S3Emulator, model: string): Promise<number[]> {
  const [, bucket = "", prefix = ""] = /^s3:\/\/([^/]+)\/(.*)$/.exec(s3.repository) ?? [];
  const c = client(s3);
  try {
    const page = await c.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/${model}/` }));
    const versions = (page.Contents ?? [])
      .map((o) => new RegExp(`^${prefix}/${model}/(\\d+)/manifest\\.json$`).exec(o.Key ?? "")?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number);
    return versions.sort((a, b) => a - b);
  } finally {
    c.destroy();
  }
}

export async function startS3(supervisor: Supervisor, root: string): Promise<S3Emulator> {
  const venv = await pinnedVenv(supervisor, root, "moto", "scripts/requirements/moto.txt");
  const port = await freePort();
  const moto = supervisor.start("moto", `${venv}/bin/moto_server`, ["-H", "127.0.0.1", "-p", String(port)]);
  const endpoint = `http://127.0.0.1:${port}`;
  // /moto-api/ answers without counting as an AWS call.
  await waitUntil(supervisor, "moto_server", () => answers200(`${endpoint}/moto-api/`), {
    timeoutMs: 60_000,
    process: moto,
  });
  const env = {
    AWS_ACCESS_KEY_ID: "rehearsal",
    AWS_SECRET_ACCESS_KEY: "rehearsal",
    AWS_REGION: "us-east-1",
    INFERGATE_S3_ENDPOINT: endpoint,
    INFERGATE_S3_FORCE_PATH_STYLE: "true",
  };
  const bucket = `infergate-rehearsal-${randomBytes(4).toString("hex")}`;
  const c = client({ endpoint, env });
  try {
    await c.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    c.destroy();
  }
  return { endpoint, repository: `s3://${bucket}/models`, env };
}
