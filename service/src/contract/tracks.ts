/**
 * Who answers a request: the stable version, a canary candidate, or a shadow run beside stable.
 * Every metric carries the track, so one query and one verdict work for in-server tracks and
 * for a pod-level canary alike.
 */
export const TRACKS = ["stable", "canary", "shadow"] as const;
export type Track = (typeof TRACKS)[number];
