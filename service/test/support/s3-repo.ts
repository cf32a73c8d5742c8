import { readFile } from "node:fs/promises";
import { CreateBucketCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { BUNDLED_REPOSITORY } from "./paths.js";

export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

export async function put(s3: S3Client, bucket: string, key: string, body: Buffer | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** Copies one version folder of a local repository into `s3://bucket/prefix/model/version/`. */
export async function uploadVersion(
  s3: S3Client,
  bucket: string,
  prefix: string,
  model: string,
  version: number,
  from = BUNDLED_REPOSITORY,
): Promise<void> {
  const base = `${prefix}/${model}/${version}`;
  await put(s3, bucket, `${base}/model.onnx`, await readFile(`${from}/${model}/${version}/model.onnx`));
  await put(s3, bucket, `${base}/manifest.json`, await readFile(`${from}/${model}/${version}/manifest.json`));
}
