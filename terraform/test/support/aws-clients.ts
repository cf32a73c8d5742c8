/**
 * AWS SDK v3 clients pointed at the emulator, trusting its self-signed certificate and using the
 * fake credentials only. The checks read what an apply created through the AWS APIs, independently
 * of Terraform's own state.
 */

import { Agent } from "node:https";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECRClient } from "@aws-sdk/client-ecr";
import { EKSClient } from "@aws-sdk/client-eks";
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { FAKE_AWS_ENV } from "./workspace.js";

export type AwsClients = {
  ec2: EC2Client;
  eks: EKSClient;
  iam: IAMClient;
  kms: KMSClient;
  s3: S3Client;
  ecr: ECRClient;
  destroy(): void;
};

export function awsClients(
  endpoint: string,
  ca: Buffer,
  region: string = FAKE_AWS_ENV.AWS_REGION,
): AwsClients {
  const config = {
    endpoint,
    region,
    credentials: {
      accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
    requestHandler: { httpsAgent: new Agent({ ca }) },
  };
  const clients = {
    ec2: new EC2Client(config),
    eks: new EKSClient(config),
    iam: new IAMClient(config),
    kms: new KMSClient(config),
    // An IP endpoint has no bucket subdomains.
    s3: new S3Client({ ...config, forcePathStyle: true }),
    ecr: new ECRClient(config),
  };
  const destroy = () => {
    for (const client of Object.values(clients)) client.destroy();
  };
  return { ...clients, destroy };
}
