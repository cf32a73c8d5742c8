import { command as gateAccuracy } from "../accuracy-gate/command.js";
import { command as canaryEvaluate } from "../canary-judge/command.js";
import { command as canaryServe } from "../canary-judge/serve-command.js";
import { command as gateLoad } from "../load-gate/command.js";
import { command as modelInit } from "../model-init/command.js";
import { command as publish } from "../publish/command.js";
import { command as rehearse } from "../rehearse/command.js";
import { command as serve } from "../serve/command.js";
import type { Command } from "./command.js";

/** Every `infergate` subcommand, in the order `infergate --help` lists them. */
export const COMMANDS: readonly Command[] = [
  serve,
  modelInit,
  publish,
  gateAccuracy,
  gateLoad,
  canaryEvaluate,
  canaryServe,
  rehearse,
];
