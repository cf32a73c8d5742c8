#!/usr/bin/env node
// Template assertions for the infergate chart: renders scenarios with helm and checks the
// rendered objects (security context, probes, IRSA, replicas vs HPA, track labels, monitoring
// wiring, canary analysis). Prints one line per assertion and a final
// "assertions: N passed, M failed" line; exits 1 on any failure.
// Usage (repo root): node helm/lib/assert-templates.mjs [--helm PATH] [--kube-version 1.33.0]
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse, parseAllDocuments } from "yaml";
import { applicationsByEnvironment, parameterArgs } from "../../argocd/lib/environments.mjs";

const { values: opts } = parseArgs({
  options: {
    helm: { type: "string", default: ".tools/bin/helm" },
    "kube-version": { type: "string", default: "1.33.0" },
  },
});
const CHART = "helm/infergate";
const NS = "infergate";

let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok || detail === undefined ? "" : ` -- ${typeof detail === "string" ? detail : JSON.stringify(detail)}`}`);
}
// deep equality, ignoring object key order (helm's toYaml sorts keys)
const canon = (v) => (Array.isArray(v) ? v.map(canon) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v);
const eq = (a, b) => JSON.stringify(canon(a)) === JSON.stringify(canon(b));

function render(args) {
  const r = spawnSync(opts.helm, ["template", "infergate", CHART, "-n", NS, "--kube-version", opts["kube-version"], ...args], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`helm template ${args.join(" ")} failed: ${r.stderr}`);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean);
  const find = (kind, name) => docs.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  return { docs, find, one: (kind, name) => find(kind, name)[0] };
}
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

const rulesFile = parse(readFileSync(`${CHART}/files/prometheus-rules.yaml`, "utf8"));
const analysisFile = parse(readFileSync(`${CHART}/files/canary-analysis.yaml`, "utf8"));
const dashboardFile = JSON.parse(readFileSync(`${CHART}/files/dashboard.json`, "utf8"));
const chartDefaults = parse(readFileSync(`${CHART}/values.yaml`, "utf8"));

// gRPC (Open Inference Protocol, h2c): env INFERGATE_GRPC_PORT, container port `grpc`, a `grpc`
// port on every Service that has the `http` one, and NetworkPolicy ingress to it from exactly the
// client peers allowed to `http` (Prometheus only scrapes http). `port` undefined: gRPC is off.
const ruleHas = (rule, name) => (rule.ports ?? []).some((p) => p.port === name && p.protocol === "TCP");
const isPrometheusPeer = (f) => f.namespaceSelector && f.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "prometheus";
function assertGrpc(t, r, port) {
  const w = r.one("Deployment") ?? r.one("Rollout");
  const c = w.spec.template.spec.containers.find((x) => x.name === "server");
  const cm = r.one("ConfigMap", "infergate-config");
  const services = r.find("Service").filter((s) => s.spec.ports.some((p) => p.name === "http"));
  const np = r.one("NetworkPolicy");
  if (port !== undefined) {
    check(t(`ConfigMap sets INFERGATE_GRPC_PORT=${port}`), cm.data.INFERGATE_GRPC_PORT === String(port), cm.data.INFERGATE_GRPC_PORT);
    const cp = c.ports.filter((p) => p.name === "grpc");
    check(t(`container port grpc = ${port}/TCP`), cp.length === 1 && cp[0].containerPort === port && cp[0].protocol === "TCP", c.ports);
    check(t(`every Service with port http (${services.map((s) => s.metadata.name).join(", ")}) has port grpc ${port} -> targetPort grpc, appProtocol kubernetes.io/h2c`),
      services.length > 0 && services.every((s) => s.spec.ports.some((p) => p.name === "grpc" && p.port === port && p.targetPort === "grpc" && p.protocol === "TCP" && p.appProtocol === "kubernetes.io/h2c")),
      services.map((s) => ({ name: s.metadata.name, ports: s.spec.ports })));
    if (np) {
      const peers = (name, keep) => np.spec.ingress.filter((i) => ruleHas(i, name)).flatMap((i) => i.from).filter(keep);
      const httpClients = peers("http", (f) => !isPrometheusPeer(f));
      check(t("NetworkPolicy admits to port grpc exactly the clients admitted to port http (not Prometheus)"),
        httpClients.length > 0 && eq(peers("grpc", () => true), httpClients), { http: httpClients, grpc: peers("grpc", () => true) });
    }
  } else {
    check(t("no INFERGATE_GRPC_PORT in the ConfigMap or the container env"), !("INFERGATE_GRPC_PORT" in cm.data) && !c.env.some((e) => e.name === "INFERGATE_GRPC_PORT"), cm.data);
    check(t("no container port grpc"), !c.ports.some((p) => p.name === "grpc"), c.ports);
    check(t("no Service port grpc"), r.find("Service").every((s) => !s.spec.ports.some((p) => p.name === "grpc" || p.targetPort === "grpc")), r.find("Service").map((s) => s.spec.ports));
    if (np) check(t("no NetworkPolicy ingress to port grpc"), !np.spec.ingress.some((i) => ruleHas(i, "grpc")), np.spec.ingress);
  }
  const ing = r.one("Ingress");
  if (ing) {
    const backends = ing.spec.rules.flatMap((x) => x.http.paths.map((p) => p.backend.service.port));
    check(t("ALB Ingress does not route to the grpc port"), backends.every((b) => b.name !== "grpc" && (port === undefined || b.number !== port)), backends);
  }
}

function assertScenario(label, valuesFile, rolloutOn, platformArgs = []) {
  const values = valuesFile ? parse(readFileSync(valuesFile, "utf8")) : {};
  const args = [...(valuesFile ? ["-f", valuesFile] : []), ...platformArgs, "--set", `rollout.enabled=${rolloutOn}`];
  const r = render(args);
  const t = (name) => `${label} rollout=${rolloutOn ? "on" : "off"}: ${name}`;
  const hpaOn = values.autoscaling?.enabled === true;
  const grpc = { ...chartDefaults.grpc, ...values.grpc };

  const deployments = r.find("Deployment");
  const rollouts = r.find("Rollout");
  check(t("exactly one workload of the right kind"), rolloutOn ? rollouts.length === 1 && deployments.length === 0 : deployments.length === 1 && rollouts.length === 0, { deployments: deployments.length, rollouts: rollouts.length });
  const w = rolloutOn ? rollouts[0] : deployments[0];
  if (!w) return;
  const pod = w.spec.template;
  const c = pod.spec.containers.find((x) => x.name === "server");
  const cm = r.one("ConfigMap", "infergate-config");

  // replicas vs HPA
  const hpa = r.one("HorizontalPodAutoscaler");
  if (hpaOn) {
    check(t("replicas omitted when the HPA is on"), !("replicas" in w.spec), w.spec.replicas);
    check(t("HPA targets the workload"), hpa && hpa.spec.scaleTargetRef.kind === w.kind && hpa.spec.scaleTargetRef.name === w.metadata.name && hpa.spec.scaleTargetRef.apiVersion === w.apiVersion, hpa?.spec.scaleTargetRef);
    check(t("HPA scales on CPU utilisation"), hpa?.spec.metrics.some((m) => m.type === "Resource" && m.resource.name === "cpu" && m.resource.target.type === "Utilization"));
  } else {
    check(t("replicas set and no HPA when autoscaling is off"), Number.isInteger(w.spec.replicas) && !hpa, { replicas: w.spec.replicas, hpa: Boolean(hpa) });
  }

  // security context
  const psc = pod.spec.securityContext;
  const csc = c.securityContext;
  check(t("pod runs as non-root uid/gid 1000 with RuntimeDefault seccomp"), psc.runAsNonRoot === true && psc.runAsUser === 1000 && psc.runAsGroup === 1000 && psc.seccompProfile?.type === "RuntimeDefault", psc);
  check(t("container: read-only root, no privilege escalation, drop ALL, not privileged, RuntimeDefault seccomp"),
    csc.readOnlyRootFilesystem === true && csc.allowPrivilegeEscalation === false && eq(csc.capabilities?.drop, ["ALL"]) && !csc.capabilities?.add && csc.privileged === false && csc.runAsNonRoot === true && csc.seccompProfile?.type === "RuntimeDefault", csc);
  check(t("service account token not mounted"), pod.spec.automountServiceAccountToken === false);
  const cacheDir = cm.data.INFERGATE_MODEL_CACHE_DIR;
  const cacheMount = c.volumeMounts.find((m) => m.mountPath === cacheDir);
  const cacheVol = cacheMount && pod.spec.volumes.find((v) => v.name === cacheMount.name);
  check(t("model cache dir is a writable emptyDir mount"), cacheDir === "/var/cache/infergate" && Boolean(cacheVol?.emptyDir) && !cacheMount.readOnly, { cacheDir, cacheVol });
  check(t("resources: cpu and memory requests and limits set"), ["requests", "limits"].every((k) => c.resources?.[k]?.cpu && c.resources?.[k]?.memory), c.resources);

  // probes
  const httpProbe = (p, path) => p?.httpGet?.path === path && p.httpGet.port === "http";
  check(t("liveness probe on /v2/health/live"), httpProbe(c.livenessProbe, "/v2/health/live"), c.livenessProbe);
  check(t("readiness probe on /v2/health/ready"), httpProbe(c.readinessProbe, "/v2/health/ready"), c.readinessProbe);
  check(t("startup probe on /v2/health/ready allows >= 2 minutes for model download"), httpProbe(c.startupProbe, "/v2/health/ready") && c.startupProbe.failureThreshold * c.startupProbe.periodSeconds >= 120, c.startupProbe);
  check(t("container port named http matches PORT"), c.ports.some((p) => p.name === "http" && String(p.containerPort) === cm.data.PORT) && cm.data.HOST === "0.0.0.0");

  assertGrpc(t, r, grpc.enabled ? grpc.port : undefined);

  // drain vs grace
  const drain = Number(cm.data.INFERGATE_DRAIN_TIMEOUT_MS);
  const sleep = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
  check(t("terminationGracePeriodSeconds exceeds drain timeout + preStop sleep"), pod.spec.terminationGracePeriodSeconds * 1000 > drain + sleep * 1000, { grace: pod.spec.terminationGracePeriodSeconds, drain, sleep });

  // config and track
  check(t("config consumed with envFrom the ConfigMap"), c.envFrom?.some((e) => e.configMapRef?.name === cm.metadata.name));
  check(t("config checksum annotation on the pod template"), /^[a-f0-9]{64}$/.test(pod.metadata.annotations?.["checksum/config"] ?? ""));
  const trackEnv = c.env.find((e) => e.name === "INFERGATE_TRACK");
  check(t("INFERGATE_TRACK comes from the pod label `track` (downward API)"), trackEnv?.valueFrom?.fieldRef?.fieldPath === "metadata.labels['track']", trackEnv);
  if (rolloutOn) {
    const canary = w.spec.strategy.canary;
    check(t("Rollout labels canary pods track=canary and stable pods track=stable"), canary.canaryMetadata?.labels?.track === "canary" && canary.stableMetadata?.labels?.track === "stable");
    check(t("pod template has no fixed track label (set per ReplicaSet by Argo Rollouts)"), !("track" in pod.metadata.labels));
    const steps = canary.steps;
    check(t("canary steps use setWeight and pauses"), steps.some((s) => "setWeight" in s) && steps.some((s) => "pause" in s), steps);
    for (const svc of [canary.canaryService, canary.stableService]) {
      const s = r.one("Service", svc);
      check(t(`Service ${svc} exists and selects the pods`), Boolean(s) && matches(s.spec.selector, pod.metadata.labels));
    }
    const at = r.one("AnalysisTemplate");
    const ref = canary.analysis?.templates?.[0]?.templateName;
    check(t("background analysis references the AnalysisTemplate"), at && ref === at.metadata.name, { ref, at: at?.metadata.name });
    if (at) {
      // The exact fast-fail query text is held equal to the CLI's definition by the vitest drift
      // test (service/test/canary/analysis-template.test.ts); here: structure and thresholds.
      const prom = at.spec.metrics.filter((m) => m.provider.prometheus);
      const jobs = at.spec.metrics.filter((m) => m.provider.job);
      const fastFail = analysisFile.metrics.filter((m) => m.fastFail);
      check(t("fast-fail Prometheus metrics = metrics with fastFail in files/canary-analysis.yaml (names, cadence, hard limits)"), eq(prom.map((m) => ({ name: m.name, successCondition: m.successCondition, failureLimit: m.failureLimit, interval: m.interval, count: m.count })),
        fastFail.map((m) => ({ name: m.fastFail.name, successCondition: `result[0] <= ${m.hardLimit}`, failureLimit: m.fastFail.failureLimit, interval: m.fastFail.interval, count: m.fastFail.count }))));
      check(t("every Prometheus metric has successCondition and failureLimit"), prom.every((m) => m.successCondition && Number.isInteger(m.failureLimit)));
      const models = values.rollout?.analysis?.judge?.models ?? ["digits"];
      check(t("one verdict Job metric per judged model, running canary-evaluate with --exit-mode argo"), eq(jobs.map((m) => m.name), models.map((x) => `canary-verdict-${x}`)) &&
        jobs.every((m) => { const c = m.provider.job.spec.template.spec.containers[0]; return c.command.join(" ") === "node dist/service/src/cli/canary-evaluate.js" && c.args.join(" ").includes("--exit-mode argo"); }), jobs.map((m) => m.name));
      check(t("verdict Job carries files/canary-analysis.yaml (base64 JSON in INFERGATE_CANARY_ANALYSIS)"), jobs.every((m) => {
        const env = m.provider.job.spec.template.spec.containers[0].env.find((e) => e.name === "INFERGATE_CANARY_ANALYSIS");
        return env && eq(JSON.parse(Buffer.from(env.value, "base64").toString("utf8")), analysisFile);
      }));
      check(t("verdict Job pod: hardened, no token, not selected by the NetworkPolicy"), jobs.every((m) => {
        const ps = m.provider.job.spec.template.spec;
        const c = ps.containers[0];
        return ps.automountServiceAccountToken === false && ps.restartPolicy === "Never" && c.securityContext.readOnlyRootFilesystem === true && c.securityContext.allowPrivilegeEscalation === false &&
          !matches({ "app.kubernetes.io/name": "infergate", "app.kubernetes.io/instance": "infergate" }, m.provider.job.spec.template.metadata.labels);
      }));
      const given = new Set([...(canary.analysis.args ?? []).map((a) => a.name), ...at.spec.args.filter((a) => a.value !== undefined).map((a) => a.name)]);
      const declared = new Set(at.spec.args.map((a) => a.name));
      // Argo Rollouts fills every {{...}} of a metric and fails on any it cannot resolve.
      const tags = at.spec.metrics.flatMap((m) => [...JSON.stringify(m).matchAll(/\{\{([^}]*)\}\}/g)].map((x) => x[1].trim()));
      const used = new Set(tags.filter((x) => x.startsWith("args.")).map((x) => x.slice(5)));
      check(t("every {{...}} in the metrics is a declared {{args.*}} given a value"), tags.every((x) => x.startsWith("args.")) && [...used].every((a) => declared.has(a) && given.has(a)), { tags: [...new Set(tags)], given: [...given] });
      check(t("fast-fail queries compare the canary track against the stable track"), prom.every((m) => /track="canary"/.test(m.provider.prometheus.query) && /track="stable"/.test(m.provider.prometheus.query)));
    }
  } else {
    check(t("Deployment pods are labelled track=stable"), pod.metadata.labels.track === "stable");
    check(t("no Argo Rollouts objects"), !r.find("AnalysisTemplate").length && !r.one("Service", "infergate-canary"));
  }

  // service account / IRSA
  const sa = r.one("ServiceAccount");
  // the role comes from the values file or, as Argo CD deploys the environments, from a parameter
  const setStrings = new Map(platformArgs.filter((_, i) => i % 2 === 1).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  const arn = setStrings.get("serviceAccount.irsaRoleArn") ?? values.serviceAccount?.irsaRoleArn;
  if (label !== "defaults") check(t("an IRSA role is set for the environment"), Boolean(arn));
  check(t("ServiceAccount named infergate, used by the pods, token automount off"), sa?.metadata.name === "infergate" && pod.spec.serviceAccountName === "infergate" && sa.automountServiceAccountToken === false);
  if (arn) check(t("IRSA role annotation"), sa.metadata.annotations?.["eks.amazonaws.com/role-arn"] === arn, sa.metadata.annotations);

  // scheduling
  const zone = pod.spec.topologySpreadConstraints?.find((x) => x.topologyKey === "topology.kubernetes.io/zone");
  check(t("topology spread across zones selects the pods"), zone && matches(zone.labelSelector.matchLabels, pod.metadata.labels), zone);

  // selectors line up
  const svc = r.one("Service", "infergate");
  check(t("main Service selects the pods on port http"), matches(svc.spec.selector, pod.metadata.labels) && svc.spec.ports[0].targetPort === "http");
  const pdb = r.one("PodDisruptionBudget");
  if (pdb) check(t("PDB selects the pods"), matches(pdb.spec.selector.matchLabels, pod.metadata.labels));
  const np = r.one("NetworkPolicy");
  if (np) {
    check(t("NetworkPolicy selects the pods, denies by default both ways"), matches(np.spec.podSelector.matchLabels, pod.metadata.labels) && eq(np.spec.policyTypes, ["Ingress", "Egress"]));
    check(t("NetworkPolicy admits Prometheus"), np.spec.ingress.some((i) => i.from.some((f) => f.namespaceSelector && f.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "prometheus")));
    check(t("NetworkPolicy allows DNS egress"), np.spec.egress.some((e) => e.ports?.some((p) => p.port === 53 && p.protocol === "UDP")));
    const test = r.one("Pod", "infergate-test-infer");
    check(t("NetworkPolicy admits the helm test pod"), test && np.spec.ingress.some((i) => i.from.some((f) => f.podSelector && !f.namespaceSelector && matches(f.podSelector.matchLabels, test.metadata.labels))));
  }

  // helm test hook
  const test = r.one("Pod", "infergate-test-infer");
  check(t("helm test pod: hook, hardened, runs the readiness + infer script"), test?.metadata.annotations?.["helm.sh/hook"] === "test" && test.spec.containers[0].securityContext.readOnlyRootFilesystem === true && test.spec.containers[0].args[0] === readFileSync(`${CHART}/files/helm-test.js`, "utf8"));

  // monitoring
  const sm = r.one("ServiceMonitor");
  if (values.metrics?.serviceMonitor?.enabled) {
    const selected = r.find("Service").filter((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
    check(t("ServiceMonitor selects exactly one Service (pods scraped once)"), selected.length === 1 && selected[0].metadata.name === "infergate", selected.map((s) => s.metadata.name));
    check(t("ServiceMonitor scrapes /metrics on port http"), sm.spec.endpoints[0].port === "http" && sm.spec.endpoints[0].path === "/metrics");
  }
  const pr = r.one("PrometheusRule");
  if (values.metrics?.prometheusRule?.enabled) {
    check(t("PrometheusRule groups equal files/prometheus-rules.yaml"), eq(pr?.spec.groups, rulesFile.groups));
    const alerts = new Set(pr.spec.groups.flatMap((g) => g.rules.filter((x) => x.alert).map((x) => x.alert)));
    for (const a of ["InfergateHighErrorRate", "InfergateLatencySLOBurnFast", "InfergateNoReadyModel", "InfergateModelLoadFailures", "InfergateQueueSaturated"]) {
      check(t(`alert ${a} shipped`), alerts.has(a));
    }
  }
  const dash = r.one("ConfigMap", "infergate-dashboard");
  if (values.metrics?.dashboard?.enabled) {
    check(t("dashboard ConfigMap has the sidecar label and the dashboard JSON"), dash?.metadata.labels.grafana_dashboard === "1" && eq(JSON.parse(dash.data["infergate.json"]), dashboardFile));
  }

  // ingress
  const ing = r.one("Ingress");
  if (values.ingress?.enabled) {
    const a = ing.metadata.annotations;
    check(t("ALB Ingress: class alb, health check on readiness, ip targets"), ing.spec.ingressClassName === "alb" && a["alb.ingress.kubernetes.io/healthcheck-path"] === "/v2/health/ready" && a["alb.ingress.kubernetes.io/target-type"] === "ip", a);
    const backend = ing.spec.rules[0].http.paths[0].backend.service;
    check(t("Ingress backend is the main Service"), backend.name === "infergate" && (backend.port.number === svc.spec.ports[0].port || (rolloutOn && values.rollout?.trafficRouting?.alb?.enabled && backend.port.name === "use-annotation")), backend);
    if (values.ingress.alb?.tls) {
      const host = ing.spec.rules[0].host;
      check(t("TLS: HTTPS listener, 80 redirects, certificate discovered from the host name"), Boolean(host) && eq(ing.spec.tls, [{ hosts: [host] }]) && a["alb.ingress.kubernetes.io/listen-ports"].includes("443") && a["alb.ingress.kubernetes.io/ssl-redirect"] === "443" && !("alb.ingress.kubernetes.io/certificate-arn" in a), { tls: ing.spec.tls, a });
    }
  }
  return r;
}

// Each environment as Argo CD deploys it: values-<env>.yaml, then the parameters its
// ApplicationSet takes from the cluster Secret Terraform writes (argocd/tests/fixtures/clusters).
const platformArgs = Object.fromEntries(
  [...applicationsByEnvironment(opts.helm, ".cache/helm-test")].map(([env, app]) => [env, parameterArgs(app)]),
);
const scenarios = [
  ["defaults", undefined, []],
  ["dev", `${CHART}/values-dev.yaml`, platformArgs.dev],
  ["staging", `${CHART}/values-staging.yaml`, platformArgs.staging],
  ["prod", `${CHART}/values-prod.yaml`, platformArgs.prod],
];
for (const [label, file, extra] of scenarios) {
  for (const rolloutOn of [false, true]) assertScenario(label, file, rolloutOn, extra);
}

// TLS on the ALB: an explicit certificate, or discovery by host name (which needs one)
{
  const on = ["--set", "ingress.enabled=true", "--set", "ingress.alb.tls=true"];
  const byArn = render([...on, "--set", "ingress.alb.certificateArn=arn:aws:acm:eu-central-1:111122223333:certificate/abc"]).one("Ingress");
  check("TLS with certificateArn: the annotation names it, HTTPS listener", byArn.metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"].endsWith("/abc") && byArn.metadata.annotations["alb.ingress.kubernetes.io/listen-ports"].includes("443"));
  const plain = render(["--set", "ingress.enabled=true"]).one("Ingress");
  check("no TLS: HTTP listener only, no tls block", plain.metadata.annotations["alb.ingress.kubernetes.io/listen-ports"] === '[{"HTTP": 80}]' && !plain.spec.tls);
  let error = "";
  try {
    render(on);
  } catch (e) {
    error = e.message;
  }
  check("TLS without certificateArn or host name is refused", error.includes("ingress.alb.tls needs ingress.hostname"), error || "rendered");
}
// gRPC: off renders none of it (with every Service and the NetworkPolicy's client rules present),
// another port is wired through everywhere, and switching or moving it rolls the pods.
{
  const clients = ["--set", "ingress.enabled=true", "--set", "networkPolicy.ingress.cidrs={10.0.0.0/16}", "--set", "networkPolicy.ingress.namespaces={apps}"];
  for (const rolloutOn of [false, true]) {
    const base = [...clients, "--set", `rollout.enabled=${rolloutOn}`];
    const t = (x) => (name) => `grpc ${x} rollout=${rolloutOn ? "on" : "off"}: ${name}`;
    assertGrpc(t("disabled"), render([...base, "--set", "grpc.enabled=false"]), undefined);
    assertGrpc(t("port 9000"), render([...base, "--set", "grpc.port=9000"]), 9000);
  }
  const sum = (args) => render(args).one("Deployment").spec.template.metadata.annotations["checksum/config"];
  const on = sum([]);
  check("grpc: enabling/disabling it or changing its port changes the pod template checksum", on !== sum(["--set", "grpc.enabled=false"]) && on !== sum(["--set", "grpc.port=9000"]));
}
// config change rolls the pods: the checksum follows the ConfigMap
{
  const a = render([]).one("Deployment").spec.template.metadata.annotations["checksum/config"];
  const b = render(["--set", "config.logLevel=debug"]).one("Deployment").spec.template.metadata.annotations["checksum/config"];
  check("config change changes the pod template checksum", a !== b && /^[a-f0-9]{64}$/.test(b));
}
// options that are off by default
{
  const r = render(["--set", "gpu.enabled=true", "--set", "autoscaling.enabled=true", "--set", "autoscaling.customMetric.enabled=true",
    "--set", "admin.existingSecret=infergate-admin", "--set", `image.digest=sha256:${"a".repeat(64)}`]);
  const pod = r.one("Deployment").spec.template.spec;
  const c = pod.containers[0];
  check("gpu: nvidia.com/gpu limit, GPU nodeSelector and toleration", c.resources.limits["nvidia.com/gpu"] === 1 && Object.keys(pod.nodeSelector ?? {}).length > 0 && pod.tolerations?.some((x) => x.key === "nvidia.com/gpu"), { limits: c.resources.limits, ns: pod.nodeSelector });
  check("HPA custom per-pod metric", r.one("HorizontalPodAutoscaler").spec.metrics.some((m) => m.type === "Pods" && m.pods.metric.name === "infergate_inflight_requests"));
  check("admin token from the existing Secret", c.env.some((e) => e.name === "INFERGATE_ADMIN_TOKEN" && e.valueFrom?.secretKeyRef?.name === "infergate-admin"));
  check("image digest wins over the tag", c.image === `infergate@sha256:${"a".repeat(64)}`, c.image);
  check("no replicas with the HPA on (Deployment)", !("replicas" in r.one("Deployment").spec));
}
{
  const r = render(["--set", "serviceAccount.irsaRoleArn=arn:aws:iam::111122223333:role/x", "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.serviceMonitor.trackFromPodLabel=true"]);
  check("IRSA annotation from serviceAccount.irsaRoleArn", r.one("ServiceAccount").metadata.annotations["eks.amazonaws.com/role-arn"] === "arn:aws:iam::111122223333:role/x");
  const relabel = r.one("ServiceMonitor").spec.endpoints[0].relabelings.find((x) => x.targetLabel === "track");
  check("ServiceMonitor can take `track` from the live pod label", eq(relabel?.sourceLabels, ["__meta_kubernetes_pod_label_track"]), relabel);
}
{
  // A cluster without IRSA: Argo CD passes the parameter empty (argocd/apps/files/applicationset.yaml);
  // the pods then use the node role's or EKS Pod Identity's credentials, so no role-arn annotation at all.
  const sa = render(["--set-string", "serviceAccount.irsaRoleArn="]).one("ServiceAccount");
  check("no IRSA annotation (not even an empty one) when serviceAccount.irsaRoleArn is empty", !Object.hasOwn(sa.metadata.annotations ?? {}, "eks.amazonaws.com/role-arn"), sa.metadata.annotations ?? {});
}

console.log(`assertions: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
