/**
 * The Terraform state bucket in the emulator: the dev state really lives there (encrypted, lock
 * released), and the bucket can be emptied before bootstrap's destroy.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
} from "@aws-sdk/client-s3";
import type { AwsClients } from "./aws-clients.js";
import type { Checks } from "./checks.js";

export async function verifyStateInBucket(aws: AwsClients, bucket: string, key: string, checks: Checks) {
  const head = await aws.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  checks.ok((head.ContentLength ?? 0) > 0, `state object s3://${bucket}/${key} exists`);
  checks.ok(head.ServerSideEncryption === "aws:kms", "state object is SSE-KMS encrypted");
  const body = await (
    await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  ).Body?.transformToString();
  const resources = (JSON.parse(body ?? "{}") as { resources?: unknown[] }).resources ?? [];
  checks.ok(resources.length > 0, `state holds ${resources.length} resources`);
  const locks = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${key}.tflock` }));
  checks.ok((locks.KeyCount ?? 0) === 0, "no S3 lock file left after apply");
}

/**
 * Deletes every object version and delete marker while versioning is still on. moto 5.2 crashes
 * (FakeDeleteMarker has no dispose) when the provider's force_destroy deletes delete markers after
 * suspending versioning, which destroying the state bucket does (the S3 lock file leaves delete
 * markers behind). Emptying it first keeps the destroy itself a real test.
 */
export async function emptyVersionedBucket(aws: AwsClients, bucket: string): Promise<void> {
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await aws.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, ...markers }));
    for (const version of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
      await aws.s3.send(
        new DeleteObjectCommand({ Bucket: bucket, Key: version.Key, VersionId: version.VersionId }),
      );
    }
    if (!page.IsTruncated) return;
    markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
  }
}
