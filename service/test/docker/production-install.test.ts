/**
 * The image without a Docker engine: lint the Dockerfile (dockerfile-utils, the parser/validator
 * behind the Docker language server, plus this project's policy rules), then replay what the
 * image build does in a temp dir (compiled output, the prod-deps stage's RUN commands verbatim,
 * the runtime stage's COPY/ENV/CMD) and start the server from it with production dependencies only.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grpcServerReady } from "../support/grpc.js";

const execFileP = promisify(execFile);

/** execFile that, on failure, reports the command's output (tsc writes its errors to stdout). */
async function run(cmd: string, args: string[], opts: Parameters<typeof execFileP>[2]) {
  try {
    return await execFileP(cmd, args, { maxBuffer: 16 * 1024 * 1024, ...opts });
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    throw new Error(
      `${[cmd, ...args].join(" ")} failed (exit ${e.code}):\n${String(e.stdout ?? "").slice(-4000)}\n${String(e.stderr ?? "").slice(-4000)}`,
    );
  }
}
const root = resolve(fileURLToPath(new URL("../../..", import.meta.url)));

/** The variables that say how this machine reaches the npm registry (proxy, CA certificates). */
function networkEnv(): NodeJS.ProcessEnv {
  const names =
    /^(https?_proxy|no_proxy|NODE_EXTRA_CA_CERTS|NODE_USE_SYSTEM_CA|SSL_CERT_FILE|SSL_CERT_DIR)$/i;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => names.test(k)));
}
const dockerfileText = readFileSync(join(root, "Dockerfile"), "utf8");

// ---------------------------------------------------------------------------------------------
// A small Dockerfile reader: enough for this project's Dockerfile (no heredocs, default escape).

type Instruction = { keyword: string; flags: Record<string, string>; args: string; line: number };
type Stage = { name: string; from: string; instructions: Instruction[] };

function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split("\n");
  let buf = "";
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const trimmed = raw.trim();
    if (trimmed.startsWith("#") || (buf === "" && trimmed === "")) continue; // comments (also inside continuations)
    if (buf === "") start = i + 1;
    if (trimmed.endsWith("\\")) {
      buf += `${trimmed.slice(0, -1)} `;
      continue;
    }
    buf += trimmed;
    const m = /^(\S+)\s*(.*)$/s.exec(buf.trim());
    buf = "";
    if (!m) continue;
    let rest = m[2] as string;
    const flags: Record<string, string> = {};
    for (let f = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest); f; f = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest)) {
      const key = f[1] as string;
      flags[key] = flags[key] === undefined ? (f[2] ?? "") : `${flags[key]};${f[2] ?? ""}`;
      rest = rest.slice(f[0].length);
    }
    out.push({ keyword: (m[1] as string).toUpperCase(), flags, args: rest.trim(), line: start });
  }
  return out;
}

function stages(text: string): Stage[] {
  const result: Stage[] = [];
  for (const ins of instructions(text)) {
    if (ins.keyword === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`Dockerfile:${ins.line}: cannot read FROM ${ins.args}`);
      result.push({ name: m[2] ?? String(result.length), from: m[1] as string, instructions: [] });
    } else {
      const current = result[result.length - 1];
      if (!current) throw new Error(`Dockerfile:${ins.line}: ${ins.keyword} before FROM`);
      current.instructions.push(ins);
    }
  }
  return result;
}

/** `K=V K2="a b"` → pairs (the ENV forms used here). */
function envPairs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) {
    out[m[1] as string] = m[3] ?? (m[2] as string);
  }
  return out;
}

const all = stages(dockerfileText);
const byName = new Map(all.map((s) => [s.name, s]));
const finalStage = all[all.length - 1] as Stage;
const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const workdir = (stage: Stage): string => {
  let wd = "/";
  for (let s: Stage | undefined = stage; s; s = byName.get(s.from)) {
    const w = of(s, "WORKDIR").at(-1);
    if (w) {
      wd = w.args;
      break;
    }
  }
  return wd;
};
/** The stage chain down to the external image: `runtime` → `base` → node:…@sha256:… */
const externalImage = (stage: Stage): string => {
  let s = stage;
  while (byName.has(s.from)) s = byName.get(s.from) as Stage;
  return s.from;
};
/** The stage whose node_modules the final stage copies. */
const depsStage = (): Stage => {
  const copy = of(finalStage, "COPY").find((c) => c.flags.from && /node_modules/.test(c.args));
  if (!copy) throw new Error("the final stage copies no node_modules from another stage");
  return byName.get(copy.flags.from as string) as Stage;
};

