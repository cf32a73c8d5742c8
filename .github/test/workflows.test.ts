/**
 * The GitHub Actions pipeline, checked offline: actionlint (pinned, with shellcheck for every
 * `run:` script) must report nothing; every `npm run` script, local action/workflow and repository
 * file the workflows name must exist; third-party actions are pinned by commit SHA; every job has
 * least-privilege permissions; the helper scripts behave; model.yml's train step (its `version` input,
 * train.py --version) runs for real in a scratch dir; .github/README.md covers the workflows.
 */
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const run = promisify(execFile);
const root = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const workflowsDir = join(root, ".github", "workflows");
const actionsDir = join(root, ".github", "actions");

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown> };
type Job = {
  uses?: string;
  with?: Record<string, unknown>;
  steps?: Step[];
  permissions?: unknown;
  "timeout-minutes"?: number;
  environment?: unknown;
  container?: unknown;
  "runs-on"?: string;
};
type Workflow = { on: Record<string, unknown>; jobs: Record<string, Job>; permissions?: unknown };
type Source = { file: string; text: string };

const workflowFiles = readdirSync(workflowsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const actionFiles = readdirSync(actionsDir)
  .map((d) => join(actionsDir, d, "action.yml"))
  .filter((f) => existsSync(f));
const sources: Source[] = [
  ...workflowFiles.map((f) => ({
    file: `.github/workflows/${f}`,
    text: readFileSync(join(workflowsDir, f), "utf8"),
  })),
  ...actionFiles.map((f) => ({ file: f.slice(root.length + 1), text: readFileSync(f, "utf8") })),
];
const workflows = new Map<string, Workflow>(
  workflowFiles.map((f) => [f, parse(readFileSync(join(workflowsDir, f), "utf8")) as Workflow]),
);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
};

/** Every step of every job and composite action, with where it is. */
function allSteps(): { where: string; step: Step }[] {
  const out: { where: string; step: Step }[] = [];
  for (const [file, wf] of workflows) {
    for (const [id, job] of Object.entries(wf.jobs)) {
      for (const [i, step] of (job.steps ?? []).entries())
        out.push({ where: `${file} ${id} step ${i + 1}`, step });
    }
  }
  for (const f of actionFiles) {
    const action = parse(readFileSync(f, "utf8")) as { runs: { steps?: Step[] } };
    for (const [i, step] of (action.runs.steps ?? []).entries()) {
      out.push({ where: `${f.slice(root.length + 1)} step ${i + 1}`, step });
    }
  }
  return out;
}

/** `${{ inputs.x }}` in a workflow_dispatch workflow → one string per choice option. */
function expandChoices(text: string, wf: Workflow | undefined): string[] {
  const m = /\$\{\{\s*inputs\.([\w-]+)\s*\}\}/.exec(text);
  if (!m) return [text];
  const dispatch = wf?.on?.workflow_dispatch as
    | { inputs?: Record<string, { options?: string[] }> }
    | undefined;
  const options = dispatch?.inputs?.[m[1] as string]?.options;
  if (!options) return [];
  return options.flatMap((o) => expandChoices(text.replace(m[0], o), wf));
}

