import { readFileSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProbeJob, probeLoad } from "../../src/core/load-probe.js";
import { ModelLoadError } from "../../src/errors.js";
import { BUNDLED_REPOSITORY } from "../support/paths.js";

/**
 * The load probe loads a version in a child process before it joins the serving ones: a good
 * version passes, a refused one fails with the loader's own reason, and a probe process that dies
 * (here killed -9, as a segfault or the OOM killer would) is a "crash", the caller unharmed.
 */
const runtime = { intraOpThreads: 1, graphOptimizationLevel: "all" } as const;
const v2 = join(BUNDLED_REPOSITORY, "digits", "2");
const manifestText = readFileSync(join(v2, "manifest.json"), "utf8");
let dir: string;

const failure = (p: Promise<void>) =>
  p.then(
    () => {
      throw new Error("the probe passed");
    },
    (err: unknown) => err as ModelLoadError,
  );

/** PIDs of this process's children running the probe (from /proc, no test hook in the probe). */
function probeChildren(): number[] {
  const out: number[] = [];
  const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8");
  for (const pid of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("load-probe-child")) out.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "infergate-probe-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("load probe", () => {
  it("passes a version that loads and warms up", async () => {
    await expect(
      probeLoad({ manifestText, where: "digits/2", path: join(v2, "model.onnx"), runtime }),
    ).resolves.toBeUndefined();
    expect(probeChildren()).toEqual([]);
  });

  it("fails a version ONNX Runtime refuses with the loader's reason and message", async () => {
    const path = join(dir, "garbage.onnx");
    await writeFile(path, "this is not a model");
    const err = await failure(probeLoad({ manifestText, where: "digits/9", path, runtime }));
    expect(err).toBeInstanceOf(ModelLoadError);
    expect(err.reason).toBe("session");
    expect(err.message).toContain("digits/9");
  });

  it("fails a manifest that does not match the graph as a signature error", async () => {
    const path = join(dir, "v2.onnx");
    await copyFile(join(v2, "model.onnx"), path);
    const manifest = JSON.parse(await readFile(join(v2, "manifest.json"), "utf8"));
    manifest.inputs[0].name = "not_the_input";
    const job: ProbeJob = { manifestText: JSON.stringify(manifest), where: "digits/8", path, runtime };
    expect((await failure(probeLoad(job))).reason).toBe("signature");
  });

  it("reports a probe process that dies as a crash, naming the signal", async () => {
    const probing = failure(
      probeLoad({ manifestText, where: "digits/7", path: join(v2, "model.onnx"), runtime }),
    );
    let pids: number[] = [];
    for (let i = 0; i < 500 && pids.length === 0; i++) {
      pids = probeChildren();
      if (pids.length === 0) await new Promise((r) => setTimeout(r, 5));
    }
    expect(pids).toHaveLength(1);
    process.kill(pids[0] as number, "SIGKILL");
    const err = await probing;
    expect(err.reason).toBe("crash");
    expect(err.message).toMatch(/^digits\/7: the load probe process died \(signal SIGKILL\)/);
  });

  it("fails a probe that does not finish in time, and leaves no process behind", async () => {
    const err = await failure(
      probeLoad({ manifestText, where: "digits/6", path: join(v2, "model.onnx"), runtime }, 1),
    );
    expect(err.message).toBe("digits/6: the load probe did not finish within 1 ms");
    expect(probeChildren()).toEqual([]);
  });
});
