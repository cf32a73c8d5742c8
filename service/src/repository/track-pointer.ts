import { z } from "zod";

/**
 * `<root>/<model>/tracks.json`: which version is production (`stable`), which is being tried
 * (`candidate`), and how: `canary` answers a share of traffic with the candidate, `shadow` runs a
 * share on it off the response path, `off` serves stable only.
 */
export const trackPointerSchema = z
  .strictObject({
    stable: z.number().int().min(1).optional(),
    candidate: z.number().int().min(1).optional(),
    mode: z.enum(["off", "canary", "shadow"]).default("off"),
    weight: z.number().min(0).max(1).default(0),
  })
  .refine((p) => p.mode === "off" || p.candidate !== undefined, {
    message: "mode canary/shadow needs a candidate version",
  })
  .refine((p) => p.candidate === undefined || p.candidate !== p.stable, {
    message: "candidate must differ from stable",
  });

export type TrackPointer = z.infer<typeof trackPointerSchema>;

export const POINTER_FILE = "tracks.json";

/** Parses pointer text; `where` names the file for the error message. */
export function parseTrackPointer(text: string, where: string): TrackPointer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = trackPointerSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `${where}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

export function formatTrackPointer(p: TrackPointer): string {
  return `${JSON.stringify(p, null, 2)}\n`;
}
