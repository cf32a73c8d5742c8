/**
 * A list of named checks that keeps going after a failure, so one test reports every property
 * that is off, not just the first; and the outputs of `terraform output -json`, typed on access.
 */
export class Checks {
  readonly passed: string[] = [];
  readonly failed: string[] = [];

  ok(condition: boolean, description: string): void {
    (condition ? this.passed : this.failed).push(description);
  }
}

type OutputsJson = Record<string, { value: unknown }>;

export class TerraformOutputs {
  readonly values: Record<string, unknown>;

  constructor(json: string) {
    const parsed = JSON.parse(json) as OutputsJson;
    this.values = Object.fromEntries(Object.entries(parsed).map(([name, output]) => [name, output.value]));
  }

  string(name: string): string {
    const value = this.values[name];
    if (typeof value !== "string")
      throw new Error(`output ${name} is not a string: ${JSON.stringify(value)}`);
    return value;
  }

  strings(name: string): string[] {
    const value = this.values[name];
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
      throw new Error(`output ${name} is not a list of strings: ${JSON.stringify(value)}`);
    return value;
  }
}
