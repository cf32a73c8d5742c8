import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, waitFor } from "../../../service/test/support/net.js";
import { REPO_ROOT } from "../../../service/test/support/paths.js";

/**
 * `infergate` from the installed package, not the checkout: `npm pack` (prepack builds dist/),
 * installed into an empty project with npm, then `npx infergate --help` and `infergate serve`
 * answering with the bundled model from the package's own files.
 */
let dir: string;
let bin: string;

const npm = (args: string[], cwd: string) => {
  const r = spawnSync("npm", args, { cwd, encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "infergate-packed-"));
  npm(["pack", "--pack-destination", dir], REPO_ROOT);
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz")) as string;
  const app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
  copyFileSync(join(REPO_ROOT, ".npmrc"), join(app, ".npmrc"));
  npm(["install", join(dir, tarball), "--prefer-offline", "--no-audit", "--no-fund"], app);
  bin = join(app, "node_modules", ".bin", "infergate");
}, 900_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("the installed package", () => {
  it("ships the compiled server and tools, not the TypeScript sources", () => {
    const pkg = join(dir, "app", "node_modules", "infergate");
    expect(readdirSync(pkg).sort()).toEqual(
      expect.arrayContaining(["bin", "dist", "helm", "models", "package.json", "service"]),
    );
    expect(readdirSync(pkg)).not.toContain("tools");
    expect(readdirSync(join(pkg, "service"))).toEqual(["proto"]);
  });

  it("runs infergate --help", () => {
    const r = spawnSync(bin, ["--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: infergate <command> \[options\]\n/);
  });

  it("serves the bundled model with infergate serve", async () => {
    const port = await freePort();
    const child = spawn(bin, ["serve"], {
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", INFERGATE_WORKERS: "1" },
      stdio: "ignore",
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${url}/v2/health/ready`)).ok, 60_000, "the packed server");
      const meta = (await (await fetch(`${url}/v2/models/digits`)).json()) as { name: string };
      expect(meta.name).toBe("digits");
    } finally {
      child.kill("SIGTERM");
    }
  }, 90_000);
});