// ---------------------------------------------------------------------------------------------
// .dockerignore semantics (Go filepath.Match plus **, last matching rule wins, a rule matching a
// directory covers everything under it).

function dockerignoreRules(): { re: RegExp; negate: boolean }[] {
  const text = readFileSync(join(root, ".dockerignore"), "utf8");
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const negate = l.startsWith("!");
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, "");
      let re = "";
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i] as string;
        if (c === "*" && pattern[i + 1] === "*") {
          re += ".*";
          i++;
          if (pattern[i + 1] === "/") i++;
        } else if (c === "*") re += "[^/]*";
        else if (c === "?") re += "[^/]";
        else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
      }
      return { re: new RegExp(`^${re}(/.*)?$`), negate };
    });
}

function excludedFromContext(path: string, rules = dockerignoreRules()): boolean {
  let excluded = false;
  for (const r of rules) if (r.re.test(path)) excluded = !r.negate;
  return excluded;
}

function filesUnder(rel: string): string[] {
  const abs = join(root, rel);
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

// ---------------------------------------------------------------------------------------------

describe("Dockerfile lint", () => {
  it("has no findings from dockerfile-utils (devDependency, pinned)", () => {
    const require = createRequire(join(root, "package.json"));
    let utils: {
      validate(content: string): { message: string; severity?: number; range: { start: { line: number } } }[];
    };
    try {
      utils = require("dockerfile-utils");
    } catch {
      throw new Error(
        "dockerfile-utils is not installed: add it as a pinned devDependency (npm install -D -E dockerfile-utils@0.16.3)",
      );
    }
    const findings = utils
      .validate(dockerfileText)
      .map(
        (d) =>
          `Dockerfile:${d.range.start.line + 1}: ${d.severity === 1 ? "error" : "warning"}: ${d.message}`,
      );
    expect(findings).toEqual([]);
  });

  it("is multi-stage: dev dependencies build, production dependencies ship", () => {
    expect(all.length).toBeGreaterThanOrEqual(3);
    const build = all.find((s) => of(s, "RUN").some((r) => /\bnpm run build\b/.test(r.args)));
    expect(build, "a stage runs npm run build").toBeDefined();
    const buildCi = of(build as Stage, "RUN").find((r) => /\bnpm ci\b/.test(r.args));
    expect(buildCi?.args, "the build stage installs dev dependencies").not.toMatch(/--omit=dev|--production/);
    expect(of(depsStage(), "RUN").some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r.args))).toBe(true);
    // Not the pinned node-linux-* binaries (optional dependencies): the image brings its own Node.
    for (const s of all)
      for (const r of of(s, "RUN").filter((x) => /\bnpm ci\b/.test(x.args)))
        expect(r.args, `stage ${s.name}`).toMatch(/--omit=optional/);
    // The final stage installs nothing; it copies compiled JS and production node_modules.
    expect(of(finalStage, "RUN").some((r) => /\bnpm (ci|install|i)\b/.test(r.args))).toBe(false);
    const copies = of(finalStage, "COPY").map((c) => `${c.flags.from ?? "context"}: ${c.args}`);
    expect(copies).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^prod-deps: \/app\/node_modules /),
        expect.stringMatching(/^build: \S*dist\/service\/src /),
        "context: models/repository ./models/repository",
        "context: service/proto ./service/proto",
        "context: package.json ./",
      ]),
    );
  });

  it("ships on a glibc slim image of the Node version .nvmrc pins, never alpine or :latest", () => {
    const pinned = readFileSync(join(root, ".nvmrc"), "utf8").trim();
    expect(pinned).toMatch(/^26\.\d+\.\d+$/);
    for (const s of all) {
      const image = externalImage(s);
      expect(image, `stage ${s.name}`).toMatch(
        /^node:\d+\.\d+\.\d+-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?$/,
      );
      expect(image?.split("-")[0], `stage ${s.name}`).toBe(`node:${pinned}`);
    }
    for (const s of all) expect(s.from, `stage ${s.name}`).not.toMatch(/alpine|:latest$/);
  });

  it("runs as a numeric non-root user with NODE_ENV=production and an exec-form node CMD", () => {
    const user = of(finalStage, "USER").at(-1)?.args ?? "root";
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    const env = Object.assign({}, ...of(finalStage, "ENV").map((e) => envPairs(e.args)));
    expect(env.NODE_ENV).toBe("production");
    expect(of(finalStage, "EXPOSE").at(-1)?.args).toBe(env.PORT);
    expect(JSON.parse(of(finalStage, "CMD").at(-1)?.args ?? "null")).toEqual([
      "node",
      "dist/service/src/main.js",
    ]);
    expect(of(finalStage, "HEALTHCHECK")).toHaveLength(1);
  });

  it("keeps package caches out of every layer and uses COPY, not ADD", () => {
    for (const s of all) {
      for (const r of of(s, "RUN").filter((x) => /\bnpm (ci|install|i)\b/.test(x.args))) {
        const cached = /type=cache,target=\/root\/\.npm/.test(r.flags.mount ?? "");
        const cleaned = /npm cache clean --force/.test(r.args);
        expect(cached || cleaned, `Dockerfile:${r.line}: npm without a cache mount or cache clean`).toBe(
          true,
        );
      }
      expect(of(s, "ADD"), `stage ${s.name}`).toEqual([]);
    }
  });

  it("has a .dockerignore that lets in exactly what COPY needs", () => {
    const rules = dockerignoreRules();
    const sources = all
      .flatMap((s) => of(s, "COPY").filter((c) => !c.flags.from))
      .flatMap((c) => c.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      for (const file of filesUnder(src.replace(/^\.\//, ""))) {
        expect(excludedFromContext(file, rules), `${file} (COPY ${src}) is excluded by .dockerignore`).toBe(
          false,
        );
      }
    }
    for (const secret of [
      "node_modules/fastify/package.json",
      "dist/service/src/main.js",
      ".git/config",
      ".tools/bin/k6",
      ".venv/models/bin/python",
      ".cache/models/x",
      ".env",
      "service/test/process/server.test.ts",
      "terraform/platform/main.tf",
      "helm/infergate/values.yaml",
      "loadtest/results/load/summary.json",
    ]) {
      expect(excludedFromContext(secret, rules), `${secret} must not be in the build context`).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => res(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/** Docker's TARGETARCH for this machine. */
const targetArch = process.arch === "x64" ? "amd64" : process.arch;

describe("production install (what the image does, without Docker)", () => {
  let work: string;
  let app: string;
  let server: ChildProcess | undefined;
  let logs = "";

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "infergate-prod-install-"));
    const build = join(work, "build"); // the build stage's WORKDIR (/src)
    const deps = join(work, "prod-deps"); // the prod-deps stage's WORKDIR (/app)
    app = join(work, "app"); // the runtime stage's WORKDIR (/app)
    await Promise.all([mkdir(build), mkdir(deps), mkdir(app)]);

    // build stage: `npm run build` is `tsc -p tsconfig.build.json` into dist/; compile into the
    // temp dir instead of the shared checkout's dist/.
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.scripts.build).toBe("tsc -p tsconfig.build.json");
    await run(
      process.execPath,
      [
        join(root, "node_modules", "typescript", "bin", "tsc"),
        "-p",
        "tsconfig.build.json",
        "--outDir",
        join(build, "dist"),
      ],
      { cwd: root, timeout: 120_000 },
    );

    // prod-deps stage: its context COPYs, then its RUN commands verbatim (BuildKit flags such as
    // the cache mount only affect where npm's cache lives).
    const stage = depsStage();
    expect(workdir(stage)).toBe("/app");
    for (const c of of(stage, "COPY")) {
      for (const src of c.args.split(/\s+/).slice(0, -1))
        cpSync(join(root, src), join(deps, src), { recursive: true });
    }
    for (const r of of(stage, "RUN")) {
      await run("sh", ["-c", `set -e\n${r.args}`], {
        cwd: deps,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          TARGETARCH: targetArch,
          npm_config_update_notifier: "false",
          // The machine's way to the registry (proxies, extra CAs), as a build host would have it.
          ...networkEnv(),
        },
        timeout: 240_000,
      });
    }

    // runtime stage: replay its COPY instructions into app/ (a directory source copies its
    // contents to the destination; files go into a destination ending in "/").
    const stageRoot: Record<string, string> = { build, "prod-deps": deps };
    for (const c of of(finalStage, "COPY")) {
      const parts = c.args.split(/\s+/);
      const destRaw = parts.pop() as string;
      const dest = join(app, destRaw);
      for (const src of parts) {
        let from: string;
        if (c.flags.from) {
          const s = byName.get(c.flags.from) as Stage;
          const wd = workdir(s);
          expect(src.startsWith(`${wd}/`), `COPY --from=${c.flags.from} ${src} is under ${wd}`).toBe(true);
          from = join(stageRoot[c.flags.from] as string, src.slice(wd.length + 1));
        } else {
          from = join(root, src);
        }
        const isDir = statSync(from).isDirectory();
        const target = isDir || !destRaw.endsWith("/") ? dest : join(dest, basename(src));
        await mkdir(isDir ? target : dirname(target), { recursive: true });
        cpSync(from, target, { recursive: true, verbatimSymlinks: true });
      }
    }
  }, 420_000);

  afterAll(async () => {
    if (server && server.exitCode === null) server.kill("SIGKILL");
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("installs production dependencies only, with the target platform's onnxruntime binary", () => {
    const nm = join(app, "node_modules");
    for (const dev of ["tsx", "typescript", "vitest", "@biomejs/biome", "autocannon"]) {
      expect(existsSync(join(nm, dev)), `${dev} (devDependency) in the production install`).toBe(false);
    }
    for (const dep of ["fastify", "onnxruntime-node", "zod", "pino"])
      expect(existsSync(join(nm, dep))).toBe(true);
    const ortArch = targetArch === "amd64" ? "x64" : targetArch;
    const bin = join(nm, "onnxruntime-node", "bin");
    const platforms = readdirSync(bin).flatMap((napi) =>
      readdirSync(join(bin, napi)).flatMap((os) => readdirSync(join(bin, napi, os)).map((a) => `${os}/${a}`)),
    );
    expect(platforms).toEqual([`linux/${ortArch}`]);
    expect(existsSync(join(app, "dist", "service", "src", "main.js"))).toBe(true);
    // The `infergate` command runs from the compiled tools (the canary analysis Job uses it).
    expect(existsSync(join(app, "dist", "tools", "src", "cli", "run.js"))).toBe(true);
    expect(existsSync(join(app, "bin", "infergate.js"))).toBe(true);
    expect(existsSync(join(app, "models", "repository", "digits"))).toBe(true);
    expect(existsSync(join(app, ".npmrc"))).toBe(false);
  });

  it("starts from compiled JS with the image's ENV and CMD, serves the bundled model, drains on SIGTERM", async () => {
    const env = Object.assign({}, ...of(finalStage, "ENV").map((e) => envPairs(e.args))) as Record<
      string,
      string
    >;
    const cmd = JSON.parse(of(finalStage, "CMD").at(-1)?.args as string) as string[];
    expect(cmd[0]).toBe("node");
    const port = await freePort();
    const grpcPort = await freePort();
    // A container's environment: the image's ENV, nothing from this dev shell (no NODE_OPTIONS,
    // no tsx loader), except listening on loopback and a private model cache.
    server = spawn(process.execPath, cmd.slice(1), {
      cwd: app,
      env: {
        PATH: process.env.PATH,
        HOME: work,
        ...env,
        HOST: "127.0.0.1",
        PORT: String(port),
        INFERGATE_GRPC_PORT: String(grpcPort),
        INFERGATE_MODEL_CACHE_DIR: join(work, "cache"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout?.on("data", (b: Buffer) => {
      logs += b.toString();
    });
    server.stderr?.on("data", (b: Buffer) => {
      logs += b.toString();
    });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 45_000;
    let ready = false;
    while (!ready && Date.now() < deadline && server.exitCode === null) {
      ready = await fetch(`${base}/v2/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (!ready) await sleep(250);
    }
    expect(ready, `server not ready within 45 s; output:\n${logs}`).toBe(true);

    // The default repository resolved to <app>/models/repository, as /app/models/repository in the image.
    expect(logs).toContain(`"repository":"file://${join(app, "models", "repository")}"`);

    const row = JSON.parse(
      readFileSync(join(root, "models", "repository", "digits", "validation.jsonl"), "utf8").split(
        "\n",
      )[0] as string,
    ) as { features: number[]; label: number };
    const res = await fetch(`${base}/v2/models/digits/infer`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        inputs: [{ name: "input", shape: [1, 64], datatype: "FP32", data: row.features }],
      }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      model_name: string;
      outputs: { name: string; shape: number[]; data: number[] }[];
    };
    expect(body.model_name).toBe("digits");
    const label = body.outputs.find((o) => o.name === "label");
    const probs = body.outputs.find((o) => o.name === "probabilities");
    expect(label).toMatchObject({ shape: [1], data: [row.label] });
    expect(probs?.shape).toEqual([1, 10]);
    // gRPC from the image layout: the proto is found under <app>/service/proto.
    expect(logs).toContain(`"port":${grpcPort},"msg":"gRPC server listening"`);
    expect(
      await grpcServerReady(
        `127.0.0.1:${grpcPort}`,
        join(app, "service", "proto", "open_inference_grpc.proto"),
      ),
    ).toBe(true);

    const exited = new Promise<number | null>((res) => server?.once("exit", (code) => res(code)));
    server.kill("SIGTERM");
    const code = await Promise.race([exited, sleep(20_000).then(() => "timeout" as const)]);
    expect(code, `exit after SIGTERM; output:\n${logs.slice(-2000)}`).toBe(0);
  }, 90_000);
});
