#!/usr/bin/env node
// The `infergate` command (package.json "bin"; `npx infergate` from a checkout). In a checkout it
// runs the TypeScript source through tsx, a dev dependency; where only the compiled JavaScript is
// installed (the image: dist/, no tools/src), it runs that.
import { existsSync } from "node:fs";

const source = new URL("../tools/src/cli/run.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../dist/tools/src/cli/run.js", import.meta.url).href);
}
