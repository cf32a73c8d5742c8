import { createWriteStream } from "node:fs";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";

/**
 * The floor of a cold start from S3 (issue #25): one object downloaded with the AWS SDK into a
 * file, nothing else (no digest, no session). Run pinned to the server's CPU by the bench, with
 * the emulator's endpoint and credentials in its environment, as the server gets them.
 *
 * argv[2]: JSON {endpoint, bucket, key, file}; stdout: JSON {ms, bytes}, the time from the
 * request to the file closed.
 */
type Opts = { endpoint: string; bucket: string; key: string; file: string };
const opts = JSON.parse(process.argv[2] as string) as Opts;
const client = new S3Client({ endpoint: opts.endpoint, forcePathStyle: true, maxAttempts: 1 });
const t0 = performance.now();
const out = await client.send(new GetObjectCommand({ Bucket: opts.bucket, Key: opts.key }));
const file = createWriteStream(opts.file);
await pipeline(out.Body as Readable, file);
const ms = performance.now() - t0;
client.destroy();
process.stdout.write(`${JSON.stringify({ ms, bytes: file.bytesWritten })}\n`);
