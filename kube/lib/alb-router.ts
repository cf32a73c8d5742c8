/**
 * The ALB in front of the chart's Ingress, played on this machine (there is no AWS Load Balancer
 * Controller and no ALB here). As the real one: each request goes to one of the target groups of
 * the Ingress's forward action, by the weights the Argo Rollouts controller writes into
 * `alb.ingress.kubernetes.io/actions.<service>` (without that annotation, to the backend Service
 * alone); a target group is a Service's ready endpoints as the EndpointSlice controller lists
 * them, and of those only the targets that pass the health check: a pod whose process serves
 * (LocalPods.running()). A group with no such target gets no request; its share goes to the
 * others and is counted (under kwok a Pod is Ready before its process has started).
 */
import type { ApiClient } from "./api.js";
import type { LocalPod } from "./local-pods.js";

type Ingress = {
  metadata: { annotations?: Record<string, string> };
  spec: {
    rules?: { http?: { paths?: { backend: { service?: { name: string; port: { name?: string } } } }[] } }[];
  };
};
type EndpointSlice = {
  metadata: { labels?: Record<string, string> };
  endpoints?: { conditions?: { ready?: boolean }; targetRef?: { kind: string; name: string } }[];
};
type ForwardAction = { ForwardConfig?: { TargetGroups?: { ServiceName: string; Weight: number }[] } };

export type TargetGroup = { service: string; weight: number };

export class AlbRouter {
  private groups: TargetGroup[] = [];
  private readonly ready = new Map<string, string[]>();
  private timer: NodeJS.Timeout | undefined;
  /** Requests sent per Service (target group). */
  readonly sent = new Map<string, number>();
  /** Requests whose target group had no serving target, sent to another group. */
  redirected = 0;
  readonly errors: string[] = [];

  constructor(
    private readonly api: ApiClient,
    private readonly namespace: string,
    private readonly ingress: string,
    private readonly serving: () => LocalPod[],
  ) {}

  async start(intervalMs = 250): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The target groups and weights in force. */
  weights(): TargetGroup[] {
    return this.groups;
  }

  /** The serving pods behind a Service (its ready endpoints whose process answers). */
  targets(service: string): LocalPod[] {
    const byName = new Map(this.serving().map((p) => [p.name, p]));
    return (this.ready.get(service) ?? []).flatMap((name) => byName.get(name) ?? []);
  }

  /** The base URL of the pod the next request goes to; undefined when no group has a target. */
  route(): string | undefined {
    const live = this.groups.filter((g) => g.weight > 0);
    const usable = live
      .map((g) => ({ ...g, targets: this.targets(g.service) }))
      .filter((g) => g.targets.length);
    const drawn = pickWeighted(live);
    let group = usable.find((g) => g.service === drawn?.service);
    if (!group && usable.length > 0) {
      this.redirected += 1;
      group = pickWeighted(usable);
    }
    if (!group) return undefined;
    this.sent.set(group.service, (this.sent.get(group.service) ?? 0) + 1);
    return group.targets[Math.floor(Math.random() * group.targets.length)]?.url;
  }

  private async refresh(): Promise<void> {
    try {
      const base = `/apis/networking.k8s.io/v1/namespaces/${this.namespace}/ingresses/${this.ingress}`;
      this.groups = forwardGroups(await this.api.get<Ingress>(base));
      const slices = await this.api.get<{ items: EndpointSlice[] }>(
        `/apis/discovery.k8s.io/v1/namespaces/${this.namespace}/endpointslices`,
      );
      this.ready.clear();
      for (const slice of slices.items) {
        const service = slice.metadata.labels?.["kubernetes.io/service-name"];
        if (!service) continue;
        const pods = (slice.endpoints ?? [])
          .filter((e) => e.conditions?.ready && e.targetRef?.kind === "Pod")
          .map((e) => e.targetRef?.name ?? "");
        this.ready.set(service, [...(this.ready.get(service) ?? []), ...pods]);
      }
    } catch (error) {
      this.errors.push(error instanceof Error ? error.message : String(error));
    }
  }
}

/** One of `items`, each drawn with a probability proportional to its weight. */
function pickWeighted<T extends { weight: number }>(items: T[]): T | undefined {
  let draw = Math.random() * items.reduce((sum, i) => sum + i.weight, 0);
  for (const item of items) {
    draw -= item.weight;
    if (draw < 0) return item;
  }
  return items.at(-1);
}

/** The Ingress's target groups: the weighted forward action its backend names, or the backend alone. */
export function forwardGroups(ingress: Ingress): TargetGroup[] {
  const backend = ingress.spec.rules?.[0]?.http?.paths?.[0]?.backend.service;
  if (!backend) return [];
  if (backend.port.name !== "use-annotation") return [{ service: backend.name, weight: 100 }];
  const action = ingress.metadata.annotations?.[`alb.ingress.kubernetes.io/actions.${backend.name}`];
  if (!action) return [];
  const groups = (JSON.parse(action) as ForwardAction).ForwardConfig?.TargetGroups ?? [];
  return groups.map((g) => ({ service: g.ServiceName, weight: Number(g.Weight) }));
}
