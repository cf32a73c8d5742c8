import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RehearsalInterrupted } from "../../src/rehearse/errors.js";
import { Supervisor } from "../../src/rehearse/supervisor.js";
import { alive } from "../support/cli.js";

/** Every process the rehearsal starts is stopped by its PID: politely, then for good. */
const logs = await mkdtemp(join(tmpdir(), "infergate-rehearse-supervisor-"));
afterAll(() => rm(logs, { recursive: true, force: true }));

describe("supervisor", () => {
  it("stops what it started, the last first, SIGKILL for one that ignores SIGTERM", async () => {
    const s = new Supervisor(logs);
    const polite = s.start("polite", "sleep", ["60"]);
    const stubborn = s.start("stubborn", "bash", ["-c", "trap '' TERM; echo ready; sleep 60 & wait"]);
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await Promise.all([s.stop(stubborn, 500), s.stop(polite)]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(alive(polite.pid) || alive(stubborn.pid)).toBe(false);
    expect(s.processes()).toEqual([
      { name: "polite", pid: polite.pid, exit: "SIGTERM" },
      { name: "stubborn", pid: stubborn.pid, exit: "SIGKILL" },
    ]);
  });

  it("runs a command to its end and keeps its output in its own log", async () => {
    const s = new Supervisor(logs);
    const r = await s.run("echo", "bash", ["-c", "echo out; echo err >&2; exit 3"]);
    expect(r.code).toBe(3);
    expect(r.output()).toBe("out\nerr\n");
    expect(r.log).toMatch(/\/\d\d-echo\.log$/);
  });

  it("on interruption stops the running command, throws, and starts nothing more", async () => {
    const s = new Supervisor(logs);
    const running = s.run("long", "sleep", ["60"]);
    setTimeout(() => s.interrupt("SIGINT"), 200);
    await expect(running).rejects.toBeInstanceOf(RehearsalInterrupted);
    expect(s.processes()[0]).toMatchObject({ name: "long", exit: "SIGTERM" });
    expect(() => s.start("after", "sleep", ["1"])).toThrow(/interrupted by SIGINT/);
  });
});