// Paths into the repository that workflows mention in scripts and inputs.
const PATH_RE =
  /(?<![\w./$-])(?:\.\/)?((?:scripts|helm|terraform|loadtest|models|argocd|service|observability|\.github)\/(?:\$\{\{[^}]*\}\}|[\w./-])*(?:\w|\}\}))(?=$|[\s"'`;|&)<>,:])/gm;

let shellcheckBin: string | undefined;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "infergate-workflows-test-"));
  const tools = join(root, "scripts", "tools.sh");
  if (!existsSync(join(root, ".tools", "bin", "actionlint"))) {
    execFileSync("bash", [tools, "actionlint"], { stdio: "inherit", timeout: 110_000 });
  }
  // shellcheck (pinned wheel from PyPI) in a cached venv, so actionlint checks every run: script.
  const { stdout } = await run(
    "bash",
    [join(root, "scripts", "venv.sh"), "shellcheck", join(root, ".github", "requirements", "shellcheck.txt")],
    { cwd: root, timeout: 110_000 },
  );
  shellcheckBin = join(stdout.trim(), "bin");
}, 240_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("GitHub Actions workflows", () => {
  it("has the pipeline's workflows", () => {
    expect(workflowFiles).toEqual(
      expect.arrayContaining([
        "ci.yml",
        "release.yml",
        "model.yml",
        "_accuracy-gate.yml",
        "_load-gate.yml",
        "_promote.yml",
      ]),
    );
  });

  it("passes actionlint (pinned) with shellcheck, with no findings", async () => {
    const bin = join(root, ".tools", "bin", "actionlint");
    const files = workflowFiles.map((f) => join(".github", "workflows", f));
    let out = "";
    let code = 0;
    try {
      const r = await run(bin, ["-no-color", ...files], {
        cwd: root,
        env: { ...process.env, PATH: `${shellcheckBin}:${process.env.PATH}` },
        timeout: 60_000,
      });
      out = r.stdout + r.stderr;
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      code = typeof e.code === "number" ? e.code : -1;
      out = `${e.stdout ?? ""}${e.stderr ?? ""}`;
    }
    expect(out).toBe("");
    expect(code).toBe(0);
    // The check above is only as good as its shellcheck: prove it is the one actionlint runs.
    const { stdout } = await run(join(shellcheckBin as string, "shellcheck"), ["--version"]);
    expect(stdout).toContain("version: 0.11.0");
  });

  it("runs only npm scripts that package.json defines", () => {
    const missing: string[] = [];
    for (const { where, step } of allSteps()) {
      for (const m of (step.run ?? "").matchAll(/\bnpm run ([\w:.-]+)/g)) {
        if (!pkg.scripts[m[1] as string]) missing.push(`${where}: npm run ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("uses local actions and reusable workflows that exist", () => {
    const missing: string[] = [];
    const check = (where: string, uses: string | undefined) => {
      if (!uses?.startsWith("./")) return;
      const target = join(root, uses);
      const ok = uses.endsWith(".yml") ? existsSync(target) : existsSync(join(target, "action.yml"));
      if (!ok) missing.push(`${where}: ${uses}`);
    };
    for (const { where, step } of allSteps()) check(where, step.uses);
    for (const [file, wf] of workflows)
      for (const [id, job] of Object.entries(wf.jobs)) check(`${file} ${id}`, job.uses);
    expect(missing).toEqual([]);
  });

  it("names only repository files that exist (scripts, inputs, path filters)", () => {
    const missing: string[] = [];
    const seen = new Set<string>();
    const checkPath = (where: string, raw: string, wf: Workflow | undefined) => {
      for (const path of expandChoices(raw, wf)) {
        // Shell variables, globs and output folders the jobs create are not repository files.
        if (/[$*{]/.test(path) || /^(reports|scan-report|candidate|candidate-artifact)\//.test(path))
          continue;
        const key = `${where}|${path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (!existsSync(join(root, path))) missing.push(`${where}: ${path}`);
      }
    };
    const scan = (where: string, text: string, wf: Workflow | undefined) => {
      for (const m of text.matchAll(PATH_RE)) checkPath(where, (m[1] as string).trim(), wf);
    };
    for (const [file, wf] of workflows) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        for (const v of Object.values(job.with ?? {}))
          if (typeof v === "string") scan(`${file} ${id}`, v, wf);
        for (const [i, step] of (job.steps ?? []).entries()) {
          const where = `${file} ${id} step ${i + 1}`;
          scan(where, step.run ?? "", wf);
          for (const v of Object.values({ ...step.with, ...step.env }))
            if (typeof v === "string") scan(where, v, wf);
        }
      }
      // Path filters: the part before the first glob character must exist.
      for (const trigger of Object.values(wf.on ?? {})) {
        for (const p of ((trigger as { paths?: string[] } | null)?.paths ?? []) as string[]) {
          const prefix = p.split(/[*?[]/)[0] as string;
          const dir = prefix.endsWith("/") || !prefix.includes("/") ? prefix.replace(/\/$/, "") : prefix;
          if (p.includes("*") && !prefix.includes("/")) {
            const re = new RegExp(`^${p.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`);
            if (!readdirSync(root).some((f) => re.test(f))) missing.push(`${file} paths: ${p}`);
          } else if (dir !== "" && !existsSync(join(root, dir))) {
            missing.push(`${file} paths: ${p}`);
          }
        }
      }
    }
    for (const f of actionFiles) scan(f.slice(root.length + 1), readFileSync(f, "utf8"), undefined);
    expect(missing).toEqual([]);
    // The scan found the references it is meant to check (guards against a broken pattern).
    expect([...seen].map((k) => k.split("|")[1])).toEqual(
      expect.arrayContaining([
        "helm/infergate/values-prod.yaml",
        "helm/infergate/values-dev.yaml",
        "models/repository/digits/validation.jsonl",
        "scripts/tools.sh",
        ".github/scripts/set-values.ts",
        "models/train.py",
        "helm/infergate/values-staging.yaml", // from model.yml's values-${{ inputs.environment }}.yaml
      ]),
    );
  });

  it("pins every third-party action to a full commit SHA with a version comment, consistently", () => {
    const problems: string[] = [];
    const pins = new Map<string, Set<string>>();
    for (const { file, text } of sources) {
      text.split("\n").forEach((line, i) => {
        const m = /^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?\s*(?:#\s*(\S+))?/.exec(line);
        if (!m) return;
        const ref = m[1] as string;
        if (ref.startsWith("./")) return;
        const at = `${file}:${i + 1}`;
        if (ref.startsWith("docker://")) {
          if (!/@sha256:[0-9a-f]{64}$/.test(ref)) problems.push(`${at}: ${ref} not pinned by digest`);
          return;
        }
        const [action, sha] = ref.split("@");
        if (!sha || !/^[0-9a-f]{40}$/.test(sha)) problems.push(`${at}: ${ref} is not pinned by commit SHA`);
        if (!m[2] || !/^v?\d+(\.\d+){0,2}$/.test(m[2]))
          problems.push(`${at}: ${ref} lacks a "# vX.Y.Z" comment`);
        const set = pins.get(action as string) ?? new Set<string>();
        set.add(`${sha} ${m[2]}`);
        pins.set(action as string, set);
      });
    }
    for (const [action, set] of pins) {
      if (set.size > 1) problems.push(`${action} pinned to different commits: ${[...set].join(", ")}`);
    }
    expect(problems).toEqual([]);
    // The scanner is pinned as well as its Trivy binary (the action's default would float).
    expect(pins.get("aquasecurity/trivy-action")?.size).toBe(1);
    const scan = readFileSync(join(actionsDir, "scan-image", "action.yml"), "utf8");
    expect(scan.match(/^\s+version: v\d+\.\d+\.\d+$/gm)?.length).toBe(2);
  });

  it("gives every job explicit least-privilege permissions and a time limit", () => {
    const problems: string[] = [];
    for (const [file, wf] of workflows) {
      if (JSON.stringify(wf.permissions) !== "{}")
        problems.push(`${file}: workflow-level permissions must be {}`);
      for (const [id, job] of Object.entries(wf.jobs)) {
        if (job.permissions === undefined) problems.push(`${file} ${id}: no permissions`);
        if (typeof job.permissions === "string")
          problems.push(`${file} ${id}: permissions "${job.permissions}"`);
        if (!job.uses && job["timeout-minutes"] === undefined)
          problems.push(`${file} ${id}: no timeout-minutes`);
        for (const [scope, level] of Object.entries((job.permissions ?? {}) as Record<string, string>)) {
          // Write access only where a job needs it.
          const allowed: Record<string, string[]> = {
            "id-token": ["write"],
            attestations: ["write"],
            contents: ["read", "write"],
            "pull-requests": ["write"],
          };
          if (!allowed[scope]?.includes(level)) problems.push(`${file} ${id}: ${scope}: ${level}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("wires the pipeline as issue #7 asks", () => {
    const ci = workflows.get("ci.yml") as Workflow;
    expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(["pull_request", "push"]));
    expect((ci.on.pull_request as { paths: string[] }).paths.length).toBeGreaterThan(5);
    expect(readFileSync(join(workflowsDir, "ci.yml"), "utf8")).toMatch(/^concurrency:/m);
    const ciText = readFileSync(join(workflowsDir, "ci.yml"), "utf8");
    for (const needle of ["npm audit", "type=gha", "hadolint"]) expect(ciText).toContain(needle);
    // The README's commands, exactly as .ci/run runs them, on a GitHub-hosted runner.
    expect(ci.jobs.test?.steps?.map((s) => s.run).filter(Boolean)).toEqual(["npm ci && npm test"]);
    expect(ci.jobs.test?.["runs-on"]).toMatch(/^ubuntu-/);
    expect(readFileSync(join(root, ".ci", "run"), "utf8")).toMatch(/^npm ci\nnpm test\n/m);
    expect(ci.jobs["accuracy-gate"]?.uses).toBe("./.github/workflows/_accuracy-gate.yml");
    expect(ci.jobs["load-gate"]?.uses).toBe("./.github/workflows/_load-gate.yml");

    // OIDC only: a role to assume, never stored keys.
    const all = sources.map((s) => s.text).join("\n");
    expect(all).not.toMatch(/aws-access-key-id|aws-secret-access-key|secrets\.AWS_/);
    const release = workflows.get("release.yml") as Workflow;
    const releaseSteps = release.jobs.image?.steps ?? [];
    const aws = releaseSteps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(aws?.with?.["role-to-assume"]).toBe("${{ vars.AWS_ROLE_ARN }}");
    const push = releaseSteps.find((s) => s.with?.push === true);
    expect(push?.with).toMatchObject({ provenance: "mode=max", sbom: true });
    expect(String(push?.with?.tags)).toContain("steps.ref.outputs.tag");
    // Promotion: dev committed, staging and production behind protected environments.
    expect(release.jobs["deploy-dev"]?.with).toMatchObject({ environment: "dev", mode: "commit" });
    expect(release.jobs["promote-staging"]?.with).toMatchObject({ environment: "staging" });
    expect(release.jobs["promote-production"]?.with).toMatchObject({
      environment: "production",
      mode: "pull-request",
    });

    const model = workflows.get("model.yml") as Workflow;
    expect(model.jobs.publish?.steps?.some((s) => s.run?.includes("npm run publish:model"))).toBe(true);
    expect((model.jobs.publish as unknown as { needs: string[] }).needs).toEqual(
      expect.arrayContaining(["accuracy-gate", "load-gate"]),
    );
    for (const f of ["_accuracy-gate.yml", "_load-gate.yml", "_promote.yml"]) {
      expect(Object.keys((workflows.get(f) as Workflow).on)).toEqual(["workflow_call"]);
    }
  });

  it("is described by .github/README.md (workflows, variables, environments)", () => {
    const readme = readFileSync(join(root, ".github", "README.md"), "utf8");
    const missing: string[] = [];
    for (const f of workflowFiles) if (!readme.includes(f)) missing.push(f);
    const all = sources.map((s) => s.text).join("\n");
    for (const m of new Set([...all.matchAll(/\bvars\.([A-Z0-9_]+)/g)].map((x) => x[1] as string))) {
      if (!readme.includes(m)) missing.push(`vars.${m}`);
    }
    for (const env of ["dev", "staging", "production", "model-dev", "model-staging", "model-prod"]) {
      if (!readme.includes(`\`${env}\``)) missing.push(`environment ${env}`);
    }
    expect(missing).toEqual([]);
  });
});

describe("workflow helper scripts", () => {
  it("set-values.ts changes only the requested keys, keeping every other byte", async () => {
    const file = join(work, "values-dev.yaml");
    copyFileSync(join(root, "helm", "infergate", "values-dev.yaml"), file);
    const before = readFileSync(file, "utf8");
    const sha = "0123456789abcdef0123456789abcdef01234567";
    await run(process.execPath, [
      "--import",
      "tsx",
      join(root, ".github/scripts/set-values.ts"),
      "--file",
      file,
      "--set",
      `image.tag=${sha}`,
    ]);
    const after = readFileSync(file, "utf8");
    const changed = after.split("\n").filter((l, i) => l !== before.split("\n")[i]);
    expect(changed).toEqual([`  tag: "${sha}"`]);
    expect((parse(after) as { image: { tag: string } }).image.tag).toBe(sha);
    // A key the chart does not have is refused, not added.
    await expect(
      run(process.execPath, [
        "--import",
        "tsx",
        join(root, ".github/scripts/set-values.ts"),
        "--file",
        file,
        "--set",
        "image.tagg=x",
      ]),
    ).rejects.toMatchObject({ code: 2 });
  });

  it("production-model.ts resolves the version an environment serves", async () => {
    const script = join(root, ".github/scripts/production-model.ts");
    const repo = join(root, "models", "repository");
    const values = async (policy: string) => {
      const f = join(work, `values-${policy.replace(/\W/g, "_")}.yaml`);
      await writeFile(
        f,
        `config:\n  modelRepository: "file://${repo}"\n  models: digits\n  versionPolicy: "${policy}"\n`,
      );
      return f;
    };
    const latest = await run(process.execPath, [
      "--import",
      "tsx",
      script,
      "--values",
      await values("latest:1"),
    ]);
    expect(latest.stdout.trim()).toBe(`file://${repo}/digits/2`);
    const pinned = await run(process.execPath, [
      "--import",
      "tsx",
      script,
      "--values",
      await values("specific:1"),
    ]);
    expect(pinned.stdout.trim()).toBe(`file://${repo}/digits/1`);
    // values-prod.yaml names no bucket (Argo CD passes Terraform's); the gate passes it with --repository.
    const prodValues = join(root, "helm", "infergate", "values-prod.yaml");
    const bundled = await run(process.execPath, [
      "--import",
      "tsx",
      script,
      "--values",
      prodValues,
      "--repository-only",
    ]);
    expect(bundled.stdout.trim()).toBe(`file://${repo}`);
    const prodRepo = await run(process.execPath, [
      "--import",
      "tsx",
      script,
      "--values",
      prodValues,
      "--repository",
      "s3://infergate-prod-models-111122223333/models/",
      "--repository-only",
    ]);
    expect(prodRepo.stdout.trim()).toBe("s3://infergate-prod-models-111122223333/models");
    expect(statSync(script).isFile()).toBe(true);
  });
});

describe("model.yml source=train: the version input", () => {
  const model = () => workflows.get("model.yml") as Workflow;
  const candidateSteps = () => model().jobs.candidate?.steps ?? [];
  const trainStep = () => candidateSteps().find((s) => s.run?.includes("models/train.py")) as Step;
  const identifyStep = () => candidateSteps().find((s) => (s as { id?: string }).id === "id") as Step;

  /**
   * Runs a step's script as GitHub does (bash -eo pipefail) in a scratch checkout: `scripts/` and
   * `models/` linked from this repository, so `candidate/` and `.venv/` land in the scratch dir.
   */
  async function runStep(
    step: Step,
    cwd: string,
    env: Record<string, string>,
    inputs: Record<string, string>,
  ) {
    const script = (step.run ?? "").replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, k: string) => {
      if (inputs[k] === undefined) throw new Error(`no value for inputs.${k}`);
      return inputs[k];
    });
    expect(script).not.toContain("${{");
    const file = join(cwd, "step.sh");
    await writeFile(file, script);
    try {
      const r = await run("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], {
        cwd,
        env: { ...process.env, ...env },
        timeout: 120_000,
      });
      return { code: 0, out: r.stdout + r.stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === "number" ? e.code : -1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
    }
  }

  async function scratch(name: string): Promise<{ dir: string; env: Record<string, string> }> {
    const dir = join(work, name);
    await mkdir(join(dir, "runner-temp"), { recursive: true });
    for (const d of ["scripts", "models"]) await symlink(join(root, d), join(dir, d));
    return { dir, env: { RUNNER_TEMP: join(dir, "runner-temp") } };
  }

  it("declares the input and passes it, through env, to train.py --version", () => {
    const dispatch = model().on.workflow_dispatch as {
      inputs: Record<string, { type?: string; required?: boolean; description?: string; default?: string }>;
    };
    expect(dispatch.inputs.version).toMatchObject({ type: "string", required: false, default: "" });
    expect(dispatch.inputs.version?.description).toMatch(/^source=train: .*must not exist yet/);
    const step = trainStep();
    expect((step as { if?: string }).if).toBe("inputs.source == 'train'");
    expect(step.env?.VERSION).toBe("${{ inputs.version }}");
    expect(step.run).toContain("^[1-9][0-9]*$");
    expect(step.run).toContain('models/train.py --version "$VERSION"');
    // Not the fixed versions and fixture a plain run writes, and no search for the newest version.
    expect(step.run).not.toContain("--degraded-out");
    expect(step.run).not.toMatch(/\bfind\b/);
  });

  it("refuses a missing or malformed version with an ::error:: before training", async () => {
    const { dir, env } = await scratch("train-step-invalid");
    for (const version of ["", "0", "07", "-3", "7 ", "x"]) {
      const r = await runStep(trainStep(), dir, { ...env, VERSION: version, ENVIRONMENT: "staging" }, {});
      expect(r.code, JSON.stringify(version)).toBe(2);
      expect(r.out).toContain("::error::source=train needs the version input");
      expect(r.out).toContain("staging model repository");
    }
    expect(existsSync(join(dir, "candidate"))).toBe(false);
    expect(existsSync(join(dir, ".venv"))).toBe(false);
  });

  it("trains digits/<version> as the candidate the Identify step reports; a shipped version fails", async () => {
    // The pinned models venv (cached; built once, which takes a while on a fresh machine).
    await run(
      "bash",
      [join(root, "scripts", "venv.sh"), "models", join(root, "models", "requirements.txt")],
      {
        cwd: root,
        timeout: 420_000,
      },
    );
    const shipped = await scratch("train-step-shipped");
    const refused = await runStep(
      trainStep(),
      shipped.dir,
      { ...shipped.env, VERSION: "2", ENVIRONMENT: "dev" },
      {},
    );
    expect(refused.code).toBe(1);
    expect(refused.out).toContain("digits v2 is a shipped version");
    expect(refused.out).toContain("::error::models/train.py --version 2 failed");
    expect(existsSync(join(shipped.dir, "candidate"))).toBe(false);

    const { dir, env } = await scratch("train-step");
    const trained = await runStep(trainStep(), dir, { ...env, VERSION: "5", ENVIRONMENT: "dev" }, {});
    expect(trained.code, trained.out).toBe(0);
    expect(readdirSync(join(dir, "candidate"), { recursive: true }).map(String).sort()).toEqual([
      "digits",
      "digits/5",
      "digits/5/manifest.json",
      "digits/5/model.onnx",
    ]);
    const manifest = JSON.parse(readFileSync(join(dir, "candidate/digits/5/manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ name: "digits", version: 5 });

    const output = join(dir, "github-output");
    const summary = join(dir, "step-summary");
    const identified = await runStep(
      identifyStep(),
      dir,
      { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
      { source: "train" },
    );
    expect(identified.code, identified.out).toBe(0);
    expect(readFileSync(output, "utf8")).toBe("model=digits\nversion=5\n");
  }, 600_000);
});
