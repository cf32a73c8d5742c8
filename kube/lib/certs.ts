/**
 * The control plane's PKI, made fresh in the data dir on every start: one CA (which also signs
 * the cluster's CertificateSigningRequests), the API server's serving certificate, one client
 * certificate per component, and the service-account signing key.
 *
 * X.509 certificates come from openssl (node:crypto can parse certificates but not issue them);
 * the keys are EC P-256, which openssl makes in milliseconds where RSA takes noticeably longer.
 */
import { execFile } from "node:child_process";
import { generateKeyPair } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const generateKeyPairAsync = promisify(generateKeyPair);

/** The Service ClusterIP range; its first address is the in-cluster `kubernetes` Service. */
export const SERVICE_CLUSTER_IP_RANGE = "10.96.0.0/16";
const KUBERNETES_SERVICE_IP = "10.96.0.1";
const VALID_DAYS = "30";
/** Names the API server answers to: loopback here, plus the in-cluster Service names. */
const API_SERVER_NAMES = [
  "IP:127.0.0.1",
  `IP:${KUBERNETES_SERVICE_IP}`,
  "DNS:localhost",
  "DNS:kubernetes",
  "DNS:kubernetes.default",
  "DNS:kubernetes.default.svc",
  "DNS:kubernetes.default.svc.cluster.local",
];

export type KeyPair = { cert: string; key: string };

export type Pki = {
  /** The CA: clients verify the API server with it, the API server verifies client certs. */
  ca: KeyPair;
  apiServer: KeyPair;
  admin: KeyPair;
  controllerManager: KeyPair;
  scheduler: KeyPair;
  kwok: KeyPair;
  /** Signs service-account tokens (controller-manager and API server); the API server verifies. */
  serviceAccount: { publicKey: string; privateKey: string };
};

/** `openssl req -x509` with a fresh EC key; each option a [flag, value] pair. */
async function opensslCertificate(
  pair: KeyPair,
  subject: string,
  options: [string, string][],
): Promise<void> {
  await run("openssl", [
    "req",
    "-x509",
    "-nodes",
    ...[
      ["-newkey", "ec"],
      ["-pkeyopt", "ec_paramgen_curve:prime256v1"],
      ["-keyout", pair.key],
      ["-out", pair.cert],
      ["-days", VALID_DAYS],
      ["-subj", subject],
      ...options,
    ].flat(),
  ]);
}

async function issue(
  dir: string,
  name: string,
  subject: string,
  ca: KeyPair,
  extensions: string[],
): Promise<KeyPair> {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await opensslCertificate(pair, subject, [
    ["-CA", ca.cert],
    ["-CAkey", ca.key],
    ...[
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      ...extensions,
    ].map((extension): [string, string] => ["-addext", extension]),
  ]);
  return pair;
}

const client = (dir: string, name: string, subject: string, ca: KeyPair) =>
  issue(dir, name, subject, ca, ["extendedKeyUsage=clientAuth"]);

export async function createPki(dir: string): Promise<Pki> {
  const ca = { cert: join(dir, "ca.crt"), key: join(dir, "ca.key") };
  const serviceAccountKeys = generateKeyPairAsync("rsa", {
    // Service-account tokens are RS256 JWTs: the API server's default signing algorithm.
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  await opensslCertificate(ca, "/CN=infergate-local-ca", [
    ["-addext", "basicConstraints=critical,CA:TRUE"],
    ["-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"],
  ]);
  const [apiServer, admin, controllerManager, scheduler, kwok, keys] = await Promise.all([
    issue(dir, "apiserver", "/CN=kube-apiserver", ca, [
      "extendedKeyUsage=serverAuth",
      `subjectAltName=${API_SERVER_NAMES.join(",")}`,
    ]),
    // system:masters is bound to cluster-admin by the API server's bootstrap RBAC policy.
    client(dir, "admin", "/O=system:masters/CN=infergate-admin", ca),
    // The user names the bootstrap RBAC policy grants these components' permissions to.
    client(dir, "controller-manager", "/CN=system:kube-controller-manager", ca),
    client(dir, "scheduler", "/CN=system:kube-scheduler", ca),
    // kwok plays every fake node's kubelet through one client. Node identities
    // (system:node:<name>) would need a certificate per node, and NodeRestriction would limit each
    // to its own node; so kwok gets an administrator's identity of its own name.
    client(dir, "kwok", "/O=system:masters/CN=kwok", ca),
    serviceAccountKeys,
  ]);
  const serviceAccount = { publicKey: join(dir, "sa.pub"), privateKey: join(dir, "sa.key") };
  await writeFile(serviceAccount.publicKey, keys.publicKey);
  await writeFile(serviceAccount.privateKey, keys.privateKey, { mode: 0o600 });
  return { ca, apiServer, admin, controllerManager, scheduler, kwok, serviceAccount };
}
