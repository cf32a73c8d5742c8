import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { Errors } from "../../errors.js";
import { describeIssues } from "../../protocol/v2-codec.js";
import { formatTrackPointer, type TrackPointer, trackPointerSchema } from "../../repository/track-pointer.js";
import { adminTokenCheck } from "../admin-token.js";
import type { AppDeps } from "../deps.js";

type Opts = AppDeps & { adminToken: string };
type Params = { model: string };

const putBody = z.strictObject({
  mode: z.enum(["off", "canary", "shadow"]),
  weight: z.number().min(0).max(1).default(0),
  candidate: z.number().int().min(1).optional(),
});

/**
 * The admin API pipelines script against: read and change a model's tracks, promote, roll
 * back, reload, behind the bearer token (admin-token.ts). Every change
 * goes through the repository's pointer file, then a reconcile applies it, so the pointer stays
 * the one source of truth (and survives restarts); each change is logged and counted.
 */
export async function adminRoutes(app: FastifyInstance, opts: Opts): Promise<void> {
  const { dataPlane, reconciler, metrics, source, peers } = opts;
  // One change at a time: two calls interleaving their pointer writes and reconciles could leave
  // the repository and the registry disagreeing.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => {});
    return run;
  };
  const registry = dataPlane.registry;
  const isAdmin = adminTokenCheck(opts.adminToken);

  app.addHook("onRequest", async (request) => {
    if (!isAdmin(request)) throw Errors.unauthorized();
  });

  const state = (model: string) => {
    if (!registry.has(model)) throw Errors.modelNotFound(model);
    const pointer = registry.pointer(model);
    const { stable, candidate } = registry.tracks(model);
    const versions = Object.fromEntries(
      [...registry.versions(model)].map(([v, st]) => [
        v,
        st.state === "failed" ? { state: st.state, error: st.error } : { state: st.state },
      ]),
    );
    return {
      model,
      stable: stable?.version ?? null,
      candidate: candidate?.version ?? pointer?.candidate ?? null,
      mode: pointer?.mode ?? "off",
      weight: pointer?.weight ?? 0,
      answering: { stable: stable?.version ?? null, candidate: candidate?.version ?? null },
      versions,
    };
  };

  /**
   * Writes the pointer, reconciles, checks the change really took effect, and has every other
   * worker apply it before answering (`workers` says how many did).
   */
  const change = (request: FastifyRequest, model: string, action: string, next: TrackPointer) =>
    serialized(async () => {
      const after = await applyHere(request, model, action, next);
      return { ...after, workers: await peers.reconcileOthers(`admin:${action}`) };
    });

  const applyHere = async (request: FastifyRequest, model: string, action: string, next: TrackPointer) => {
    const before = state(model);
    const previous = registry.pointer(model);
    await source.writePointer(model, formatTrackPointer(next));
    const report = await reconciler.reconcile(`admin:${action}`);
    const after = state(model);
    metrics.adminChanges.labels(model, action).inc();
    request.log.info({ model, action, before, after, report }, "tracks changed");
    const wantsCandidate = next.mode !== "off" && next.candidate !== undefined;
    if (wantsCandidate && after.answering.candidate !== next.candidate) {
      const st = registry.versions(model).get(next.candidate as number);
      // Put the previous pointer back, so the repository never names a candidate that cannot serve.
      if (previous) await source.writePointer(model, formatTrackPointer(previous));
      else
        await source.writePointer(
          model,
          formatTrackPointer({ ...(before.stable ? { stable: before.stable } : {}), mode: "off", weight: 0 }),
        );
      await reconciler.reconcile(`admin:${action}:revert`);
      throw Errors.conflict(
        `candidate ${model}/${next.candidate} is not serving: ${st?.state === "failed" ? st.error : "not in the repository"}; stable keeps answering`,
      );
    }
    return after;
  };

  const current = (model: string): TrackPointer => {
    const s = state(model);
    const pointer = registry.pointer(model);
    return {
      stable: pointer?.stable ?? s.stable ?? undefined,
      candidate: pointer?.candidate,
      mode: pointer?.mode ?? "off",
      weight: pointer?.weight ?? 0,
    } as TrackPointer;
  };

  app.get<{ Params: Params }>(
    "/admin/models/:model/tracks",
    { schema: { tags: ["admin"], summary: "Track state of a model" } },
    async (request) => state(request.params.model),
  );

  app.put<{ Params: Params }>(
    "/admin/models/:model/tracks",
    { schema: { tags: ["admin"], summary: "Set mode, weight and candidate" } },
    async (request) => {
      const { model } = request.params;
      const body = putBody.safeParse(request.body);
      if (!body.success) throw Errors.invalidRequest(describeIssues(body.error));
      const base = current(model);
      const candidate = body.data.candidate ?? base.candidate;
      const next = trackPointerSchema.safeParse({
        stable: base.stable,
        candidate,
        mode: body.data.mode,
        weight: body.data.weight,
      });
      if (!next.success) throw Errors.invalidRequest(describeIssues(next.error));
      return change(request, model, "set_tracks", next.data);
    },
  );

  app.post<{ Params: Params }>(
    "/admin/models/:model/promote",
    { schema: { tags: ["admin"], summary: "Candidate becomes stable" } },
    async (request) => {
      const { model } = request.params;
      const base = current(model);
      if (base.candidate === undefined) throw Errors.conflict(`model "${model}" has no candidate to promote`);
      return change(request, model, "promote", { stable: base.candidate, mode: "off", weight: 0 });
    },
  );

  app.post<{ Params: Params }>(
    "/admin/models/:model/rollback",
    { schema: { tags: ["admin"], summary: "Drop the candidate" } },
    async (request) => {
      const { model } = request.params;
      const base = current(model);
      return change(request, model, "rollback", {
        ...(base.stable !== undefined ? { stable: base.stable } : {}),
        mode: "off",
        weight: 0,
      });
    },
  );

  app.post<{ Params: Params }>(
    "/admin/models/:model/reload",
    { schema: { tags: ["admin"], summary: "Reconcile with the repository now" } },
    async (request) => {
      const { model } = request.params;
      if (!registry.has(model)) throw Errors.modelNotFound(model);
      return serialized(async () => {
        const report = await reconciler.reconcile("admin:reload");
        metrics.adminChanges.labels(model, "reload").inc();
        request.log.info({ model, action: "reload", report }, "reload requested");
        return { ...state(model), report, workers: await peers.reconcileOthers("admin:reload") };
      });
    },
  );
}
