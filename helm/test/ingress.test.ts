/**
 * The ALB Ingress where an environment enables it (class, health check, targets, backend, TLS
 * by host name), and the TLS options: an explicit certificate, plain HTTP, and the refusal of
 * TLS with neither a certificate nor a host name.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type Rendered, renderChart } from "../lib/chart.js";
import { renderScenario, SCENARIOS } from "../lib/scenarios.js";
import { required } from "../lib/workload.js";

const ALB = "alb.ingress.kubernetes.io";

describe.each(SCENARIOS.filter((s) => s.values.ingress.enabled).map((s) => [s.name, s] as const))(
  "%s",
  (_name, s) => {
    let r: Rendered;
    beforeAll(async () => {
      r = await renderScenario(s);
    });

    it("ALB Ingress: class alb, health check on readiness, ip targets", () => {
      const ing = required(r, "Ingress");
      expect(ing.spec.ingressClassName).toBe("alb");
      expect(ing.metadata.annotations).toMatchObject({
        [`${ALB}/healthcheck-path`]: "/v2/health/ready",
        [`${ALB}/target-type`]: "ip",
      });
    });

    it("Ingress backend is the main Service", () => {
      const backend = required(r, "Ingress").spec.rules[0].http.paths[0].backend.service;
      expect(backend.name).toBe("infergate");
      // With ALB canary routing the controller splits by the actions annotation instead of a port.
      if (s.rollout && s.values.rollout.trafficRouting.alb.enabled)
        expect(backend.port.name).toBe("use-annotation");
      else expect(backend.port.number).toBe(required(r, "Service", "infergate").spec.ports[0].port);
    });

    if (s.values.ingress.alb?.tls) {
      it("TLS: HTTPS listener, 80 redirects, certificate discovered from the host name", () => {
        const ing = required(r, "Ingress");
        const host = ing.spec.rules[0].host;
        expect(host).toBeTruthy();
        expect(ing.spec.tls).toEqual([{ hosts: [host] }]);
        expect(ing.metadata.annotations?.[`${ALB}/listen-ports`]).toContain("443");
        expect(ing.metadata.annotations?.[`${ALB}/ssl-redirect`]).toBe("443");
        expect(ing.metadata.annotations).not.toHaveProperty([`${ALB}/certificate-arn`]);
      });
    }
  },
);

describe("TLS on the ALB", () => {
  const on = ["--set", "ingress.enabled=true", "--set", "ingress.alb.tls=true"];

  it("TLS with certificateArn: the annotation names it, HTTPS listener", async () => {
    const arn = "arn:aws:acm:eu-central-1:111122223333:certificate/abc";
    const ing = required(await renderChart([...on, "--set", `ingress.alb.certificateArn=${arn}`]), "Ingress");
    expect(ing.metadata.annotations?.[`${ALB}/certificate-arn`]).toMatch(/\/abc$/);
    expect(ing.metadata.annotations?.[`${ALB}/listen-ports`]).toContain("443");
  });

  it("no TLS: HTTP listener only, no tls block", async () => {
    const ing = required(await renderChart(["--set", "ingress.enabled=true"]), "Ingress");
    expect(ing.metadata.annotations?.[`${ALB}/listen-ports`]).toBe('[{"HTTP": 80}]');
    expect(ing.spec.tls).toBeFalsy();
  });

  it("TLS without certificateArn or host name is refused", async () => {
    await expect(renderChart(on)).rejects.toThrow("ingress.alb.tls needs ingress.hostname");
  });
});
