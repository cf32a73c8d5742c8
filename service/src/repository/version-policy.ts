/**
 * Which versions of a model the server loads, as in TF Serving / Triton:
 * `latest:N` (the N highest), `all`, or `specific:1,3`.
 */
export type VersionPolicy =
  | Readonly<{ kind: "latest"; count: number }>
  | Readonly<{ kind: "all" }>
  | Readonly<{ kind: "specific"; versions: readonly number[] }>;

const VERSION = /^[1-9][0-9]{0,8}$/;

/** Versions are positive integers written without leading zeros; anything else is not a version. */
export function parseVersion(text: string): number | undefined {
  return VERSION.test(text) ? Number(text) : undefined;
}

export function parseVersionPolicy(text: string): VersionPolicy {
  const s = text.trim();
  if (s === "all") return { kind: "all" };
  const latest = /^latest(?::([0-9]+))?$/.exec(s);
  if (latest) {
    const count = latest[1] === undefined ? 1 : Number(latest[1]);
    if (count < 1) throw new Error(`"${text}": latest needs a count of at least 1`);
    return { kind: "latest", count };
  }
  const specific = /^specific:(.+)$/.exec(s);
  if (specific?.[1]) {
    const versions = specific[1].split(",").map((v) => {
      const n = parseVersion(v.trim());
      if (n === undefined) throw new Error(`"${text}": "${v}" is not a positive integer version`);
      return n;
    });
    return { kind: "specific", versions: [...new Set(versions)].sort((a, b) => a - b) };
  }
  throw new Error(`"${text}" is not a version policy (use latest:N, all, or specific:1,2)`);
}

/** Applies the policy to the versions a repository holds; returns them in ascending order. */
export function selectVersions(policy: VersionPolicy, available: readonly number[]): number[] {
  const sorted = [...available].sort((a, b) => a - b);
  switch (policy.kind) {
    case "all":
      return sorted;
    case "latest":
      return sorted.slice(-policy.count);
    case "specific":
      return sorted.filter((v) => policy.versions.includes(v));
  }
}
