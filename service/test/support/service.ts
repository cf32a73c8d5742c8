import pino, { type Logger } from "pino";
import { createService, type Service } from "../../src/process/compose.js";
import { type Config, loadConfig } from "../../src/process/config.js";
import { BUNDLED_REPOSITORY } from "./paths.js";

/** A fully loaded service on the bundled repository (or `env` overrides), silent logs unless given, for inject(). */
export async function startService(
  env: Record<string, string> = {},
  logger: Logger = pino({ level: "silent" }),
): Promise<Service & { config: Config }> {
  const config = loadConfig({
    INFERGATE_MODEL_REPOSITORY: `file://${BUNDLED_REPOSITORY}`,
    INFERGATE_DOCS: "true",
    ...env,
  });
  const service = await createService(config, logger);
  await service.start();
  await service.app.ready();
  return Object.assign(service, { config });
}
