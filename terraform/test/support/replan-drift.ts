/**
 * Which changes a re-plan right after the apply may show: only those moto's incomplete EKS model
 * explains. moto ignores the cluster's accessConfig (-> cluster replacement), reports a default
 * disk_size for node groups with a launch template (-> replacement) and adds a "launch-template"
 * tag specification to launch templates; what depends on the cluster's OIDC issuer or the node
 * groups' Auto Scaling groups follows. Any other change is drift and fails the re-plan.
 */

export type ResourceChange = {
  address: string;
  type: string;
  change: {
    actions: string[];
    before?: Record<string, unknown> | null;
    after?: Record<string, unknown> | null;
    after_unknown?: Record<string, unknown> | null;
  };
};
export type PlanJson = { resource_changes?: ResourceChange[] };

export const MOTO_EKS_GAP_TYPES: ReadonlySet<string> = new Set([
  "aws_eks_cluster",
  "aws_eks_node_group",
  "aws_launch_template",
  "aws_autoscaling_schedule",
  "aws_iam_openid_connect_provider",
  "aws_iam_role",
]);

/** In-place updates of these types must stay within the attributes the gaps explain. */
const ALLOWED_UPDATES: Record<string, ReadonlySet<string>> = {
  // a new OIDC issuer changes the trust policy of the IRSA roles
  aws_iam_role: new Set(["assume_role_policy"]),
  // moto's extra tag specification bumps the template version
  aws_launch_template: new Set(["tag_specifications", "default_version", "latest_version"]),
};

/** after_unknown mirrors the value's shape with `true` where a part is unknown until apply. */
function hasUnknown(marker: unknown): boolean {
  if (marker === true) return true;
  if (Array.isArray(marker)) return marker.some(hasUnknown);
  if (marker && typeof marker === "object") return Object.values(marker).some(hasUnknown);
  return false;
}

function changedAttributes(change: ResourceChange["change"]): string[] {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const changed = Object.keys(after).filter(
    (key) => key in before && JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
  const unknown = Object.entries(change.after_unknown ?? {})
    .filter(([, marker]) => hasUnknown(marker))
    .map(([key]) => key);
  return [...new Set([...changed, ...unknown])].sort();
}

/** The changes that moto's gaps do not explain: empty when the re-plan shows no real drift. */
export function unexplainedDrift(plan: PlanJson): string[] {
  const unexplained: string[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const actions = rc.change.actions.join("/");
    if (actions === "no-op" || actions === "read") continue;
    if (!MOTO_EKS_GAP_TYPES.has(rc.type)) {
      unexplained.push(`${actions} ${rc.address}`);
      continue;
    }
    const allowed = ALLOWED_UPDATES[rc.type];
    if (actions === "update" && allowed) {
      const attributes = changedAttributes(rc.change);
      if (attributes.some((attribute) => !allowed.has(attribute)))
        unexplained.push(`update ${rc.address} (${attributes.join(", ")})`);
    }
  }
  return unexplained;
}
