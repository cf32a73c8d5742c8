/**
 * gRPC (Open Inference Protocol, h2c) wiring: env INFERGATE_GRPC_PORT, container port `grpc`, a
 * `grpc` port on every Service that has the `http` one, and NetworkPolicy ingress to it from
 * exactly the client peers allowed to `http` (Prometheus only scrapes http); none of it when
 * gRPC is off; never behind the ALB. Checked in every scenario, with gRPC off and on another
 * port, and switching or moving it rolls the pods.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type Rendered, renderChart } from "../lib/chart.js";
import { grpcWiring } from "../lib/grpc.js";
import { renderScenario, SCENARIOS } from "../lib/scenarios.js";
import { workloadOf } from "../lib/workload.js";

/** The checks for one render; `port` undefined: gRPC is off. */
function grpcChecks(
  render: () => Promise<Rendered>,
  port: number | undefined,
  has: { networkPolicy: boolean; ingress: boolean },
) {
  let g: ReturnType<typeof grpcWiring>;
  beforeAll(async () => {
    g = grpcWiring(await render());
  });
  if (port !== undefined) {
    it(`ConfigMap sets INFERGATE_GRPC_PORT=${port}`, () => {
      expect(g.configPort).toBe(String(port));
    });
    it(`container port grpc = ${port}/TCP`, () => {
      expect(g.containerPorts).toEqual([expect.objectContaining({ containerPort: port, protocol: "TCP" })]);
    });
    it(`every Service with port http has port grpc ${port} -> targetPort grpc, appProtocol kubernetes.io/h2c`, () => {
      expect(g.httpServices.length).toBeGreaterThan(0);
      for (const s of g.httpServices) {
        const grpc = {
          name: "grpc",
          port,
          targetPort: "grpc",
          protocol: "TCP",
          appProtocol: "kubernetes.io/h2c",
        };
        expect(s.ports, s.name).toContainEqual(expect.objectContaining(grpc));
      }
    });
    if (has.networkPolicy) {
      it("NetworkPolicy admits to port grpc exactly the clients admitted to port http (not Prometheus)", () => {
        expect(g.httpClients.length).toBeGreaterThan(0);
        expect(g.grpcPeers).toEqual(g.httpClients);
      });
    }
  } else {
    it("no INFERGATE_GRPC_PORT in the ConfigMap or the container env", () => {
      expect(g.configPort).toBeUndefined();
      expect(g.envNames).not.toContain("INFERGATE_GRPC_PORT");
    });
    it("no container port grpc", () => {
      expect(g.containerPorts).toEqual([]);
    });
    it("no Service port grpc", () => {
      expect(g.allServicePorts.filter((p) => p.name === "grpc" || p.targetPort === "grpc")).toEqual([]);
    });
    if (has.networkPolicy) {
      it("no NetworkPolicy ingress to port grpc", () => {
        expect(g.networkPolicy).toBeDefined();
        expect(g.grpcRules).toBe(0);
      });
    }
  }
  if (has.ingress) {
    it("ALB Ingress does not route to the grpc port", () => {
      expect(g.ingressBackends?.length).toBeGreaterThan(0);
      for (const b of g.ingressBackends ?? []) {
        expect(b.name).not.toBe("grpc");
        if (port !== undefined) expect(b.number).not.toBe(port);
      }
    });
  }
}

describe.each(SCENARIOS.map((s) => [s.name, s] as const))("%s", (_name, s) => {
  const grpc = s.values.grpc as { enabled: boolean; port: number };
  grpcChecks(() => renderScenario(s), grpc.enabled ? grpc.port : undefined, {
    networkPolicy: s.values.networkPolicy.enabled,
    ingress: s.values.ingress.enabled,
  });
});

// Every Service and the NetworkPolicy's client rules present, so "none of it" means something.
const clients = ["--set", "ingress.enabled=true", "--set", "networkPolicy.ingress.cidrs={10.0.0.0/16}"];
clients.push("--set", "networkPolicy.ingress.namespaces={apps}");
describe.each([false, true].map((on) => [on ? "on" : "off", on] as const))(
  "grpc with rollout=%s",
  (_name, rollout) => {
    const base = [...clients, "--set", `rollout.enabled=${rollout}`];
    describe("disabled", () => {
      grpcChecks(() => renderChart([...base, "--set", "grpc.enabled=false"]), undefined, {
        networkPolicy: true,
        ingress: true,
      });
    });
    describe("port 9000", () => {
      grpcChecks(() => renderChart([...base, "--set", "grpc.port=9000"]), 9000, {
        networkPolicy: true,
        ingress: true,
      });
    });
  },
);

it("grpc: enabling/disabling it or changing its port changes the pod template checksum", async () => {
  const checksum = async (args: string[]) =>
    workloadOf(await renderChart(args)).pod.metadata.annotations?.["checksum/config"];
  const on = await checksum([]);
  expect(on).toBeDefined();
  expect(await checksum(["--set", "grpc.enabled=false"])).not.toBe(on);
  expect(await checksum(["--set", "grpc.port=9000"])).not.toBe(on);
});
