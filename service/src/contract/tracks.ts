/**
 * Who answers a request: the stable version, a canary candidate, a shadow run beside stable, or
 * the version a request named itself (direct: never part of a canary's comparison). Every metric
 * carries the track, so one query and one verdict work for in-server tracks and for a pod-level
 * canary alike.
 */
export const TRACKS = ["stable", "canary", "shadow", "direct"] as const;
export type Track = (typeof TRACKS)[number];
