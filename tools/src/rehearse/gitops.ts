/**
 * A local git repository standing in for the GitOps repository: it holds production's values
 * file, and the promotion changes it the way _promote.yml does, with .github/scripts/set-values.ts,
 * then commits it with model.yml's title. Its log shows the commit Argo CD would sync.
 */
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { RehearsalError } from "./errors.js";
import type { Supervisor } from "./supervisor.js";
import { commandLine, setValuesCommand, VALUES_FILE, versionPolicy } from "./workflow-commands.js";

type ModelVersion = { model: string; version: number };

/** model.yml's title of the change (point-environment's `title`), the commit's subject. */
export function promotionTitle(model: string, version: number, environment = "prod"): string {
  return `model: ${model} v${version} in ${environment}`;
}

/** git without the caller's repository settings (GIT_DIR, GIT_INDEX_FILE, ...) leaking in. */
function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GIT_"))),
    GIT_AUTHOR_NAME: "infergate rehearsal",
    GIT_AUTHOR_EMAIL: "rehearsal@infergate.invalid",
    GIT_COMMITTER_NAME: "infergate rehearsal",
    GIT_COMMITTER_EMAIL: "rehearsal@infergate.invalid",
  };
}

export class GitOpsRepository {
  private constructor(
    private readonly supervisor: Supervisor,
    private readonly root: string,
    readonly dir: string,
  ) {}

  /** The repository with production's values file, production's version policy committed. */
  static async create(supervisor: Supervisor, root: string, dir: string, production: ModelVersion) {
    const repo = new GitOpsRepository(supervisor, root, dir);
    await mkdir(dirname(join(dir, VALUES_FILE)), { recursive: true });
    await copyFile(join(root, VALUES_FILE), join(dir, VALUES_FILE));
    await repo.git("init", "-q", "-b", "main");
    await repo.setValues(production.version);
    await repo.git("add", VALUES_FILE);
    await repo.git(
      "commit",
      "-q",
      "-m",
      `${production.model} v${production.version} in prod (the rehearsal's starting point)`,
    );
    return repo;
  }

  get valuesFile(): string {
    return join(this.dir, VALUES_FILE);
  }

  /** The policy production's values give the service: INFERGATE_VERSION_POLICY. */
  static policyOf(version: number): string {
    return versionPolicy(version);
  }

  /** _promote.yml: set-values.ts, then a commit of the values file if it changed. Returns the commit line. */
  async promote(candidate: ModelVersion): Promise<string> {
    await this.setValues(candidate.version);
    const diff = await this.git("status", "--porcelain", "--", VALUES_FILE);
    if (diff.trim() === "")
      throw new RehearsalError(`${VALUES_FILE} already had ${versionPolicy(candidate.version)}`);
    await this.git(
      "commit",
      "-q",
      "-m",
      promotionTitle(candidate.model, candidate.version),
      "--",
      VALUES_FILE,
    );
    return (await this.log())[0] ?? "";
  }

  /**
   * The change the promotion would commit, made in the working copy only (`--platform kube`
   * deploys it before the canary and commits it after): set-values.ts. Returns `git diff`.
   */
  async propose(candidate: ModelVersion): Promise<string> {
    await this.setValues(candidate.version);
    return this.git("diff", "--unified=0", "--", VALUES_FILE);
  }

  /** The working copy's values file back to the last commit (a proposed change withdrawn). */
  async withdraw(): Promise<void> {
    await this.git("checkout", "--", VALUES_FILE);
  }

  /** `git log --oneline`, newest first. */
  async log(): Promise<string[]> {
    return (await this.git("log", "--format=%h %s")).trim().split("\n");
  }

  /** The promotion's change to the values file ("" while the starting point is the only commit). */
  async promotionDiff(): Promise<string> {
    if ((await this.log()).length < 2) return "";
    return this.git("show", "--format=", "--unified=0", "HEAD", "--", VALUES_FILE);
  }

  private async setValues(version: number): Promise<void> {
    const c = commandLine(this.root, setValuesCommand(this.valuesFile, version));
    const r = await this.supervisor.run("set-values", c.command, c.args, { cwd: this.root });
    if (r.code !== 0) throw new RehearsalError(`set-values.ts exited ${r.code ?? r.signal}; see ${r.log}`);
  }

  private async git(...args: string[]): Promise<string> {
    const r = await this.supervisor.run("git", "git", ["-C", this.dir, ...args], { env: gitEnv() });
    if (r.code !== 0)
      throw new RehearsalError(`git ${args.join(" ")} exited ${r.code ?? r.signal}; see ${r.log}`);
    return r.output();
  }
}
